//! `bench_graph`: serves the Graph-compatible API on a real port over a database of many
//! tenants, one of them with two years of daily history, and measures
//! `GET /v1.0/security/secureScores?$top=1` with its own HTTP/1.1 load generator:
//! latency one request at a time, then throughput with concurrent keep-alive connections.
//!
//! `cargo run --release -p server --bin bench_graph -- [tenants] [seconds] [connections]`

use app::auth::secrets::hash_secret;
use chrono::Utc;
use server::bench_data::{many_tenants, median, percentile, synthetic_catalog, Connection, ACTIONS};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use store::ApiToken;

const HISTORY_DAYS: i64 = 730;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let connections: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8);
    let catalog = synthetic_catalog(ACTIONS);
    let db = many_tenants(&catalog, tenants, HISTORY_DAYS).await?;
    let (store, target) = (db.store.clone(), db.target.clone());

    let user = db.target_reader().await?;
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

    let addr = db.serve().await?;

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
    Ok(())
}
