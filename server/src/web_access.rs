//! Tenant access for plain axum handlers (exports, tokens, share, import): the session
//! cookie and the caller's role, as an extractor, with the same answers server functions
//! give.

use crate::http::ServerState;
use app::auth::Viewer;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use score::roles::{Access, Role};
use std::collections::HashMap;
use std::marker::PhantomData;

/// Why a handler refused: a status and a line of text, safe to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal(pub StatusCode, pub &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, self.1).into_response()
    }
}

pub fn internal(e: store::StoreError) -> Refusal {
    tracing::error!(error = %e, "storage error in an HTTP handler");
    Refusal(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server; it has been logged.")
}

/// What a handler needs of the caller's role.
pub trait Need: Send + Sync {
    const ACCESS: Access;
}

/// Any role in the tenant.
pub struct Read;
/// A read-write role in the tenant.
pub struct Write;

impl Need for Read {
    const ACCESS: Access = Access::Read;
}

impl Need for Write {
    const ACCESS: Access = Access::Write;
}

/// The signed-in viewer on the tenant named by the route's `{tenant}`, cleared for `N`.
/// Signed out answers 401; a tenant the viewer holds no role in answers 404 exactly like
/// one that does not exist; a read-only role asking to write answers 403.
pub struct TenantSession<N: Need> {
    pub viewer: Viewer,
    pub role: Role,
    /// The tenant's id, lower-cased as stored.
    pub tenant_id: String,
    need: PhantomData<N>,
}

impl<N: Need> FromRequestParts<ServerState> for TenantSession<N> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Refusal> {
        let not_found = Refusal(StatusCode::NOT_FOUND, "tenant was not found");
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| not_found)?;
        let tenant_id = params.get("tenant").ok_or(not_found)?.to_ascii_lowercase();
        let store = state.app.store.as_ref();
        let viewer = app::auth::session::viewer_for(store, &parts.headers)
            .await
            .map_err(internal)?
            .ok_or(Refusal(StatusCode::UNAUTHORIZED, "Please sign in."))?;
        let role = store.role_in(&viewer.user_id, &tenant_id).await.map_err(internal)?.ok_or(not_found)?;
        if !role.allows(N::ACCESS) {
            return Err(Refusal(
                StatusCode::FORBIDDEN,
                "Not allowed: your role in this tenant is read-only.",
            ));
        }
        Ok(TenantSession { viewer, role, tenant_id, need: PhantomData })
    }
}
