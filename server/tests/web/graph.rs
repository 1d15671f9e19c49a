//! The Graph-compatible API over real HTTP requests through the router: Graph's fields and
//! types, every query option, paging to the end, PATCH round trips and the auth cases.

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, Reply, TestServer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;
use server::bearer::{SCOPE_READ, SCOPE_READ_WRITE};
use server::demo::CONTOSO_ID;
use std::collections::HashSet;

const SCORES: &str = "/v1.0/security/secureScores";
const PROFILES: &str = "/v1.0/security/secureScoreControlProfiles";

/// A token for `email` in `tenant`, made the way Settings makes one.
async fn token(s: &TestServer, email: &str, tenant: &str, scope: &str) -> String {
    s.api_token(email, tenant, scope).await.0
}

async fn api(s: &TestServer, method: Method, uri: &str, token: Option<&str>, body: Option<&str>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri).header(header::HOST, "rampart.test");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    s.send(req.body(Body::from(body.unwrap_or_default().to_owned())).expect("request")).await
}

async fn get_json(s: &TestServer, uri: &str, token: &str) -> Value {
    let r = api(s, Method::GET, uri, Some(token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    serde_json::from_str(&r.body).expect("JSON body")
}

/// A refusal in Graph's shape; returns the message.
fn graph_error(r: &Reply, status: StatusCode) -> String {
    assert_eq!(r.status, status, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).expect("Graph error body is JSON");
    assert!(v["error"]["code"].is_string(), "{v}");
    v["error"]["message"].as_str().expect("message").to_owned()
}

fn cents(v: &Value) -> i64 {
    (v.as_f64().expect("number") * 100.0).round() as i64
}

#[tokio::test]
async fn secure_scores_carry_graphs_fields_newest_first() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let latest = s.state.store.latest_snapshot(CONTOSO_ID).await.expect("read").expect("demo history");

    let page = get_json(&s, &format!("{SCORES}?$top=1"), &t).await;
    // Without a public URL the links are relative: never built from the Host header.
    assert_eq!(page["@odata.context"], "/v1.0/$metadata#security/secureScores");
    let days = page["value"].as_array().expect("value");
    assert_eq!(days.len(), 1);
    let day = &days[0];
    assert_eq!(day["id"], format!("{CONTOSO_ID}_{}", latest.day.format("%Y-%m-%d")), "newest first");
    assert_eq!(day["azureTenantId"], CONTOSO_ID);
    assert_eq!(cents(&day["currentScore"]), latest.current.0);
    assert_eq!(cents(&day["maxScore"]), latest.max.0);
    assert!(day["activeUserCount"].is_u64() && day["licensedUserCount"].is_u64());
    assert!(day["createdDateTime"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(day["enabledServices"].as_array().is_some_and(|s| !s.is_empty()));
    assert_eq!(day["vendorInformation"]["provider"], "SecureScore");

    let controls = day["controlScores"].as_array().expect("controlScores");
    assert!(controls.len() > 50, "one per applicable action");
    let sum: i64 = controls.iter().map(|c| cents(&c["score"])).sum();
    assert_eq!(sum, latest.current.0, "control scores add up to the current score");
    for c in controls {
        for field in
            ["controlCategory", "controlName", "description", "implementationStatus", "count", "total", "on"]
        {
            assert!(c[field].is_string(), "{field} is a string in {c}");
        }
        assert!(c["scoreInPercentage"].as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)), "{c}");
    }
    let mfa = controls.iter().find(|c| c["controlName"] == "MFARegistrationV2").expect("a partial action");
    let (count, total): (u32, u32) =
        (mfa["count"].as_str().unwrap().parse().unwrap(), mfa["total"].as_str().unwrap().parse().unwrap());
    assert!(count <= total && total > 1, "{mfa}");
    assert!(
        mfa["implementationStatus"].as_str().unwrap().starts_with(&format!("{count} of {total} ")),
        "{mfa}"
    );
    assert!(mfa["lastSynced"].is_string());

    let bases: Vec<&str> = day["averageComparativeScores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["basis"].as_str().unwrap())
        .collect();
    assert!(bases.contains(&"AllTenants"), "44 peers make an all-tenants average: {bases:?}");
    for a in day["averageComparativeScores"].as_array().unwrap() {
        assert!(a["averageScore"].as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)), "{a}");
    }

    // The same day on its own, and with $select.
    let one = get_json(&s, &format!("{SCORES}/{}", day["id"].as_str().unwrap()), &t).await;
    assert_eq!(one["currentScore"], day["currentScore"]);
    assert_eq!(one["controlScores"], day["controlScores"]);
    let slim =
        get_json(&s, &format!("{SCORES}/{}?$select=currentScore", day["id"].as_str().unwrap()), &t).await;
    assert!(slim.get("controlScores").is_none() && slim["currentScore"] == day["currentScore"], "{slim}");
}

