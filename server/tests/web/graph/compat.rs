//! Closer to Microsoft's Graph: an export read back in lands on its days, the SDKs'
//! PATCH body, a state on a completed control, and the `/beta` paths.

use super::*;

/// Every item of a collection, following `@odata.nextLink` (relative without a public URL).
async fn every_item(s: &TestServer, first: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(uri) = next {
        let page = get_json(s, &uri, token).await;
        items.extend(page["value"].as_array().expect("a collection").iter().cloned());
        next =
            page["@odata.nextLink"].as_str().map(|l| l.trim_start_matches("http://rampart.test").to_owned());
    }
    items
}

#[tokio::test]
async fn an_export_read_back_in_lands_on_the_days_it_came_from() {
    let s = demo_server().await;
    let t = token(&s, "admin@contoso.example", CONTOSO_ID, "SecurityEvents.Read.All").await;
    let days = every_item(&s, &format!("{SCORES}?$top=1000"), &t).await;
    let profiles = every_item(&s, PROFILES, &t).await;
    assert!(days.len() > 150, "the demo's history: {}", days.len());

    // Each day says it was made on its own day, never later than now.
    let now = chrono::Utc::now();
    let mut exported = Vec::new();
    for d in &days {
        let id = d["id"].as_str().unwrap();
        let day = chrono::NaiveDate::parse_from_str(id.rsplit_once('_').unwrap().1, "%Y-%m-%d").unwrap();
        let created: chrono::DateTime<chrono::Utc> = d["createdDateTime"].as_str().unwrap().parse().unwrap();
        assert_eq!(created.date_naive(), day, "{id}: {created}");
        assert!(created <= now, "{id} is made in the future: {created}");
        exported.push((day, d["currentScore"].as_f64().unwrap(), d["maxScore"].as_f64().unwrap()));
    }
    exported.sort_by_key(|e| e.0);

    // Read back into a new tenant, the history is the one exported, day for day.
    let store = s.state.store.as_ref();
    let mut copy = store.tenant(CONTOSO_ID).await.unwrap();
    copy.name = "Contoso, read back".into();
    let new = store
        .create_tenant(
            store::NewTenant {
                id: None,
                name: copy.name,
                licensed_seats: copy.licensed_seats,
                active_users: copy.active_users,
                industry: copy.industry,
                enabled_services: copy.enabled_services,
                created_at: copy.created_at,
            },
            "test",
        )
        .await
        .unwrap();
    let files = [
        server::import::ImportFile::from_bytes(
            "scores.json",
            serde_json::json!({ "value": days }).to_string(),
        ),
        server::import::ImportFile::from_bytes(
            "profiles.json",
            serde_json::json!({ "value": profiles }).to_string(),
        ),
    ];
    server::import::import_graph(
        store,
        &s.state.catalog,
        Some(&new.id),
        &files,
        "test",
        score::MeasurementSource::Import,
        &|_, _| {},
    )
    .await
    .unwrap();
    let (first, last) = (exported[0].0, exported[exported.len() - 1].0);
    let back: Vec<(chrono::NaiveDate, f64, f64)> = store
        .snapshots(&new.id, first - chrono::Duration::days(5), last + chrono::Duration::days(5))
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.day, s.current.0 as f64 / 100.0, s.max.0 as f64 / 100.0))
        .collect();
    assert_eq!(
        back.iter().map(|b| b.0).collect::<Vec<_>>(),
        exported.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    let differing: Vec<_> = back.iter().zip(&exported).filter(|(b, e)| (b.1, b.2) != (e.1, e.2)).collect();
    assert!(
        differing.is_empty(),
        "{} days read back with another score: {:?}",
        differing.len(),
        &differing[..differing.len().min(5)]
    );
}

