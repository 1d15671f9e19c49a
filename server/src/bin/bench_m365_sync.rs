//! `bench_m365_sync`: the Microsoft 365 sync of many connected tenants against the
//! loopback stand-in for Entra and Graph the tests use (in this process, on its own
//! ports): the first sync (90 days × 80 controls each), then the daily one (a new day),
//! with the Overview of one tenant requested throughout to see what the sync costs the
//! pages. Peak memory is the whole process's (`VmHWM`), the stand-in included.
//!
//! `cargo run --release -p server --bin bench_m365_sync -- [tenants] [syncs at once]`

#[allow(dead_code, clippy::unwrap_used)]
#[path = "../../tests/web/support/microsoft.rs"]
mod microsoft;

use microsoft::{profiles, score_days, FakeMicrosoft, Graph, CLIENT_ID, CLIENT_SECRET, DIRECTORY};
use server::bench_data::{bench_tenant, median, percentile, serve, session_cookie, Connection};
use server::m365::daily::sync_all;
use server::m365::secret_key::SecretKey;
use server::m365::sync::Microsoft;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DAYS: usize = 90;
const CONTROLS: usize = 80;
const PAGE_SIZE: usize = 30;

fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Overview requests one after another until `stop`: each one's milliseconds.
async fn overview_latency(
    addr: std::net::SocketAddr,
    tenant: String,
    cookie: String,
    stop: Arc<AtomicBool>,
) -> Vec<f64> {
    let request = format!(
        "GET /tenants/{tenant} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n"
    )
    .into_bytes();
    let mut samples = Vec::new();
    let Ok(mut conn) = Connection::open(addr).await else { return samples };
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        if conn.get(&request).await.is_err() {
            break;
        }
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    samples
}

fn summary(samples: &[f64]) -> String {
    if samples.is_empty() {
        return "no requests".into();
    }
    format!(
        "median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} requests",
        median(samples.to_vec()),
        percentile(samples.to_vec(), 0.95),
        percentile(samples.to_vec(), 1.0),
        samples.len()
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let at_once: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("sync.db").display());
    let state = server::startup::open_app_state(&server::config::Common { database_url: url, catalog: None })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = state.store.clone();
    let ms = FakeMicrosoft::start().await;
    let key = Arc::new(SecretKey::from_hex(&"ef".repeat(32))?);
    let microsoft = Arc::new(Microsoft::new(&ms.base, &ms.graph, key.clone()));

    let started = Instant::now();
    let now = chrono::Utc::now();
    let mut ids = Vec::new();
    for t in 0..tenants {
        let tenant = store.create_tenant(bench_tenant(t, now), "bench").await?;
        store
            .save_m365_connection(
                &store::M365Connection {
                    tenant_id: tenant.id.clone(),
                    directory_id: DIRECTORY.into(),
                    client_id: CLIENT_ID.into(),
                    sealed_secret: key.seal(CLIENT_SECRET, &tenant.id)?,
                    write_back: false,
                    connected_by: "bench".into(),
                    connected_at: now,
                    secret_set_at: now,
                    last_attempt_at: None,
                    last_success_at: None,
                    last_error: None,
                },
                "bench",
            )
            .await?;
        ids.push(tenant.id);
    }
    println!("setup: {tenants} connected tenants in {:.1} s", started.elapsed().as_secs_f64());

    // One tenant's Overview, requested throughout by a reader of it.
    let user = store.create_user("bench@example.test", "Bench", "not-a-password-hash", "bench").await?;
    store.grant_role(&ids[0], &user.id, score::roles::Role::GlobalReader, "bench").await?;
    let cookie = session_cookie(store.as_ref(), &user.id).await?;
    let addr = serve(state.clone()).await?;
    let measure =
        |stop: Arc<AtomicBool>| tokio::spawn(overview_latency(addr, ids[0].clone(), cookie.clone(), stop));

    let controls: Vec<String> =
        state.catalog.iter().filter(|a| !a.deprecated).take(CONTROLS).map(|a| a.id.clone()).collect();
    let newest = now.date_naive() - chrono::Duration::days(1);
    let stop = Arc::new(AtomicBool::new(false));
    let idle = measure(stop.clone());
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    println!("Overview while idle: {}", summary(&idle.await?));

    for (run, days, newest) in
        [("first sync", DAYS, newest), ("daily sync", DAYS + 1, newest + chrono::Duration::days(1))]
    {
        ms.set_graph(Graph {
            items: score_days(&controls, newest, days),
            profiles: profiles(&controls),
            page_size: PAGE_SIZE,
            ..Graph::default()
        });
        let (graph_before, tokens_before) = (ms.graph_requests().len(), ms.token_requests().len());
        let stop = Arc::new(AtomicBool::new(false));
        let pages = measure(stop.clone());
        let t = Instant::now();
        let result = sync_all(&state, microsoft.clone(), Duration::ZERO, at_once).await?;
        let took = t.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        let latency = pages.await?;
        anyhow::ensure!(
            result.failed.is_empty(),
            "{run}: {:?}",
            &result.failed[..result.failed.len().min(3)]
        );
        let graph = ms.graph_requests().len() - graph_before;
        let tokens = ms.token_requests().len() - tokens_before;
        println!(
            "{run} of {tenants} tenants ({days} days × {CONTROLS} controls, {at_once} at once): {took:.1} s \
             ({:.0} ms a tenant), {:.1} Graph requests and {:.1} token requests a tenant, peak memory {:.0} MiB",
            took * 1000.0 / f64::from(tenants),
            graph as f64 / f64::from(tenants),
            tokens as f64 / f64::from(tenants),
            peak_mib()
        );
        println!("  Overview meanwhile: {}", summary(&latency));
    }
    let days = store
        .snapshots(
            &ids[tenants as usize - 1],
            newest - chrono::Duration::days(400),
            newest + chrono::Duration::days(1),
        )
        .await?;
    anyhow::ensure!(days.len() == DAYS + 1, "the last tenant has {} days", days.len());
    println!("database: {:.0} MiB", store.size_bytes().await? as f64 / 1024.0 / 1024.0);
    Ok(())
}
