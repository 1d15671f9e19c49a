//! `bench_pages`: the Overview and Metrics & trends pages of a tenant with two years of
//! daily history and 300 actions, among many tenants, server-rendered over a real port.
//! Each page is requested one at a time over a keep-alive connection, as a browser does.
//!
//! `cargo run --release -p server --bin bench_pages -- [tenants] [requests]`

use server::bench_data::{
    many_tenants, median, percentile, session_cookie, synthetic_catalog, Connection, ACTIONS,
};
use std::time::Instant;

const HISTORY_DAYS: i64 = 730;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let tenants: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let requests: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let catalog = synthetic_catalog(ACTIONS);
    let db = many_tenants(&catalog, tenants, HISTORY_DAYS).await?;
    let (store, target) = (db.store.clone(), db.target.clone());

    let user = db.target_reader().await?;
    let cookie = session_cookie(store.as_ref(), &user.id).await?;

    let addr = db.serve().await?;

    let get = |path: String| {
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n")
            .into_bytes()
    };
    // The data alone, as the hydrated page fetches it on a client-side navigation.
    let data = |args: String| {
        format!(
            "POST /api/metrics HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\r\n{args}",
            args.len()
        )
        .into_bytes()
    };
    let requests_of = [
        ("Overview (180 days, comparisons)", get(format!("/tenants/{target}")), "id=\"score-percent\""),
        (
            "Metrics & trends, all 2 years",
            get(format!("/tenants/{target}/metrics?range=all")),
            "id=\"projection-projected\"",
        ),
        (
            "Metrics & trends, 30 days",
            get(format!("/tenants/{target}/metrics")),
            "id=\"projection-projected\"",
        ),
        (
            "Metrics & trends data only (server function), all 2 years",
            data(format!("tenant_id={target}&range=all")),
            "\"projection\"",
        ),
    ];
    let mut conn = Connection::open(addr).await?;
    for (name, request, marker) in requests_of {
        let (status, bytes) = conn.get(&request).await?;
        anyhow::ensure!(status == 200, "{name} answered {status}");
        let body = String::from_utf8_lossy(conn.body());
        anyhow::ensure!(body.contains(marker), "{name} does not show {marker}");
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            conn.get(&request).await?;
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "GET {name} ({bytes} bytes): median {:.2} ms, p90 {:.2} ms, max {:.2} ms over {requests} requests",
            median(samples.clone()),
            percentile(samples.clone(), 0.9),
            percentile(samples, 1.0)
        );
    }
    Ok(())
}
