//! What server functions find in the Leptos context (server only).

use score::ImprovementAction;
use std::sync::Arc;
use store::DynStore;

#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    /// The built-in catalog as stored (retired actions included, marked deprecated),
    /// read once at startup after the catalog file was synced.
    pub catalog: Arc<Vec<ImprovementAction>>,
    /// A name of the catalog's contents: kept scores are kept under it, so a score kept
    /// under another catalog (before an update, or by another replica) is never reused.
    pub catalog_fingerprint: Arc<str>,
    /// The address users reach the server at, for links read elsewhere (shares, the Graph
    /// API); `None`: taken from each request (see [`crate::links::base_url`]).
    pub public_url: Option<Arc<str>>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: crate::auth::client_address::TrustedProxies,
    /// Longest lifetime of a new API token, in days (`--token-max-days`).
    pub token_max_days: u32,
    /// Connecting tenants to Microsoft 365 and syncing them (the server's HTTP client and
    /// sealing key); `None` where the server offers no connector.
    pub microsoft: Option<Arc<dyn service::m365::Microsoft365>>,
    /// What alert rules may send to (email when the operator set up SMTP; webhooks to
    /// internal addresses when allowed).
    pub alert_channels: service::alert::AlertChannels,
    /// Each viewer's portfolio as last read, under the version it was read at.
    pub portfolio_cache: Arc<crate::pages::portfolio::data::PortfolioCache>,
    /// The names the pages link the built assets by (the server's asset table sets them).
    pub assets: Arc<crate::AssetNames>,
}

impl AppState {
    /// A server on `store` with `catalog`, every setting at its default.
    pub fn new(store: DynStore, catalog: Vec<ImprovementAction>) -> AppState {
        AppState {
            store,
            catalog_fingerprint: service::portfolio::catalog_fingerprint(&catalog).into(),
            catalog: Arc::new(catalog),
            public_url: None,
            trusted_proxies: Default::default(),
            token_max_days: DEFAULT_TOKEN_MAX_DAYS,
            alert_channels: Default::default(),
            microsoft: None,
            assets: Default::default(),
            portfolio_cache: Default::default(),
        }
    }
}

/// Default of `--token-max-days`: a year, so a leaked token does not work forever.
pub const DEFAULT_TOKEN_MAX_DAYS: u32 = 365;

/// The app state, or an internal error when the server forgot to provide it.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        crate::error::AppError::Internal
    })
}
