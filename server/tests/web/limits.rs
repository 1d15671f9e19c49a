//! Limits that keep one client from wearing the server down: time to send a header and a
//! request, imports at once, and Graph paging numbers too large to add up.

use crate::common::{demo_server, TestServer};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

#[tokio::test]
async fn a_client_that_never_finishes_its_header_is_cut_off() {
    let s = demo_server().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("address");
    let limit = Duration::from_secs(1);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::startup::serve_connections(listener, s.app.clone(), limit, async {
        let _ = stopped.await;
    }));

    // A whole request is answered...
    let mut whole = tokio::net::TcpStream::connect(addr).await.expect("connects");
    whole
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: rampart.test\r\nConnection: close\r\n\r\n")
        .await
        .expect("sends");
    let mut answer = String::new();
    whole.read_to_string(&mut answer).await.expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // ...half a header is not waited for.
    let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connects");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: rampart.test\r\nX-Slow: ").await.expect("sends");
    let started = Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the server closed the connection");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "cut off after {took:?}, the limit being {limit:?}");
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"), "no answer to half a request");

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .expect("stops")
        .expect("task")
        .expect("served");
}

#[tokio::test]
async fn a_request_whose_body_trickles_is_answered_408_in_time() {
    let s = demo_server().await;
    let limits = server::http::HttpLimits { request_timeout: Duration::from_secs(1), ..Default::default() };
    let leptos = leptos::prelude::LeptosOptions::builder().output_name("rampart").build();
    let app = server::http::router_with(server::http::ServerState::new(leptos, s.state.clone()), limits);
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    // The first bytes of the form, then nothing.
    let (tx, rx) = futures::channel::mpsc::unbounded::<Result<axum::body::Bytes, std::io::Error>>();
    tx.unbounded_send(Ok("tenant_id=".into())).expect("first bytes");
    let req = s
        .request_from_page(Method::POST, "/api/update_action")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &admin)
        .body(Body::from_stream(rx))
        .expect("request");
    let started = Instant::now();
    let resp = tokio::time::timeout(Duration::from_secs(10), app.oneshot(req))
        .await
        .expect("answered")
        .expect("response");
    assert_eq!(resp.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    drop(tx);
}

const BOUNDARY: &str = "limits-boundary";

fn upload(s: &TestServer, cookie: &str, body: Body) -> axum::http::Request<Body> {
    upload_into(s, CONTOSO_ID, cookie, body)
}

fn upload_into(s: &TestServer, tenant: &str, cookie: &str, body: Body) -> axum::http::Request<Body> {
    s.request_from_page(Method::POST, &format!("/tenants/{tenant}/import"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie)
        .body(body)
        .expect("request")
}

fn file_part(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
         Content-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    part.extend_from_slice(bytes);
    part.extend_from_slice(b"\r\n");
    part
}

/// The fixture export as a whole upload body.
fn whole_upload() -> Vec<u8> {
    let fixture =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/graph-secure-scores.json"))
            .expect("fixture");
    let mut whole = file_part("graph-secure-scores.json", &fixture);
    whole.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    whole
}

type Chunks = futures::channel::mpsc::UnboundedReceiver<Result<axum::body::Bytes, std::io::Error>>;

/// An upload whose body has begun and not ended: dropping the sender breaks it off.
fn upload_still_arriving(
) -> (futures::channel::mpsc::UnboundedSender<Result<axum::body::Bytes, std::io::Error>>, Chunks) {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    tx.unbounded_send(Ok(file_part("slow.json", b"{\"value\": [").into())).expect("first part");
    (tx, rx)
}

#[tokio::test]
async fn a_second_import_into_a_tenant_waits_for_the_first() {
    let s = demo_server().await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let whole = whole_upload();

    // The first upload is still arriving: its body has begun and not ended.
    let (tx, rx) = upload_still_arriving();
    let first = tokio::spawn(s.app.clone().oneshot(upload(&s, &admin, Body::from_stream(rx))));

    let audit_before = s.state.store.audit_trail(CONTOSO_ID, 1_000_000).await.expect("audit").len();
    // Time for the first upload to pass its access check and take the tenant's place.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!first.is_finished(), "the first upload is still arriving");
    let refused = s.send(upload(&s, &admin, Body::from(whole.clone()))).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert!(refused.body.contains("Another import into this tenant is still running"), "{}", refused.body);
    let wait: u32 = refused.retry_after.as_deref().and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!(wait > 0);
    let audit_after = s.state.store.audit_trail(CONTOSO_ID, 1_000_000).await.expect("audit").len();
    assert_eq!(audit_after, audit_before, "the refused upload changed nothing");

    // The first upload breaks off; its place is freed and the next upload runs.
    drop(tx);
    let _ = tokio::time::timeout(Duration::from_secs(10), first).await.expect("first ends");
    let r = s.send(upload(&s, &admin, Body::from(whole))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"import-result\""), "{}", r.body);
}

