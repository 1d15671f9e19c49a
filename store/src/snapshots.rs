//! Daily snapshots: a summary row per tenant and day, and per-action points stored only
//! on the days they change (SPEC §3: keep history forever, compactly).

use crate::codec::{cause_str, day_bound, micros, to_json};
use crate::day_trends::{TrendValues, SET_TREND};
use crate::pool::{ensure_tenant, in_tenant_tx, of_known_tenant, on_pool, Begin, SqlStore, TenantTx};
use crate::snapshot_rows::{collect_points, replay, ChangeRow, PointRow, SnapshotRow};
use crate::snapshot_rows::{CHANGE_COLUMNS, SNAPSHOT_COLUMNS};
use crate::{DatedChange, DatedTrend, Result, ScoreSnapshot, SnapshotStore};
use async_trait::async_trait;
use chrono::NaiveDate;
use score::day_trend::DayTrend;
use score::snapshot::{diff, ActionChange, ActionPoints};

/// Rows per multi-row INSERT: well under both backends' limit on bound values.
const CHUNK: usize = 500;

const LATEST_DAY: &str = "SELECT MAX(day) FROM score_snapshots WHERE tenant_id = $1";
const FIRST_DAY: &str = "SELECT MIN(day) FROM score_snapshots WHERE tenant_id = $1";
/// For each action changed after `$2`: its latest change on or before `$2`, if any (one
/// index seek per action through `snapshot_action_changes_by_action`).
const POINTS_ON_OF_CHANGED: &str = "SELECT c.day, c.action_id, c.cause, c.delta, c.max_delta, c.present, \
    c.points, c.max_points, c.status FROM snapshot_action_changes c \
    JOIN (SELECT ids.action_id AS id, (SELECT MAX(c2.day) FROM snapshot_action_changes c2 \
          WHERE c2.tenant_id = $1 AND c2.action_id = ids.action_id AND c2.day <= $2) AS last_day \
          FROM (SELECT DISTINCT action_id FROM snapshot_action_changes WHERE tenant_id = $1 AND day > $2) ids) m \
    ON c.action_id = m.id AND c.day = m.last_day WHERE c.tenant_id = $1";
const CHANGED_AFTER: &str =
    "SELECT DISTINCT action_id FROM snapshot_action_changes WHERE tenant_id = $1 AND day > $2";
const NEXT_DAY: &str = "SELECT MIN(day) FROM score_snapshots WHERE tenant_id = $1 AND day > $2";
const LATEST_POINTS: &str =
    "SELECT action_id, points, max_points, status FROM latest_action_points WHERE tenant_id = $1";
const UPSERT_SNAPSHOT: &str = "INSERT INTO score_snapshots (tenant_id, day, current_points, max_points, \
    categories, licensed_seats, active_users, taken_at, achieved_points, regressed_points, \
    status_lowered_points, added_points, added_max_points, removed_points, drops, largest_drops, \
    risk_accepted, risk_accepted_points, imported) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
    ON CONFLICT (tenant_id, day) DO UPDATE SET current_points = excluded.current_points, \
    max_points = excluded.max_points, categories = excluded.categories, \
    licensed_seats = excluded.licensed_seats, active_users = excluded.active_users, \
    taken_at = excluded.taken_at, achieved_points = excluded.achieved_points, \
    regressed_points = excluded.regressed_points, status_lowered_points = excluded.status_lowered_points, \
    added_points = excluded.added_points, added_max_points = excluded.added_max_points, \
    removed_points = excluded.removed_points, drops = excluded.drops, \
    largest_drops = excluded.largest_drops, risk_accepted = excluded.risk_accepted, \
    risk_accepted_points = excluded.risk_accepted_points, imported = excluded.imported";
const DELETE_DAY_CHANGES: &str = "DELETE FROM snapshot_action_changes WHERE tenant_id = $1 AND day = $2";
const INSERT_CHANGES: &str = "INSERT INTO snapshot_action_changes (tenant_id, day, action_id, cause, delta, \
    max_delta, present, points, max_points, status) ";
