//! The one place that decides who may read or change a tenant. Every server function and
//! REST handler that touches tenant data goes through [`authorize`].

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use crate::auth::Viewer;
    use crate::error::AppError;
    use crate::state::{app_state, AppState};
    use score::roles::{Access, Role};

    /// A viewer cleared for one tenant, with their role there.
    pub struct TenantAccess {
        pub state: AppState,
        pub viewer: Viewer,
        pub role: Role,
        pub tenant_id: String,
    }

    /// The signed-in viewer, or `Unauthorized`.
    pub async fn require_viewer() -> Result<(AppState, Viewer), AppError> {
        let state = app_state()?;
        let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
        match crate::auth::session::viewer_for(state.store.as_ref(), &headers).await? {
            Some(v) => Ok((state, v)),
            None => Err(AppError::Unauthorized),
        }
    }

    /// Clears the viewer for `need` on the tenant, in a server function.
    pub async fn authorize(tenant_id: &str, need: Access) -> Result<TenantAccess, AppError> {
        let state = app_state()?;
        let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
        let (viewer, role, tenant_id) = clear(state.store.as_ref(), &headers, tenant_id, need).await?;
        Ok(TenantAccess { state, viewer, role, tenant_id })
    }

    /// The one access check, for server functions and plain handlers alike: the session the
    /// request carries, its role in the tenant, cleared for `need`. A tenant that does not
    /// exist and one the viewer holds no role in get the same answer, so nobody can probe
    /// for tenants. Answers the tenant id as stored (lower case).
    pub async fn clear(
        store: &dyn store::Store,
        headers: &http::HeaderMap,
        tenant_id: &str,
        need: Access,
    ) -> Result<(Viewer, Role, String), AppError> {
        let viewer = crate::auth::session::viewer_for(store, headers).await?.ok_or(AppError::Unauthorized)?;
        let tenant_id = tenant_id.to_ascii_lowercase();
        let role = store
            .role_in(&viewer.user_id, &tenant_id)
            .await?
            .ok_or_else(|| AppError::NotFound("tenant".into()))?;
        if !role.allows(need) {
            return Err(AppError::Forbidden(format!("{} is a read-only role in this tenant", role.label())));
        }
        Ok((viewer, role, tenant_id))
    }
}