#[tokio::test]
async fn every_day_is_reached_once_by_following_next_links() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let stored =
        s.state.store.snapshots(CONTOSO_ID, chrono::NaiveDate::MIN, chrono::NaiveDate::MAX).await.unwrap();

    for first in
        [format!("{SCORES}?$select=id,currentScore"), format!("{SCORES}?$top=120&$select=id&$count=true")]
    {
        let mut uri = first.clone();
        let mut ids = Vec::new();
        let mut pages = 0;
        loop {
            let page = get_json(&s, &uri, &t).await;
            pages += 1;
            ids.extend(
                page["value"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()),
            );
            match page["@odata.nextLink"].as_str() {
                Some(next) => {
                    assert!(next.starts_with("/v1.0/security/"), "a relative link: {next}");
                    uri = next.to_owned()
                }
                None => break,
            }
            assert!(pages < 50, "paging ends");
        }
        let expected = if first.contains("$top=120") { 120 } else { stored.len() };
        assert_eq!(ids.len(), expected, "{first}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "no day twice");
        let mut sorted = ids.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(ids, sorted, "newest first across pages");
        assert!(pages > 1, "{first} needs more than one page");
    }
}

#[tokio::test]
async fn query_options_filter_sort_select_and_count() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let stored =
        s.state.store.snapshots(CONTOSO_ID, chrono::NaiveDate::MIN, chrono::NaiveDate::MAX).await.unwrap();
    let median = {
        let mut v: Vec<i64> = stored.iter().map(|s| s.current.0).collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    // A day's createdDateTime falls on that day: from the start of the 30th newest day on.
    let since = stored[stored.len() - 30].day.and_time(chrono::NaiveTime::MIN).and_utc();
    let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let filter = format!(
        "currentScore ge {} and (createdDateTime ge {since} or maxScore lt 0)",
        median as f64 / 100.0
    );
    let uri = format!(
        "{SCORES}?$filter={}&$orderby=currentScore%20asc&$select=id,currentScore,createdDateTime&$count=true&$top=500",
        urlencode(&filter)
    );
    let page = get_json(&s, &uri, &t).await;
    let expected = stored.iter().rev().take(30).filter(|d| d.current.0 >= median).count();
    assert_eq!(page["@odata.count"], expected as u64, "{filter}");
    let value = page["value"].as_array().unwrap();
    assert_eq!(value.len(), expected);
    let scores: Vec<i64> = value.iter().map(|d| cents(&d["currentScore"])).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "ascending: {scores:?}");
    for d in value {
        let keys: HashSet<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            HashSet::from(["id", "currentScore", "createdDateTime"]),
            "$select keeps only these"
        );
    }

    let profiles = get_json(&s, &format!("{PROFILES}?$filter=controlCategory%20eq%20'Identity'%20and%20deprecated%20eq%20false&$orderby=maxScore%20desc,rank"), &t).await;
    let value = profiles["value"].as_array().unwrap();
    assert!(!value.is_empty());
    assert!(value.iter().all(|p| p["controlCategory"] == "Identity" && p["deprecated"] == false));
    let keys: Vec<(i64, u64)> =
        value.iter().map(|p| (-cents(&p["maxScore"]), p["rank"].as_u64().unwrap())).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "maxScore desc, then rank: {keys:?}");

    for (query, names) in [
        ("$expand=controlScores", "$expand"),
        ("$top=-1", "$top"),
        ("$top=5000", "$top"),
        ("$top=abc", "$top"),
        ("$filter=currentScore%20gt", "currentScore"),
        ("$filter=colour%20eq%20'red'", "colour"),
        ("$filter=currentScore%20eq%20'high'", "currentScore"),
        ("$orderby=controlScores", "controlScores"),
        ("$select=nope", "nope"),
        ("$count=maybe", "$count"),
    ] {
        let r = api(&s, Method::GET, &format!("{SCORES}?{query}"), Some(&t), None).await;
        let message = graph_error(&r, StatusCode::BAD_REQUEST);
        assert!(message.contains(names), "{query}: {message}");
    }
    let r = api(&s, Method::GET, &format!("{SCORES}/{CONTOSO_ID}_2020-01-01?$top=1"), Some(&t), None).await;
    graph_error(&r, StatusCode::BAD_REQUEST);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn control_profiles_list_every_action_in_rank_order() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let page = get_json(&s, &format!("{PROFILES}?$count=true"), &t).await;
    let value = page["value"].as_array().unwrap();
    let live = service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.unwrap();
    assert_eq!(value.len(), live.actions.len());
    assert_eq!(page["@odata.count"], live.actions.len() as u64);
    let ranks: Vec<u64> = value.iter().map(|p| p["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=ranks.len() as u64).collect::<Vec<_>>(), "ranks 1..n in order");
    assert_eq!(value[0]["id"], live.ranking[0].id.as_str(), "the top action leads");
    for p in value {
        for field in [
            "actionType",
            "actionUrl",
            "controlCategory",
            "implementationCost",
            "remediation",
            "remediationImpact",
            "service",
            "tier",
            "title",
            "userImpact",
        ] {
            assert!(p[field].is_string(), "{field} in {}", p["id"]);
        }
        assert!(p["maxScore"].is_f64() || p["maxScore"].is_u64());
        assert!(
            p["threats"].is_array()
                && p["controlStateUpdates"].is_array()
                && p["complianceInformation"].is_array()
        );
        assert_eq!(p["azureTenantId"], CONTOSO_ID);
    }
    let with_history = value.iter().find(|p| !p["controlStateUpdates"].as_array().unwrap().is_empty());
    let update = &with_history.expect("the demo has status changes")["controlStateUpdates"][0];
    assert!(["Default", "Ignored", "ThirdParty", "Reviewed"].contains(&update["state"].as_str().unwrap()));
    assert!(update["updatedBy"].is_string() && update["updatedDateTime"].is_string());

    let one = get_json(&s, &format!("{PROFILES}/AdminMFAV2"), &t).await;
    assert_eq!(one["title"], value.iter().find(|p| p["id"] == "AdminMFAV2").unwrap()["title"]);
    let r = api(&s, Method::GET, &format!("{PROFILES}/NoSuchAction"), Some(&t), None).await;
    graph_error(&r, StatusCode::NOT_FOUND);
}

/// An action still to address: applicable, not Completed, with no status set.
/// An action of Contoso that is still open (to address, not complete), read from its live score.
async fn contoso_open_action(s: &TestServer) -> String {
    let live = service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.unwrap();
    open_action(&live)
}

fn open_action(live: &service::live::LiveScore) -> String {
    live.scores
        .iter()
        .find(|a| {
            a.applicable
                && a.effective != score::EffectiveStatus::Completed
                && a.status == score::Status::ToAddress
        })
        .expect("an open action")
        .id
        .clone()
}

#[tokio::test]
async fn patch_changes_the_state_like_the_actions_page() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let rw = token(&s, "secops@contoso.example", CONTOSO_ID, SCOPE_READ_WRITE).await;
    let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    let target = open_action(&live);
    let uri = format!("{PROFILES}/{target}");
    let history_before = store.status_history(CONTOSO_ID, &target).await.unwrap().len();

    // Refusals change nothing.
    for (body, status, needle) in [
        (r#"{"state":"ignored"}"#, StatusCode::BAD_REQUEST, "comment"),
        (r#"{"state":"Snoozed","comment":"x"}"#, StatusCode::BAD_REQUEST, "state"),
        (r#"{"state":"Default","colour":"red"}"#, StatusCode::BAD_REQUEST, "colour"),
        (r#"{"state":"Default""#, StatusCode::BAD_REQUEST, "body"),
        (r#"{}"#, StatusCode::BAD_REQUEST, "changes nothing"),
    ] {
        let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(body)).await;
        let message = graph_error(&r, status);
        assert!(message.contains(needle), "{body}: {message}");
    }
    assert_eq!(store.status_history(CONTOSO_ID, &target).await.unwrap().len(), history_before);

    // Any letter case; 204 without a body.
    let r = api(
        &s,
        Method::PATCH,
        &uri,
        Some(&rw),
        Some(r#"{"state":"IGNORED","comment":"Kiosks cannot do it","assignedTo":"ops@contoso.example","vendorInformation":{"provider":"SecureScore","vendor":"Microsoft"}}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.body.is_empty());
    let history = store.status_history(CONTOSO_ID, &target).await.unwrap();
    let last = &history.last().unwrap().change;
    assert_eq!((last.status, last.note.as_str()), (score::Status::RiskAccepted, "Kiosks cannot do it"));
    assert_eq!(last.changed_by, "secops@contoso.example");
    let trail = store.audit_trail(CONTOSO_ID, 5).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.kind == "status.set" && e.subject == target && e.actor == "secops@contoso.example"));
    let after = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    assert!(after.score.current <= live.score.current, "risk acceptance never adds points");

    // The representation comes back on request and shows the change.
    let r = s
        .send(
            Request::patch(&uri)
                .header(header::HOST, "rampart.test")
                .header(header::AUTHORIZATION, format!("Bearer {rw}"))
                .header("prefer", "return=representation")
                .body(Body::from(r#"{"state":"thirdParty","comment":"Covered by the MDM vendor"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entity: Value = serde_json::from_str(&r.body).unwrap();
    let updates = entity["controlStateUpdates"].as_array().unwrap();
    let newest = updates.last().unwrap();
    assert_eq!(
        (newest["state"].as_str(), newest["comment"].as_str()),
        (Some("ThirdParty"), Some("Covered by the MDM vendor"))
    );
    assert_eq!(newest["assignedTo"], "ops@contoso.example", "fields left out keep their values");
    assert_eq!(updates[updates.len() - 2]["state"], "Ignored");

    // Back to Default, as the Graph SDK sends it.
    let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(r#"{"state":"Default","comment":""}"#)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let back = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    assert_eq!(back.score.current, live.score.current, "undoing restores the score");
    let r = api(
        &s,
        Method::PATCH,
        &format!("{PROFILES}/NoSuchAction"),
        Some(&rw),
        Some(r#"{"state":"Default"}"#),
    )
    .await;
    graph_error(&r, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tokens_decide_who_reads_and_who_changes_which_tenant() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let body = Some(r#"{"state":"Default","comment":"checked"}"#);
    let uri = format!("{PROFILES}/AdminMFAV2");

    let r = api(&s, Method::GET, SCORES, None, None).await;
    graph_error(&r, StatusCode::UNAUTHORIZED);
    let r = api(&s, Method::GET, SCORES, Some("rmp_not-a-real-token"), None).await;
    graph_error(&r, StatusCode::UNAUTHORIZED);

    // A read scope reads but does not change; neither does a read-only user's write token.
    let read = token(&s, "secops@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    assert_eq!(api(&s, Method::GET, &uri, Some(&read), None).await.status, StatusCode::OK);
    graph_error(&api(&s, Method::PATCH, &uri, Some(&read), body).await, StatusCode::FORBIDDEN);
    let reader = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ_WRITE).await;
    graph_error(&api(&s, Method::PATCH, &uri, Some(&reader), body).await, StatusCode::FORBIDDEN);

    // A token of another tenant sees that tenant only: Contoso's days are not found.
    let peer = s.provider_peer().await;
    let other = token(&s, "msp@provider.example", &peer, SCOPE_READ_WRITE).await;
    let page = get_json(&s, &format!("{SCORES}?$select=azureTenantId"), &other).await;
    assert!(page["value"].as_array().unwrap().iter().all(|d| d["azureTenantId"] == peer.as_str()));
    let latest = store.latest_snapshot(CONTOSO_ID).await.unwrap().unwrap();
    let contoso_day = format!("{SCORES}/{CONTOSO_ID}_{}", latest.day.format("%Y-%m-%d"));
    graph_error(&api(&s, Method::GET, &contoso_day, Some(&other), None).await, StatusCode::NOT_FOUND);
    let before = store.status_history(CONTOSO_ID, "AdminMFAV2").await.unwrap().len();
    assert_eq!(api(&s, Method::PATCH, &uri, Some(&other), body).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        store.status_history(CONTOSO_ID, "AdminMFAV2").await.unwrap().len(),
        before,
        "Contoso untouched"
    );
    assert_eq!(
        store.status_history(&peer, "AdminMFAV2").await.unwrap().last().unwrap().change.note,
        "checked"
    );

    // Revoked: refused from then on.
    let user = store.user_by_email("secops@contoso.example").await.unwrap();
    let id = store.api_tokens_of_user(&user.id).await.unwrap()[0].id.clone();
    store.revoke_api_token(&user.id, &id, "secops@contoso.example").await.unwrap();
    let r = api(&s, Method::GET, SCORES, Some(&read), None).await;
    assert!(graph_error(&r, StatusCode::UNAUTHORIZED).contains("revoked"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_that_answers() {
    let s = demo_server().await;
    let r = s.get("/api/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&r.body).expect("JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
        {
            operations.push((method.to_uppercase(), path.clone()));
            // Every operation says it takes a bearer token and what a bad one gets.
            let op = &item[method];
            assert_eq!(op["security"][0]["bearer"], serde_json::json!([]), "{method} {path}: {op}");
            let refused = &op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(refused, "#/components/schemas/GraphErrorBody", "{method} {path}");
            // A bad query option is a 400 on every read, and reading one entity can find none.
            let error_of = |status: &str| {
                op["responses"][status]["content"]["application/json"]["schema"]["$ref"].clone()
            };
            if method == "get" && path.starts_with("/v1.0/") {
                assert_eq!(error_of("400"), "#/components/schemas/GraphErrorBody", "{method} {path}: {op}");
                if path.ends_with("{id}") {
                    assert_eq!(error_of("404"), "#/components/schemas/GraphErrorBody", "{method} {path}");
                    let params = op["parameters"].as_array().unwrap();
                    assert!(
                        params.iter().any(|p| p["name"] == "id" && p["in"] == "path"),
                        "{path}: {params:?}"
                    );
                    assert!(params.iter().any(|p| p["name"] == "$select" && p["in"] == "query"), "{path}");
                } else {
                    assert_eq!(error_of("403"), "#/components/schemas/GraphErrorBody", "{method} {path}");
                }
            }
        }
    }
    for expected in [
        ("GET", SCORES.to_owned()),
        ("GET", format!("{SCORES}/{{id}}")),
        ("GET", PROFILES.to_owned()),
        ("GET", format!("{PROFILES}/{{id}}")),
        ("PATCH", format!("{PROFILES}/{{id}}")),
    ] {
        let expected = (expected.0.to_owned(), expected.1);
        assert!(operations.contains(&expected), "{expected:?} is documented: {operations:?}");
    }
    // The ingest body names the fields a sender must use, for either kind of action.
    let batch = &doc["components"]["schemas"]["MeasurementBatch"]["properties"]["measurements"];
    let kinds = batch["items"]["oneOf"].as_array().expect("two kinds of item");
    let fields: HashSet<&str> =
        kinds.iter().flat_map(|k| k["properties"].as_object().unwrap().keys().map(String::as_str)).collect();
    assert_eq!(
        fields,
        HashSet::from(["actionId", "implemented", "count", "total", "observedAt", "entities"]),
        "{batch}"
    );
    // Every documented operation is served: without a token each answers 401, not 404 or 405.
    for (method, path) in &operations {
        let uri = path.replace("{id}", "x");
        let r = api(&s, Method::from_bytes(method.as_bytes()).unwrap(), &uri, None, Some("{}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}: {}", r.body);
    }
}

#[tokio::test]
async fn the_operators_public_url_is_the_base_of_every_odata_link() {
    let s = crate::common::demo_server_at(
        server::share::ShareConfig::default(),
        Some("https://rampart.contoso.example"),
    )
    .await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let page = get_json(&s, &format!("{SCORES}?$select=id"), &t).await;
    let context = page["@odata.context"].as_str().expect("a context");
    assert!(context.starts_with("https://rampart.contoso.example/v1.0/"), "{context}");
    let next = page["@odata.nextLink"].as_str().expect("a next link");
    assert!(next.starts_with("https://rampart.contoso.example/v1.0/security/secureScores?"), "{next}");
}

// What Graph clients found missing: SDK bodies, /beta, and exports that read back in.
mod compat;
mod document;
