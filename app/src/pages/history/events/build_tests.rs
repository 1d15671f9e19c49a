//! Unit tests of building the History events from stored changes (server side).

use super::*;
use chrono::{TimeZone, Utc};
use score::snapshot::{ActionChange, ActionPoint, Cause};
use score::Measurement;
use score::Status;
use std::collections::HashMap;
use store::{DatedChange, DatedMeasurement, ScoreSnapshot, StatusChange};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("day")
}

fn snapshot(d: u32, current: i64, max: i64) -> ScoreSnapshot {
    ScoreSnapshot {
        tenant_id: "t".into(),
        day: day(d),
        current: Points(current),
        max: Points(max),
        categories: vec![],
        licensed_seats: 1,
        active_users: 1,
        taken_at: Utc.with_ymd_and_hms(2026, 3, d, 23, 59, 0).single().expect("time"),
        imported: false,
    }
}

fn change(d: u32, id: &str, cause: Cause, delta: i64, max_delta: i64, status: Status) -> DatedChange {
    let after = (cause != Cause::Removed).then_some(ActionPoint {
        points: Points(delta.max(0)),
        max: Points(1000),
        status,
    });
    DatedChange {
        day: day(d),
        change: ActionChange {
            id: id.into(),
            cause,
            delta: Points(delta),
            max_delta: Points(max_delta),
            after,
        },
    }
}

fn status_change(d: u32, hour: u32, id: &str, status: Status, note: &str) -> StatusChange {
    StatusChange {
        action_id: id.into(),
        status,
        note: note.into(),
        assignee: None,
        due_date: None,
        tags: vec![],
        changed_by: "alex@contoso.example".into(),
        changed_at: Utc.with_ymd_and_hms(2026, 3, d, hour, 0, 0).single().expect("time"),
    }
}

#[test]
fn the_first_snapshot_is_the_starting_point_and_later_changes_are_events() {
    let actions: HashMap<String, ActionInfo> = [
        (
            "A".to_owned(),
            ActionInfo { title: "Alpha".into(), category: Category::Identity, unit: Some("users".into()) },
        ),
        ("B".to_owned(), ActionInfo { title: "Beta".into(), category: Category::Apps, unit: None }),
    ]
    .into();
    let changes = vec![
        change(1, "A", Cause::Added, 500, 1000, Status::ToAddress),
        change(1, "B", Cause::Added, 0, 1000, Status::ToAddress),
        change(2, "A", Cause::Measurement, -200, 0, Status::ToAddress),
        change(3, "B", Cause::Status, 1000, 0, Status::ThirdParty),
        change(3, "C", Cause::Added, 300, 500, Status::ToAddress),
    ];
    let snapshots = vec![snapshot(1, 500, 2000), snapshot(2, 300, 2000), snapshot(3, 1600, 2500)];
    let history: HashMap<String, Vec<StatusChange>> = [(
        "B".to_owned(),
        vec![
            status_change(1, 9, "B", Status::Planned, "later"),
            status_change(3, 10, "B", Status::ThirdParty, "Vendor covers it"),
            status_change(4, 10, "B", Status::ToAddress, "after the snapshot"),
        ],
    )]
    .into();
    // A's drop on day 2 was measured on day 2 (the day 1 measurement is the earlier one).
    let measured = |d: u32, count: u32| DatedMeasurement {
        action_id: "A".into(),
        day: day(d),
        measurement: Measurement::partial(
            count,
            60,
            Utc.with_ymd_and_hms(2026, 3, d, 6, 0, 0).single().expect("time"),
        ),
    };
    let observed: HashMap<String, Vec<DatedMeasurement>> =
        [("A".to_owned(), vec![measured(1, 50), measured(2, 45), measured(4, 60)])].into();
    let (events, starts) = build(&changes, &snapshots, &actions, &history, &observed);
    assert_eq!(starts, [StartingPoint { day: day(1), actions: 2 }]);
    let summary: Vec<(&str, EventKind, i64, i64)> =
        events.iter().map(|e| (e.action_id.as_str(), e.kind, e.delta.centi(), e.score.centi())).collect();
    assert_eq!(
        summary,
        [
            ("A", EventKind::Regression, -200, 300),
            ("B", EventKind::Status, 1000, 1600),
            ("C", EventKind::Added, 300, 1600),
        ]
    );
    let b = &events[1];
    assert_eq!((b.action.as_str(), b.category), ("Beta", Some(Category::Apps)));
    assert_eq!(b.change, "Status set to Resolved through third party");
    assert_eq!((b.who.as_str(), b.note.as_str()), ("alex@contoso.example", "Vendor covers it"));
    assert_eq!(events[0].who, "Measurement");
    assert_eq!(events[0].change, "Regression: 45 of 60 users");
    let c = &events[2];
    assert_eq!((c.action.as_str(), c.category), ("C", None), "an unknown action shows its id");
    assert_eq!(c.change, "Added to the score (5.00 points possible)");
}