const DELETE_LATEST_POINTS: &str = "DELETE FROM latest_action_points WHERE tenant_id = $1";
const DELETE_LATEST_POINT: &str = "DELETE FROM latest_action_points WHERE tenant_id = $1 AND action_id = $2";
const UPSERT_LATEST_POINTS: &str =
    "INSERT INTO latest_action_points (tenant_id, action_id, points, max_points, status) ";
const ON_LATEST_CONFLICT: &str = " ON CONFLICT (tenant_id, action_id) DO UPDATE SET \
    points = excluded.points, max_points = excluded.max_points, status = excluded.status";

fn changes_sql(filter: &str) -> String {
    format!(
        "SELECT {CHANGE_COLUMNS} FROM snapshot_action_changes \
         WHERE tenant_id = $1 AND {filter} ORDER BY day, action_id"
    )
}

/// The last change of each action among those `filter` keeps. Each change row carries the
/// action's whole state after it, so replaying these alone gives the points on that day,
/// without reading every change before it (writing days into the past, as an import over
/// existing history does, would otherwise read the tenant's whole history for each day).
fn last_changes_sql(filter: &str) -> String {
    format!(
        "SELECT {CHANGE_COLUMNS} FROM snapshot_action_changes \
         WHERE tenant_id = $1 AND (action_id, day) IN ( \
             SELECT action_id, MAX(day) FROM snapshot_action_changes \
             WHERE tenant_id = $1 AND {filter} GROUP BY action_id) \
         ORDER BY day, action_id"
    )
}

/// Inserts `$changes` (a slice of [`ActionChange`]) as the changes of `$day`.
macro_rules! insert_changes {
    ($tx:expr, $tenant:expr, $day:expr, $changes:expr) => {
        for chunk in $changes.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(INSERT_CHANGES);
            qb.push_values(chunk, |mut b, c: &ActionChange| {
                b.push_bind($tenant)
                    .push_bind($day)
                    .push_bind(c.id.as_str())
                    .push_bind(cause_str(c.cause))
                    .push_bind(c.delta.0)
                    .push_bind(c.max_delta.0)
                    .push_bind(c.after.is_some())
                    .push_bind(c.after.map(|a| a.points.0))
                    .push_bind(c.after.map(|a| a.max.0))
                    .push_bind(c.after.map(|a| a.status.as_str()));
            });
            qb.build().execute(&mut *$tx).await?;
        }
    };
}

