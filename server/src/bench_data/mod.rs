//! Synthetic data, a load generator and statistics shared by the bench binaries
//! (`server/src/bin/bench*.rs`).

mod connection;
mod graph_export;
mod many_actions;
mod many_tenants;

pub use connection::Connection;
pub use graph_export::{write_graph_export, ExportSize, CONTROLS_PER_DAY};
pub use many_actions::{many_actions, ManyActions};
pub use many_tenants::{many_tenants, BenchDb, ACTIONS};

use app::auth::secrets::{hash_secret, new_secret};
use score::catalog::Catalog;
use score::{Category, ImprovementAction, Level};

/// `n` actions spread over every category, eleven products, both scorings and all levels.
pub fn synthetic_catalog(n: u32) -> Catalog {
    let levels = [Level::Low, Level::Moderate, Level::High];
    let actions = (0..n)
        .map(|i| {
            let action = ImprovementAction::new(
                format!("BenchAction{i:03}"),
                format!("Benchmark action {i}"),
                Category::ALL[(i % 5) as usize],
                format!("Product {}", i % 11),
                1 + i % 10,
            );
            ImprovementAction {
                implementation_cost: levels[(i % 3) as usize],
                user_impact: levels[(i / 3 % 3) as usize],
                complexity: levels[(i / 9 % 3) as usize],
                ..action.scored_by((i % 3 != 0).then_some("users"))
            }
        })
        .collect();
    Catalog { version: "bench".into(), actions }
}

/// The `t`-th tenant of a benchmark population: seats and users spread over the seat
/// buckets, three industries in turn.
pub fn bench_tenant(t: u32, created_at: chrono::DateTime<chrono::Utc>) -> store::NewTenant {
    store::NewTenant {
        id: None,
        name: format!("Bench tenant {t:05}"),
        licensed_seats: 10 + t * 13 % 20_000,
        active_users: 10 + t * 11 % 18_000,
        industry: ["Retail", "Healthcare", "Technology"][(t % 3) as usize].into(),
        enabled_services: vec!["Exchange".into(), "SharePoint".into()],
        created_at,
    }
}

/// Signs `user_id` in for a benchmark's requests: a session for two hours, returned as
/// the `name=value` a `Cookie` header carries.
pub async fn session_cookie(store: &dyn store::Store, user_id: &str) -> anyhow::Result<String> {
    let secret = new_secret()?;
    let now = chrono::Utc::now();
    let session = store::Session {
        token_hash: hash_secret(&secret),
        user_id: user_id.to_owned(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(2),
    };
    store.create_session(&session).await?;
    Ok(format!("{}={secret}", app::auth::session::COOKIE_NAME))
}

/// Serves the whole router for `state` on a free local port.
pub async fn serve(state: app::state::AppState) -> anyhow::Result<std::net::SocketAddr> {
    let leptos =
        leptos::prelude::LeptosOptions::builder().output_name("rampart").site_root("target/site").build();
    let router = crate::http::router(crate::http::ServerState::new(leptos, state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

/// The middle value (samples are sorted in place of a copy).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The value below which a share `p` (0–1) of the samples fall.
pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p) as usize]
}
