//! Daily snapshots stored as changes.

use crate::common::{day, new_tenant, point, points, summary, TestDb};
use score::snapshot::Cause;
use score::{Points, Status};
use store::{Store, StoreError};

crate::on_both_backends!(
    snapshots_store_only_changes,
    rewriting_or_backfilling_a_snapshot_keeps_every_day_exact,
    points_of_every_past_day_match_what_was_written,
    each_snapshot_stores_its_day_trend,
    trends_of_earlier_snapshots_are_computed_on_open,
);

async fn snapshots_store_only_changes(db: &TestDb) {
    let s = db.store.as_ref();
    let t = s.create_tenant(new_tenant("Snap"), "alice").await.unwrap();
    let day1 = points(&[
        ("A", point(750, 1000, Status::ToAddress)),
        ("B", point(0, 800, Status::ToAddress)),
        ("C", point(500, 500, Status::ToAddress)),
    ]);
    let mut day2 = day1.clone();
    day2.insert("B".into(), point(800, 800, Status::ToAddress));
    let days = [(day(2024, 3, 1), &day1), (day(2024, 3, 2), &day2), (day(2024, 3, 3), &day2)];
    for (on, p) in days {
        s.write_snapshot(&summary(&t.id, on, p), p).await.unwrap();
    }

    let changes = all_changes(s, &t.id).await;
    assert_eq!(changes.len(), 4, "3 actions added on day 1, one change on day 2, none on day 3");
    assert!(changes[..3].iter().all(|c| c.day == day(2024, 3, 1) && c.change.cause == Cause::Added));
    let b = &changes[3];
    assert_eq!(
        (b.day, b.change.id.as_str(), b.change.cause, b.change.delta),
        (day(2024, 3, 2), "B", Cause::Measurement, Points(800))
    );

    assert!(
        s.action_points_on(&t.id, day(2024, 2, 29)).await.unwrap().is_empty(),
        "before the first snapshot"
    );
    for (on, p) in days {
        assert_eq!(&s.action_points_on(&t.id, on).await.unwrap(), p, "points on {on}");
    }
    assert_eq!(
        s.action_points_on(&t.id, day(2024, 12, 31)).await.unwrap(),
        day2,
        "later days keep the last state"
    );

    // Rewriting a day with the same content changes nothing.
    s.write_snapshot(&summary(&t.id, day(2024, 3, 2), &day2), &day2).await.unwrap();
    assert_eq!(all_changes(s, &t.id).await, changes);

    let summaries = s.snapshots(&t.id, day(2024, 3, 1), day(2024, 3, 2)).await.unwrap();
    assert_eq!(
        summaries,
        vec![summary(&t.id, day(2024, 3, 1), &day1), summary(&t.id, day(2024, 3, 2), &day2)]
    );
    assert_eq!(s.latest_snapshot(&t.id).await.unwrap(), Some(summary(&t.id, day(2024, 3, 3), &day2)));
    // "Everything" may be asked for with the widest dates there are, on both backends.
    use chrono::NaiveDate;
    assert_eq!(s.snapshots(&t.id, NaiveDate::MIN, NaiveDate::MAX).await.unwrap().len(), 3);
    assert_eq!(s.action_changes(&t.id, NaiveDate::MIN, NaiveDate::MAX).await.unwrap(), changes);
    assert!(s.action_points_on(&t.id, NaiveDate::MIN).await.unwrap().is_empty());
    assert!(s.measurements_on(&t.id, NaiveDate::MIN).await.unwrap().is_empty());
    let other = s.create_tenant(new_tenant("Empty"), "alice").await.unwrap();
    assert_eq!(s.latest_snapshot(&other.id).await.unwrap(), None);
    let nobody = s
        .write_snapshot(&summary("00000000-0000-4000-8000-000000000000", day(2024, 3, 1), &day1), &day1)
        .await;
    assert!(matches!(nobody, Err(StoreError::NotFound(_))), "{nobody:?}");
}

