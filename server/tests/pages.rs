//! The server-rendered pages over real HTTP requests against a real SQLite file.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use leptos::prelude::LeptosOptions;
use server::config::Common;
use server::demo::CONTOSO_ID;
use server::http::{router, ServerState};
use tower::ServiceExt;

async fn demo_server(dir: &tempfile::TempDir) -> (axum::Router, app::state::AppState) {
    let common =
        Common { database_url: format!("sqlite://{}/pages.db", dir.path().display()), catalog: None };
    let state = server::startup::open_app_state(&common).await.expect("store opens");
    server::startup::seed_demo(&state).await.expect("demo loads");
    let leptos = LeptosOptions::builder().output_name("rampart").site_root("target/site").build();
    (router(ServerState { leptos, app: state.clone() }), state)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let resp =
        app.clone().oneshot(Request::get(uri).body(Body::empty()).expect("request")).await.expect("response");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 * 1024 * 1024).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn overview_renders_the_live_score_and_history_without_javascript() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, state) = demo_server(&dir).await;
    let live =
        app::live::live_score(state.store.as_ref(), &state.catalog, CONTOSO_ID).await.expect("live score");
    let (status, html) = get(&app, &format!("/tenants/{CONTOSO_ID}")).await;
    assert_eq!(status, StatusCode::OK);
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
async fn unknown_tenant_is_not_found_and_health_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, _) = demo_server(&dir).await;
    let (status, html) = get(&app, "/tenants/00000000-0000-4000-8000-000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Not found"));
    let (status, body) = get(&app, "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, html) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Contoso"));
}
