//! Day trends in `score_snapshots`: the columns each snapshot's trend sums are stored in,
//! their reading, and the one-time filling of rows written before the columns existed.

use crate::codec::{day_bound, from_json, to_json, to_u32};
use crate::pool::{of_known_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::snapshot_rows::{ChangeRow, CHANGE_COLUMNS};
use crate::{DatedChange, DatedTrend, Result};
use chrono::NaiveDate;
use score::day_trend::DayTrend;
use score::snapshot::{apply, ActionChange, ActionPoints, ScoreChanges};
use score::Points;

/// The trend columns, in the order [`TrendValues::bind_to`] binds them.
pub(crate) const TREND_COLUMNS: &str = "achieved_points, regressed_points, status_lowered_points, \
    added_points, added_max_points, removed_points, drops, largest_drops, risk_accepted, \
    risk_accepted_points";
/// Sets a day's trend: `$1` tenant, `$2` day, then the trend columns.
pub(crate) const SET_TREND: &str = "UPDATE score_snapshots SET achieved_points = $3, regressed_points = $4, \
    status_lowered_points = $5, added_points = $6, added_max_points = $7, removed_points = $8, drops = $9, \
    largest_drops = $10, risk_accepted = $11, risk_accepted_points = $12 WHERE tenant_id = $1 AND day = $2";
/// Through the partial index `score_snapshots_unfilled`: no table scan on every start.
const UNFILLED_TENANTS: &str = "SELECT DISTINCT tenant_id FROM score_snapshots WHERE largest_drops IS NULL";
const SNAPSHOT_DAYS: &str = "SELECT day, largest_drops IS NULL FROM score_snapshots WHERE tenant_id = $1 \
    ORDER BY day";
/// Tenants filled per progress line in the log.
const PROGRESS_EVERY: usize = 100;

/// A trend as bound to the columns.
pub(crate) struct TrendValues {
    points: [i64; 6],
    drops: i64,
    largest_drops: String,
    risk_accepted: i64,
    risk_accepted_points: i64,
}

impl TrendValues {
    pub fn of(t: &DayTrend) -> Result<TrendValues> {
        let c = &t.changes;
        Ok(TrendValues {
            points: [
                c.achieved.0,
                c.regressed.0,
                c.lowered_by_status.0,
                c.from_new_actions.0,
                c.max_from_new_actions.0,
                c.removed.0,
            ],
            drops: i64::from(t.drops),
            largest_drops: to_json(&t.largest_drops)?,
            risk_accepted: i64::from(t.risk_accepted),
            risk_accepted_points: t.risk_accepted_points.0,
        })
    }
}

impl TrendValues {
    /// Binds the values to the next ten parameters of `query`, in [`TREND_COLUMNS`] order.
    pub fn bind_to<'q, DB: sqlx::Database>(
        &'q self,
        mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    ) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
    where
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for p in self.points {
            query = query.bind(p);
        }
        query
            .bind(self.drops)
            .bind(self.largest_drops.as_str())
            .bind(self.risk_accepted)
            .bind(self.risk_accepted_points)
    }
}

#[derive(sqlx::FromRow)]
struct TrendRow {
    day: NaiveDate,
    achieved_points: i64,
    regressed_points: i64,
    status_lowered_points: i64,
    added_points: i64,
    added_max_points: i64,
    removed_points: i64,
    drops: i64,
    largest_drops: Option<String>,
    risk_accepted: i64,
    risk_accepted_points: i64,
}

