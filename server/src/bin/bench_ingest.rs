//! `bench_ingest`: how long from a sync agent's POST of measurements until the Overview page
//! shows the new score, over real HTTP against the demo database in a temp directory.
//! Prints the figures recorded in docs/performance.md.
//!
//! `cargo run --release -p server --bin bench_ingest [RUNS]`

use app::auth::secrets::{hash_secret, new_secret};
use leptos::prelude::LeptosOptions;
use server::bench_data::session_cookie;
use server::config::Common;
use server::demo::CONTOSO_ID;
use server::http::{router, ServerState};
use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADMIN: &str = "admin@contoso.example";

/// One HTTP/1.1 exchange on a fresh connection, as a script without keep-alive makes it.
async fn exchange(addr: SocketAddr, request: String) -> anyhow::Result<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok((status, text))
}

fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(30).max(1);
    let dir = tempfile_dir()?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let state = server::startup::open_app_state(&Common { database_url: url, catalog: None }).await?;
    server::startup::seed_demo(&state).await?;
    let store = state.store.clone();
    let admin = store.user_by_email(ADMIN).await?;

    // A write token and a signed-in session, made the way Settings and sign-in make them.
    let token = format!("{}{}", server::bearer::TOKEN_PREFIX, new_secret()?);
    let now = chrono::Utc::now();
    store
        .create_api_token(
            &store::ApiToken {
                id: uuid::Uuid::new_v4().hyphenated().to_string(),
                token_hash: hash_secret(&token),
                user_id: admin.id.clone(),
                tenant_id: CONTOSO_ID.into(),
                name: "bench".into(),
                scope: server::bearer::SCOPE_READ_WRITE.into(),
                created_at: now,
                expires_at: None,
                revoked_at: None,
            },
            ADMIN,
        )
        .await?;
    let cookie = session_cookie(store.as_ref(), &admin.id).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let leptos = LeptosOptions::builder().output_name("rampart").site_root("target/site").build();
    let app = router(ServerState::new(leptos, state.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Every partial action of the catalog, as a daily sync sends them.
    let partial: Vec<String> =
        state.catalog.iter().filter(|a| a.unit().is_some() && !a.deprecated).map(|a| a.id.clone()).collect();
    let (mut posts, mut pages, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let observed = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let items: Vec<serde_json::Value> = partial
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let count = (run * 7 + i * 13) % 101;
                serde_json::json!({"actionId": id, "count": count, "total": 100, "observedAt": observed})
            })
            .collect();
        let body = serde_json::json!({ "measurements": items }).to_string();
        let post = format!(
            "POST /api/v1/measurements HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let get = format!(
            "GET /tenants/{CONTOSO_ID} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nCookie: {cookie}\r\n\
             Connection: close\r\n\r\n"
        );
        let started = Instant::now();
        let (status, reply) = exchange(addr, post).await?;
        let posted = started.elapsed();
        anyhow::ensure!(status == 200, "ingest answered {status}: {reply}");
        let (status, page) = exchange(addr, get).await?;
        let total = started.elapsed();
        anyhow::ensure!(status == 200, "overview answered {status}");
        let live = service::live::live_score(store.as_ref(), &state.catalog, CONTOSO_ID).await?;
        let shown = live.score.current.to_string();
        anyhow::ensure!(page.contains(&shown), "run {run}: the overview does not show the new score {shown}");
        posts.push(posted.as_secs_f64() * 1e3);
        pages.push((total - posted).as_secs_f64() * 1e3);
        totals.push(total.as_secs_f64() * 1e3);
    }
    println!(
        "{runs} runs, {} measurements per batch, demo database (Contoso, 180 days of history)",
        partial.len()
    );
    for (what, samples) in [
        ("POST /api/v1/measurements", &posts),
        ("GET overview page", &pages),
        ("ingest → page shows the new score", &totals),
    ] {
        println!(
            "{what}: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
            percentile(samples, 0.5),
            percentile(samples, 0.9),
            percentile(samples, 1.0)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("rampart-bench-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
