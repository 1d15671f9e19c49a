//! The portfolio at a service provider's scale: each tenant's kept score equals a fresh
//! evaluation after every kind of change, and the page searches, filters, orders, pages,
//! sums up and exports only the viewer's own tenants, over real HTTP.

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, form, TestServer};
use axum::http::StatusCode;
use score::roles::Role;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use service::portfolio::every_score;
use std::collections::BTreeMap;
use store::{KeptScore, NewTenant};

const ADMIN: &str = "admin@contoso.example";
const MSP: &str = "msp@provider.example";

/// A fresh evaluation of the tenant, computed without the kept scores.
async fn fresh(s: &TestServer, tenant: &str) -> KeptScore {
    let live = service::live::live_score(s.state.store.as_ref(), &s.state.catalog, tenant).await.unwrap();
    KeptScore { current: live.score.current, max: live.score.max }
}

/// The tenant's kept score as stored, where it still holds.
async fn kept(s: &TestServer, tenant: &str) -> Option<KeptScore> {
    let all = s.state.store.kept_scores(&s.state.catalog_fingerprint).await.unwrap();
    all.into_iter().find(|t| t.tenant_id == tenant).unwrap().kept
}

/// The tenant's score as the portfolio reads it (kept where it holds).
async fn read(s: &TestServer, tenant: &str) -> KeptScore {
    let all =
        every_score(s.state.store.as_ref(), &s.state.catalog, &s.state.catalog_fingerprint).await.unwrap();
    all.into_iter().find(|(id, _, _)| id == tenant).unwrap().2
}

/// After a change: it retired the tenant's kept score, and what the portfolio reads now is
/// a fresh evaluation, which is kept again.
async fn after(s: &TestServer, tenant: &str, change: &str) -> KeptScore {
    assert_eq!(kept(s, tenant).await, None, "{change}: the change retires the kept score");
    let now = fresh(s, tenant).await;
    assert_eq!(read(s, tenant).await, now, "{change}: the portfolio reads the live score");
    assert_eq!(kept(s, tenant).await, Some(now), "{change}: and keeps it");
    now
}

fn custom_fields(max_points: &str) -> Vec<(&str, &str)> {
    vec![
        ("tenant_id", CONTOSO_ID),
        ("title", "Rotate the VPN pre-shared keys"),
        ("category", "Infrastructure"),
        ("product", ""),
        ("max_points", max_points),
        ("scoring", "binary"),
        ("unit", ""),
        ("description", "Keys older than a year are stale."),
        ("cost", "Low"),
        ("impact", "Low"),
    ]
}

