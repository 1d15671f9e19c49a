//! The report's sentences, worked out once from [`ReportData`] for the page and the email.

use super::ReportData;
use crate::format::zone;
use chrono::NaiveDate;
use score::{Percent, Points};

/// Planned actions with a due date the report lists, soonest first.
pub const PLANNED_SHOWN: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub tenant_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The score on the period's last day (the live score when that is today).
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    /// The first score of the period, when there is history in it.
    pub start: Option<(NaiveDate, Percent)>,
    /// Percentage points from the start to now.
    pub change: Option<Percent>,
    pub zone: &'static str,
    /// Each comparison and its latest average the viewer may read (`None`: too small).
    pub peers: Vec<(String, Option<Percent>)>,
    pub achieved: Points,
    pub regressed: Points,
    pub planned: Vec<PlannedDue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedDue {
    pub title: String,
    pub due: NaiveDate,
    pub gain: Points,
    pub overdue: bool,
}

impl ReportSummary {
    pub fn of(r: &ReportData) -> ReportSummary {
        let m = &r.metrics;
        // The period's last day is where it ends: today's live score when the period runs
        // to today, that day's snapshot for a period in the past.
        let (current, max) = m.points.last().map_or((m.current, m.max), |p| (p.current, p.max));
        let percent = if m.points.is_empty() { m.percent } else { current.percent_of(max) };
        let start = m.points.first().map(|p| (p.day, p.current.percent_of(p.max)));
        let change = start.map(|(_, p)| Percent(percent.0 - p.0));
        let peers =
            m.comparisons.iter().map(|l| (l.label.clone(), l.values.iter().rev().find_map(|v| *v))).collect();
        let mut planned: Vec<PlannedDue> = m
            .projection
            .iter()
            .filter_map(|s| {
                let due = s.due?;
                Some(PlannedDue { title: s.title.clone(), due, gain: s.gain, overdue: due < r.made_on })
            })
            .collect();
        planned.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.title.cmp(&b.title)));
        planned.truncate(PLANNED_SHOWN);
        ReportSummary {
            tenant_name: m.tenant_name.clone(),
            from: m.from,
            to: m.to,
            current,
            max,
            percent,
            start,
            change,
            zone: zone(percent, m.zone_okay_from, m.zone_good_from),
            peers,
            achieved: m.changes.achieved,
            regressed: m.changes.regressed,
            planned,
        }
    }

    /// "up 3.20 percentage points since 2026-11-01", or why there is no change to tell.
    pub fn change_sentence(&self) -> String {
        match (self.start, self.change) {
            (Some((day, _)), Some(c)) if c.0 > 0 => {
                format!("up {} percentage points since {day}", points_text(c))
            }
            (Some((day, _)), Some(c)) if c.0 < 0 => {
                format!("down {} percentage points since {day}", points_text(Percent(-c.0)))
            }
            (Some((day, _)), Some(_)) => format!("unchanged since {day}"),
            _ => "no history in this period yet".to_owned(),
        }
    }
}

/// A percentage's number without the sign: `3.20`.
fn points_text(p: Percent) -> String {
    format!("{:.2}", p.as_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::HistoryPoint;
    use crate::pages::metrics::data::MetricsData;
    use crate::pages::metrics::trends::{ComparisonLine, ScoreChanges};
    use service::projection::ProjectionStep;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("day")
    }

    fn data() -> ReportData {
        let step = |title: &str, due: Option<NaiveDate>, gain| ProjectionStep {
            action_id: title.into(),
            title: title.into(),
            due,
            gain: Points::whole(gain),
            score_after: Points::ZERO,
        };
        ReportData {
            metrics: MetricsData {
                tenant_id: "t".into(),
                tenant_name: "Contoso".into(),
                can_write: false,
                from: day(1),
                to: day(30),
                // The live score today, after the period: the period ends at its last day.
                current: Points::whole(150),
                max: Points::whole(200),
                percent: Percent(7500),
                zone_okay_from: 40,
                zone_good_from: 70,
                points: vec![
                    HistoryPoint { day: day(2), current: Points::whole(120), max: Points::whole(200) },
                    HistoryPoint { day: day(29), current: Points::whole(130), max: Points::whole(200) },
                ],
                comparisons: vec![ComparisonLine {
                    basis: "AllTenants".into(),
                    label: "All tenants".into(),
                    values: vec![Some(Percent(5000)), None],
                }],
                regressions: vec![],
                risk: vec![],
                changes: ScoreChanges {
                    achieved: Points::whole(12),
                    regressed: -Points::whole(2),
                    ..Default::default()
                },
                projection: vec![
                    step("Later", Some(day(28)), 3),
                    step("No date", None, 5),
                    step("Late", Some(day(10)), 2),
                ],
                goal: None,
                custom: vec![],
                choices: None,
                notices: vec![],
            },
            next_actions: vec![],
            made_on: day(20),
        }
    }

    #[test]
    fn the_change_runs_from_the_periods_first_score_to_now() {
        let s = ReportSummary::of(&data());
        assert_eq!(s.start, Some((day(2), Percent(6000))));
        assert_eq!(s.change, Some(Percent(500)));
        assert_eq!(s.change_sentence(), "up 5.00 percentage points since 2026-11-02");
        assert_eq!(s.zone, "okay");
    }

    #[test]
    fn peers_show_their_latest_average_that_could_be_shown() {
        let s = ReportSummary::of(&data());
        assert_eq!(s.peers, vec![("All tenants".to_owned(), Some(Percent(5000)))]);
    }

    #[test]
    fn planned_actions_with_a_date_come_soonest_first_and_overdue_ones_say_so() {
        let s = ReportSummary::of(&data());
        let got: Vec<(&str, bool)> = s.planned.iter().map(|p| (p.title.as_str(), p.overdue)).collect();
        assert_eq!(got, vec![("Late", true), ("Later", false)]);
    }

    #[test]
    fn a_period_without_history_says_so() {
        let mut d = data();
        d.metrics.points.clear();
        assert_eq!(ReportSummary::of(&d).change_sentence(), "no history in this period yet");
    }
}
