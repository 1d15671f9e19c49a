//! `bench_import_memory`: how much memory the server adds while it takes a 64 MiB Graph
//! export through the Settings upload and imports it: the release `rampart` binary serves
//! the demo database in a temp directory as its own process, and its resident memory is
//! read from `/proc` before and at the peak (Linux only).
//!
//! Two cases: the first import of a tenant's history (a new tenant, every day appended),
//! and an import over days the tenant already has (Contoso's 180 demo days).
//!
//! `cargo run --release -p server --bin bench_import_memory [MiB] [new|existing]`

use server::bench_data::{session_cookie, write_graph_export};
use server::config::Common;
use server::demo::CONTOSO_ID;
use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADMIN: &str = "admin@contoso.example";
const MIB: u64 = 1024 * 1024;

/// A field of the server's `/proc/PID/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{field} not in /proc/{pid}/status"))
}

/// A GET on a fresh connection; answers the status code.
async fn get(addr: SocketAddr, path: &str, cookie: &str) -> std::io::Result<u16> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    let text = String::from_utf8_lossy(&reply);
    Ok(text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// Stops the server when the bench ends, however it ends.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mib: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(64).max(1);
    let existing = std::env::args().nth(2).as_deref() == Some("existing");
    let dir = std::env::temp_dir().join(format!("rampart-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let state = server::startup::open_app_state(&Common { database_url: url.clone(), catalog: None }).await?;
    server::startup::seed_demo(&state).await?;
    let store = state.store.clone();
    let admin = store.user_by_email(ADMIN).await?;
    let cookie = session_cookie(store.as_ref(), &admin.id).await?;
    let now = chrono::Utc::now();
    let tenant = if existing {
        CONTOSO_ID.to_owned()
    } else {
        let new = store::NewTenant {
            id: None,
            name: "Imported Ltd".into(),
            licensed_seats: 60,
            active_users: 58,
            industry: "Retail".into(),
            enabled_services: Vec::new(),
            created_at: now,
        };
        let t = store.create_tenant(new, "bench").await?;
        store.grant_role(&t.id, &admin.id, score::roles::Role::GlobalAdministrator, "bench").await?;
        t.id
    };

    // The export, on disk: it is streamed to the server, never held by this process.
    // Leave room under the upload limit for the multipart framing.
    let file = dir.join("secure-scores.json");
    let ids: Vec<String> = state.catalog.iter().filter(|a| !a.deprecated).map(|a| a.id.clone()).collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
    let newest = (now - chrono::Duration::days(1)).date_naive();
    let size = write_graph_export(&mut out, &tenant, &ids, newest, mib * MIB - 4096)?;
    out.flush()?;
    drop(out);

    state.store.close().await;
    drop(state);

    // The server as operators run it, on its own.
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let binary = std::env::current_exe()?.with_file_name("rampart");
    let served = Served(
        std::process::Command::new(&binary)
            .args(["serve", "--addr", &addr.to_string(), "--site-root", "target/site"])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("{}: {e} (build it with cargo build --release -p server)", binary.display())
            })?,
    );
    let pid = served.0.id();
    let ready = Instant::now();
    while get(addr, "/healthz", "").await.ok() != Some(200) {
        anyhow::ensure!(ready.elapsed() < Duration::from_secs(30), "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One page first, so what the server needs to serve at all is already in use.
    let page = get(addr, &format!("/tenants/{tenant}/settings"), &cookie).await?;
    anyhow::ensure!(page == 200, "the settings page answered {page}");

    // The peak is counted from here: "5" resets VmHWM to the pages in use now.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")?;
    let before = status_kib(pid, "VmRSS:")?;
    let boundary = "rampart-bench-boundary";
    let preamble = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"secure-scores.json\"\r\n\
         Content-Type: application/json\r\n\r\n"
    );
    let epilogue = format!("\r\n--{boundary}--\r\n");
    let length = preamble.len() as u64 + size.bytes + epilogue.len() as u64;
    let head = format!(
        "POST /tenants/{tenant}/import HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n{preamble}"
    );
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(head.as_bytes()).await?;
    let mut source = tokio::fs::File::open(&file).await?;
    tokio::io::copy(&mut source, &mut stream).await?;
    stream.write_all(epilogue.as_bytes()).await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    let took = started.elapsed();
    let peak = status_kib(pid, "VmHWM:")?;
    drop(served);
    let reply = String::from_utf8_lossy(&reply);
    anyhow::ensure!(
        reply.contains("id=\"import-result\""),
        "the import did not finish: {}",
        reply.chars().take(2000).collect::<String>()
    );
    println!(
        "upload of {:.1} MiB into {} ({} days × {} controls): imported in {:.1} s",
        size.bytes as f64 / MIB as f64,
        if existing { "Contoso, over its 180 days" } else { "a new tenant" },
        size.days,
        server::bench_data::CONTROLS_PER_DAY,
        took.as_secs_f64()
    );
    println!(
        "server RSS before {:.1} MiB, peak during {:.1} MiB: the upload added {:.1} MiB",
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
