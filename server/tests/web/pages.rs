//! The server-rendered pages over real HTTP requests against a real SQLite file.

use crate::common::demo_server;
use axum::http::StatusCode;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};

#[tokio::test]
async fn overview_renders_the_live_score_and_history_without_javascript() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let live =
        service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    let r = s.get(&format!("/tenants/{CONTOSO_ID}"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.body;
    assert!(html.contains(&live.score.percent().to_string()), "page shows {}", live.score.percent());
    assert!(html.contains(&format!("{} / {}", live.score.current, live.score.max)));
    for c in &live.score.categories {
        assert!(html.contains(&format!("data-category=\"{}\"", c.name)), "row for {}", c.name);
    }
    // 179 days of snapshots plus today's live point, as server-rendered table rows.
    assert_eq!(html.matches("<tr><td>20").count(), 180, "history rows");
    let first = &live.ranking[0];
    let title = &live.action(&first.id).expect("ranked action exists").title;
    assert!(html.contains(title.as_str()), "top action {title} is listed");
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_back() {
    let s = demo_server().await;
    let r = s.get(&format!("/tenants/{CONTOSO_ID}"), None).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.location.as_deref(), Some(format!("/sign-in?next=/tenants/{CONTOSO_ID}").as_str()));
    let r = s
        .post_form(
            "/api/sign_in",
            &format!("email=admin%40contoso.example&password={DEMO_PASSWORD}&next=%2Ftenants%2F{CONTOSO_ID}"),
            None,
        )
        .await;
    assert_eq!(r.location.as_deref(), Some(format!("/tenants/{CONTOSO_ID}").as_str()));
    let cookie = r.set_cookie.expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair");
    assert_eq!(s.get(&format!("/tenants/{CONTOSO_ID}"), Some(pair)).await.status, StatusCode::OK);
    // Signing out ends the session on the server, not only in the browser.
    let out = s.post_form("/api/sign_out", "", Some(pair)).await;
    assert_eq!(out.location.as_deref(), Some("/sign-in"));
    assert_eq!(s.get(&format!("/tenants/{CONTOSO_ID}"), Some(pair)).await.status, StatusCode::FOUND);
}

#[tokio::test]
async fn a_tenant_without_a_role_looks_exactly_like_an_unknown_one() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let peer = s.peer_tenant().await;
    let forbidden = s.get(&format!("/tenants/{}", peer.id), Some(&cookie)).await;
    let unknown = s.get("/tenants/00000000-0000-4000-8000-000000000000", Some(&cookie)).await;
    assert_eq!(forbidden.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(!forbidden.body.contains(&peer.name), "the peer's name never shows");
    // The server function answers the same way too.
    let api = s.call("/api/overview", &format!("tenant_id={}", peer.id), Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND, "{}", api.body);
    // The tenant list shows only Contoso to this reader.
    let list = s.get("/", Some(&cookie)).await;
    assert!(list.body.contains("Contoso") && !list.body.contains(&peer.name));
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_throttled() {
    let s = demo_server().await;
    for _ in 0..5 {
        let r =
            s.post_form("/api/sign_in", "email=admin%40contoso.example&password=wrong&next=%2F", None).await;
        assert_eq!(r.location.as_deref(), Some("/sign-in?next=/&error=credentials"));
        assert!(r.set_cookie.is_none());
    }
    let body = format!("email=admin%40contoso.example&password={DEMO_PASSWORD}&next=%2F");
    let r = s.post_form("/api/sign_in", &body, None).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/sign-in?next=/&error=throttled"),
        "even the right password waits"
    );
    assert!(r.set_cookie.is_none());
    let r = s.post_form("/api/sign_in", "email=not-an-email&password=x&next=%2F", None).await;
    assert_eq!(r.location.as_deref(), Some("/sign-in?next=/&error=email"));
}

#[tokio::test]
async fn cross_site_posts_and_malformed_cookies_are_refused() {
    let s = demo_server().await;
    let req = axum::http::Request::post("/api/sign_in")
        .header("host", "rampart.test")
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("email=admin%40contoso.example&password={DEMO_PASSWORD}")))
        .expect("request");
    let r = s.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.set_cookie.is_none());
    let r = s.get(&format!("/tenants/{CONTOSO_ID}"), Some("rampart_session=<script>")).await;
    assert_eq!(r.status, StatusCode::FOUND, "a malformed cookie is no session");
    // Redirects after sign-in stay on this site.
    let r = s
        .post_form(
            "/api/sign_in",
            &format!("email=admin%40contoso.example&password={DEMO_PASSWORD}&next=%2F%2Fevil.example"),
            None,
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn unknown_pages_are_not_found_and_health_answers() {
    let s = demo_server().await;
    let r = s.get("/no/such/page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Not found"));
    let r = s.get("/healthz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    // Ready while the database answers; not once it is gone, though the process still serves.
    let r = s.get("/readyz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    s.state.store.close().await;
    assert_eq!(s.get("/readyz", None).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(s.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn markup_in_a_tenant_name_is_shown_as_text_everywhere() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let name = "Evil </title><script>alert(1)</script> Ltd";
    let t = store
        .create_tenant(
            store::NewTenant {
                id: None,
                name: name.into(),
                licensed_seats: 5,
                active_users: 5,
                industry: "Retail".into(),
                enabled_services: vec![],
                created_at: chrono::Utc::now(),
            },
            "test",
        )
        .await
        .expect("tenant");
    let admin = store.user_by_email("admin@contoso.example").await.expect("admin");
    store.grant_role(&t.id, &admin.id, score::roles::Role::GlobalAdministrator, "test").await.expect("grant");
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    for page in ["", "/settings", "/actions"] {
        let r = s.get(&format!("/tenants/{}{page}", t.id), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(!r.body.contains("<script>alert(1)"), "markup escaped on {page}");
        assert!(r.body.contains("&lt;script&gt;alert(1)"), "name shown as text on {page}");
    }
    let list = s.get("/", Some(&cookie)).await;
    assert!(!list.body.contains("<script>alert(1)"));
}
