//! The Metrics & trends numbers, computed from what the daily snapshots stored: the day
//! summaries, the per-action changes of the range, the comparison tallies and the live
//! score. Pure functions, so each trend is tested on small hand-made histories.

use chrono::NaiveDate;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};

/// One comparison line: its label and one average per day of the score line (`None` where
/// the group was too small to show that day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonLine {
    /// `AllTenants`, `TotalSeats`, `IndustryTypes`, or `Custom:{id}`: a stable key for
    /// tests and toggles.
    pub basis: String,
    pub label: String,
    pub values: Vec<Option<Percent>>,
}

/// Points one day's regressions cost, with the actions behind them (largest loss first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegressionDay {
    pub day: NaiveDate,
    /// Negative: the sum of the day's measurement drops.
    pub lost: Points,
    /// The largest drops, at most `score::day_trend::LARGEST_DROPS_KEPT`.
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

pub use service::projection::ProjectionStep;

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use super::*;
    use crate::benchmarks::ViewerBenchmarks;
    use crate::chart::HistoryPoint;
    use score::benchmark::CellGroup;
    use score::comparison::{seat_bucket, seat_bucket_label, Basis, CustomComparison, CUSTOM_BASIS};
    use store::{DatedTrend, ScoreSnapshot};

    /// The score line over `snapshots` with the comparison lines a viewer holding roles in
    /// `viewer_tenants` may read. With `live` (today and the live score), today's point is
    /// the live score, so the line ends where the headline number is; today has no
    /// comparison averages until its snapshot.
    pub async fn score_line(
        store: &dyn store::Store,
        viewer_tenants: &[String],
        tenant: &store::Tenant,
        custom: &[CustomComparison],
        mut snapshots: Vec<ScoreSnapshot>,
        live: Option<(NaiveDate, Points, Points)>,
    ) -> Result<(Vec<HistoryPoint>, Vec<ComparisonLine>), store::StoreError> {
        if let Some((today, ..)) = live {
            snapshots.retain(|s| s.day != today);
        }
        let benchmarks = match (snapshots.first(), snapshots.last()) {
            (Some(first), Some(last)) => {
                Some(ViewerBenchmarks::read(store, viewer_tenants, first.day, last.day).await?)
            }
            _ => None,
        };
        let mut lines = comparison_lines(&snapshots, &tenant.industry, custom, benchmarks.as_ref());
        let mut points: Vec<HistoryPoint> =
            snapshots.iter().map(|s| HistoryPoint { day: s.day, current: s.current, max: s.max }).collect();
        if let Some((day, current, max)) = live {
            points.push(HistoryPoint { day, current, max });
            lines.iter_mut().for_each(|c| c.values.push(None));
        }
        Ok((points, lines))
    }

    /// The comparison lines over the snapshot days: all tenants, the seat bucket the tenant
    /// was in that day, its industry, and its custom comparisons — each as released to the
    /// viewer (`None` where withheld, and everywhere without tallies).
    pub fn comparison_lines(
        snapshots: &[ScoreSnapshot],
        industry: &str,
        custom: &[CustomComparison],
        benchmarks: Option<&ViewerBenchmarks>,
    ) -> Vec<ComparisonLine> {
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
                        benchmarks?.value(s.day, &CellGroup::of_basis(basis, s.licensed_seats, industry))
                    })
                    .collect();
                ComparisonLine { basis: basis.as_str().to_owned(), label, values }
            })
            .collect();
        lines.extend(custom.iter().map(|c| {
            let values = snapshots.iter().map(|s| benchmarks?.custom(s.day, c)).collect();
            ComparisonLine { basis: format!("{CUSTOM_BASIS}:{}", c.id), label: c.name.clone(), values }
        }));
        lines
    }

    /// Days with measurement drops, each with its largest drops named (titles from `title`).
    pub fn regressions(trends: &[DatedTrend], title: impl Fn(&str) -> String) -> Vec<RegressionDay> {
        trends
            .iter()
            .filter(|d| d.trend.drops > 0)
            .map(|d| {
                let mut actions: Vec<(String, Points)> =
                    d.trend.largest_drops.iter().map(|(id, delta)| (title(id), *delta)).collect();
                actions.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                let lost = d.trend.changes.regressed;
                let named: Points = actions.iter().map(|a| a.1).sum();
                let more = d.trend.drops.saturating_sub(u32::try_from(actions.len()).unwrap_or(u32::MAX));
                RegressionDay { day: d.day, lost, actions, more, more_points: lost - named }
            })
            .collect()
    }

    /// Risk-accepted actions at the end of each snapshot day.
    pub fn risk_trend(trends: &[DatedTrend]) -> Vec<RiskDay> {
        trends
            .iter()
            .map(|d| RiskDay {
                day: d.day,
                actions: d.trend.risk_accepted,
                points: d.trend.risk_accepted_points,
            })
            .collect()
    }

    /// The range's changes by cause, as the page lists them: the sum of its days (a
    /// tenant's first day adds nothing, being its starting state).
    pub fn score_changes(trends: &[DatedTrend]) -> ScoreChanges {
        let mut sum = score::snapshot::ScoreChanges::default();
        trends.iter().for_each(|d| sum.merge(&d.trend.changes));
        ScoreChanges {
            achieved: sum.achieved,
            regressed: sum.regressed,
            from_new_actions: sum.from_new_actions,
            max_added: sum.max_from_new_actions,
            other: sum.lowered_by_status + sum.removed,
            net: sum.net,
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use score::comparison::CustomComparison;
    use score::day_trend::DayTrend;
    use store::{DatedTrend, ScoreSnapshot};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap_or_default()
    }

    fn trend(
        d: u32,
        changes: score::snapshot::ScoreChanges,
        drops: &[(&str, i64)],
        count: u32,
    ) -> DatedTrend {
        DatedTrend {
            day: day(d),
            trend: DayTrend {
                changes,
                drops: count,
                largest_drops: drops.iter().map(|(id, p)| ((*id).to_owned(), Points(*p))).collect(),
                risk_accepted: 0,
                risk_accepted_points: Points::ZERO,
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
            imported: false,
        }
    }

    fn bench_day(d: u32, cells: &[(score::benchmark::Cell, i64, u32)]) -> score::benchmark::BenchmarkDay {
        use score::benchmark::CellTally;
        let tallies = cells.iter().map(|(c, sum, count)| CellTally {
            cell: c.clone(),
            sum: *sum,
            count: *count,
            shares: None,
        });
        score::benchmark::BenchmarkDay::steady(day(d), tallies.collect(), d == 1)
    }

    #[test]
    fn comparison_lines_leave_the_viewers_tenants_out_and_follow_the_seat_bucket() {
        use score::benchmark::{Cell, HeldEntry};
        // The tenant (50 %) and five others at 60 % in 101–500 seats, Retail; in the same
        // bucket two Finance tenants at 80 % and three Health ones at 70 %.
        let retail = Cell::of(200, "Retail");
        let finance = Cell::of(200, "Finance");
        let health = Cell::of(200, "Health");
        let cells = [(retail.clone(), 5_000 + 5 * 6_000, 6), (finance, 2 * 8_000, 2), (health, 3 * 7_000, 3)];
        let days: Vec<_> = (1..=3).map(|d| bench_day(d, &cells)).collect();
        let own = |d| HeldEntry {
            tenant_id: "t".into(),
            day: day(d),
            cell: retail.clone(),
            percent: Percent(5_000),
            shares: None,
        };
        let b =
            crate::benchmarks::ViewerBenchmarks::new(&days, vec![own(1), own(2), own(3)], &["t".to_owned()]);
        let snapshots = [snapshot(2, 5_000, 200), snapshot(3, 5_000, 200)];
        let lines = comparison_lines(&snapshots, "Retail", &[], Some(&b));
        let by = |basis: &str| {
            lines.iter().find(|l| l.basis == basis).map(|l| l.values.clone()).unwrap_or_default()
        };
        // Ten others: (5 × 60 + 2 × 80 + 3 × 70) / 10 = 67 %.
        assert_eq!(by("AllTenants"), [Some(Percent(6_700)), Some(Percent(6_700))]);
        assert_eq!(by("TotalSeats"), by("AllTenants"), "the bucket pools its small cells");
        // Retail alone, without the tenant itself.
        assert_eq!(by("IndustryTypes"), [Some(Percent(6_000)), Some(Percent(6_000))]);
        let finance_view = comparison_lines(&snapshots, "Finance", &[], Some(&b));
        assert_eq!(finance_view[2].values, [None, None], "two Finance tenants are never shown apart");
        assert!(lines[1].label.contains("101–500"), "{}", lines[1].label);
        assert!(comparison_lines(&snapshots, "Retail", &[], None).iter().all(|l| l.values == [None, None]));
    }

    #[test]
    fn a_custom_comparison_line_is_its_cells_as_released() {
        use score::benchmark::Cell;
        let peers = CustomComparison {
            id: "c9".into(),
            tenant_id: "me".into(),
            name: "Peers".into(),
            seat_buckets: vec![4],
            industries: Vec::new(),
            tenants: Vec::new(),
        };
        let big = Cell::of(800, "Retail");
        let days: Vec<_> = (1..=3).map(|d| bench_day(d, &[(big.clone(), 5 * 7_000, 5)])).collect();
        let b = crate::benchmarks::ViewerBenchmarks::new(&days, Vec::new(), &[]);
        let snapshots = [snapshot(2, 5_000, 200), snapshot(3, 5_500, 200)];
        let lines = comparison_lines(&snapshots, "Retail", std::slice::from_ref(&peers), Some(&b));
        let line = lines.iter().find(|l| l.basis == "Custom:c9").expect("the custom line");
        assert_eq!(line.label, "Peers");
        assert_eq!(line.values, [Some(Percent(7_000)), Some(Percent(7_000))]);
        let other = CustomComparison { seat_buckets: vec![3], ..peers };
        let lines = comparison_lines(&snapshots, "Retail", std::slice::from_ref(&other), Some(&b));
        assert_eq!(lines[3].values, [None, None], "no tenant in 101–500 seats");
    }

    #[test]
    fn regression_days_name_their_largest_drops_by_title_and_sum_the_rest() {
        let lost = |regressed| score::snapshot::ScoreChanges {
            regressed: Points(regressed),
            net: Points(regressed),
            ..Default::default()
        };
        let trends = [
            // Seven drops, the five largest kept; "B" and "A" tie and sort by title.
            trend(1, lost(-1_000), &[("A", -300), ("B", -300), ("C", -150), ("D", -100), ("E", -50)], 7),
            trend(2, score::snapshot::ScoreChanges::default(), &[], 0),
            trend(3, lost(-40), &[("A", -40)], 1),
        ];
        let title = |id: &str| if id == "A" { "Zulu".to_owned() } else { format!("Action {id}") };
        let days = regressions(&trends, title);
        assert_eq!(days.iter().map(|d| d.day).collect::<Vec<_>>(), [day(1), day(3)], "no drops, no day");
        let first = &days[0];
        assert_eq!(first.lost, Points(-1_000));
        let names: Vec<&str> = first.actions.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(names, ["Action B", "Zulu", "Action C", "Action D", "Action E"]);
        assert_eq!((first.more, first.more_points), (2, Points(-1_000 + 900)));
        assert_eq!((days[1].more, days[1].more_points), (0, Points::ZERO));
    }

    #[test]
    fn score_changes_sum_the_days_and_fold_status_losses_and_removals_into_other() {
        let day1 = score::snapshot::ScoreChanges {
            achieved: Points(700),
            regressed: Points(-100),
            lowered_by_status: Points(-50),
            from_new_actions: Points(200),
            max_from_new_actions: Points(500),
            removed: Points(-70),
            net: Points(680),
        };
        let day2 = score::snapshot::ScoreChanges {
            achieved: Points(30),
            regressed: Points(-10),
            net: Points(20),
            ..Default::default()
        };
        let c = score_changes(&[trend(1, day1, &[], 0), trend(2, day2, &[], 0)]);
        assert_eq!(
            (c.achieved, c.regressed, c.from_new_actions, c.max_added, c.other, c.net),
            (Points(730), Points(-110), Points(200), Points(500), Points(-120), Points(700))
        );
    }
}
