//! `bench_portfolio`: a service provider's portfolio of 5,000 tenants among 20,000, each
//! with 300 measured actions and snapshots 7 and 30 days back, server-rendered over a real
//! port one request at a time on a keep-alive connection, as a browser asks.
//!
//! `cargo run --release -p server --bin bench_portfolio -- [tenants] [every] [requests]`:
//! the provider holds every `every`-th tenant (default 20,000 and 4). With
//! `BENCH_PORTFOLIO_DB=FILE` the database is kept in FILE and reused by the next run.

use chrono::{Duration, Utc};
use score::snapshot::{ActionPoint, ActionPoints};
use score::{Points, Status};
use server::bench_data::{median, percentile, session_cookie, synthetic_catalog, Connection, ACTIONS};
use std::time::Instant;
use store::{MeasurementInput, ScoreSnapshot};

fn measurement(t: u32, a: u32) -> score::Measurement {
    let total = 50 + (t * 7 + a * 13) % 400;
    score::Measurement::partial((t * 31 + a * 17) % (total + 1), total, Utc::now() - Duration::days(40))
}

/// A day's points of the `t`-th tenant, `shift` moving it so the days differ.
fn day_points(t: u32, shift: i64) -> ActionPoints {
    (0..ACTIONS)
        .map(|a| {
            let max = Points::whole(1 + a % 10);
            let step = (i64::from(t) * 3 + i64::from(a) + shift).rem_euclid(11).min(10);
            (
                format!("BenchAction{a:03}"),
                ActionPoint { points: Points(max.0 * step / 10), max, status: Status::ToAddress },
            )
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let every: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(4).max(1);
    let requests: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(50);
    let catalog = synthetic_catalog(ACTIONS);
    let dir = tempfile::tempdir()?;
    let kept_file = std::env::var("BENCH_PORTFOLIO_DB").ok();
    let file = kept_file.clone().unwrap_or_else(|| format!("{}/bench.db", dir.path().display()));
    let reuse = kept_file.is_some() && std::path::Path::new(&file).exists();
    let store = store::open(&format!("sqlite://{file}")).await?;
    store.sync_catalog(&catalog).await?;
    let actions = store.catalog_actions().await?;
    let provider = match store.user_by_email("msp@bench.example").await {
        Ok(user) if reuse => user,
        _ => store.create_user("msp@bench.example", "Provider", "not-a-password-hash", "bench").await?,
    };

    let started = Instant::now();
    let today = Utc::now().date_naive();
    let mut held: Vec<String> = Vec::new();
    if reuse {
        held = store.memberships_of_user(&provider.id).await?.into_iter().map(|m| m.tenant_id).collect();
    }
    for t in (0..tenants).filter(|_| !reuse) {
        let tenant = store.create_tenant(server::bench_data::bench_tenant(t, Utc::now()), "bench").await?;
        let batch: Vec<MeasurementInput> = (0..ACTIONS)
            .map(|a| MeasurementInput {
                action_id: format!("BenchAction{a:03}"),
                measurement: measurement(t, a),
                entities: None,
            })
            .collect();
        store.record_measurements(&tenant.id, &batch, "bench", score::MeasurementSource::Ingest).await?;
        if t % every == 0 {
            let role = if t % (every * 5) == 0 {
                score::roles::Role::GlobalReader
            } else {
                score::roles::Role::SecurityAdministrator
            };
            store.grant_role(&tenant.id, &provider.id, role, "bench").await?;
            for (back, shift) in [(30, 0), (7, 5)] {
                let points = day_points(t, shift);
                let (current, max) = score::snapshot::total(&points);
                let day = today - Duration::days(back);
                let snapshot = ScoreSnapshot {
                    tenant_id: tenant.id.clone(),
                    day,
                    current,
                    max,
                    categories: vec![],
                    licensed_seats: 10,
                    active_users: 10,
                    taken_at: day.and_hms_opt(0, 5, 0).unwrap_or_default().and_utc(),
                    imported: false,
                };
                store.write_snapshot(&snapshot, &points).await?;
            }
            held.push(tenant.id);
        }
    }
    println!(
        "setup: {tenants} tenants × {ACTIONS} measured actions, the provider holds {} of them, in {:.1} s",
        held.len(),
        started.elapsed().as_secs_f64()
    );

    let state = app::state::AppState::new(store.clone(), actions);
    let cookie = session_cookie(store.as_ref(), &provider.id).await?;
    let addr = server::bench_data::serve(state.clone()).await?;
    let get = |path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n")
            .into_bytes()
    };
    let mut conn = Connection::open(addr).await?;

    // The first read after startup: no score kept yet, so every tenant is evaluated once.
    let t = Instant::now();
    let (status, _) = conn.get(&get("/")).await?;
    anyhow::ensure!(status == 200, "the portfolio answered {status}");
    println!(
        "first portfolio read, nothing kept yet ({} tenants evaluated): {:.0} ms",
        held.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // Its parts in this process, without HTTP: the reads, and the page's data from them.
    let (week, month) = (today - Duration::days(7), today - Duration::days(30));
    let timed = |samples: Vec<f64>| median(samples);
    let mut reads = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..requests {
        let t = Instant::now();
        std::hint::black_box(store.roles_held(&provider.id).await?);
        reads.0.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        std::hint::black_box(store.portfolio(&provider.id, &state.catalog_fingerprint, week, month).await?);
        reads.1.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let q = app::pages::portfolio::query::PortfolioQuery::default();
        std::hint::black_box(
            app::pages::portfolio::data::page(&state, &provider.id, q, today)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        reads.2.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "in process: roles held {:.1} ms, the portfolio's reads {:.1} ms, the page's data {:.1} ms (medians)",
        timed(reads.0),
        timed(reads.1),
        timed(reads.2)
    );

    // The data of each part of the page alone, as a client-side navigation fetches it.
    for endpoint in ["portfolio", "portfolio_alerts", "portfolio_reports", "portfolio_tools"] {
        let request = format!(
            "POST /api/{endpoint} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 0\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\r\n"
        )
        .into_bytes();
        let (status, bytes) = conn.get(&request).await?;
        anyhow::ensure!(status == 200, "{endpoint} answered {status}");
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            conn.get(&request).await?;
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("POST /api/{endpoint} ({bytes} bytes): median {:.1} ms", median(samples));
    }

    let views = [
        ("portfolio, first page by name", "/".to_owned()),
        ("by score, zone bad", "/?zone=bad&sort=score".to_owned()),
        ("search by name", "/?q=tenant%2001".to_owned()),
        ("last page, by 7-day change", format!("/?sort=week&page={}", held.len().div_ceil(50))),
    ];
    for (name, path) in &views {
        let request = get(path);
        let (status, bytes) = conn.get(&request).await?;
        anyhow::ensure!(status == 200, "{name} answered {status}");
        anyhow::ensure!(
            String::from_utf8_lossy(conn.body()).contains("id=\"portfolio-count\""),
            "{name} shows no portfolio"
        );
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            conn.get(&request).await?;
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "GET {path} — {name} ({bytes} bytes): median {:.1} ms, p90 {:.1} ms, max {:.1} ms over {requests} requests",
            median(samples.clone()),
            percentile(samples.clone(), 0.9),
            percentile(samples, 1.0)
        );
    }

    // One tenant changes: the next read evaluates that one alone.
    let change = store::StatusChange {
        action_id: "BenchAction001".into(),
        status: Status::ThirdParty,
        note: "bench".into(),
        assignee: None,
        due_date: None,
        tags: vec![],
        changed_by: "bench".into(),
        changed_at: Utc::now(),
    };
    store.set_status(&held[1], &change).await?;
    let t = Instant::now();
    conn.get(&get("/")).await?;
    println!("portfolio read after one tenant changed: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);

    let csv = get("/portfolio.csv");
    let mut samples = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let (_, bytes) = conn.get(&csv).await?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        size = bytes;
    }
    println!("GET /portfolio.csv, every tenant ({size} bytes): median {:.0} ms", median(samples));
    state.store.close().await;
    Ok(())
}