#[tokio::test]
async fn patch_takes_the_sdk_body_and_a_state_on_a_completed_control() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let rw = token(&s, "secops@contoso.example", CONTOSO_ID, SCOPE_READ_WRITE).await;
    let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    let open = open_action(&live);

    // The body a Graph SDK builds from its model: the last entry of controlStateUpdates applies.
    let sdk = r##"{"@odata.type":"#microsoft.graph.secureScoreControlProfile","controlStateUpdates":[
        {"@odata.type":"#microsoft.graph.secureScoreControlStateUpdate","state":"Default","comment":"older"},
        {"@odata.type":"#microsoft.graph.secureScoreControlStateUpdate","assignedTo":"ops@contoso.example",
         "comment":"Handled by the MDM vendor","state":"ThirdParty","updatedBy":"someone@else.example",
         "updatedDateTime":"2020-01-01T00:00:00Z"}]}"##;
    let r = api(&s, Method::PATCH, &format!("{PROFILES}/{open}"), Some(&rw), Some(sdk)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let last = store.status_history(CONTOSO_ID, &open).await.unwrap().pop().unwrap().change;
    assert_eq!((last.status, last.note.as_str()), (score::Status::ThirdParty, "Handled by the MDM vendor"));
    assert_eq!(last.assignee.as_deref(), Some("ops@contoso.example"));
    assert_eq!(last.changed_by, "secops@contoso.example", "recorded under the token's user, not the body's");
    assert!(last.changed_at > chrono::Utc::now() - chrono::Duration::minutes(5), "at the time it arrived");
    // An unknown field inside an entry is still refused.
    let r = api(
        &s,
        Method::PATCH,
        &format!("{PROFILES}/{open}"),
        Some(&rw),
        Some(r#"{"controlStateUpdates":[{"state":"Default","colour":"red"}]}"#),
    )
    .await;
    assert!(graph_error(&r, StatusCode::BAD_REQUEST).contains("colour"));

    // A control Completed by its measurement takes a state too, which the page's lock
    // refuses: accepted and recorded, its points as full as they were.
    let done = live
        .scores
        .iter()
        .find(|a| a.effective == score::EffectiveStatus::Completed)
        .expect("a completed action");
    let before = store.status_history(CONTOSO_ID, &done.id).await.unwrap().len();
    let r = api(
        &s,
        Method::PATCH,
        &format!("{PROFILES}/{}", done.id),
        Some(&rw),
        Some(r#"{"state":"ThirdParty","comment":"Also covered by the vendor"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let history = store.status_history(CONTOSO_ID, &done.id).await.unwrap();
    assert_eq!(history.len(), before + 1);
    assert_eq!(history.last().unwrap().change.status, score::Status::ThirdParty);
    let after = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    assert_eq!(after.score_of(&done.id).unwrap().points, done.points);
}

#[tokio::test]
async fn beta_paths_answer_like_v1() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    for path in [
        format!("{SCORES}?$top=3"),
        format!("{PROFILES}?$top=5&$select=id,title"),
        format!("{PROFILES}/AdminMFAV2"),
    ] {
        let v1 = get_json(&s, &path, &t).await;
        let beta = get_json(&s, &path.replacen("/v1.0/", "/beta/", 1), &t).await;
        assert_eq!(v1, beta, "{path}");
    }
    let day =
        get_json(&s, &format!("{SCORES}?$top=1"), &t).await["value"][0]["id"].as_str().unwrap().to_owned();
    let one = get_json(&s, &format!("/beta/security/secureScores/{day}"), &t).await;
    assert_eq!(one["id"], day.as_str());
    // The same rules: no token is a 401, a read-only token may not PATCH.
    let r = api(&s, Method::GET, "/beta/security/secureScores", None, None).await;
    graph_error(&r, StatusCode::UNAUTHORIZED);
    let r = api(
        &s,
        Method::PATCH,
        "/beta/security/secureScoreControlProfiles/AdminMFAV2",
        Some(&t),
        Some(r#"{"state":"Default"}"#),
    )
    .await;
    graph_error(&r, StatusCode::FORBIDDEN);
}

/// The ids of `items` that `keep` picks, in the collection's order.
fn ids_where(items: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    items.iter().filter(|i| keep(i)).map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

fn has(item: &Value, collection: &str, test: impl Fn(&Value) -> bool) -> bool {
    item[collection].as_array().is_some_and(|a| a.iter().any(test))
}

#[tokio::test]
async fn any_and_all_filter_on_what_a_collection_holds() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let filtered = |path: &str, filter: &str| format!("{path}?$filter={}", urlencode(filter));

    // Control profiles with a risk acceptance in their state updates, as Graph's scripts ask.
    let profiles = every_item(&s, PROFILES, &t).await;
    let ignored = ids_where(&profiles, |p| has(p, "controlStateUpdates", |u| u["state"] == "Ignored"));
    assert!(!ignored.is_empty(), "the demo tenant has accepted risks");
    let got =
        every_item(&s, &filtered(PROFILES, "controlStateUpdates/any(u: u/state eq 'Ignored')"), &t).await;
    assert_eq!(ids_where(&got, |_| true), ignored);
    let threats = ids_where(&profiles, |p| has(p, "threats", |x| x == "Account Breach"));
    assert!(!threats.is_empty());
    let got = every_item(&s, &filtered(PROFILES, "threats/any(x: x eq 'Account Breach')"), &t).await;
    assert_eq!(ids_where(&got, |_| true), threats);

    // Days on which some Data control scored in full; days on which every control did not.
    let days = every_item(&s, SCORES, &t).await;
    let full = |c: &Value| c["controlCategory"] == "Data" && c["scoreInPercentage"].as_f64() == Some(100.0);
    let expected = ids_where(&days, |d| has(d, "controlScores", full));
    let query = "controlScores/any(c: c/controlCategory eq 'Data' and c/scoreInPercentage eq 100)";
    let got = every_item(&s, &filtered(SCORES, query), &t).await;
    assert_eq!(ids_where(&got, |_| true), expected);
    let got = every_item(&s, &filtered(SCORES, "controlScores/all(c: c/scoreInPercentage lt 100)"), &t).await;
    assert_eq!(
        ids_where(&got, |_| true),
        ids_where(&days, |d| !has(d, "controlScores", |c| c["scoreInPercentage"].as_f64() == Some(100.0)))
    );

    // Anything deeper or unknown is still a 400 that says why.
    for (query, says) in [
        ("controlScores/any(c: c/colour eq 'red')", "c/colour"),
        ("controlScores/any(c: averageComparativeScores/any(a: a/averageScore gt 1))", "one level deep"),
        ("vendorInformation/any(v: v eq 'x')", "any and all look into"),
    ] {
        let r = api(&s, Method::GET, &filtered(SCORES, query), Some(&t), None).await;
        let message = graph_error(&r, StatusCode::BAD_REQUEST);
        assert!(message.contains(says), "{query}: {message}");
    }
}

#[tokio::test]
async fn comparison_averages_carry_graphs_split_by_category() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let newest = get_json(&s, &format!("{SCORES}?$top=1"), &t).await["value"][0].clone();
    let day = chrono::NaiveDate::parse_from_str(
        newest["id"].as_str().unwrap().rsplit('_').next().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    let names = ["identityScore", "dataScore", "deviceScore", "appsScore", "infrastructureScore"];
    let averages = newest["averageComparativeScores"].as_array().unwrap().clone();
    assert!(!averages.is_empty());
    for a in &averages {
        let parts: Vec<f64> =
            names.iter().map(|n| a[*n].as_f64().unwrap_or_else(|| panic!("{n} in {a}"))).collect();
        assert!(parts.iter().all(|p| (0.0..=100.0).contains(p)), "{a}");
        let total = a["averageScore"].as_f64().unwrap();
        assert!((parts.iter().sum::<f64>() - total).abs() <= 0.3, "the parts add up to the average: {a}");
    }

    // Worked out from the snapshots themselves: over every tenant the reader holds no role
    // in, each category's points as a share of that tenant's maximum, averaged.
    let store = s.state.store.as_ref();
    let reader = store.user_by_email("reader@contoso.example").await.unwrap();
    let held: Vec<String> =
        store.memberships_of_user(&reader.id).await.unwrap().into_iter().map(|m| m.tenant_id).collect();
    let mut sums = [0.0f64; 6];
    let mut count = 0.0;
    for tenant in store.tenants().await.unwrap() {
        if held.contains(&tenant.id) {
            continue;
        }
        let Some(snap) = store.snapshots(&tenant.id, day, day).await.unwrap().pop() else { continue };
        let share = |p: i64| p as f64 / snap.max.0 as f64 * 100.0;
        sums[0] += share(snap.current.0);
        for (i, category) in ["Identity", "Data", "Device", "Apps", "Infrastructure"].iter().enumerate() {
            let b = snap.categories.iter().find(|b| b.name == *category).unwrap();
            sums[i + 1] += share(b.current.0);
        }
        count += 1.0;
    }
    assert!(count >= 5.0);
    let all = averages.iter().find(|a| a["basis"] == "AllTenants").expect("an all-tenants average");
    let close = |got: f64, want: f64| (got - want).abs() <= 0.06;
    assert!(close(all["averageScore"].as_f64().unwrap(), sums[0] / count), "{all} vs {}", sums[0] / count);
    for (i, n) in names.iter().enumerate() {
        assert!(
            close(all[*n].as_f64().unwrap(), sums[i + 1] / count),
            "{n}: {all} vs {}",
            sums[i + 1] / count
        );
    }
}
