//! Turning settings into a running server, or into one clear line saying what to fix.

use crate::catalog_file;
use crate::config::{Common, Serve, DEFAULT_DATABASE_URL};
use crate::http::{router_with, ServerState};
use app::state::AppState;
use leptos::prelude::LeptosOptions;
use score::catalog::Catalog;
use std::path::Path;
use std::sync::Arc;
use store::DynStore;

/// A startup failure, displayed as one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Catalog(#[from] catalog_file::CatalogError),
    #[error("{0}")]
    Database(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: std::net::SocketAddr, reason: String },
    #[error("{0}")]
    Other(String),
}

/// The default database lives in ./data, created on first start; a directory the
/// operator named must already exist, so a typo is not silently turned into a new folder.
fn prepare_default_data_dir(database_url: &str) -> Result<(), StartupError> {
    if database_url == DEFAULT_DATABASE_URL {
        let dir = Path::new("data");
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StartupError::Database(format!(
                    "cannot create the data directory {}: {e}; create it or set DATABASE_URL",
                    dir.display()
                ))
            })?;
        }
    }
    Ok(())
}

/// Opens (and migrates) the store, syncs the catalog file into it, and returns the app state.
pub async fn open_app_state(common: &Common) -> Result<AppState, StartupError> {
    let catalog = catalog_file::load(common.catalog.as_deref())?;
    open_with_catalog(common, catalog).await
}

async fn open_with_catalog(common: &Common, catalog: Catalog) -> Result<AppState, StartupError> {
    prepare_default_data_dir(&common.database_url)?;
    let store: DynStore =
        store::open(&common.database_url).await.map_err(|e| StartupError::Database(e.to_string()))?;
    let sync = store.sync_catalog(&catalog).await.map_err(|e| StartupError::Database(e.to_string()))?;
    if !(sync.added.is_empty() && sync.updated.is_empty() && sync.retired.is_empty()) {
        tracing::info!(
            version = %catalog.version,
            added = sync.added.len(),
            updated = sync.updated.len(),
            retired = sync.retired.len(),
            "catalog synced"
        );
    }
    let actions = store.catalog_actions().await.map_err(|e| StartupError::Database(e.to_string()))?;
    // The scanner mappings name catalog actions: a mapping the catalog no longer matches
    // stops the server here, naming the entry, rather than failing an import later.
    crate::import::scan::mappings(&actions).map_err(StartupError::Other)?;
    Ok(AppState::new(store, actions))
}

pub async fn seed_demo(state: &AppState) -> Result<crate::demo::DemoReport, StartupError> {
    let today = chrono::Utc::now().date_naive();
    let progress = |done: u32, total: u32| {
        if done.is_multiple_of(30) || done == total {
            eprintln!("loading demo data: day {done} of {total}");
        }
    };
    crate::demo::seed(state.store.as_ref(), &state.catalog, today, &progress)
        .await
        .map_err(|e| StartupError::Other(format!("demo data not loaded: {e}")))
}

