//! Daily snapshots and what changed between them (SPEC §3).
//!
//! A snapshot keeps each applicable action's points, maximum and set status. Two
//! consecutive snapshots diff into [`ActionChange`]s; a drop caused by a measurement
//! (configuration, user or device change) is a regression, a drop caused by people
//! changing the status is not.

use crate::points::Points;
use crate::status::Status;
use crate::tally::ActionScore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One action's frozen state on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPoint {
    pub points: Points,
    pub max: Points,
    pub status: Status,
}

/// Applicable actions of one tenant on one day, by action id.
pub type ActionPoints = BTreeMap<String, ActionPoint>;

pub fn action_points(scores: &[ActionScore]) -> ActionPoints {
    scores
        .iter()
        .filter(|s| s.applicable)
        .map(|s| (s.id.clone(), ActionPoint { points: s.points, max: s.max, status: s.status }))
        .collect()
}

/// Why an action's points moved between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cause {
    /// A measurement changed: an improvement, or a regression when points fell.
    Measurement,
    /// People changed the status.
    Status,
    /// The action became applicable (new in the catalog, or newly measured).
    Added,
    /// The action left the score (deprecated, removed, or nothing left to protect).
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionChange {
    pub id: String,
    pub cause: Cause,
    pub delta: Points,
    pub max_delta: Points,
    /// The entry after the change; `None` when removed.
    pub after: Option<ActionPoint>,
}

impl ActionChange {
    pub fn is_regression(&self) -> bool {
        self.cause == Cause::Measurement && self.delta < Points::ZERO
    }
}

/// Every action whose entry differs between `before` and `after`, by id.
pub fn diff(before: &ActionPoints, after: &ActionPoints) -> Vec<ActionChange> {
    let mut out = Vec::new();
    for (id, b) in before {
        match after.get(id) {
            None => out.push(ActionChange {
                id: id.clone(),
                cause: Cause::Removed,
                delta: -b.points,
                max_delta: -b.max,
                after: None,
            }),
            Some(a) if a != b => out.push(ActionChange {
                id: id.clone(),
                cause: if a.status != b.status { Cause::Status } else { Cause::Measurement },
                delta: a.points - b.points,
                max_delta: a.max - b.max,
                after: Some(*a),
            }),
            Some(_) => {}
        }
    }
    for (id, a) in after {
        if !before.contains_key(id) {
            out.push(ActionChange {
                id: id.clone(),
                cause: Cause::Added,
                delta: a.points,
                max_delta: a.max,
                after: Some(*a),
            });
        }
    }
    out.sort_by(|x, y| x.id.cmp(&y.id));
    out
}

/// Applies stored changes to a snapshot, the inverse of [`diff`].
pub fn apply(base: &mut ActionPoints, changes: &[ActionChange]) {
    for c in changes {
        match c.after {
            Some(a) => {
                base.insert(c.id.clone(), a);
            }
            None => {
                base.remove(&c.id);
            }
        }
    }
}

/// Score changes over a range: where the net change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScoreChanges {
    /// Points gained on actions already in the score.
    pub achieved: Points,
    /// Points lost through measurements (≤ 0).
    pub regressed: Points,
    /// Points lost through status changes, such as a risk acceptance (≤ 0).
    pub lowered_by_status: Points,
    /// Points of actions that joined the score.
    pub from_new_actions: Points,
    /// Maximum added by actions that joined the score.
    pub max_from_new_actions: Points,
    /// Points of actions that left the score (≤ 0).
    pub removed: Points,
    /// Sum of all the above: end score − start score.
    pub net: Points,
}

impl ScoreChanges {
    pub fn add(&mut self, change: &ActionChange) {
        match change.cause {
            Cause::Added => {
                self.from_new_actions += change.delta;
                self.max_from_new_actions += change.max_delta;
            }
            Cause::Removed => self.removed += change.delta,
            Cause::Measurement | Cause::Status if change.delta > Points::ZERO => {
                self.achieved += change.delta
            }
            Cause::Measurement => self.regressed += change.delta,
            Cause::Status => self.lowered_by_status += change.delta,
        }
        self.net += change.delta;
    }

    /// Adds another range's changes, such as the next day's.
    pub fn merge(&mut self, other: &ScoreChanges) {
        self.achieved += other.achieved;
        self.regressed += other.regressed;
        self.lowered_by_status += other.lowered_by_status;
        self.from_new_actions += other.from_new_actions;
        self.max_from_new_actions += other.max_from_new_actions;
        self.removed += other.removed;
        self.net += other.net;
    }

    pub fn from_changes<'a>(changes: impl IntoIterator<Item = &'a ActionChange>) -> ScoreChanges {
        let mut out = ScoreChanges::default();
        for c in changes {
            out.add(c);
        }
        out
    }
}

pub fn total(points: &ActionPoints) -> (Points, Points) {
    points.values().fold((Points::ZERO, Points::ZERO), |(c, m), a| (c + a.points, m + a.max))
}
