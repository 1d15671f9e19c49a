//! Rows of the snapshot tables and their conversion to domain values.

use crate::codec::{cause, from_json, status, to_u32};
use crate::error::other;
use crate::{DatedChange, Result, ScoreSnapshot};
use chrono::{DateTime, NaiveDate, Utc};
use score::snapshot::{apply, ActionChange, ActionPoint, ActionPoints};
use score::Points;

pub(crate) const SNAPSHOT_COLUMNS: &str =
    "tenant_id, day, current_points, max_points, categories, imported, \
    licensed_seats, active_users, taken_at";

#[derive(sqlx::FromRow)]
pub(crate) struct SnapshotRow {
    tenant_id: String,
    day: NaiveDate,
    current_points: i64,
    max_points: i64,
    categories: String,
    licensed_seats: i64,
    active_users: i64,
    taken_at: DateTime<Utc>,
    imported: bool,
}

impl SnapshotRow {
    pub fn into_snapshot(self) -> Result<ScoreSnapshot> {
        Ok(ScoreSnapshot {
            tenant_id: self.tenant_id,
            day: self.day,
            current: Points(self.current_points),
            max: Points(self.max_points),
            categories: from_json(&self.categories)?,
            licensed_seats: to_u32(self.licensed_seats, "score_snapshots.licensed_seats")?,
            active_users: to_u32(self.active_users, "score_snapshots.active_users")?,
            taken_at: self.taken_at,
            imported: self.imported,
        })
    }
}

pub(crate) const CHANGE_COLUMNS: &str =
    "day, action_id, cause, delta, max_delta, present, points, max_points, status";

/// One stored per-action change; `present = false` means the action left the score.
#[derive(sqlx::FromRow)]
pub(crate) struct ChangeRow {
    day: NaiveDate,
    action_id: String,
    cause: String,
    delta: i64,
    max_delta: i64,
    present: bool,
    points: Option<i64>,
    max_points: Option<i64>,
    status: Option<String>,
}

impl ChangeRow {
    pub fn into_dated(self) -> Result<DatedChange> {
        let after = match (self.present, self.points, self.max_points, self.status.as_deref()) {
            (false, ..) => None,
            (true, Some(points), Some(max), Some(s)) => {
                Some(ActionPoint { points: Points(points), max: Points(max), status: status(s)? })
            }
            (true, ..) => {
                return Err(other(format_args!(
                    "snapshot change of `{}` on {} is present but incomplete",
                    self.action_id, self.day
                )))
            }
        };
        Ok(DatedChange {
            day: self.day,
            change: ActionChange {
                id: self.action_id,
                cause: cause(&self.cause)?,
                delta: Points(self.delta),
                max_delta: Points(self.max_delta),
                after,
            },
        })
    }
}

/// Replays stored changes (oldest first) into the per-action points they end at.
pub(crate) fn replay(rows: Vec<ChangeRow>) -> Result<ActionPoints> {
    let mut points = ActionPoints::new();
    for row in rows {
        apply(&mut points, std::slice::from_ref(&row.into_dated()?.change));
    }
    Ok(points)
}

/// One row of `latest_action_points`.
#[derive(sqlx::FromRow)]
pub(crate) struct PointRow {
    action_id: String,
    points: i64,
    max_points: i64,
    status: String,
}

pub(crate) fn collect_points(rows: Vec<PointRow>) -> Result<ActionPoints> {
    rows.into_iter()
        .map(|r| {
            let p = ActionPoint {
                points: Points(r.points),
                max: Points(r.max_points),
                status: status(&r.status)?,
            };
            Ok((r.action_id, p))
        })
        .collect()
}