/// How many days of history a tenant has.
async fn days_of(store: &dyn store::Store, tenant: &str) -> usize {
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).expect("a date");
    let (from, to) = (day(2000), day(2100));
    store.snapshots(tenant, from, to).await.expect("history").len()
}

#[tokio::test]
async fn the_server_runs_no_more_imports_at_once_than_it_is_set_to() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    // A server that runs one import at a time (`RAMPART_IMPORTS_AT_ONCE=1`).
    let leptos =
        leptos::prelude::LeptosOptions::builder().output_name("rampart").site_root("target/site").build();
    let limits = server::http::HttpLimits { imports_at_once: 1, ..Default::default() };
    let app = server::http::router_with(server::http::ServerState::new(leptos, s.state.clone()), limits);
    // A second tenant the admin may import into.
    let admin_user = store.user_by_email("admin@contoso.example").await.expect("demo admin");
    let new = store::NewTenant {
        id: None,
        name: "Second Ltd".into(),
        licensed_seats: 10,
        active_users: 10,
        industry: "Retail".into(),
        enabled_services: Vec::new(),
        created_at: chrono::Utc::now(),
    };
    let other = store.create_tenant(new, "test").await.expect("tenant").id;
    store
        .grant_role(&other, &admin_user.id, score::roles::Role::GlobalAdministrator, "test")
        .await
        .expect("role");
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let whole = whole_upload();

    // An import into Contoso is still arriving...
    let (tx, rx) = upload_still_arriving();
    let first = tokio::spawn(app.clone().oneshot(upload(&s, &admin, Body::from_stream(rx))));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!first.is_finished(), "the first upload is still arriving");

    // ...so one into another tenant waits, and changes nothing.
    let snapshots_before = days_of(store, &other).await;
    let resp = app
        .clone()
        .oneshot(upload_into(&s, &other, &admin, Body::from(whole.clone())))
        .await
        .expect("answer");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get(header::RETRY_AFTER).is_some(), "says when to try again");
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    assert!(String::from_utf8_lossy(&body).contains("as many imports as it allows"));
    assert_eq!(days_of(store, &other).await, snapshots_before);

    // Once the first ends, the place is free.
    drop(tx);
    let _ = tokio::time::timeout(Duration::from_secs(10), first).await.expect("first ends");
    let resp = app.oneshot(upload_into(&s, &other, &admin, Body::from(whole))).await.expect("answer");
    assert_eq!(resp.status(), StatusCode::OK);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    assert!(String::from_utf8_lossy(&body).contains("id=\"import-result\""));
    assert!(days_of(store, &other).await > snapshots_before);
}

#[tokio::test]
async fn paging_numbers_too_large_to_add_up_are_refused_naming_the_option() {
    let s = demo_server().await;
    let (secret, _) = s.api_token("reader@contoso.example", CONTOSO_ID, "SecurityEvents.Read.All").await;
    let get = |query: String| {
        let req = axum::http::Request::get(format!("/v1.0/security/{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .expect("request");
        s.send(req)
    };
    for (query, names) in [
        (format!("secureScores?$skip={}", usize::MAX), "$skip"),
        (format!("secureScores?$top=1&$skip={}", usize::MAX), "$skip"),
        ("secureScoreControlProfiles?$skip=99999999999999999999999999".to_owned(), "$skip"),
        (format!("secureScores?$top={}", usize::MAX), "$top"),
    ] {
        let r = get(query.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.body);
        assert!(r.body.contains(names), "{query}: {}", r.body);
    }
    // Far past the end, yet a number the server takes: an empty page, no next link.
    let r = get("secureScores?$skip=1000000".to_owned()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    assert_eq!(page["value"].as_array().map(Vec::len), Some(0));
    assert!(page.get("@odata.nextLink").is_none());
}
