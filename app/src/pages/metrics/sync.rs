//! "Sync now": for a tenant connected to Microsoft 365, first reads what Microsoft holds;
//! then takes today's snapshot of the tenant at once, so today's changes show in the
//! History and the trends without waiting for the daily run. The daily run rewrites the
//! day with its final state, and writes the comparison averages over every tenant.

use crate::error::AppError;
use crate::pages::history::query::HistoryQuery;
use leptos::prelude::*;

#[server(endpoint = "sync_now")]
pub async fn sync_now(tenant_id: String, #[server(flatten)] view: HistoryQuery) -> Result<(), AppError> {
    use crate::pages::forms::{done, with_param};
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let state = &access.state;
    // Microsoft first, so today's snapshot already counts what it sent. A failure is kept
    // on the connection; the snapshot is taken all the same and the page says so.
    let connected = match &state.microsoft {
        Some(m) if state.store.m365_connection(&access.tenant_id).await?.is_some() => Some(
            crate::pages::settings::sync_to_the_end(m.clone(), state.clone(), access.tenant_id.clone()).await,
        ),
        _ => None,
    };
    let now = chrono::Utc::now();
    service::snapshot::snapshot_tenant(
        state.store.as_ref(),
        &state.catalog,
        &access.tenant_id,
        now.date_naive(),
        now,
    )
    .await?;
    tracing::info!(tenant = %access.tenant_id, by = %access.viewer.email, "sync now: today's snapshot taken");
    let back = super::view_url(&access.tenant_id, &view);
    match connected {
        None => done(&with_param(&back, "done", "synced")),
        Some(Ok(_)) => done(&with_param(&back, "done", "synced_m365")),
        Some(Err(_)) => crate::pages::forms::refuse(&back, service::m365::REFUSALS.of("sync_failed")).await,
    }
}
