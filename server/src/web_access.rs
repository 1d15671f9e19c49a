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
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Response> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Refusal(StatusCode::NOT_FOUND, "tenant was not found").into_response())?;
        let tenant = params.get("tenant").map_or("", String::as_str);
        let store = state.app.store.as_ref();
        match app::auth::access::clear(store, &parts.headers, tenant, N::ACCESS).await {
            Ok((viewer, role, tenant_id)) => Ok(TenantSession { viewer, role, tenant_id, need: PhantomData }),
            // The app's refusals are safe to show; internals are logged where they happen.
            Err(e) => {
                let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Err((status, e.to_string()).into_response())
            }
        }
    }
}

/// The signed-in viewer, on no tenant in particular (the portfolio's export); signed out
/// answers 401.
pub struct SignedIn(pub Viewer);

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Response> {
        match app::auth::session::viewer_for(state.app.store.as_ref(), &parts.headers).await {
            Ok(Some(viewer)) => Ok(SignedIn(viewer)),
            Ok(None) => Err(Refusal(StatusCode::UNAUTHORIZED, "Sign in first.").into_response()),
            Err(e) => Err(internal(e).into_response()),
        }
    }
}
