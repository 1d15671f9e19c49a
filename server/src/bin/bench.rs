//! `bench`: measures the live score and the daily snapshot at scale and prints the figures
//! recorded in docs/performance.md. Run with `make bench` (release build):
//! `bench [TENANTS] [postgres://…]` — SQLite in a temp directory unless a PostgreSQL URL is
//! given (then in a schema of its own, dropped at the end).

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use score::{evaluate, rank, ControlState, Measurement, Status};
use server::bench_data::{median, synthetic_catalog};
use std::collections::BTreeMap;
use std::time::Instant;
use store::MeasurementInput;

const ACTIONS: u32 = 300;

fn measurement(tenant: u32, action: u32, day: u32) -> Measurement {
    let at =
        Utc.with_ymd_and_hms(2026, 1, 1, 6, 0, 0).single().unwrap_or_default() + Duration::days(day.into());
    let total = 50 + (tenant * 7 + action * 13) % 400;
    let count = (tenant * 31 + action * 17 + day) % (total + 1);
    Measurement::partial(count, total, at)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let tenants: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let catalog = synthetic_catalog(ACTIONS);

    // 1. Pure scoring of one tenant with 300 actions.
    let states: BTreeMap<String, ControlState> = catalog
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let status = if i % 17 == 0 { Status::RiskAccepted } else { Status::ToAddress };
            (a.id.clone(), ControlState { status, measurement: Some(measurement(1, i as u32, 0)) })
        })
        .collect();
    let mut samples = Vec::new();
    for _ in 0..2_000 {
        let t = Instant::now();
        let (s, scores) = evaluate(&catalog.actions, |id| states.get(id).copied());
        let ranked = rank(&scores);
        std::hint::black_box((s, ranked));
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    println!("live score, pure (evaluate + rank, {ACTIONS} actions): median {:.1} µs", median(samples));

    // 2. A fresh database with `tenants` tenants × 300 measured actions.
    let postgres = std::env::args().nth(2).filter(|u| u.starts_with("postgres"));
    let schema = format!("rampart_bench_{}", std::process::id());
    let dir = std::env::temp_dir().join(format!("rampart-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = match &postgres {
        Some(url) => store::open_postgres_in_schema(url, &schema).await?,
        None => store::open(&format!("sqlite://{}/bench.db", dir.display())).await?,
    };
    println!("database: {}", store.backend());
    store.sync_catalog(&catalog).await?;
    let actions = store.catalog_actions().await?;
    let started = Instant::now();
    let mut ids = Vec::new();
    for t in 0..tenants {
        let tenant = store.create_tenant(server::bench_data::bench_tenant(t, Utc::now()), "bench").await?;
        let batch: Vec<MeasurementInput> = (0..ACTIONS)
            .map(|a| MeasurementInput {
                action_id: format!("BenchAction{a:03}"),
                measurement: measurement(t, a, 0),
                entities: None,
            })
            .collect();
        store.record_measurements(&tenant.id, &batch, "bench", score::MeasurementSource::Ingest).await?;
        ids.push(tenant.id);
    }
    println!("setup: {tenants} tenants × {ACTIONS} measurements in {:.1} s", started.elapsed().as_secs_f64());

    let mut samples = Vec::new();
    for id in ids.iter().take(200) {
        let t = Instant::now();
        let live = service::live::live_score(store.as_ref(), &actions, id).await?;
        std::hint::black_box(live.score);
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("live score from the database (read + evaluate + rank): median {:.2} ms", median(samples));

    // 3. Day 1: every action is new, so every point is stored once.
    let day1 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let size0 = store.size_bytes().await?;
    let t = Instant::now();
    server::jobs::snapshot_all(store.as_ref(), &actions, day1, Utc::now()).await?;
    let first = t.elapsed().as_secs_f64();
    let size1 = store.size_bytes().await?;
    println!(
        "first snapshot: {tenants} tenants × {ACTIONS} actions in {first:.1} s; {:.0} bytes per tenant-day",
        (size1 - size0) as f64 / f64::from(tenants)
    );

    // 4. Day 2: about 2 % of measurements changed, as on a typical day.
    for (t, id) in ids.iter().enumerate() {
        let batch: Vec<MeasurementInput> = (0..ACTIONS)
            .filter(|a| (a + t as u32).is_multiple_of(50))
            .map(|a| MeasurementInput {
                action_id: format!("BenchAction{a:03}"),
                measurement: measurement(t as u32, a, 1),
                entities: None,
            })
            .collect();
        store.record_measurements(id, &batch, "bench", score::MeasurementSource::Ingest).await?;
    }
    let size_before = store.size_bytes().await?;
    let t = Instant::now();
    server::jobs::snapshot_all(store.as_ref(), &actions, day1 + Duration::days(1), Utc::now()).await?;
    let second = t.elapsed().as_secs_f64();
    let size2 = store.size_bytes().await?;
    println!(
        "daily snapshot (2 % changed): {tenants} tenants × {ACTIONS} actions in {second:.1} s; {:.0} bytes per tenant-day",
        (size2.saturating_sub(size_before)) as f64 / f64::from(tenants)
    );
    println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
    store.close().await;
    if let Some(url) = &postgres {
        store::drop_postgres_schema(url, &schema).await?;
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
