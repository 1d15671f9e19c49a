//! One action's own history: status changes and measurements replayed in time order, so
//! each entry carries the points it gained or lost.

use chrono::{DateTime, NaiveDate, Utc};
use score::tally::action_score;
use score::{ControlState, ImprovementAction, Measurement, Points, Status};
use serde::{Deserialize, Serialize};

/// Something that changed the action's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionEvent {
    Status {
        status: Status,
        note: String,
        who: String,
        assignee: Option<String>,
        due_date: Option<NaiveDate>,
        at: DateTime<Utc>,
    },
    Measured(Measurement),
    /// What a day's measurement changed among the action's entities, in words.
    Entities {
        at: DateTime<Utc>,
        what: String,
    },
}

impl ActionEvent {
    fn at(&self) -> DateTime<Utc> {
        match self {
            ActionEvent::Status { at, .. } => *at,
            ActionEvent::Measured(m) => m.observed_at,
            ActionEvent::Entities { at, .. } => *at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `YYYY-MM-DD HH:MM UTC`
    pub at: String,
    /// `status`, `measurement` or `entities`.
    pub kind: String,
    pub what: String,
    pub delta: Points,
    pub who: String,
    pub note: String,
}

/// How a measurement reads: "45 of 60 users", "Implemented", "Nothing to protect".
pub fn measurement_text(action: &ImprovementAction, m: &Measurement) -> String {
    service::measurement::wording(action.unit(), m)
}

/// Who a measurement is credited to: it comes from sync, ingest or import, not a person.
pub const MEASURED_BY: &str = "Measurement";

/// "Status set to Planned, assigned to sam, due 2026-04-01"
pub fn status_text(status: Status, assignee: Option<&str>, due: Option<NaiveDate>) -> String {
    let mut s = format!("Status set to {}", status.label());
    if let Some(a) = assignee {
        s.push_str(&format!(", assigned to {a}"));
    }
    if let Some(d) = due {
        s.push_str(&format!(", due {}", d.format("%Y-%m-%d")));
    }
    s
}

/// Replays the events from the default state; the result is newest first.
pub fn replay(action: &ImprovementAction, mut events: Vec<ActionEvent>) -> Vec<HistoryEntry> {
    // Stable: a day's entity changes stay after that day's measurement.
    events.sort_by_key(ActionEvent::at);
    let mut state = ControlState::default();
    let mut points = action_score(action, &state).points;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let at = e.at().format("%Y-%m-%d %H:%M UTC").to_string();
        let entry = match e {
            ActionEvent::Status { status, note, who, assignee, due_date, .. } => {
                state.status = status;
                let what = status_text(status, assignee.as_deref(), due_date);
                HistoryEntry { at, kind: "status".into(), what, delta: Points::ZERO, who, note }
            }
            ActionEvent::Measured(m) => {
                state.measurement = Some(m);
                let what = format!("Measured: {}", measurement_text(action, &m));
                let who = MEASURED_BY.to_owned();
                HistoryEntry {
                    at,
                    kind: "measurement".into(),
                    what,
                    delta: Points::ZERO,
                    who,
                    note: String::new(),
                }
            }
            ActionEvent::Entities { what, .. } => HistoryEntry {
                at,
                kind: "entities".into(),
                what,
                delta: Points::ZERO,
                who: MEASURED_BY.to_owned(),
                note: String::new(),
            },
        };
        let now = action_score(action, &state).points;
        out.push(HistoryEntry { delta: now - points, ..entry });
        points = now;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use score::Category;

    fn action(unit: Option<&str>) -> ImprovementAction {
        ImprovementAction::new("A", "A", Category::Identity, "Entra ID", 10).scored_by(unit)
    }

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).single().expect("valid time")
    }

    fn status(status: Status, d: u32) -> ActionEvent {
        ActionEvent::Status {
            status,
            note: format!("note {d}"),
            who: "alex@contoso.example".into(),
            assignee: None,
            due_date: None,
            at: day(d),
        }
    }

    #[test]
    fn each_entry_carries_its_points_delta_newest_first() {
        let a = action(Some("users"));
        let events = vec![
            status(Status::RiskAccepted, 3),
            ActionEvent::Measured(Measurement::partial(45, 60, day(1))),
            status(Status::ToAddress, 5),
            status(Status::ThirdParty, 7),
        ];
        let h = replay(&a, events);
        let summary: Vec<(&str, i64)> = h.iter().map(|e| (e.kind.as_str(), e.delta.centi())).collect();
        assert_eq!(summary, [("status", 250), ("status", 750), ("status", -750), ("measurement", 750)]);
        assert_eq!(h[3].what, "Measured: 45 of 60 users");
        assert_eq!(h[2].what, "Status set to Risk accepted");
        assert_eq!((h[2].who.as_str(), h[2].note.as_str()), ("alex@contoso.example", "note 3"));
        assert_eq!(h[0].at, "2026-03-07 12:00 UTC");
    }

    #[test]
    fn binary_measurements_read_as_implemented_or_not() {
        let a = action(None);
        assert_eq!(measurement_text(&a, &Measurement::binary(true, day(1))), "Implemented");
        assert_eq!(measurement_text(&a, &Measurement::binary(false, day(1))), "Not implemented");
        assert_eq!(
            measurement_text(&a, &Measurement::partial(0, 0, day(1))),
            "Nothing to protect (not applicable)"
        );
        let planned = ActionEvent::Status {
            status: Status::Planned,
            note: String::new(),
            who: "x".into(),
            assignee: Some("sam".into()),
            due_date: NaiveDate::from_ymd_opt(2026, 4, 1),
            at: day(2),
        };
        assert_eq!(
            replay(&a, vec![planned])[0].what,
            "Status set to Planned, assigned to sam, due 2026-04-01"
        );
    }
}
