//! The report a manager reads (SPEC §10 "Scheduled reports"): the score and its change over
//! a period, the zone, the peers, what was achieved and lost, the five actions to do next
//! and the planned actions coming due. One [`ReportData`] feeds the printable page
//! (`/tenants/{id}/report`) and the scheduled email, so both say the same.

pub mod chart;
pub mod page;
pub mod summary;

use crate::error::AppError;
use crate::pages::history::query::HistoryQuery;
use crate::pages::metrics::data::MetricsData;
use crate::pages::overview::TopAction;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Actions to do next the report lists.
pub const NEXT_ACTIONS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// The period's numbers, as Metrics & trends shows them.
    pub metrics: MetricsData,
    pub next_actions: Vec<TopAction>,
    /// The day the report was made.
    pub made_on: NaiveDate,
}

/// The report of a tenant over a range (the History page's presets and custom dates).
#[server(endpoint = "report")]
pub async fn report(tenant_id: String, #[server(flatten)] q: HistoryQuery) -> Result<ReportData, AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let state = &access.state;
    let held = crate::benchmarks::held_by(state.store.as_ref(), &access.viewer.user_id).await?;
    let today = chrono::Utc::now().date_naive();
    load(state.store.as_ref(), &state.catalog, &held, &access.tenant_id, &q.range_only(), today).await
}

/// The report as a viewer holding roles in `viewer_tenants` may read it (their own tenants
/// are left out of the peers' averages, SPEC §4).
#[cfg(feature = "ssr")]
pub async fn load(
    store: &dyn store::Store,
    catalog: &[score::ImprovementAction],
    viewer_tenants: &[String],
    tenant_id: &str,
    q: &HistoryQuery,
    today: NaiveDate,
) -> Result<ReportData, AppError> {
    let metrics =
        crate::pages::metrics::data::load(store, catalog, viewer_tenants, tenant_id, q, today).await?;
    let live = service::live::live_score(store, catalog, tenant_id).await?;
    let next_actions = crate::pages::overview::top_actions(&live, NEXT_ACTIONS);
    Ok(ReportData { metrics, next_actions, made_on: today })
}
