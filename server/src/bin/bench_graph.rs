//! `bench_graph`: serves the Graph-compatible API on a real port over a database of many
//! tenants, one of them with two years of daily history, and measures
//! `GET /v1.0/security/secureScores?$top=1` with its own HTTP/1.1 load generator:
//! latency one request at a time, then throughput with concurrent keep-alive connections.
//!
//! `cargo run --release -p server --bin bench_graph -- [tenants] [seconds] [connections]`

use app::auth::secrets::hash_secret;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use score::catalog::Catalog;
use score::snapshot::{ActionPoint, ActionPoints};
use score::{Measurement, Points, Status};
use server::bench_data::{median, percentile, synthetic_catalog};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use store::{ApiToken, MeasurementInput, NewTenant, ScoreSnapshot};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ACTIONS: u32 = 300;
const HISTORY_DAYS: i64 = 730;

fn measurement(tenant: u32, action: u32, at: chrono::DateTime<Utc>) -> Measurement {
    let total = 50 + (tenant * 7 + action * 13) % 400;
    Measurement::partial((tenant * 31 + action * 17) % (total + 1), total, at)
}

/// Per-action points of the history tenant on day `d`: a few actions move each day.
fn history_points(catalog: &Catalog, d: i64) -> ActionPoints {
    catalog
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let max = a.max();
            let step = (i as i64 * 7 + d / 5) % 11;
            let points = Points(max.0 * step.min(10) / 10);
            (a.id.clone(), ActionPoint { points, max, status: Status::ToAddress })
        })
        .collect()
}

/// One keep-alive HTTP/1.1 connection that sends GETs and reads `Content-Length` bodies.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buf: Vec::with_capacity(256 * 1024) })
    }

    /// Sends the request and returns the status and body length.
    async fn get(&mut self, request: &[u8]) -> anyhow::Result<(u16, usize)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.read_more().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end])?.to_ascii_lowercase();
        let status: u16 =
            head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow::anyhow!("no status"))?;
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("the response has no Content-Length"))?;
        while self.buf.len() < head_end + length {
            self.read_more().await?;
        }
        Ok((status, length))
    }

    async fn read_more(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let connections: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8);
    let catalog = synthetic_catalog(ACTIONS);

    let dir = std::env::temp_dir().join(format!("rampart-bench-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let store = store::open(&url).await?;
    store.sync_catalog(&catalog).await?;
    let actions = store.catalog_actions().await?;

    let started = Instant::now();
    let today = Utc::now().date_naive();
    let first_day = today - Duration::days(HISTORY_DAYS - 1);
    let mut target = String::new();
    for t in 0..tenants {
        let tenant = store
            .create_tenant(
                NewTenant {
                    id: None,
                    name: format!("Bench tenant {t:05}"),
                    licensed_seats: 10 + t * 13 % 20_000,
                    active_users: 10 + t * 11 % 18_000,
                    industry: ["Retail", "Healthcare", "Technology"][(t % 3) as usize].into(),
                    enabled_services: vec!["Exchange".into(), "SharePoint".into()],
                    created_at: first_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
                },
                "bench",
            )
            .await?;
        let at = Utc.from_utc_datetime(&first_day.and_hms_opt(6, 0, 0).unwrap_or_default());
        let batch: Vec<MeasurementInput> = (0..ACTIONS)
            .map(|a| MeasurementInput {
                action_id: format!("BenchAction{a:03}"),
                measurement: measurement(t, a, at),
            })
            .collect();
        store.record_measurements(&tenant.id, &batch, "bench").await?;
        if t == 0 {
            target = tenant.id;
        }
    }
    println!("setup: {tenants} tenants × {ACTIONS} actions in {:.1} s", started.elapsed().as_secs_f64());

    // Two years of daily history for the measured tenant, then today's snapshot of all.
    let started = Instant::now();
    for d in 0..HISTORY_DAYS - 1 {
        let day: NaiveDate = first_day + Duration::days(d);
        let points = history_points(&catalog, d);
        let current: Points = points.values().map(|p| p.points).sum();
        let max: Points = points.values().map(|p| p.max).sum();
        let snapshot = ScoreSnapshot {
            tenant_id: target.clone(),
            day,
            current,
            max,
            categories: vec![],
            licensed_seats: 10,
            active_users: 10,
            taken_at: day.and_hms_opt(0, 5, 0).unwrap_or_default().and_utc(),
        };
        store.write_snapshot(&snapshot, &points).await?;
    }
    server::jobs::snapshot_all(store.as_ref(), &actions, today, Utc::now()).await?;
    println!(
        "history: {} days for one tenant, today's snapshot of all in {:.1} s",
        HISTORY_DAYS,
        started.elapsed().as_secs_f64()
    );

    let user = store.create_user("bench@example.test", "Bench", "not-a-password-hash", "bench").await?;
    store.grant_role(&target, &user.id, score::roles::Role::GlobalReader, "bench").await?;
    let secret = "rmp_benchmarktoken";
    let token = ApiToken {
        id: uuid::Uuid::new_v4().to_string(),
        token_hash: hash_secret(secret),
        user_id: user.id.clone(),
        tenant_id: target.clone(),
        name: "bench".into(),
        scope: server::bearer::SCOPE_READ.into(),
        created_at: Utc::now(),
        expires_at: None,
        revoked_at: None,
    };
    store.create_api_token(&token, "bench").await?;

    let state = app::state::AppState { store: store.clone(), catalog: Arc::new(actions) };
    let leptos =
        leptos::prelude::LeptosOptions::builder().output_name("rampart").site_root("target/site").build();
    let router = server::http::router(server::http::ServerState { leptos, app: state });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    let request = format!(
        "GET /v1.0/security/secureScores?$top=1 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {secret}\r\n\r\n"
    )
    .into_bytes();

    // Latency: one request at a time over one connection, after a warm-up.
    let mut conn = Connection::open(addr).await?;
    let (status, bytes) = conn.get(&request).await?;
    anyhow::ensure!(status == 200, "the bench request answered {status}");
    let mut samples = Vec::new();
    for _ in 0..1_000 {
        let t = Instant::now();
        conn.get(&request).await?;
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "GET secureScores?$top=1 ({bytes} bytes, {ACTIONS} control scores): median {:.2} ms, p99 {:.2} ms",
        median(samples.clone()),
        percentile(samples, 0.99)
    );

    // Throughput: `connections` keep-alive connections for `seconds`.
    let done = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (done, count, request) = (done.clone(), count.clone(), request.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Connection::open(addr).await?;
            let mut latencies = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                let (status, _) = conn.get(&request).await?;
                anyhow::ensure!(status == 200, "answered {status} under load");
                latencies.push(t.elapsed().as_secs_f64() * 1e3);
                count.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(latencies)
        }));
    }
    let t = Instant::now();
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    done.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    let elapsed = t.elapsed().as_secs_f64();
    println!(
        "throughput with {connections} connections for {seconds} s: {:.0} requests/s (median {:.2} ms, p99 {:.2} ms under load)",
        count.load(Ordering::Relaxed) as f64 / elapsed,
        median(all.clone()),
        percentile(all, 0.99)
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
