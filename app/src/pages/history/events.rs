//! The events of a date range: each action change a snapshot recorded, told in the
//! product's words, with who made it and why (for status changes) and the score the
//! tenant had that day. Filtering, sorting and paging are pure functions shared by the
//! page and the CSV export.

use super::query::EventSort;
use chrono::NaiveDate;
use score::{Category, Percent, Points};
use serde::{Deserialize, Serialize};

/// What kind of change an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A measurement raised the points.
    Improvement,
    /// A measurement lowered the points (SPEC §3).
    Regression,
    /// A measurement changed the maximum but not the points.
    Measurement,
    Status,
    /// The action joined the score.
    Added,
    /// The action left the score.
    Removed,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Improvement => "improvement",
            EventKind::Regression => "regression",
            EventKind::Measurement => "measurement",
            EventKind::Status => "status",
            EventKind::Added => "added",
            EventKind::Removed => "removed",
        }
    }
}

/// One line of the History list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// The snapshot that first showed the change.
    pub day: NaiveDate,
    pub action_id: String,
    /// The action's title (its id when the action is unknown).
    pub action: String,
    /// `None` for an action no longer in the catalog or the tenant's custom actions.
    pub category: Option<Category>,
    pub kind: EventKind,
    /// "Regression", "Status set to Risk accepted", "Added to the score (9.00 points possible)".
    pub change: String,
    pub delta: Points,
    /// The tenant's score on that day's snapshot.
    pub score: Points,
    pub max: Points,
    pub who: String,
    pub note: String,
}

impl HistoryEvent {
    pub fn percent(&self) -> Percent {
        self.score.percent_of(self.max)
    }

    pub fn category_label(&self) -> &'static str {
        self.category.map_or("—", Category::as_str)
    }

    /// "+7.50", "-2.00", "0.00"
    pub fn delta_label(&self) -> String {
        if self.delta > Points::ZERO {
            format!("+{}", self.delta)
        } else {
            self.delta.to_string()
        }
    }

    /// "64.06 % (20.50 / 32.00)"
    pub fn score_label(&self) -> String {
        format!("{} ({} / {})", self.percent(), self.score, self.max)
    }
}

/// Keeps the events of `category` (all when `None`) and orders them as `sort` says; ties
/// go newest first, then by action, so every order is total and pages never overlap.
pub fn arrange(events: &mut Vec<HistoryEvent>, category: Option<Category>, sort: EventSort) {
    use chrono::Datelike;
    if let Some(c) = category {
        events.retain(|e| e.category == Some(c));
    }
    // One key per event rather than comparisons that lower-case titles again and again:
    // two years of a busy tenant are thousands of events.
    events.sort_by_cached_key(|e| {
        let day = i64::from(e.day.num_days_from_ce());
        let title = (e.action.to_lowercase(), e.action_id.clone());
        match sort {
            EventSort::DateDesc => (-day, 0, title, 0),
            EventSort::DateAsc => (day, 0, title, 0),
            EventSort::PointsDesc => (-e.delta.centi(), -day, title, 0),
            EventSort::PointsAsc => (e.delta.centi(), -day, title, 0),
            EventSort::Action => (0, 0, title, -day),
        }
    });
}

pub use crate::pages::pager::PageOf;

#[cfg(feature = "ssr")]
pub use server_side::{build, measured_text, ActionInfo, StartingPoint};

#[cfg(feature = "ssr")]
mod server_side {
    use super::{EventKind, HistoryEvent};
    use crate::pages::actions::history::{status_text, MEASURED_BY};
    use chrono::NaiveDate;
    use score::snapshot::Cause;
    use score::Measurement;
    use score::{Category, Points};
    use std::collections::{BTreeMap, HashMap};
    use store::{DatedChange, DatedMeasurement, ScoreSnapshot, StatusChange};

    /// What the list shows of an action.
    #[derive(Debug, Clone)]
    pub struct ActionInfo {
        pub title: String,
        pub category: Category,
        /// What partial scoring counts ("users"); `None` for all-or-nothing actions.
        pub unit: Option<String>,
    }

    /// What a measurement said, in words: "45 of 60 users", or whether a binary action was
    /// implemented.
    pub fn measured_text(m: &Measurement, unit: Option<&str>) -> String {
        service::measurement::wording(unit, m)
    }

    /// The measurement behind a change shown on `day`: the latest observed on or before it.
    fn measured_by(observed: Option<&Vec<DatedMeasurement>>, day: NaiveDate) -> Option<&Measurement> {
        observed?.iter().rev().find(|m| m.day <= day).map(|m| &m.measurement)
    }