/// Past days near the first snapshot are replayed from it, days near the latest are read
/// back from the latest points: both must give exactly what each day stored.
async fn points_of_every_past_day_match_what_was_written(db: &TestDb) {
    let s = db.store.as_ref();
    let t = s.create_tenant(new_tenant("Every day"), "alice").await.unwrap();
    let statuses = [Status::ToAddress, Status::Planned, Status::RiskAccepted, Status::ThirdParty];
    let mut written = Vec::new();
    for d in 1..=20u32 {
        // Each action changes on its own rhythm; "E" leaves the score for days 8–12.
        let day_points: Vec<(String, score::snapshot::ActionPoint)> = ["A", "B", "C", "D", "E"]
            .iter()
            .enumerate()
            .filter(|(i, _)| !(*i == 4 && (8..=12).contains(&d)))
            .map(|(i, id)| {
                let step = i64::from(d) / (i as i64 + 1);
                let status = statuses[(step as usize + i) % statuses.len()];
                ((*id).to_owned(), point(step * 10 % 500, 500 + i as i64 * 100, status))
            })
            .collect();
        let p: score::snapshot::ActionPoints = day_points.into_iter().collect();
        s.write_snapshot(&summary(&t.id, day(2024, 5, d), &p), &p).await.unwrap();
        written.push((d, p));
    }
    for (d, p) in &written {
        assert_eq!(&s.action_points_on(&t.id, day(2024, 5, *d)).await.unwrap(), p, "points on May {d}");
    }
}

/// Three days of a tenant: a regression, a risk acceptance, a measurement gain, an action
/// added and one leaving risk acceptance.
async fn three_trend_days(s: &dyn Store, name: &str) -> String {
    let t = s.create_tenant(new_tenant(name), "alice").await.unwrap();
    let day1 = points(&[
        ("A", point(500, 1000, Status::ToAddress)),
        ("B", point(800, 800, Status::ToAddress)),
        ("C", point(0, 600, Status::RiskAccepted)),
    ]);
    // Day 2: A regresses, B is risk accepted, D is added.
    let day2 = points(&[
        ("A", point(300, 1000, Status::ToAddress)),
        ("B", point(0, 800, Status::RiskAccepted)),
        ("C", point(0, 600, Status::RiskAccepted)),
        ("D", point(100, 200, Status::ToAddress)),
    ]);
    // Day 3: A improves, C leaves risk acceptance with its points.
    let day3 = points(&[
        ("A", point(900, 1000, Status::ToAddress)),
        ("B", point(0, 800, Status::RiskAccepted)),
        ("C", point(600, 600, Status::ThirdParty)),
        ("D", point(100, 200, Status::ToAddress)),
    ]);
    for (d, p) in [(1, &day1), (2, &day2), (3, &day3)] {
        s.write_snapshot(&summary(&t.id, day(2024, 6, d), p), p).await.unwrap();
    }
    t.id
}

/// `(day, achieved, regressed, status, added, max added, net, drops, risk accepted, their points)`.
type TrendFigures = (u32, i64, i64, i64, i64, i64, i64, u32, u32, i64);

async fn trend_figures(s: &dyn Store, tenant: &str) -> Vec<TrendFigures> {
    let trends = s.day_trends(tenant, day(2024, 6, 1), day(2024, 6, 30)).await.unwrap();
    trends
        .iter()
        .map(|d| {
            let (t, c) = (&d.trend, &d.trend.changes);
            (
                chrono::Datelike::day(&d.day),
                c.achieved.centi(),
                c.regressed.centi(),
                c.lowered_by_status.centi(),
                c.from_new_actions.centi(),
                c.max_from_new_actions.centi(),
                c.net.centi(),
                t.drops,
                t.risk_accepted,
                t.risk_accepted_points.centi(),
            )
        })
        .collect()
}

const THREE_DAYS: [TrendFigures; 3] = [
    // Day 1 is the starting state: no changes, C already risk accepted.
    (1, 0, 0, 0, 0, 0, 0, 0, 1, 600),
    (2, 0, -200, -800, 100, 200, -900, 1, 2, 1_400),
    (3, 600 + 600, 0, 0, 0, 0, 1_200, 0, 1, 800),
];