impl TrendRow {
    fn into_dated(self) -> Result<DatedTrend> {
        // Filled when the store is opened, so a NULL here means the filling failed.
        let Some(largest) = self.largest_drops else {
            return Err(crate::error::other(format_args!(
                "the day trend of {} was never computed",
                self.day
            )));
        };
        let parts = [
            self.achieved_points,
            self.regressed_points,
            self.status_lowered_points,
            self.added_points,
            self.removed_points,
        ];
        let changes = ScoreChanges {
            achieved: Points(self.achieved_points),
            regressed: Points(self.regressed_points),
            lowered_by_status: Points(self.status_lowered_points),
            from_new_actions: Points(self.added_points),
            max_from_new_actions: Points(self.added_max_points),
            removed: Points(self.removed_points),
            net: Points(parts.iter().sum()),
        };
        Ok(DatedTrend {
            day: self.day,
            trend: DayTrend {
                changes,
                drops: to_u32(self.drops, "score_snapshots.drops")?,
                largest_drops: from_json(&largest)?,
                risk_accepted: to_u32(self.risk_accepted, "score_snapshots.risk_accepted")?,
                risk_accepted_points: Points(self.risk_accepted_points),
            },
        })
    }
}

impl SqlStore {
    pub(crate) async fn trends_between(
        &self,
        tenant_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DatedTrend>> {
        let sql = format!(
            "SELECT day, {TREND_COLUMNS} FROM score_snapshots WHERE tenant_id = $1 AND day >= $2 AND day <= $3 \
             ORDER BY day"
        );
        let rows: Vec<TrendRow> = on_pool!(self, p => {
            sqlx::query_as(&sql).bind(tenant_id).bind(day_bound(from)).bind(day_bound(to)).fetch_all(p).await?
        });
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(TrendRow::into_dated).collect()
    }

    /// Computes the trends of snapshots stored before they were (migration 0008): each
    /// such tenant's changes are replayed once, in one transaction per tenant, so an
    /// interrupted run leaves whole tenants done and is resumed on the next open.
    pub(crate) async fn fill_day_trends(&self) -> Result<()> {
        let tenants: Vec<String> =
            on_pool!(self, p => sqlx::query_scalar(UNFILLED_TENANTS).fetch_all(p).await?);
        if tenants.is_empty() {
            return Ok(());
        }
        tracing::info!(tenants = tenants.len(), "computing the day trends of earlier snapshots");
        let changes_sql =
            format!("SELECT {CHANGE_COLUMNS} FROM snapshot_action_changes WHERE tenant_id = $1 ORDER BY day, action_id");
        for (done, tenant) in tenants.iter().enumerate() {
            let tenant = tenant.as_str();
            tenant_write!(self, tenant, |p, tx| {
                let days: Vec<(NaiveDate, bool)> =
                    sqlx::query_as(SNAPSHOT_DAYS).bind(tenant).fetch_all(&mut *tx).await?;
                let rows: Vec<ChangeRow> =
                    sqlx::query_as(&changes_sql).bind(tenant).fetch_all(&mut *tx).await?;
                for (day, values) in trends_of(&days, rows)? {
                    values.bind_to(sqlx::query(SET_TREND).bind(tenant).bind(day)).execute(&mut *tx).await?;
                }
            });
            if (done + 1) % PROGRESS_EVERY == 0 || done + 1 == tenants.len() {
                tracing::info!(done = done + 1, of = tenants.len(), "day trends computed");
            }
        }
        Ok(())
    }
}

/// The trends of the `days` marked unfilled, replaying `rows` (every change of the tenant,
/// oldest first) through the snapshot days.
fn trends_of(days: &[(NaiveDate, bool)], rows: Vec<ChangeRow>) -> Result<Vec<(NaiveDate, TrendValues)>> {
    let changes: Vec<DatedChange> = rows.into_iter().map(ChangeRow::into_dated).collect::<Result<_>>()?;
    let mut changes = changes.into_iter().peekable();
    let mut state = ActionPoints::new();
    let mut out = Vec::new();
    for (i, (day, unfilled)) in days.iter().enumerate() {
        let mut of_day: Vec<ActionChange> = Vec::new();
        while let Some(next) = changes.next_if(|c| c.day <= *day) {
            of_day.push(next.change);
        }
        apply(&mut state, &of_day);
        if *unfilled {
            out.push((*day, TrendValues::of(&DayTrend::of(&of_day, &state, i == 0))?));
        }
    }
    Ok(out)
}
