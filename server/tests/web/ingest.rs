//! Ingest: sync agents post measurements with a bearer token; a batch is stored whole or
//! not at all, the live score follows at once, and a token only ever writes its tenant.

use crate::common::{demo_server, Reply, TestServer};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use server::demo::CONTOSO_ID;
use service::live::live_score;

const ADMIN: &str = "admin@contoso.example";

/// Stores a token for `email` in `tenant` and returns its secret.
async fn token(s: &TestServer, email: &str, tenant: &str, scope: &str) -> (String, String) {
    s.api_token(email, tenant, scope).await
}

async fn write_token(s: &TestServer) -> String {
    token(s, ADMIN, CONTOSO_ID, "SecurityEvents.ReadWrite.All").await.0
}

async fn post(s: &TestServer, token: Option<&str>, body: impl Into<Body>) -> (Reply, Value) {
    let mut req = Request::post("/api/v1/measurements").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let r = s.send(req.body(body.into()).expect("request")).await;
    let v = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r, v)
}

async fn post_json(s: &TestServer, token: &str, body: &Value) -> (Reply, Value) {
    post(s, Some(token), body.to_string()).await
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn score_of(s: &TestServer, tenant: &str) -> String {
    let live = live_score(s.state.store.as_ref(), &s.state.catalog, tenant).await.expect("live score");
    live.score.current.to_string()
}

async fn measurement(s: &TestServer, tenant: &str, action: &str) -> Option<(u32, u32)> {
    let live = live_score(s.state.store.as_ref(), &s.state.catalog, tenant).await.expect("live score");
    live.records.get(action).and_then(|r| r.state.measurement).map(|m| (m.count, m.total))
}

async fn audit_lines(s: &TestServer, tenant: &str) -> usize {
    s.state.store.audit_trail(tenant, 1_000_000).await.expect("audit").len()
}

fn graph_error(v: &Value) -> (&str, Vec<&str>) {
    let code = v["error"]["code"].as_str().unwrap_or_else(|| panic!("a Graph-style error, got {v}"));
    let targets = v["error"]["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["target"].as_str()).collect())
        .unwrap_or_default();
    (code, targets)
}

#[tokio::test]
async fn a_batch_changes_the_live_score_at_once_and_resending_it_changes_nothing() {
    let s = demo_server().await;
    let token = write_token(&s).await;
    let before = score_of(&s, CONTOSO_ID).await;
    let at = now();
    let batch = json!({"measurements": [
        {"actionId": "MFARegistrationV2", "count": 900, "total": 900, "observedAt": at},
        {"actionId": "AdminMFAV2", "implemented": true, "observedAt": at},
    ]});
    let (r, v) = post_json(&s, &token, &batch).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(v["accepted"], 2);
    assert_eq!(v["changed"], 1, "AdminMFAV2 was already implemented: {v}");
    assert_eq!(measurement(&s, CONTOSO_ID, "MFARegistrationV2").await, Some((900, 900)));
    let after = score_of(&s, CONTOSO_ID).await;
    assert_ne!(before, after, "the live score follows the measurement");
    let page = s.get(&format!("/tenants/{CONTOSO_ID}"), Some(&s.sign_in(ADMIN, "rampart-demo").await)).await;
    assert!(page.body.contains(&after), "the overview shows {after}");

    let (r, v) = post_json(&s, &token, &batch).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!((v["accepted"].as_u64(), v["changed"].as_u64()), (Some(2), Some(0)));
    assert_eq!(score_of(&s, CONTOSO_ID).await, after);
    let history = s.state.store.measurement_history(CONTOSO_ID, "MFARegistrationV2").await.expect("history");
    let today = chrono::Utc::now().date_naive();
    assert_eq!(history.iter().filter(|m| m.observed_at.date_naive() == today).count(), 1, "one per day");

    // The batch is in the audit trail under the token's user.
    let trail = s.state.store.audit_trail(CONTOSO_ID, 5).await.expect("audit");
    assert_eq!((trail[0].kind.as_str(), trail[0].actor.as_str()), ("measurement.record", ADMIN));
}

#[tokio::test]
async fn one_bad_item_stores_nothing_and_every_bad_item_is_named() {
    let s = demo_server().await;
    let token = write_token(&s).await;
    let before = (score_of(&s, CONTOSO_ID).await, audit_lines(&s, CONTOSO_ID).await);
    let measured = measurement(&s, CONTOSO_ID, "MFARegistrationV2").await;
    let at = now();
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let batch = json!({"measurements": [
        {"actionId": "MFARegistrationV2", "count": 900, "total": 900, "observedAt": at},
        {"actionId": "NoSuchAction", "implemented": true, "observedAt": at},
        {"actionId": "MFARegistrationV2", "count": 901, "total": 900, "observedAt": at},
        {"actionId": "MFARegistrationV2", "count": -1, "total": 900, "observedAt": at},
        {"actionId": "MFARegistrationV2", "count": 1, "total": 900, "observedAt": future},
        {"actionId": "AdminMFAV2", "implemented": true, "count": 1, "total": 1, "observedAt": at},
        {"actionId": "AdminMFAV2", "implemented": true, "observedAt": at, "severity": "high"},
        {"actionId": "AdminMFAV2", "implemented": true, "observedAt": "yesterday"},
    ]});
    let (r, v) = post_json(&s, &token, &batch).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let (code, targets) = graph_error(&v);
    assert_eq!(code, "BadRequest");
    assert_eq!(
        targets,
        [
            "measurements[1].actionId",
            "measurements[2].count",
            "measurements[3].count",
            "measurements[4].observedAt",
            "measurements[5].implemented",
            "measurements[6]",
            "measurements[7].observedAt",
        ]
    );
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("7 of 8"), "{v}");
    assert!(v["error"]["details"][5]["message"].as_str().unwrap_or("").contains("severity"), "{v}");
    assert_eq!(
        measurement(&s, CONTOSO_ID, "MFARegistrationV2").await,
        measured,
        "the good item was not kept"
    );
    assert_eq!((score_of(&s, CONTOSO_ID).await, audit_lines(&s, CONTOSO_ID).await), before);
}

#[tokio::test]
async fn malformed_empty_and_oversized_bodies_get_graph_style_errors() {
    let s = demo_server().await;
    let token = write_token(&s).await;
    let before = audit_lines(&s, CONTOSO_ID).await;

    let (r, v) = post(&s, Some(&token), "{\"measurements\": [").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = v["error"]["message"].as_str().expect("message");
    assert!(message.contains("EOF") || message.contains("line 1"), "names the problem: {message}");

    let (r, v) = post(&s, Some(&token), "{\"items\": []}").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("items"), "{v}");

    let (r, v) = post_json(&s, &token, &json!({"measurements": []})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("empty"), "{v}");

    let item = json!({"actionId": "AdminMFAV2", "implemented": true, "observedAt": now()});
    let too_many = json!({"measurements": vec![item; 5_001]});
    let (r, v) = post_json(&s, &token, &too_many).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("at most 5000"), "{v}");

    // Over the 8 MiB limit: with a declared length (refused before the handler runs), and
    // streamed without one (refused while reading).
    let big = format!("{{\"measurements\": [], \"pad\": \"{}\"}}", "x".repeat(8_500_000));
    let req = Request::post("/api/v1/measurements")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(big.clone()))
        .expect("request");
    let r = s.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = serde_json::from_str(&r.body).expect("JSON");
    assert_eq!(graph_error(&v).0, "RequestEntityTooLarge");
    let (r, v) = post(&s, Some(&token), big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(graph_error(&v).0, "RequestEntityTooLarge");

    assert_eq!(audit_lines(&s, CONTOSO_ID).await, before, "nothing was recorded");
}

