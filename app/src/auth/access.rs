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

    /// Clears the viewer for `need` on the tenant. A tenant that does not exist and one the
    /// viewer holds no role in get the same answer, so nobody can probe for tenants.
    pub async fn authorize(tenant_id: &str, need: Access) -> Result<TenantAccess, AppError> {
        let (state, viewer) = require_viewer().await?;
        let tenant_id = tenant_id.to_ascii_lowercase();
        let role = state
            .store
            .role_in(&viewer.user_id, &tenant_id)
            .await?
            .ok_or_else(|| AppError::NotFound("tenant".into()))?;
        if !role.allows(need) {
            return Err(AppError::Forbidden(format!("{} is a read-only role in this tenant", role.label())));
        }
        Ok(TenantAccess { state, viewer, role, tenant_id })
    }
}
