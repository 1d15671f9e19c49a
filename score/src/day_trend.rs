//! What one day's snapshot changed, summed once when the snapshot is written, so the
//! trends of a long range read one small record per day instead of every change in it.

use crate::points::Points;
use crate::snapshot::{ActionChange, ActionPoints, ScoreChanges};
use crate::status::Status;
use serde::{Deserialize, Serialize};

/// How many of a day's measurement drops are kept by name (the largest); the rest are
/// only counted and summed.
pub const LARGEST_DROPS_KEPT: usize = 5;

/// One day of a tenant's trends (SPEC §3: regressions, risk acceptance, score changes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayTrend {
    /// The day's changes by cause. All zero on a tenant's first day: its points there are
    /// the starting state, not something that changed.
    pub changes: ScoreChanges,
    /// How many actions lost points through a measurement; their sum is `changes.regressed`.
    pub drops: u32,
    /// The largest of those drops, `(action id, delta)`, largest loss first (ties by id),
    /// at most [`LARGEST_DROPS_KEPT`].
    pub largest_drops: Vec<(String, Points)>,
    /// Actions risk accepted at the end of the day, and the points they would be worth.
    pub risk_accepted: u32,
    pub risk_accepted_points: Points,
}

impl DayTrend {
    /// The trend of a day whose snapshot is `after`, reached from the previous snapshot by
    /// `changes`; `first` when no snapshot of the tenant precedes it.
    pub fn of(changes: &[ActionChange], after: &ActionPoints, first: bool) -> DayTrend {
        let mut drops: Vec<(String, Points)> =
            changes.iter().filter(|c| c.is_regression()).map(|c| (c.id.clone(), c.delta)).collect();
        drops.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let count = u32::try_from(drops.len()).unwrap_or(u32::MAX);
        drops.truncate(LARGEST_DROPS_KEPT);
        let accepted = after.values().filter(|p| p.status == Status::RiskAccepted);
        let (risk_accepted, risk_accepted_points) =
            accepted.fold((0, Points::ZERO), |(n, sum), p| (n + 1, sum + p.max));
        DayTrend {
            changes: if first { ScoreChanges::default() } else { ScoreChanges::from_changes(changes) },
            drops: count,
            largest_drops: drops,
            risk_accepted,
            risk_accepted_points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{diff, ActionPoint};

    fn points(entries: &[(&str, i64, i64, Status)]) -> ActionPoints {
        entries
            .iter()
            .map(|(id, p, max, status)| {
                ((*id).to_owned(), ActionPoint { points: Points(*p), max: Points(*max), status: *status })
            })
            .collect()
    }

    #[test]
    fn a_day_sums_its_changes_by_cause_and_keeps_the_largest_drops() {
        let before = points(&[
            ("A", 500, 1_000, Status::ToAddress),
            ("B", 800, 800, Status::ToAddress),
            ("C", 300, 300, Status::ToAddress),
            ("D", 200, 200, Status::ToAddress),
            ("E", 200, 200, Status::ToAddress),
            ("F", 200, 200, Status::ToAddress),
            ("G", 200, 200, Status::ToAddress),
            ("H", 100, 100, Status::ToAddress),
        ]);
        // Six drops (A, C–G); B risk accepted; H left the score; I is new.
        let after = points(&[
            ("A", 100, 1_000, Status::ToAddress),
            ("B", 0, 800, Status::RiskAccepted),
            ("C", 0, 300, Status::ToAddress),
            ("D", 100, 200, Status::ToAddress),
            ("E", 100, 200, Status::ToAddress),
            ("F", 100, 200, Status::ToAddress),
            ("G", 150, 200, Status::ToAddress),
            ("I", 50, 400, Status::ToAddress),
        ]);
        let trend = DayTrend::of(&diff(&before, &after), &after, false);
        assert_eq!(trend.drops, 6);
        let kept: Vec<(&str, i64)> = trend.largest_drops.iter().map(|(id, d)| (id.as_str(), d.0)).collect();
        assert_eq!(kept, [("A", -400), ("C", -300), ("D", -100), ("E", -100), ("F", -100)]);
        assert_eq!(trend.changes.regressed, Points(-1_050));
        assert_eq!(trend.changes.lowered_by_status, Points(-800));
        assert_eq!(trend.changes.removed, Points(-100));
        assert_eq!(
            (trend.changes.from_new_actions, trend.changes.max_from_new_actions),
            (Points(50), Points(400))
        );
        assert_eq!(trend.changes.net, Points(-1_050 - 800 - 100 + 50));
        assert_eq!((trend.risk_accepted, trend.risk_accepted_points), (1, Points(800)));
        assert_eq!(trend.changes.achieved, Points::ZERO);
    }

    #[test]
    fn a_first_day_is_the_starting_state_not_changes() {
        let after = points(&[("A", 100, 1_000, Status::ToAddress), ("B", 0, 600, Status::RiskAccepted)]);
        let trend = DayTrend::of(&diff(&ActionPoints::new(), &after), &after, true);
        assert_eq!(trend.changes, ScoreChanges::default());
        assert_eq!((trend.drops, trend.risk_accepted, trend.risk_accepted_points), (0, 1, Points(600)));
    }
}
