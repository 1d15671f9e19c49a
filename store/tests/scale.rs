//! Daily snapshots at scale: 1,000 tenants × 300 actions, on SQLite and (when
//! TEST_DATABASE_URL is set) PostgreSQL. A measurement, not a unit test, so it is ignored
//! by default; run it with
//! `cargo test -p store --release --test scale -- --ignored --nocapture`.

mod common;

use common::{day, new_tenant, point, summary, TestDb};
use score::snapshot::ActionPoints;
use score::Status;
use std::time::{Duration, Instant};
use store::Store;

const TENANTS: usize = 1_000;
const ACTIONS: usize = 300;
/// The daily job must finish well within this on SQLite in release mode.
const BUDGET: Duration = Duration::from_secs(60);

fn day_points(tenant: usize, changed_on_day_two: bool) -> ActionPoints {
    (0..ACTIONS)
        .map(|a| {
            let mut points = i64::try_from((tenant * 7 + a * 13) % 1001).expect("small");
            // Day two: three actions per tenant moved, as a real day's sync would.
            if changed_on_day_two && a % 100 == tenant % 100 {
                points = 1000 - points;
            }
            (format!("Action{a:03}"), point(points, 1000, Status::ToAddress))
        })
        .collect()
}

async fn snapshot_all(
    store: &dyn Store,
    tenants: &[String],
    on: chrono::NaiveDate,
    second: bool,
) -> Duration {
    let started = Instant::now();
    for (i, id) in tenants.iter().enumerate() {
        let p = day_points(i, second);
        store.write_snapshot(&summary(id, on, &p), &p).await.expect("snapshot");
    }
    started.elapsed()
}

async fn run(db: &TestDb) {
    let store = db.store.as_ref();
    let mut tenants = Vec::with_capacity(TENANTS);
    for i in 0..TENANTS {
        tenants.push(store.create_tenant(new_tenant(&format!("T{i:04}")), "bench").await.expect("tenant").id);
    }
    let size0 = store.size_bytes().await.expect("size");
    let first = snapshot_all(store, &tenants, day(2024, 3, 1), false).await;
    let size1 = store.size_bytes().await.expect("size");
    let second = snapshot_all(store, &tenants, day(2024, 3, 2), true).await;
    let size2 = store.size_bytes().await.expect("size");
    let rewrite = snapshot_all(store, &tenants, day(2024, 3, 2), true).await;

    let started = Instant::now();
    for (i, id) in tenants.iter().enumerate().take(100) {
        assert_eq!(store.action_points_on(id, day(2024, 3, 1)).await.expect("read"), day_points(i, false));
    }
    let reads = started.elapsed();
    println!(
        "{}: {TENANTS} tenants × {ACTIONS} actions: day 1 {first:.2?} (+{} KiB), \
         day 2 {second:.2?} (+{} KiB), \
         day 2 rewritten {rewrite:.2?}, 100 past-day reconstructions {reads:.2?}",
        store.backend(),
        (size1 - size0) / 1024,
        (size2 - size1) / 1024,
    );
    if store.backend() == "sqlite" && !cfg!(debug_assertions) {
        assert!(first < BUDGET && second < BUDGET, "snapshots too slow");
    }
}

#[tokio::test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
async fn daily_snapshot_of_a_thousand_tenants_sqlite() {
    let db = TestDb::sqlite().await;
    run(&db).await;
    db.finish().await;
}

#[tokio::test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
async fn daily_snapshot_of_a_thousand_tenants_postgres() {
    let Some(db) = TestDb::postgres("scale").await else {
        return;
    };
    run(&db).await;
    db.finish().await;
}
