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
    /// The address users reach the server at, for links read elsewhere (shares, the Graph
    /// API); `None`: taken from each request (see [`crate::links::base_url`]).
    pub public_url: Option<Arc<str>>,
}

/// The app state, or an internal error when the server forgot to provide it.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        crate::error::AppError::Internal
    })
}