#[tokio::test]
async fn tokens_are_checked_and_only_write_their_own_tenant() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let batch = json!({"measurements": [
        {"actionId": "MFARegistrationV2", "count": 900, "total": 900, "observedAt": now()},
    ]});

    let (r, v) = post(&s, None, batch.to_string()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(graph_error(&v).0, "InvalidAuthenticationToken");
    let (r, _) = post_json(&s, "rmp_not-a-real-token", &batch).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let (read, _) = token(&s, ADMIN, CONTOSO_ID, "SecurityEvents.Read.All").await;
    let (r, v) = post_json(&s, &read, &batch).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(graph_error(&v).0, "Forbidden");
    let (reader, _) = token(&s, "reader@contoso.example", CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let (r, _) = post_json(&s, &reader, &batch).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a read-only role cannot write");

    let (revoked, id) = token(&s, ADMIN, CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let admin = store.user_by_email(ADMIN).await.expect("admin");
    store.revoke_api_token(&admin.id, &id, ADMIN).await.expect("revoked");
    let (r, _) = post_json(&s, &revoked, &batch).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A token of a peer tenant writes that tenant, never Contoso, whatever the body says.
    let peer = s.provider_peer().await;
    let contoso = (score_of(&s, CONTOSO_ID).await, measurement(&s, CONTOSO_ID, "MFARegistrationV2").await);
    let (peer_token, _) = token(&s, "msp@provider.example", &peer, "SecurityEvents.ReadWrite.All").await;
    let (r, v) = post_json(&s, &peer_token, &batch).await;
    assert_eq!(r.status, StatusCode::OK, "{v}");
    assert_eq!(measurement(&s, &peer, "MFARegistrationV2").await, Some((900, 900)));
    assert_eq!(
        (score_of(&s, CONTOSO_ID).await, measurement(&s, CONTOSO_ID, "MFARegistrationV2").await),
        contoso
    );
}
