//! Tenant access for plain axum handlers (exports, token pages): the session cookie and
//! the caller's role, with the same answers as server functions give.

use crate::http::ServerState;
use app::auth::Viewer;
use axum::http::{HeaderMap, StatusCode};
use score::roles::{Access, Role};

pub type Refusal = (StatusCode, &'static str);

pub fn internal(e: store::StoreError) -> Refusal {
    tracing::error!(error = %e, "storage error in an HTTP handler");
    (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server; it has been logged.")
}

/// The signed-in viewer and their role in `tenant`, cleared for `need`. An unknown tenant
/// and one without a role both answer 404.
pub async fn session_access(
    state: &ServerState,
    headers: &HeaderMap,
    tenant: &str,
    need: Access,
) -> Result<(Viewer, Role, String), Refusal> {
    let store = state.app.store.as_ref();
    let viewer = app::auth::session::viewer_for(store, headers)
        .await
        .map_err(internal)?
        .ok_or((StatusCode::UNAUTHORIZED, "Please sign in."))?;
    let tenant = tenant.to_ascii_lowercase();
    let role = store
        .role_in(&viewer.user_id, &tenant)
        .await
        .map_err(internal)?
        .ok_or((StatusCode::NOT_FOUND, "tenant was not found"))?;
    if !role.allows(need) {
        return Err((StatusCode::FORBIDDEN, "Not allowed: your role in this tenant is read-only."));
    }
    Ok((viewer, role, tenant))
}