#[tokio::test]
async fn the_kept_score_is_the_live_score_after_every_kind_of_change() {
    let s = demo_server().await;
    let admin = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let mut score = read(&s, CONTOSO_ID).await;
    assert_eq!(kept(&s, CONTOSO_ID).await, Some(score), "a read keeps the score");
    // The daily snapshot freezes the score and changes nothing it is computed from: every
    // kept score still holds after it, so the first read after midnight evaluates nothing.
    let today = chrono::Utc::now().date_naive();
    server::jobs::snapshot_all(s.state.store.as_ref(), &s.state.catalog, today, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(kept(&s, CONTOSO_ID).await, Some(score), "a snapshot keeps the kept score");
    // Another tenant's kept score is untouched by Contoso's changes.
    let peer = s.peer_tenant().await.id;
    let peer_score = read(&s, &peer).await;

    // A status: the top-ranked action resolved through a third party earns its points.
    let top = service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID)
        .await
        .unwrap()
        .ranking[0]
        .id
        .clone();
    let status = form(&[("tenant_id", CONTOSO_ID), ("action_id", &top), ("status", "ThirdParty")]);
    assert_eq!(s.post_form("/api/update_action", &status, Some(&admin)).await.status, StatusCode::FOUND);
    let now = after(&s, CONTOSO_ID, "status").await;
    assert!(now.current > score.current, "the status moved the score");
    score = now;

    // A measurement, ingested by a script.
    let (token, _) = s.api_token(ADMIN, CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let batch = serde_json::json!({"measurements": [
        {"actionId": "MFARegistrationV2", "count": 1, "total": 900, "observedAt": at},
    ]});
    let req = axum::http::Request::post("/api/v1/measurements")
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::from(batch.to_string()))
        .unwrap();
    assert_eq!(s.send(req).await.status, StatusCode::OK);
    let now = after(&s, CONTOSO_ID, "measurement").await;
    assert!(now.current < score.current, "the measurement moved the score");
    score = now;

    // A custom action added, edited, deleted and restored.
    let r = s.post_form("/api/add_custom_action", &form(&custom_fields("10")), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let now = after(&s, CONTOSO_ID, "custom action added").await;
    assert_eq!(now.max, score.max + score::Points::whole(10));
    let id = "Custom.RotateTheVPNPreSharedKeys";
    let mut edit = custom_fields("4");
    edit.push(("action_id", id));
    let r = s.post_form("/api/edit_custom_action", &form(&edit), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(after(&s, CONTOSO_ID, "custom action edited").await.max, score.max + score::Points::whole(4));
    let which = form(&[("tenant_id", CONTOSO_ID), ("action_id", id)]);
    assert_eq!(
        s.post_form("/api/delete_custom_action", &which, Some(&admin)).await.status,
        StatusCode::FOUND
    );
    assert_eq!(after(&s, CONTOSO_ID, "custom action deleted").await, score);
    assert_eq!(
        s.post_form("/api/restore_custom_action", &which, Some(&admin)).await.status,
        StatusCode::FOUND
    );
    assert_eq!(
        after(&s, CONTOSO_ID, "custom action restored").await.max,
        score.max + score::Points::whole(4)
    );

    // Licenses: the whole score stays what it was, and is still evaluated afresh.
    let licenses = format!("tenant_id={CONTOSO_ID}&licenses%5B%5D=Microsoft+365+E5");
    let r = s.post_form("/api/set_licenses", &licenses, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    after(&s, CONTOSO_ID, "licenses").await;

    // An import of Graph exports into a new tenant.
    let fabrikam = "7e1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
    let t = NewTenant {
        id: Some(fabrikam.into()),
        name: "Fabrikam".into(),
        licensed_seats: 60,
        active_users: 55,
        industry: "Retail".into(),
        enabled_services: vec![],
        created_at: chrono::Utc::now(),
    };
    s.state.store.create_tenant(t, "test").await.unwrap();
    let empty = read(&s, fabrikam).await;
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let files: Vec<server::import::ImportFile> = ["graph-secure-scores.json", "graph-control-profiles.json"]
        .iter()
        .map(|name| {
            server::import::ImportFile::from_bytes(*name, std::fs::read(fixtures.join(name)).unwrap())
        })
        .collect();
    server::import::import_graph(
        s.state.store.as_ref(),
        &s.state.catalog,
        Some(fabrikam),
        &files,
        "test import",
        score::MeasurementSource::Import,
        &|_, _| {},
    )
    .await
    .unwrap();
    assert_ne!(after(&s, fabrikam, "import").await, empty, "the import moved the score");

    assert_eq!(kept(&s, &peer).await, Some(peer_score), "other tenants keep theirs");
    // And the page shows it: the provider's portfolio row for Contoso.
    let msp = s.sign_in(MSP, DEMO_PASSWORD).await;
    let page = s.get("/?q=Contoso", Some(&msp)).await;
    let percent = read(&s, CONTOSO_ID).await;
    assert!(page.body.contains(&percent.current.percent_of(percent.max).to_string()), "{}", page.body);
    // The page's own cache follows the next change at once.
    let live = service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.unwrap();
    let next = live.ranking[0].id.clone();
    let status = form(&[("tenant_id", CONTOSO_ID), ("action_id", &next), ("status", "ThirdParty")]);
    assert_eq!(s.post_form("/api/update_action", &status, Some(&admin)).await.status, StatusCode::FOUND);
    let moved = fresh(&s, CONTOSO_ID).await;
    assert_ne!(moved, percent);
    let page = s.get("/?q=Contoso", Some(&msp)).await;
    assert!(page.body.contains(&moved.current.percent_of(moved.max).to_string()), "{}", page.body);
}

#[tokio::test]
async fn a_catalog_updated_at_startup_retires_every_kept_score() {
    let s = demo_server().await;
    let before = read(&s, CONTOSO_ID).await;
    // One action is worth a point less, in a new version of the catalog.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("actions.toml");
    let text = server::catalog_file::BUILT_IN.replacen("max_points = 10", "max_points = 9", 1).replacen(
        "version = \"",
        "version = \"9",
        1,
    );
    std::fs::write(&file, text).unwrap();
    let common = server::config::Common { database_url: s.database_url(), catalog: Some(file) };
    let updated = server::startup::open_app_state(&common).await.unwrap();
    assert_ne!(updated.catalog_fingerprint, s.state.catalog_fingerprint);
    let store = updated.store.as_ref();
    let kept = store.kept_scores(&updated.catalog_fingerprint).await.unwrap();
    assert!(kept.iter().all(|t| t.kept.is_none()), "no score kept under the old catalog holds");
    let live = service::live::live_score(store, &updated.catalog, CONTOSO_ID).await.unwrap();
    let scores = every_score(store, &updated.catalog, &updated.catalog_fingerprint).await.unwrap();
    let now = scores.into_iter().find(|(id, _, _)| id == CONTOSO_ID).unwrap().2;
    assert_eq!(now, KeptScore { current: live.score.current, max: live.score.max });
    assert_eq!(now.max, before.max - score::Points::whole(1), "the new catalog's maximum");
    updated.store.close().await;
}

/// A provider with `n` tenants of its own (besides the demo's), named `Client 0001` on, in
/// the industries and seat counts given by their number; and an unrelated tenant it does
/// not look after. Returns the provider's session and the unrelated tenant's name.
async fn provider_with(s: &TestServer, n: u32) -> (String, String) {
    let store = s.state.store.as_ref();
    let msp = store.user_by_email(MSP).await.unwrap();
    for i in 1..=n {
        let t = store
            .create_tenant(
                NewTenant {
                    id: None,
                    name: format!("Client {i:04}"),
                    licensed_seats: [8, 40, 80, 400][(i % 4) as usize],
                    active_users: 5,
                    industry: ["Retail", "Finance", "Health"][(i % 3) as usize].into(),
                    enabled_services: vec![],
                    created_at: chrono::Utc::now(),
                },
                "test",
            )
            .await
            .unwrap();
        let role = if i % 5 == 0 { Role::GlobalReader } else { Role::SecurityAdministrator };
        store.grant_role(&t.id, &msp.id, role, "test").await.unwrap();
    }
    let stranger = "Stranger Holdings";
    store
        .create_tenant(
            NewTenant {
                id: None,
                name: stranger.into(),
                licensed_seats: 40,
                active_users: 5,
                industry: "Retail".into(),
                enabled_services: vec![],
                created_at: chrono::Utc::now(),
            },
            "test",
        )
        .await
        .unwrap();
    (s.sign_in(MSP, DEMO_PASSWORD).await, stranger.into())
}

/// The tenant names of a portfolio page's rows, in order.
fn rows(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"tenant-list\"") else { return Vec::new() };
    let body = &html[start..html[start..].find("</table>").map_or(html.len(), |e| start + e)];
    body.split("<tr data-tenant=")
        .skip(1)
        .filter_map(|row| {
            let link = row.find("<a href=\"/tenants/")?;
            let text = &row[link..];
            let open = text.find('>')? + 1;
            let close = text.find("</a>")?;
            Some(text[open..close].to_owned())
        })
        .collect()
}

fn count_of(html: &str) -> u32 {
    let at = html.find("data-total=\"").unwrap() + "data-total=\"".len();
    html[at..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_page_searches_filters_orders_and_pages_only_the_viewers_tenants() {
    let s = demo_server().await;
    let (msp, stranger) = provider_with(&s, 120).await;
    let store = s.state.store.as_ref();
    let user = store.user_by_email(MSP).await.unwrap();
    // The expectations, worked out from the store: the provider's tenants and live scores.
    let mine: Vec<store::Tenant> = {
        let mut v = Vec::new();
        for m in store.memberships_of_user(&user.id).await.unwrap() {
            v.push(store.tenant(&m.tenant_id).await.unwrap());
        }
        v
    };
    let total = u32::try_from(mine.len()).unwrap();
    assert_eq!(total, 126, "the demo's six and 120 more");
    let mut percents = BTreeMap::new();
    for t in &mine {
        let f = fresh(&s, &t.id).await;
        percents.insert(t.name.clone(), f.current.percent_of(f.max));
    }

    // Fifty a page, by name, and the last page holds the rest.
    let first = s.get("/", Some(&msp)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(count_of(&first.body), total);
    let mut names: Vec<String> = mine.iter().map(|t| t.name.clone()).collect();
    names.sort_by_key(|n| n.to_lowercase());
    assert_eq!(rows(&first.body), names[..50]);
    let last = s.get("/?page=3", Some(&msp)).await;
    assert_eq!(rows(&last.body), names[100..]);
    assert!(!first.body.contains(&stranger) && !last.body.contains(&stranger), "only the viewer's tenants");

    // Search is by name, any case, as text.
    assert_eq!(
        rows(&s.get("/?q=client%20011", Some(&msp)).await.body),
        [
            "Client 0110",
            "Client 0111",
            "Client 0112",
            "Client 0113",
            "Client 0114",
            "Client 0115",
            "Client 0116",
            "Client 0117",
            "Client 0118",
            "Client 0119"
        ]
    );
    let literal = s.get("/?q=%3Cb%3E.*", Some(&msp)).await;
    assert_eq!(count_of(&literal.body), 0);
    assert!(literal.body.contains("No tenant matches these filters"));
    assert!(!literal.body.contains("value=\"<b>"), "the search is shown as text");

    // Industry and seats together: worked out from the tenants themselves.
    let expected =
        mine.iter().filter(|t| t.industry == "Finance" && (11..=50).contains(&t.licensed_seats)).count();
    let page = s.get("/?industry=Finance&seats=11-50", Some(&msp)).await;
    assert_eq!(count_of(&page.body) as usize, expected);
    assert!(expected > 0);

    // Score range, highest first.
    let in_range: Vec<(&String, &score::Percent)> =
        percents.iter().filter(|(_, p)| p.0 >= 1_000 && p.0 <= 6_000).collect();
    let page = s.get("/?min=10&max=60&sort=score", Some(&msp)).await;
    assert_eq!(count_of(&page.body) as usize, in_range.len());
    let shown = rows(&page.body);
    let shown_percents: Vec<score::Percent> = shown.iter().map(|n| percents[n]).collect();
    assert!(shown_percents.windows(2).all(|w| w[0] >= w[1]), "highest first: {shown_percents:?}");

    // Zones: the summary's counts are the filter's counts.
    let summary = s.get("/", Some(&msp)).await.body;
    for zone in ["bad", "okay", "good"] {
        let n = mine
            .iter()
            .filter(|t| app::format::zone(percents[&t.name], t.zone_okay_from, t.zone_good_from) == zone)
            .count();
        let at = summary.find(&format!("data-zone=\"{zone}\"")).unwrap();
        let link = summary[at..].split("</a>").next().unwrap();
        assert!(link.ends_with(&format!(">{n} tenants")), "zone {zone}: {n}: {link}");
        assert_eq!(count_of(&s.get(&format!("/?zone={zone}"), Some(&msp)).await.body) as usize, n);
    }

    // A value that is no choice is named and leaves the list whole.
    let nope = s.get("/?zone=Nope&industry=Mining", Some(&msp)).await.body;
    assert_eq!(count_of(&nope), total);
    assert!(nope.contains("Ignored zone “Nope”") && nope.contains("Ignored industry “Mining”"));

    // The export: every tenant the filters keep, all pages, and no one else's.
    let csv = s.get("/portfolio.csv?industry=Retail", Some(&msp)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    let retail = mine.iter().filter(|t| t.industry == "Retail").count();
    assert_eq!(lines.len(), retail + 1, "a header and one line per tenant");
    assert!(lines[0].starts_with("Tenant,Tenant ID,Industry"));
    assert!(!csv.body.contains(&stranger));
    assert_eq!(s.get("/portfolio.csv", None).await.status, StatusCode::UNAUTHORIZED);
}

/// The tenants named `Client …` the provider looks after, by name: (id, role).
async fn clients(s: &TestServer) -> Vec<(String, String, Role)> {
    let store = s.state.store.as_ref();
    let msp = store.user_by_email(MSP).await.unwrap();
    let mut out = Vec::new();
    for m in store.memberships_of_user(&msp.id).await.unwrap() {
        let t = store.tenant(&m.tenant_id).await.unwrap();
        if t.name.starts_with("Client ") {
            out.push((t.name, t.id, m.role));
        }
    }
    out.sort();
    out
}

async fn status_of(s: &TestServer, tenant: &str, action: &str) -> (score::Status, String) {
    let records = s.state.store.control_records(tenant).await.unwrap();
    records
        .into_iter()
        .find(|r| r.action_id == action)
        .map_or((score::Status::ToAddress, String::new()), |r| (r.state.status, r.note))
}

/// The outcome each tenant got on a result page, by tenant id.
fn outcomes(html: &str) -> BTreeMap<String, String> {
    html.split("<tr class=\"")
        .skip(1)
        .filter_map(|row| {
            let id = row.split("data-tenant=\"").nth(1)?.split('"').next()?;
            let outcome = row.split("data-outcome=\"").nth(1)?.split('"').next()?;
            Some((id.to_owned(), outcome.to_owned()))
        })
        .collect()
}

fn tenants_form(ids: &[&str], rest: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = ids.iter().map(|id| ("tenant", *id)).collect();
    pairs.extend_from_slice(rest);
    form(&pairs)
}

#[tokio::test]
async fn one_status_is_set_in_every_ticked_tenant_the_viewer_may_change_and_no_other() {
    let s = demo_server().await;
    let (msp, stranger_name) = provider_with(&s, 10).await;
    let store = s.state.store.as_ref();
    let stranger = store.tenants().await.unwrap().into_iter().find(|t| t.name == stranger_name).unwrap().id;
    let nowhere = "00000000-0000-4000-8000-0000000000ff";
    let clients = clients(&s).await;
    let mut ticked: Vec<&str> = clients.iter().map(|(_, id, _)| id.as_str()).collect();
    ticked.extend([stranger.as_str(), nowhere, CONTOSO_ID]);
    let action = "AdminMFAV2";
    let contoso_locked = {
        let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
        live.score_of(action).unwrap().effective == score::EffectiveStatus::Completed
    };
    let stranger_before = status_of(&s, &stranger, action).await;
    let audit_before = store.audit_trail(&stranger, 1000).await.unwrap().len();

    let body = tenants_form(
        &ticked,
        &[("action_id", action), ("status", "ThirdParty"), ("note", "Covered by Acme MFA")],
    );
    let r = s.post_form("/portfolio/status", &body, Some(&msp)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = outcomes(&r.body);
    assert_eq!(got.len(), ticked.len(), "a line per tenant asked for");
    for (name, id, role) in &clients {
        let (status, note) = status_of(&s, id, action).await;
        if role.can_write() {
            assert_eq!(got[id], "changed", "{name}");
            assert_eq!((status, note.as_str()), (score::Status::ThirdParty, "Covered by Acme MFA"), "{name}");
            let line = &store.audit_trail(id, 1).await.unwrap()[0];
            assert_eq!(
                (line.kind.as_str(), line.actor.as_str(), line.subject.as_str()),
                ("status.set", MSP, action)
            );
        } else {
            assert_eq!(got[id], "skipped", "{name} is read-only");
            assert_eq!(status, score::Status::ToAddress, "{name} unchanged");
        }
    }
    assert!(clients.iter().any(|(_, _, role)| !role.can_write()), "some were read-only");
    // A tenant the provider does not hold and one that does not exist read the same, and
    // the stranger's name is never shown.
    assert_eq!((got[&stranger].as_str(), got[nowhere].as_str()), ("skipped", "skipped"));
    assert_eq!(r.body.matches(service::bulk::NOT_YOURS).count(), 2);
    assert!(!r.body.contains(&stranger_name));
    assert_eq!(status_of(&s, &stranger, action).await, stranger_before);
    assert_eq!(store.audit_trail(&stranger, 1000).await.unwrap().len(), audit_before);
    assert_eq!(got[CONTOSO_ID], if contoso_locked { "skipped" } else { "changed" });
    let changed = clients.iter().filter(|c| c.2.can_write()).count() + usize::from(!contoso_locked);
    assert!(r.body.contains(&format!("in {changed} of {} tenants", ticked.len())), "{}", r.body);
}

#[tokio::test]
async fn a_bad_bulk_change_names_its_field_and_changes_nothing() {
    let s = demo_server().await;
    let (msp, _) = provider_with(&s, 3).await;
    let clients = clients(&s).await;
    let one = clients[0].1.as_str();
    let audit = |s: &TestServer| {
        let id = one.to_owned();
        let store = s.state.store.clone();
        async move { store.audit_trail(&id, 1000).await.unwrap().len() }
    };
    let before = audit(&s).await;
    let many: Vec<String> =
        (0..=service::bulk::MAX_TENANTS).map(|i| format!("00000000-0000-4000-8000-{i:012}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let cases: Vec<(String, &str)> = vec![
        (tenants_form(&[], &[("action_id", "AdminMFAV2"), ("status", "ThirdParty")]), "tenant"),
        (tenants_form(&many, &[("action_id", "AdminMFAV2"), ("status", "ThirdParty")]), "tenant"),
        (tenants_form(&[one], &[("action_id", "NoSuchAction"), ("status", "ThirdParty")]), "action_id"),
        (tenants_form(&[one], &[("action_id", "AdminMFAV2"), ("status", "Completed")]), "status"),
        (tenants_form(&[one], &[("action_id", "AdminMFAV2"), ("status", "RiskAccepted")]), "note"),
        (
            tenants_form(&[one], &[("action_id", "AdminMFAV2"), ("status", "Planned"), ("due_date", "soon")]),
            "due_date",
        ),
    ];
    for (body, field) in cases {
        let r = s.post_form("/portfolio/status", &body, Some(&msp)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert!(r.body.contains(&format!("data-field=\"{field}\"")), "{field}: {}", r.body);
    }
    // From another site, or signed out, nothing happens either.
    let body = tenants_form(&[one], &[("action_id", "AdminMFAV2"), ("status", "ThirdParty")]);
    let req = axum::http::Request::post("/portfolio/status")
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(axum::http::header::COOKIE, &msp)
        .header(axum::http::header::ORIGIN, "https://evil.example")
        .body(axum::body::Body::from(body.clone()))
        .unwrap();
    assert_eq!(s.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(s.post_form("/portfolio/status", &body, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(audit(&s).await, before, "nothing was written");
    assert_eq!(status_of(&s, one, "AdminMFAV2").await.0, score::Status::ToAddress);
}

#[tokio::test]
async fn a_baseline_is_saved_checked_line_by_line_and_applied_whole() {
    let s = demo_server().await;
    let (msp, _) = provider_with(&s, 5).await;
    let store = s.state.store.as_ref();
    let user = store.user_by_email(MSP).await.unwrap();
    let entries = "# Acme's managed stack\nAdminMFAV2, ThirdParty, Acme MFA, managed for you\n\nMFARegistrationV2, AlternateMitigation, Acme enrolment\n";

    // Each bad line is named; nothing is kept.
    let bad = [
        ("", entries, "name"),
        ("Acme", "AdminMFAV2, ThirdParty\nNoSuchAction, ThirdParty", "Line 2: “NoSuchAction”"),
        ("Acme", "AdminMFAV2, Sometime", "Line 1: “Sometime” is not a status"),
        ("Acme", "AdminMFAV2, RiskAccepted", "Line 1: Notes: risk accepting"),
        ("Acme", "AdminMFAV2, ThirdParty\nAdminMFAV2, Planned", "Line 2: AdminMFAV2 is already set"),
        ("Acme", "# nothing\n", "at least one line"),
    ];
    for (name, text, says) in bad {
        let r = s
            .post_form("/portfolio/baselines", &form(&[("name", name), ("entries", text)]), Some(&msp))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{says}");
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    assert!(store.baselines(&user.id).await.unwrap().is_empty());

    let r = s
        .post_form("/portfolio/baselines", &form(&[("name", "Acme stack"), ("entries", entries)]), Some(&msp))
        .await;
    assert_eq!(r.location.as_deref(), Some("/?done=baseline_added#baselines"), "{}", r.body);
    let again = s
        .post_form("/portfolio/baselines", &form(&[("name", "acme STACK"), ("entries", entries)]), Some(&msp))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one name once");
    let saved = store.baselines(&user.id).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].entries.len(), 2);
    assert_eq!(saved[0].entries[0].note, "Acme MFA, managed for you", "the note keeps its commas");
    let page = s.get("/", Some(&msp)).await.body;
    assert!(page.contains("Acme stack (2 actions)"), "listed on the portfolio");

    // Applied to the ticked tenants: all of it in each tenant the provider may change.
    let clients = clients(&s).await;
    let ids: Vec<&str> = clients.iter().map(|(_, id, _)| id.as_str()).collect();
    let body = tenants_form(&ids, &[("baseline_id", &saved[0].id)]);
    let r = s.post_form("/portfolio/baselines/apply", &body, Some(&msp)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = outcomes(&r.body);
    for (name, id, role) in &clients {
        let a = status_of(&s, id, "AdminMFAV2").await;
        let b = status_of(&s, id, "MFARegistrationV2").await;
        if role.can_write() {
            assert_eq!(got[id], "changed", "{name}");
            assert_eq!(a, (score::Status::ThirdParty, "Acme MFA, managed for you".to_owned()));
            assert_eq!(b, (score::Status::AlternateMitigation, "Acme enrolment".to_owned()));
        } else {
            assert_eq!(got[id], "skipped", "{name}");
            assert_eq!((a.0, b.0), (score::Status::ToAddress, score::Status::ToAddress));
        }
    }

    // Only its owner deletes it.
    let other = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let delete = form(&[("baseline_id", &saved[0].id)]);
    assert_eq!(
        s.post_form("/portfolio/baselines/delete", &delete, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    let r = s.post_form("/portfolio/baselines/delete", &delete, Some(&msp)).await;
    assert_eq!(r.location.as_deref(), Some("/?done=baseline_deleted#baselines"));
    assert!(store.baselines(&user.id).await.unwrap().is_empty());
}
