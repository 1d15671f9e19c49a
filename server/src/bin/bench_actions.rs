//! `bench_actions`: the Improvement actions page of a tenant with 500 actions (the shipped
//! catalog plus custom actions, most measured, one in five with a status), server-rendered
//! over a real port: the default list, a filtered and grouped view, the CSV export and the
//! data the hydrated page fetches. Requests go one at a time over a keep-alive connection,
//! as a browser sends them.
//!
//! `cargo run --release -p server --bin bench_actions -- [actions] [requests]`

use server::bench_data::{many_actions, median, percentile, serve, session_cookie, Connection};
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(500);
    let requests: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let started = Instant::now();
    let db = many_actions(total).await?;
    println!(
        "setup: one tenant with {} actions ({} built-in) in {:.1} s",
        db.actions,
        db.state.catalog.len(),
        started.elapsed().as_secs_f64()
    );
    let (store, tenant) = (db.state.store.clone(), db.tenant.clone());

    // A read-write user: the page then carries the add form too, the heaviest variant.
    let user = store.create_user("bench@example.test", "Bench", "not-a-password-hash", "bench").await?;
    store.grant_role(&tenant, &user.id, score::roles::Role::GlobalAdministrator, "bench").await?;
    let cookie = session_cookie(store.as_ref(), &user.id).await?;
    let addr = serve(db.state.clone()).await?;

    let get = |path: String| {
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n")
            .into_bytes()
    };
    let data = {
        let args = format!("tenant_id={tenant}");
        format!(
            "POST /api/improvement_actions HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Origin: http://{addr}\r\nCookie: {cookie}\r\n\r\n{args}",
            args.len()
        )
        .into_bytes()
    };
    let list = format!("/tenants/{tenant}/actions");
    let filtered = "?status=All&cost=Low&remaining=1&group=category&sort=points&dir=desc";
    let requests_of = [
        ("Improvement actions, default list", get(list.clone()), "id=\"actions-table\""),
        (
            "Improvement actions, filtered and grouped",
            get(format!("{list}{filtered}")),
            "class=\"group-head\"",
        ),
        ("CSV export, default list", get(format!("/tenants/{tenant}/actions.csv")), "Rank,Action ID"),
        ("Data only (server function, hydrated navigation)", data, "\"rows\""),
    ];
    let mut conn = Connection::open(addr).await?;
    for (name, request, marker) in requests_of {
        let (status, bytes) = conn.get(&request).await?;
        anyhow::ensure!(status == 200, "{name} answered {status}");
        let body = String::from_utf8_lossy(conn.body()).into_owned();
        anyhow::ensure!(body.contains(marker), "{name} does not show {marker}");
        let rows = body.matches("<tr data-action=").count();
        let mut samples = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            conn.get(&request).await?;
            samples.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let shown = if rows > 0 { format!(", {rows} rows") } else { String::new() };
        println!(
            "{name} ({bytes} bytes{shown}): median {:.2} ms, p95 {:.2} ms, max {:.2} ms over {requests} requests",
            median(samples.clone()),
            percentile(samples.clone(), 0.95),
            percentile(samples, 1.0)
        );
    }
    Ok(())
}
