//! What every tenant page shares: the links between them, and the status of a page that
//! refuses its query.

use crate::error::AppError;
use crate::pages::actions::query::encode;
use leptos::prelude::*;

/// The tenant's pages, the one shown marked as current.
#[component]
pub fn TenantNav(tenant_id: String, current: &'static str) -> impl IntoView {
    let t = encode(&tenant_id);
    let pages = [
        ("Overview", format!("/tenants/{t}")),
        ("Improvement actions", format!("/tenants/{t}/actions")),
        ("History", format!("/tenants/{t}/history")),
        ("Metrics & trends", format!("/tenants/{t}/metrics")),
        ("Settings", format!("/tenants/{t}/settings")),
    ];
    view! {
        <nav class="tenant-nav" aria-label="Tenant pages">
            {pages.into_iter().map(|(name, href)| view! {
                <a href=href aria-current=(name == current).then_some("page")>{name}</a>
            }).collect_view()}
        </nav>
    }
}

/// Answers the page with the status `error` deserves (a bad query is a 400, not a 200).
pub fn set_status_of(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        let status = http::StatusCode::from_u16(error.status());
        resp.set_status(status.unwrap_or(http::StatusCode::BAD_REQUEST));
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}