async fn each_snapshot_stores_its_day_trend(db: &TestDb) {
    let s = db.store.as_ref();
    let tenant = three_trend_days(s, "Trends").await;
    assert_eq!(trend_figures(s, &tenant).await, THREE_DAYS);
    let day2 = s.day_trends(&tenant, day(2024, 6, 2), day(2024, 6, 2)).await.unwrap();
    assert_eq!(day2[0].trend.largest_drops, [("A".to_owned(), Points(-200))]);

    // Back-filling a day before day 2 re-diffs day 2 against it: day 2's trend follows.
    let between = points(&[
        ("A", point(100, 1000, Status::ToAddress)),
        ("B", point(800, 800, Status::ToAddress)),
        ("C", point(0, 600, Status::RiskAccepted)),
    ]);
    s.write_snapshot(&summary(&tenant, day(2024, 5, 31), &between), &between).await.unwrap();
    let got = trend_figures(s, &tenant).await;
    assert_eq!(got[0], (1, 400, 0, 0, 0, 0, 400, 0, 1, 600), "June 1 gained A's 400 over May 31");
    assert_eq!(got[1..], THREE_DAYS[1..]);
    let may = s.day_trends(&tenant, day(2024, 5, 31), day(2024, 5, 31)).await.unwrap();
    assert_eq!(may[0].trend.changes.net, Points::ZERO, "the new first day is the starting state");

    let none = s.day_trends("no-such-tenant", day(2024, 6, 1), day(2024, 6, 3)).await;
    assert!(matches!(none, Err(StoreError::NotFound(_))), "{none:?}");
}

async fn trends_of_earlier_snapshots_are_computed_on_open(db: &TestDb) {
    let s = db.store.as_ref();
    let tenant = three_trend_days(s, "Older").await;
    // As a version before the trend columns left them.
    db.raw_execute(
        "UPDATE score_snapshots SET achieved_points = 0, regressed_points = 0, status_lowered_points = 0, \
         added_points = 0, added_max_points = 0, removed_points = 0, drops = 0, largest_drops = NULL, \
         risk_accepted = 0, risk_accepted_points = 0",
    )
    .await;
    let unfilled = s.day_trends(&tenant, day(2024, 6, 1), day(2024, 6, 3)).await;
    assert!(unfilled.is_err(), "an unfilled trend is an error, never zeros: {unfilled:?}");
    let reopened = db.reopen().await;
    assert_eq!(trend_figures(reopened.as_ref(), &tenant).await, THREE_DAYS);
}

async fn rewriting_or_backfilling_a_snapshot_keeps_every_day_exact(db: &TestDb) {
    let s = db.store.as_ref();
    let t = s.create_tenant(new_tenant("Rewrite"), "alice").await.unwrap();
    let base = points(&[("A", point(100, 1000, Status::ToAddress)), ("B", point(0, 800, Status::ToAddress))]);
    let mut later = base.clone();
    later.insert("A".into(), point(1000, 1000, Status::ToAddress));
    let mut accepted = later.clone();
    accepted.insert("B".into(), point(0, 800, Status::RiskAccepted));
    accepted.remove("A");

    for (on, p) in [(day(2024, 3, 1), &base), (day(2024, 3, 3), &later), (day(2024, 3, 5), &later)] {
        s.write_snapshot(&summary(&t.id, on, p), p).await.unwrap();
    }
    // "Sync now" rewrites the latest day with a different state.
    s.write_snapshot(&summary(&t.id, day(2024, 3, 5), &accepted), &accepted).await.unwrap();
    // A back-filled day between two others, and a rewritten middle day.
    s.write_snapshot(&summary(&t.id, day(2024, 3, 2), &accepted), &accepted).await.unwrap();
    s.write_snapshot(&summary(&t.id, day(2024, 3, 3), &base), &base).await.unwrap();

    let expected = [(1, &base), (2, &accepted), (3, &base), (4, &base), (5, &accepted)];
    for (d, p) in expected {
        assert_eq!(&s.action_points_on(&t.id, day(2024, 3, d)).await.unwrap(), p, "points on March {d}");
    }
    let changes = all_changes(s, &t.id).await;
    let on_day5: Vec<_> = changes
        .iter()
        .filter(|c| c.day == day(2024, 3, 5))
        .map(|c| (c.change.id.as_str(), c.change.cause))
        .collect();
    assert_eq!(
        on_day5,
        [("A", Cause::Removed), ("B", Cause::Status)],
        "day 5 is diffed against day 3 as rewritten"
    );
    let kept: usize = changes.iter().filter(|c| c.day == day(2024, 3, 4)).count();
    assert_eq!(kept, 0, "no snapshot, no changes on March 4");
    assert_eq!(s.snapshots(&t.id, day(2024, 3, 1), day(2024, 3, 31)).await.unwrap().len(), 4);
}

async fn all_changes(s: &dyn Store, tenant_id: &str) -> Vec<store::DatedChange> {
    s.action_changes(tenant_id, day(2000, 1, 1), day(2100, 1, 1)).await.unwrap()
}