/// Applies `$changes` (diffed from the cache's current content) to `latest_action_points`.
macro_rules! update_latest_points {
    ($tx:expr, $tenant:expr, $changes:expr) => {{
        let changes: &[ActionChange] = &$changes;
        let (kept, removed): (Vec<&ActionChange>, Vec<&ActionChange>) =
            changes.iter().partition(|c| c.after.is_some());
        for c in removed {
            sqlx::query(DELETE_LATEST_POINT).bind($tenant).bind(c.id.as_str()).execute(&mut *$tx).await?;
        }
        for chunk in kept.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(UPSERT_LATEST_POINTS);
            qb.push_values(chunk.iter().filter_map(|c| c.after.map(|a| (c, a))), |mut b, (c, a)| {
                b.push_bind($tenant)
                    .push_bind(c.id.as_str())
                    .push_bind(a.points.0)
                    .push_bind(a.max.0)
                    .push_bind(a.status.as_str());
            });
            qb.push(ON_LATEST_CONFLICT);
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}

impl TenantTx {
    /// The daily job writes a day after the latest: it diffs against `latest_action_points`.
    /// Rewriting or back-filling a day replays the history before it instead, and re-diffs
    /// the following snapshot so every stored change stays relative to its predecessor.
    pub(crate) async fn write_snapshot(
        &mut self,
        snapshot: &ScoreSnapshot,
        points: &ActionPoints,
    ) -> Result<()> {
        let tenant = snapshot.tenant_id.as_str();
        let day = snapshot.day;
        let categories = to_json(&snapshot.categories)?;
        let before_sql = last_changes_sql("day < $2");
        let up_to_sql = last_changes_sql("day <= $2");
        in_tenant_tx!(self, |tx| {
            let latest: Option<NaiveDate> =
                sqlx::query_scalar(LATEST_DAY).bind(tenant).fetch_one(&mut *tx).await?;
            let appending = latest.is_none_or(|l| l < day);
            let (previous, next) = if appending {
                let rows: Vec<PointRow> =
                    sqlx::query_as(LATEST_POINTS).bind(tenant).fetch_all(&mut *tx).await?;
                (collect_points(rows)?, None)
            } else {
                let rows: Vec<ChangeRow> =
                    sqlx::query_as(&before_sql).bind(tenant).bind(day).fetch_all(&mut *tx).await?;
                let next_day: Option<NaiveDate> =
                    sqlx::query_scalar(NEXT_DAY).bind(tenant).bind(day).fetch_one(&mut *tx).await?;
                let next = match next_day {
                    Some(n) => {
                        let rows: Vec<ChangeRow> =
                            sqlx::query_as(&up_to_sql).bind(tenant).bind(n).fetch_all(&mut *tx).await?;
                        Some((n, replay(rows)?))
                    }
                    None => None,
                };
                (replay(rows)?, next)
            };
            // A first snapshot's points are the tenant's starting state, not changes.
            let first = if appending {
                latest.is_none()
            } else {
                let first_day: Option<NaiveDate> =
                    sqlx::query_scalar(FIRST_DAY).bind(tenant).fetch_one(&mut *tx).await?;
                first_day.is_none_or(|f| f >= day)
            };
            let changes = diff(&previous, points);
            let trend = TrendValues::of(&DayTrend::of(&changes, points, first))?;
            let upsert = sqlx::query(UPSERT_SNAPSHOT)
                .bind(tenant)
                .bind(day)
                .bind(snapshot.current.0)
                .bind(snapshot.max.0)
                .bind(&categories)
                .bind(i64::from(snapshot.licensed_seats))
                .bind(i64::from(snapshot.active_users))
                .bind(micros(snapshot.taken_at));
            trend.bind_to(upsert).bind(snapshot.imported).execute(&mut *tx).await?;
            sqlx::query(DELETE_DAY_CHANGES).bind(tenant).bind(day).execute(&mut *tx).await?;
            insert_changes!(tx, tenant, day, changes);
            match next {
                // The next day is now diffed against this one: its changes and trend follow.
                Some((next_day, next_points)) => {
                    sqlx::query(DELETE_DAY_CHANGES).bind(tenant).bind(next_day).execute(&mut *tx).await?;
                    let changes = diff(points, &next_points);
                    insert_changes!(tx, tenant, next_day, changes);
                    let trend = TrendValues::of(&DayTrend::of(&changes, &next_points, false))?;
                    trend
                        .bind_to(sqlx::query(SET_TREND).bind(tenant).bind(next_day))
                        .execute(&mut *tx)
                        .await?;
                }
                None if appending => update_latest_points!(tx, tenant, changes),
                // Rewrote the latest day: the cache held that day's old points.
                None => {
                    sqlx::query(DELETE_LATEST_POINTS).bind(tenant).execute(&mut *tx).await?;
                    let all = diff(&ActionPoints::new(), points);
                    update_latest_points!(tx, tenant, all);
                }
            }
        });
        Ok(())
    }
}

#[async_trait]
impl SnapshotStore for SqlStore {
    #[tracing::instrument(skip_all, err, fields(tenant = %snapshot.tenant_id, day = %snapshot.day))]
    async fn write_snapshot(&self, snapshot: &ScoreSnapshot, points: &ActionPoints) -> Result<()> {
        // A snapshot freezes the live score and changes nothing it is computed from.
        let mut tx = self.begin_tenant_hold(&snapshot.tenant_id).await?;
        tx.write_snapshot(snapshot, points).await?;
        tx.commit().await
    }

    async fn snapshots(&self, tenant_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<ScoreSnapshot>> {
        let sql = format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM score_snapshots WHERE tenant_id = $1 AND day >= $2 AND day <= $3 \
             ORDER BY day"
        );
        let rows: Vec<SnapshotRow> = on_pool!(self, p => {
            sqlx::query_as(&sql).bind(tenant_id).bind(day_bound(from)).bind(day_bound(to)).fetch_all(p).await?
        });
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(SnapshotRow::into_snapshot).collect()
    }

    async fn latest_snapshot(&self, tenant_id: &str) -> Result<Option<ScoreSnapshot>> {
        let sql = format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM score_snapshots WHERE tenant_id = $1 ORDER BY day DESC LIMIT 1"
        );
        let row: Option<SnapshotRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_optional(p).await?);
        match row {
            Some(r) => Ok(Some(r.into_snapshot()?)),
            None => ensure_tenant(self, tenant_id).await.map(|()| None),
        }
    }

    async fn action_points_on(&self, tenant_id: &str, day: NaiveDate) -> Result<ActionPoints> {
        let sql = last_changes_sql("day <= $2");
        let points = on_pool!(self, p => {
            let mut tx = p.begin_read().await?;
            let latest: Option<NaiveDate> =
                sqlx::query_scalar(LATEST_DAY).bind(tenant_id).fetch_one(&mut *tx).await?;
            match latest {
                None => None,
                // On or after the latest snapshot the cache already holds the answer.
                Some(l) if l <= day => {
                    let rows: Vec<PointRow> =
                        sqlx::query_as(LATEST_POINTS).bind(tenant_id).fetch_all(&mut *tx).await?;
                    Some(collect_points(rows)?)
                }
                // Whichever side of `day` has fewer days of changes is read: replaying from
                // the start, or going back from the latest points.
                Some(l) => {
                    let first: Option<NaiveDate> =
                        sqlx::query_scalar(FIRST_DAY).bind(tenant_id).fetch_one(&mut *tx).await?;
                    let (day, first) = (day_bound(day), first.unwrap_or(l));
                    if day < first {
                        Some(ActionPoints::new())
                    } else if day - first <= l - day {
                        let rows: Vec<ChangeRow> =
                            sqlx::query_as(&sql).bind(tenant_id).bind(day).fetch_all(&mut *tx).await?;
                        Some(replay(rows)?)
                    } else {
                        let latest: Vec<PointRow> =
                            sqlx::query_as(LATEST_POINTS).bind(tenant_id).fetch_all(&mut *tx).await?;
                        let changed: Vec<String> =
                            sqlx::query_scalar(CHANGED_AFTER).bind(tenant_id).bind(day).fetch_all(&mut *tx).await?;
                        let before: Vec<ChangeRow> = sqlx::query_as(POINTS_ON_OF_CHANGED)
                            .bind(tenant_id)
                            .bind(day)
                            .fetch_all(&mut *tx)
                            .await?;
                        let mut points = collect_points(latest)?;
                        for id in changed {
                            points.remove(&id);
                        }
                        for row in before {
                            let dated = row.into_dated()?;
                            if let Some(after) = dated.change.after {
                                points.insert(dated.change.id, after);
                            }
                        }
                        Some(points)
                    }
                }
            }
        });
        match points {
            Some(p) => Ok(p),
            None => ensure_tenant(self, tenant_id).await.map(|()| ActionPoints::new()),
        }
    }

    async fn action_changes(
        &self,
        tenant_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DatedChange>> {
        let sql = changes_sql("day >= $2 AND day <= $3");
        let rows: Vec<ChangeRow> = on_pool!(self, p => {
            sqlx::query_as(&sql).bind(tenant_id).bind(day_bound(from)).bind(day_bound(to)).fetch_all(p).await?
        });
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(ChangeRow::into_dated).collect()
    }

    async fn day_trends(&self, tenant_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<DatedTrend>> {
        self.trends_between(tenant_id, from, to).await
    }
}
