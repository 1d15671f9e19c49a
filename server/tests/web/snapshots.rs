//! The daily snapshot job on a real SQLite file: days missed while the server was down
//! are filled once, with the live score, and never duplicated.

use chrono::{Duration, Utc};
use server::config::Common;
use store::NewTenant;

#[tokio::test]
async fn missed_days_are_filled_once_with_the_live_score() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/jobs.db", dir.path().display());
    let state =
        server::startup::open_app_state(&Common { database_url: url, catalog: None }).await.expect("open");
    let store = state.store.as_ref();
    let tenant = NewTenant {
        id: None,
        name: "Down Co".into(),
        licensed_seats: 40,
        active_users: 35,
        industry: "Retail".into(),
        enabled_services: vec![],
        created_at: Utc::now(),
    };
    let t = store.create_tenant(tenant, "test").await.expect("tenant");
    let today = Utc::now().date_naive();
    let yesterday = today - Duration::days(1);

    // A server with no snapshot yet has nothing to fill.
    assert!(server::jobs::catch_up(store, &state.catalog, yesterday, Utc::now())
        .await
        .expect("run")
        .is_empty());

    server::jobs::snapshot_all(store, &state.catalog, today - Duration::days(5), Utc::now())
        .await
        .expect("snap");
    let runs = server::jobs::catch_up(store, &state.catalog, yesterday, Utc::now()).await.expect("catch up");
    let days: Vec<_> = runs.iter().map(|r| r.day).collect();
    assert_eq!(days, (1..=4).rev().map(|d| today - Duration::days(d)).collect::<Vec<_>>());
    let live = service::live::live_score(store, &state.catalog, &t.id).await.expect("live");
    let snaps = store.snapshots(&t.id, today - Duration::days(10), today).await.expect("snapshots");
    assert_eq!(snaps.len(), 5, "the first day plus four filled ones");
    assert!(snaps.iter().all(|s| s.current == live.score.current && s.max == live.score.max));

    // Running again (a restart) writes nothing more.
    assert!(server::jobs::catch_up(store, &state.catalog, yesterday, Utc::now())
        .await
        .expect("again")
        .is_empty());
    assert_eq!(store.snapshots(&t.id, today - Duration::days(10), today).await.expect("snapshots").len(), 5);
}
