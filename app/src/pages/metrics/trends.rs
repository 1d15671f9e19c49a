//! The Metrics & trends numbers, computed from what the daily snapshots stored: the day
//! summaries, the per-action changes of the range, the comparison tallies and the live
//! score. Pure functions, so each trend is tested on small hand-made histories.

use chrono::NaiveDate;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};

/// One comparison line: its label and one average per day of the score line (`None` where
/// fewer than five other tenants were in the group that day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonLine {
    /// `AllTenants`, `TotalSeats`, `IndustryTypes`, or `Custom:{id}`: a stable key for
    /// tests and toggles.
    pub basis: String,
    pub label: String,
    pub values: Vec<Option<Percent>>,
}

/// Actions named per regression day; the rest are summed as "other actions".
pub const REGRESSION_ACTIONS_NAMED: usize = 5;

/// Points one day's regressions cost, with the actions behind them (largest loss first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegressionDay {
    pub day: NaiveDate,
    /// Negative: the sum of the day's measurement drops.
    pub lost: Points,
    /// The largest drops, at most [`REGRESSION_ACTIONS_NAMED`].
    pub actions: Vec<(String, Points)>,
    /// How many more actions dropped that day, and their points.
    pub more: u32,
    pub more_points: Points,
}

/// Risk-accepted actions on one day and the points they would be worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskDay {
    pub day: NaiveDate,
    pub actions: u32,
    pub points: Points,
}

/// Where the range's points came from and went (SPEC §3 "Score changes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScoreChanges {
    /// Gains from measurements and status changes.
    pub achieved: Points,
    /// Losses from measurements (negative or zero).
    pub regressed: Points,
    /// Points of actions that entered the score, and the maximum they added.
    pub from_new_actions: Points,
    pub max_added: Points,
    /// Everything else: status changes that gave points back, actions that left the score.
    pub other: Points,
    pub net: Points,
}

