//! Snapshotting one tenant: its live score frozen as the score of a day.

use crate::live::{live_score, LiveScore};
use chrono::{DateTime, NaiveDate, Utc};
use score::snapshot::action_points;
use score::ImprovementAction;
use store::{Store, StoreError};

/// Writes the tenant's live score as its snapshot of `day` (replacing one already there)
/// and returns that score.
pub async fn snapshot_tenant(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    day: NaiveDate,
    taken_at: DateTime<Utc>,
) -> Result<LiveScore, StoreError> {
    let live = live_score(store, catalog, tenant_id).await?;
    store.write_snapshot(&live.snapshot(day, taken_at), &action_points(&live.scores)).await?;
    Ok(live)
}
