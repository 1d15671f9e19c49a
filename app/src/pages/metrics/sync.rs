//! "Sync now": takes today's snapshot of one tenant at once, so today's changes show in the
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
    done(&with_param(&super::view_url(&access.tenant_id, &view), "done", "synced"))
}