    /// A snapshot taken over nothing before it (the tenant's first): its changes are the
    /// starting state, not events anybody would look for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct StartingPoint {
        pub day: NaiveDate,
        pub actions: u32,
    }

    /// Days whose changes rebuild the whole score from nothing: every change is an
    /// addition and together they add up to the day's whole maximum.
    fn starting_points(changes: &[DatedChange], snapshots: &[ScoreSnapshot]) -> Vec<StartingPoint> {
        let mut by_day: BTreeMap<NaiveDate, (bool, Points, u32)> = BTreeMap::new();
        for c in changes {
            let e = by_day.entry(c.day).or_insert((true, Points::ZERO, 0));
            e.0 &= c.change.cause == Cause::Added;
            e.1 += c.change.max_delta;
            e.2 += 1;
        }
        snapshots
            .iter()
            .filter_map(|s| {
                let (all_added, max, n) = by_day.get(&s.day)?;
                (*all_added && *max == s.max).then_some(StartingPoint { day: s.day, actions: *n })
            })
            .collect()
    }

    /// The status change a snapshot's status change came from: the latest one of the action
    /// made on or before the day that set the status the snapshot shows (or, failing that,
    /// the latest on or before the day).
    fn status_source(
        history: Option<&Vec<StatusChange>>,
        day: NaiveDate,
        status: Option<score::Status>,
    ) -> Option<&StatusChange> {
        let earlier: Vec<&StatusChange> =
            history?.iter().filter(|s| s.changed_at.date_naive() <= day).collect();
        earlier.iter().rev().find(|s| Some(s.status) == status).or(earlier.last()).copied()
    }

    /// The range's events, in stored order (by day, then action id). `status_history` is
    /// by action id, oldest first; it is only read for status changes.
    pub fn build(
        changes: &[DatedChange],
        snapshots: &[ScoreSnapshot],
        actions: &HashMap<String, ActionInfo>,
        status_history: &HashMap<String, Vec<StatusChange>>,
        observed: &HashMap<String, Vec<DatedMeasurement>>,
    ) -> (Vec<HistoryEvent>, Vec<StartingPoint>) {
        let starts = starting_points(changes, snapshots);
        let scores: HashMap<NaiveDate, (Points, Points)> =
            snapshots.iter().map(|s| (s.day, (s.current, s.max))).collect();
        let events = changes
            .iter()
            .filter(|c| !starts.iter().any(|s| s.day == c.day))
            .map(|dc| {
                let c = &dc.change;
                let info = actions.get(&c.id);
                let (kind, change, who, note) = match c.cause {
                    Cause::Measurement => {
                        let (kind, text) = match c.delta.cmp(&Points::ZERO) {
                            std::cmp::Ordering::Greater => (EventKind::Improvement, "Improvement"),
                            std::cmp::Ordering::Less => (EventKind::Regression, "Regression"),
                            std::cmp::Ordering::Equal => (EventKind::Measurement, "Measurement changed"),
                        };
                        let text = match measured_by(observed.get(&c.id), dc.day) {
                            Some(m) => {
                                format!("{text}: {}", measured_text(m, info.and_then(|i| i.unit.as_deref())))
                            }
                            None => text.to_owned(),
                        };
                        (kind, text, MEASURED_BY.to_owned(), String::new())
                    }
                    Cause::Status => {
                        let status = c.after.map(|a| a.status);
                        match status_source(status_history.get(&c.id), dc.day, status) {
                            Some(s) => (
                                EventKind::Status,
                                status_text(s.status, s.assignee.as_deref(), s.due_date),
                                s.changed_by.clone(),
                                s.note.clone(),
                            ),
                            None => (
                                EventKind::Status,
                                status.map_or_else(
                                    || "Status changed".to_owned(),
                                    |s| status_text(s, None, None),
                                ),
                                String::new(),
                                String::new(),
                            ),
                        }
                    }
                    Cause::Added => (
                        EventKind::Added,
                        format!("Added to the score ({} points possible)", c.max_delta),
                        String::new(),
                        String::new(),
                    ),
                    Cause::Removed => (
                        EventKind::Removed,
                        "Removed from the score".to_owned(),
                        String::new(),
                        String::new(),
                    ),
                };
                let (score, max) = scores.get(&dc.day).copied().unwrap_or_default();
                HistoryEvent {
                    day: dc.day,
                    action_id: c.id.clone(),
                    action: info.map_or_else(|| c.id.clone(), |i| i.title.clone()),
                    category: info.map(|i| i.category),
                    kind,
                    change,
                    delta: c.delta,
                    score,
                    max,
                    who,
                    note,
                }
            })
            .collect();
        (events, starts)
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "ssr"))]
mod build_tests;

#[cfg(all(test, feature = "ssr"))]
mod measured_tests {
    use super::measured_text;
    use chrono::Utc;
    use score::Measurement;

    #[test]
    fn a_measurement_reads_as_counts_or_in_place() {
        let at = Utc::now();
        assert_eq!(measured_text(&Measurement::partial(45, 60, at), Some("users")), "45 of 60 users");
        assert_eq!(measured_text(&Measurement::binary(true, at), None), "Implemented");
        assert_eq!(measured_text(&Measurement::binary(false, at), None), "Not implemented");
    }
}