/// Serves until interrupted. The port is taken before the database is touched, so a
/// port in use leaves nothing behind.
pub async fn serve(common: &Common, serve: &Serve) -> Result<(), StartupError> {
    // Check the catalog and the share settings, then take the port, before the database is touched.
    let catalog = catalog_file::load(common.catalog.as_deref())?;
    let share = crate::share::ShareConfig::from_env().map_err(StartupError::Other)?;
    let metrics = serve.metrics().map_err(StartupError::Other)?;
    let listener = tokio::net::TcpListener::bind(serve.addr).await.map_err(|e| StartupError::Listen {
        addr: serve.addr,
        reason: if e.kind() == std::io::ErrorKind::AddrInUse {
            "the address is already in use; stop the other process or pass --addr / RAMPART_ADDR".into()
        } else {
            e.to_string()
        },
    })?;
    let mut state = open_with_catalog(common, catalog).await?;
    state.public_url = serve.public_url.as_deref().map(Into::into);
    state.trusted_proxies = serve.trusted_proxy.clone();
    state.token_max_days = serve.token_max_days;
    let microsoft: Arc<crate::m365::sync::Microsoft> =
        Arc::new(crate::m365::connect::microsoft(&serve.m365)?.daily_at(serve.snapshot_at));
    state.microsoft = Some(microsoft.clone());
    if serve.demo && state.store.tenant_count().await.map_err(|e| StartupError::Database(e.to_string()))? == 0
    {
        let report = seed_demo(&state).await?;
        eprintln!("demo data loaded: {} tenants, {} days of history", report.tenants, report.days);
    }
    if !serve.site_root.join("pkg").exists() {
        tracing::warn!(site_root = %serve.site_root.display(), "built assets not found; pages will not hydrate (run `make build`)");
    }
    let leptos = LeptosOptions::builder()
        .output_name("rampart")
        .site_root(serve.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(serve.addr)
        .build();
    let alerts = Arc::new(crate::alerts::Alerts::new(serve.alert_settings(), share.smtp.clone()));
    state.alert_channels = alerts.channels();
    tokio::spawn(crate::alerts::run(state.clone(), alerts));
    tokio::spawn(crate::reports::run(state.clone(), share.smtp.clone()));
    // Every replica on the database runs each daily job's loop; a lease lets one run it.
    let replica = crate::lease::Replica::new(std::time::Duration::from_secs(serve.job_lease_seconds));
    tracing::info!(replica = %replica.id, "background jobs share the database's leases");
    tokio::spawn(crate::jobs::run_daily(state.clone(), serve.snapshot_at, replica.clone()));
    tokio::spawn(keep_scores(state.clone()));
    tokio::spawn(crate::m365::write_back::run(state.clone(), microsoft.clone()));
    tokio::spawn(crate::m365::daily::run_daily(
        state.clone(),
        microsoft,
        serve.snapshot_at,
        serve.m365.syncs_at_once(),
        replica,
    ));
    tracing::info!(targets = ?share, "share targets");
    let limits = serve.limits();
    let app = crate::share::with_share(router_with(ServerState::new(leptos, state.clone()), limits), share);
    let app = crate::monitoring::with_metrics(app, metrics, state.clone());
    let url = format!("http://{}", serve.addr);
    println!("Rampart is serving on {url}");
    if has_demo_users(&state).await {
        println!(
            "  Sign in at {url}/sign-in with a demo account (password: {}):",
            crate::demo::DEMO_PASSWORD
        );
        for (email, role, what) in crate::demo::DEMO_ACCOUNTS {
            println!("    {email:<28} {role:<22} {what}");
        }
    } else if state.store.tenant_count().await.unwrap_or(0) == 0 {
        println!("  This server is empty. Create a tenant and its first administrator:");
        println!("    rampart tenant add \"Your organisation\" --seats 500 --industry Technology");
        println!("    rampart user add you@example.com --tenant TENANT_ID --role GlobalAdministrator");
    }
    let served = serve_connections(listener, app, limits.header_read_timeout, shutdown_signal()).await;
    // Close the pool before the runtime goes: SQLite then checkpoints its log cleanly.
    state.store.close().await;
    served
}

/// Evaluates, in the background, every tenant whose kept score no longer holds (all of
/// them after a catalog update), so the first portfolio read need not.
async fn keep_scores(state: AppState) {
    let started = std::time::Instant::now();
    match service::portfolio::every_score(state.store.as_ref(), &state.catalog, &state.catalog_fingerprint)
        .await
    {
        Ok(all) => tracing::info!(
            tenants = all.len(),
            took_ms = started.elapsed().as_millis(),
            "kept scores checked"
        ),
        Err(e) => tracing::warn!(error = %e, "kept scores not checked; pages evaluate them as they read"),
    }
}

/// Accepts connections and serves `app` on each until `shutdown` completes, then lets the
/// requests in flight finish. Unlike `axum::serve`, a client that has not sent a request's
/// whole header within `header_read_timeout` is cut off, so slow clients cannot hold every
/// connection open.
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_read_timeout: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), StartupError> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        // Sign-in throttling reads the client's address as axum's ConnectInfo.
        let service =
            hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(remote));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
        let builder = Arc::clone(&builder);
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn has_demo_users(state: &AppState) -> bool {
    state.store.user_by_email(crate::demo::DEMO_ACCOUNTS[0].0).await.is_ok()
}
