//! Several `rampart serve` processes on one PostgreSQL behave as one: writes through either
//! are seen by both, and the daily snapshot runs once — taken over by the other replica
//! when the one running it is killed part way. Needs TEST_DATABASE_URL (skipped without).

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs one statement with `psql` and returns what it printed, trimmed.
fn psql(url: &str, sql: &str) -> String {
    let out =
        Command::new("psql").args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql]).output().expect("psql runs");
    assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Replica {
    child: Child,
    base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(url: &str, snapshot_at: &str, dir: &std::path::Path) -> Replica {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--database-url", url])
        .args(["--snapshot-at", snapshot_at, "--job-lease-seconds", "2"])
        .env("RUST_LOG", "warn")
        .env("RAMPART_SECRET_KEY_FILE", dir.join("secret.key"))
        .env_remove("RAMPART_CATALOG")
        .stdout(Stdio::null())
        .spawn()
        .expect("rampart serve starts");
    Replica { child, base: format!("http://127.0.0.1:{port}") }
}

async fn ready(client: &reqwest::Client, r: &Replica) {
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if client.get(format!("{}/healthz", r.base)).send().await.is_ok_and(|x| x.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never answered", r.base);
}

/// Sets a status through one replica as a browser on it does; the answer is the redirect
/// a saved change gets.
async fn set_status(client: &reqwest::Client, r: &Replica, cookie: &str, tenant: &str, status: &str) {
    let body = format!(
        "tenant_id={tenant}&action_id=AdminMFAV2&status={status}&note=from+{}",
        r.base.replace(':', "%3A")
    );
    let res = client
        .post(format!("{}/api/update_action", r.base))
        .header("Origin", &r.base)
        .header("Cookie", cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "text/html")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::FOUND, "{}", res.text().await.unwrap_or_default());
}

#[tokio::test]
async fn two_replicas_share_writes_and_take_each_days_snapshot_exactly_once() {
    let Ok(base_url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("rampart_replicas_{}", std::process::id());
    psql(&base_url, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(&base_url, &format!("CREATE DATABASE {name}"));
    let url = format!("{}/{name}", base_url.rsplit_once('/').unwrap().0);

    // Tenants enough that one snapshot of all takes a while, each with measured actions.
    let store = store::open(&url).await.unwrap();
    let catalog = server::catalog_file::load(None).unwrap();
    store.sync_catalog(&catalog).await.unwrap();
    let actions = store.catalog_actions().await.unwrap();
    let now = chrono::Utc::now();
    let mut tenants = Vec::new();
    for t in 0..400u32 {
        let tenant = store.create_tenant(server::bench_data::bench_tenant(t, now), "test").await.unwrap();
        let batch: Vec<store::MeasurementInput> = actions
            .iter()
            .take(60)
            .enumerate()
            .map(|(i, a)| {
                let total = 10 + (t + i as u32) % 90;
                store::MeasurementInput::new(&a.id, score::Measurement::partial(total / 2, total, now))
            })
            .collect();
        store
            .record_measurements(&tenant.id, &batch, "test", score::MeasurementSource::Ingest)
            .await
            .unwrap();
        tenants.push(tenant.id);
    }
    let admin = store.create_user("admin@replicas.example", "Admin", "not-a-hash", "test").await.unwrap();
    for t in &tenants[..2] {
        store.grant_role(t, &admin.id, score::roles::Role::GlobalAdministrator, "test").await.unwrap();
    }
    let cookie = server::bench_data::session_cookie(store.as_ref(), &admin.id).await.unwrap();
    store.close().await;

    // Both replicas wake for the snapshot at the same second, a little from now.
    let at = chrono::Utc::now() + chrono::Duration::seconds(12);
    let day = at.date_naive();
    let dir = tempfile::tempdir().unwrap();
    let a = start(&url, &at.format("%H:%M:%S").to_string(), dir.path());
    let b = start(&url, &at.format("%H:%M:%S").to_string(), dir.path());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    ready(&client, &a).await;
    ready(&client, &b).await;

    // A write through each, each acknowledged, each seen through the other.
    set_status(&client, &a, &cookie, &tenants[0], "ThirdParty").await;
    set_status(&client, &b, &cookie, &tenants[1], "AlternateMitigation").await;
    for r in [&a, &b] {
        for (tenant, label) in [
            (&tenants[0], "Resolved through third party"),
            (&tenants[1], "Resolved through alternate mitigation"),
        ] {
            let page = client
                .get(format!("{}/tenants/{tenant}/actions/AdminMFAV2", r.base))
                .header("Cookie", &cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains(label), "{} shows {tenant}'s change", r.base);
        }
    }

    // Kill whichever replica holds the snapshot's lease once it has written some days.
    let mut replicas = vec![a, b];
    let count = |sql: &str| psql(&url, sql).parse::<u32>().unwrap_or(0);
    let day_count = format!("SELECT COUNT(*) FROM score_snapshots WHERE day = '{day}'");
    let until = Instant::now() + Duration::from_secs(90);
    let (killed, written_when_killed) = loop {
        assert!(Instant::now() < until, "the snapshot never started");
        let holder = psql(&url, "SELECT holder FROM job_leases WHERE job = 'daily_snapshot'");
        let written = count(&day_count);
        if written > 0 && !holder.is_empty() {
            // One run so far: every day written carries the one run's time.
            let runs =
                count(&format!("SELECT COUNT(DISTINCT taken_at) FROM score_snapshots WHERE day = '{day}'"));
            assert_eq!(runs, 1, "only the lease holder snapshots");
            let pid: u32 = holder.rsplit('-').nth(1).unwrap().parse().unwrap();
            let i = replicas.iter().position(|r| r.child.id() == pid).expect("a replica holds the lease");
            let mut gone = replicas.remove(i);
            gone.child.kill().unwrap();
            gone.child.wait().unwrap();
            break (pid, count(&day_count).max(written));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(written_when_killed < 400, "killed part way ({written_when_killed} of 400 written)");

    // The other takes the job over once the lease runs out, and finishes the day.
    let until = Instant::now() + Duration::from_secs(120);
    while count(&format!("SELECT COUNT(*) FROM job_runs WHERE job = 'daily_snapshot' AND day = '{day}'")) == 0
    {
        assert!(Instant::now() < until, "the snapshot was never finished");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let survivor = &replicas[0];
    let finished_by =
        psql(&url, &format!("SELECT holder FROM job_runs WHERE job = 'daily_snapshot' AND day = '{day}'"));
    assert!(
        finished_by.contains(&format!("-{}-", survivor.child.id())),
        "finished by the survivor: {finished_by}"
    );
    assert!(!finished_by.contains(&format!("-{killed}-")));
    // Exactly one snapshot per tenant for the day, all from the run that finished it.
    assert_eq!(count(&day_count), 400);
    assert_eq!(
        count(&format!("SELECT COUNT(DISTINCT taken_at) FROM score_snapshots WHERE day = '{day}'")),
        1
    );
    assert_eq!(
        count(&format!("SELECT COUNT(DISTINCT tenant_id) FROM score_snapshots WHERE day = '{day}'")),
        400
    );
    // No acknowledged write lost, and the survivor still shows both.
    for (tenant, status) in [(&tenants[0], "ThirdParty"), (&tenants[1], "AlternateMitigation")] {
        let stored = psql(
            &url,
            &format!(
                "SELECT status FROM control_states WHERE tenant_id = '{tenant}' AND action_id = 'AdminMFAV2'"
            ),
        );
        assert_eq!(stored, status);
    }
    drop(replicas);
    psql(&base_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}