/// One planned action on the way from the current score to the projected one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectionStep {
    pub action_id: String,
    pub title: String,
    pub due: Option<NaiveDate>,
    pub gain: Points,
    /// The score once this and every earlier step is done.
    pub score_after: Points,
}

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use super::*;
    use crate::chart::HistoryPoint;
    use score::comparison::{
        seat_bucket, seat_bucket_label, Basis, CustomComparison, GroupTally, CUSTOM_BASIS,
    };
    use score::snapshot::{ActionPoints, Cause};
    use score::Status;
    use std::collections::{BTreeMap, HashMap};
    use store::{ChangeTotal, ComparisonTally, DatedChange, ScoreSnapshot};

    /// The (basis, group) pairs the comparison lines of `snapshots` read: all tenants, the
    /// tenant's industry, each seat bucket it was in over the days, and its custom
    /// comparisons.
    pub fn comparison_groups(
        snapshots: &[ScoreSnapshot],
        industry: &str,
        custom: &[CustomComparison],
    ) -> Vec<(String, String)> {
        let mut groups = vec![
            (Basis::AllTenants.as_str().to_owned(), String::new()),
            (Basis::IndustryTypes.as_str().to_owned(), industry.to_owned()),
        ];
        let mut buckets: Vec<usize> = snapshots.iter().map(|s| seat_bucket(s.licensed_seats)).collect();
        buckets.sort_unstable();
        buckets.dedup();
        groups.extend(buckets.into_iter().map(|b| (Basis::TotalSeats.as_str().to_owned(), b.to_string())));
        groups.extend(custom.iter().map(|c| (CUSTOM_BASIS.to_owned(), c.id.clone())));
        groups
    }

    /// The score line over `snapshots` with its comparison lines, read from the store. With
    /// `live` (today and the live score), today's point is the live score, so the line ends
    /// where the headline number is; today has no comparison averages until its snapshot.
    pub async fn score_line(
        store: &dyn store::Store,
        tenant: &store::Tenant,
        custom: &[CustomComparison],
        mut snapshots: Vec<ScoreSnapshot>,
        live: Option<(NaiveDate, Points, Points)>,
    ) -> Result<(Vec<HistoryPoint>, Vec<ComparisonLine>), store::StoreError> {
        if let Some((today, ..)) = live {
            snapshots.retain(|s| s.day != today);
        }
        let tallies = match (snapshots.first(), snapshots.last()) {
            (Some(first), Some(last)) => {
                let groups = comparison_groups(&snapshots, &tenant.industry, custom);
                store.comparison_tallies_of(first.day, last.day, &groups).await?
            }
            _ => Vec::new(),
        };
        let mut lines = comparison_lines(&snapshots, &tenant.industry, custom, &tallies);
        let mut points: Vec<HistoryPoint> =
            snapshots.iter().map(|s| HistoryPoint { day: s.day, current: s.current, max: s.max }).collect();
        if let Some((day, current, max)) = live {
            points.push(HistoryPoint { day, current, max });
            lines.iter_mut().for_each(|c| c.values.push(None));
        }
        Ok((points, lines))
    }

    /// The comparison lines over the snapshot days. A built-in line is each day's average
    /// of the group the tenant was in that day, without the tenant itself (SPEC §4); a
    /// custom comparison's tallies never count its own tenant, so they are used as stored.
    pub fn comparison_lines(
        snapshots: &[ScoreSnapshot],
        industry: &str,
        custom: &[CustomComparison],
        tallies: &[ComparisonTally],
    ) -> Vec<ComparisonLine> {
        let by_key: HashMap<(NaiveDate, &str, &str), GroupTally> = tallies
            .iter()
            .map(|t| {
                ((t.day, t.basis.as_str(), t.group_key.as_str()), GroupTally { sum: t.sum, count: t.count })
            })
            .collect();
        let bucket_now = snapshots.last().map(|s| seat_bucket(s.licensed_seats)).unwrap_or_default();
        let built_in = [
            (Basis::AllTenants, "All tenants".to_owned()),
            (Basis::TotalSeats, format!("Similar seat count ({} seats)", seat_bucket_label(bucket_now))),
            (Basis::IndustryTypes, format!("Industry: {industry}")),
        ];
        let mut lines: Vec<ComparisonLine> = built_in
            .into_iter()
            .map(|(basis, label)| {
                let values = snapshots
                    .iter()
                    .map(|s| {
                        let key = match basis {
                            Basis::AllTenants => String::new(),
                            Basis::TotalSeats => seat_bucket(s.licensed_seats).to_string(),
                            Basis::IndustryTypes => industry.to_owned(),
                        };
                        let tally = by_key.get(&(s.day, basis.as_str(), key.as_str()))?;
                        tally.average_excluding(Some(s.current.percent_of(s.max)))
                    })
                    .collect();
                ComparisonLine { basis: basis.as_str().to_owned(), label, values }
            })
            .collect();
        lines.extend(custom.iter().map(|c| {
            let values = snapshots
                .iter()
                .map(|s| by_key.get(&(s.day, CUSTOM_BASIS, c.id.as_str()))?.average_excluding(None))
                .collect();
            ComparisonLine { basis: format!("{CUSTOM_BASIS}:{}", c.id), label: c.name.clone(), values }
        }));
        lines
    }

    /// Days with measurement drops, each with its actions (titles from `title`).
    pub fn regressions(changes: &[DatedChange], title: impl Fn(&str) -> String) -> Vec<RegressionDay> {
        let mut days: BTreeMap<NaiveDate, Vec<(String, Points)>> = BTreeMap::new();
        for c in changes.iter().filter(|c| c.change.is_regression()) {
            days.entry(c.day).or_default().push((title(&c.change.id), c.change.delta));
        }
        days.into_iter()
            .map(|(day, mut actions)| {
                actions.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                let lost = actions.iter().map(|a| a.1).sum();
                let rest = actions.split_off(actions.len().min(REGRESSION_ACTIONS_NAMED));
                let more = u32::try_from(rest.len()).unwrap_or(u32::MAX);
                RegressionDay { day, lost, actions, more, more_points: rest.iter().map(|a| a.1).sum() }
            })
            .collect()
    }

    /// Risk-accepted actions on each snapshot day: the state as of the first day, then the
    /// range's changes applied in order.
    pub fn risk_trend(start: &ActionPoints, changes: &[DatedChange], days: &[NaiveDate]) -> Vec<RiskDay> {
        let mut state: HashMap<&str, (Status, Points)> =
            start.iter().map(|(id, p)| (id.as_str(), (p.status, p.max))).collect();
        let mut pending = changes.iter().peekable();
        days.iter()
            .map(|day| {
                while let Some(c) = pending.next_if(|c| c.day <= *day) {
                    match &c.change.after {
                        Some(p) => state.insert(c.change.id.as_str(), (p.status, p.max)),
                        None => state.remove(c.change.id.as_str()),
                    };
                }
                let accepted = state.values().filter(|(s, _)| *s == Status::RiskAccepted);
                let (actions, points) =
                    accepted.fold((0, Points::ZERO), |(n, p), (_, max)| (n + 1, p + *max));
                RiskDay { day: *day, actions, points }
            })
            .collect()
    }

    /// The range's change totals by cause, as the page lists them.
    pub fn score_changes(totals: &[ChangeTotal]) -> ScoreChanges {
        let mut out = ScoreChanges::default();
        for t in totals {
            match (t.cause, t.gain) {
                (Cause::Added, _) => {
                    out.from_new_actions += t.delta;
                    out.max_added += t.max_delta;
                }
                (Cause::Measurement | Cause::Status, true) => out.achieved += t.delta,
                (Cause::Measurement, false) => out.regressed += t.delta,
                (Cause::Status | Cause::Removed, _) => out.other += t.delta,
            }
            out.net += t.delta;
        }
        out
    }

    /// What a planned action is worth, and when it is due.
    pub struct Planned {
        pub action_id: String,
        pub title: String,
        pub due: Option<NaiveDate>,
        pub remaining: Points,
    }

    /// Steps from `current` in due-date order (undated ones last, then by gain, largest
    /// first); actions with nothing left to gain are left out.
    pub fn projection(current: Points, mut planned: Vec<Planned>) -> Vec<ProjectionStep> {
        planned.retain(|p| p.remaining > Points::ZERO);
        planned.sort_by(|a, b| {
            (a.due.is_none(), a.due, std::cmp::Reverse(a.remaining), &a.title).cmp(&(
                b.due.is_none(),
                b.due,
                std::cmp::Reverse(b.remaining),
                &b.title,
            ))
        });
        let mut score = current;
        planned
            .into_iter()
            .map(|p| {
                score += p.remaining;
                ProjectionStep {
                    action_id: p.action_id,
                    title: p.title,
                    due: p.due,
                    gain: p.remaining,
                    score_after: score,
                }
            })
            .collect()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use score::comparison::{CustomComparison, CUSTOM_BASIS};
    use score::snapshot::{ActionChange, ActionPoint, ActionPoints, Cause};
    use score::Status;
    use store::{ComparisonTally, DatedChange, ScoreSnapshot};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap_or_default()
    }

    fn change(d: u32, id: &str, cause: Cause, delta: i64, after: Option<(Status, i64)>) -> DatedChange {
        DatedChange {
            day: day(d),
            change: ActionChange {
                id: id.into(),
                cause,
                delta: Points(delta),
                max_delta: Points(0),
                after: after.map(|(status, max)| ActionPoint { points: Points(0), max: Points(max), status }),
            },
        }
    }

    fn snapshot(d: u32, current: i64, seats: u32) -> ScoreSnapshot {
        ScoreSnapshot {
            tenant_id: "t".into(),
            day: day(d),
            current: Points(current),
            max: Points(10_000),
            categories: vec![],
            licensed_seats: seats,
            active_users: seats,
            taken_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn comparison_averages_leave_the_tenant_out_and_need_five_others() {
        // Day 1: six tenants in all, the tenant (50 %) among them → five others average 60 %.
        // Day 2: the seat bucket has only five members with the tenant → no average.
        let tally = |d, basis: &str, key: &str, sum, count| ComparisonTally {
            day: day(d),
            basis: basis.into(),
            group_key: key.into(),
            sum,
            count,
        };
        let tallies = [
            tally(1, "AllTenants", "", 5_000 + 5 * 6_000, 6),
            tally(2, "AllTenants", "", 5_500 + 5 * 6_000, 6),
            tally(2, "TotalSeats", "3", 5_500 + 4 * 7_000, 5),
            tally(1, "IndustryTypes", "Retail", 5_000 + 7 * 8_000, 8),
        ];
        let snapshots = [snapshot(1, 5_000, 200), snapshot(2, 5_500, 200)];
        let lines = comparison_lines(&snapshots, "Retail", &[], &tallies);
        let by = |b: &str| lines.iter().find(|l| l.basis == b).map(|l| l.values.clone()).unwrap_or_default();
        assert_eq!(by("AllTenants"), [Some(Percent(6_000)), Some(Percent(6_000))]);
        assert_eq!(by("TotalSeats"), [None, None]);
        assert_eq!(by("IndustryTypes"), [Some(Percent(8_000)), None]);
        assert!(lines[1].label.contains("101–500"), "{}", lines[1].label);
    }

    #[test]
    fn a_custom_comparison_line_is_its_tally_as_stored_with_at_least_five_tenants() {
        let peers = CustomComparison {
            id: "c9".into(),
            tenant_id: "me".into(),
            name: "Peers".into(),
            seats_min: Some(100),
            seats_max: None,
            industries: Vec::new(),
            tenants: Vec::new(),
        };
        let tally = |d, count: u32| ComparisonTally {
            day: day(d),
            basis: CUSTOM_BASIS.into(),
            group_key: "c9".into(),
            sum: 7_000 * i64::from(count),
            count,
        };
        // Five others on day 1 (the tenant's own score is never in a custom tally), four on day 2.
        let snapshots = [snapshot(1, 5_000, 200), snapshot(2, 5_500, 200), snapshot(3, 5_500, 200)];
        let lines =
            comparison_lines(&snapshots, "Retail", std::slice::from_ref(&peers), &[tally(1, 5), tally(2, 4)]);
        let line = lines.iter().find(|l| l.basis == "Custom:c9").expect("the custom line");
        assert_eq!(line.label, "Peers");
        assert_eq!(line.values, [Some(Percent(7_000)), None, None]);
        let groups = comparison_groups(&snapshots, "Retail", std::slice::from_ref(&peers));
        assert!(groups.contains(&(CUSTOM_BASIS.to_owned(), "c9".to_owned())), "{groups:?}");
    }

    #[test]
    fn regressions_are_measurement_drops_only_grouped_by_day() {
        let changes = [
            change(1, "A", Cause::Measurement, -250, Some((Status::ToAddress, 1_000))),
            change(1, "B", Cause::Measurement, -400, Some((Status::ToAddress, 1_000))),
            change(1, "C", Cause::Status, -900, Some((Status::RiskAccepted, 900))),
            change(2, "A", Cause::Measurement, 250, Some((Status::ToAddress, 1_000))),
        ];
        let days = regressions(&changes, |id| format!("Action {id}"));
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].lost, Points(-650));
        assert_eq!(
            days[0].actions,
            [("Action B".to_owned(), Points(-400)), ("Action A".to_owned(), Points(-250))]
        );
    }

    #[test]
    fn risk_trend_follows_status_changes_and_removals() {
        let start: ActionPoints = [(
            "A".to_owned(),
            ActionPoint { points: Points(0), max: Points(800), status: Status::RiskAccepted },
        )]
        .into_iter()
        .collect();
        let changes = [
            change(2, "B", Cause::Status, -300, Some((Status::RiskAccepted, 300))),
            change(3, "A", Cause::Status, 0, Some((Status::ToAddress, 800))),
            change(4, "B", Cause::Removed, 0, None),
        ];
        let trend = risk_trend(&start, &changes, &[day(1), day(2), day(3), day(4)]);
        let got: Vec<(u32, i64)> = trend.iter().map(|r| (r.actions, r.points.centi())).collect();
        assert_eq!(got, [(1, 800), (2, 1_100), (1, 300), (0, 0)]);
    }

    #[test]
    fn score_changes_split_totals_by_cause_and_direction() {
        let total = |cause, gain, delta, max_delta| store::ChangeTotal {
            cause,
            gain,
            delta: Points(delta),
            max_delta: Points(max_delta),
        };
        let c = score_changes(&[
            total(Cause::Measurement, true, 300, 0),
            total(Cause::Measurement, false, -100, 0),
            total(Cause::Status, true, 400, 0),
            total(Cause::Status, false, -50, 0),
            total(Cause::Added, true, 200, 500),
            total(Cause::Removed, false, -70, -300),
        ]);
        assert_eq!(
            (c.achieved, c.regressed, c.from_new_actions, c.max_added, c.other, c.net),
            (Points(700), Points(-100), Points(200), Points(500), Points(-120), Points(680))
        );
    }

    #[test]
    fn projection_takes_dated_actions_first_and_skips_done_ones() {
        let p = |id: &str, due: Option<u32>, remaining: i64| Planned {
            action_id: id.into(),
            title: id.into(),
            due: due.map(day),
            remaining: Points(remaining),
        };
        let steps = projection(
            Points(5_000),
            vec![
                p("late", Some(20), 100),
                p("undated", None, 900),
                p("soon", Some(5), 300),
                p("done", Some(1), 0),
            ],
        );
        let got: Vec<(&str, i64)> =
            steps.iter().map(|s| (s.action_id.as_str(), s.score_after.centi())).collect();
        assert_eq!(got, [("soon", 5_300), ("late", 5_400), ("undated", 6_300)]);
    }
}
