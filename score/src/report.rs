//! When scheduled reports go out: a weekly report covers Monday to Sunday of the week
//! before, a monthly one the calendar month before, each sent once its period is over.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cadence {
    Weekly,
    Monthly,
}

impl Cadence {
    pub const ALL: [Cadence; 2] = [Cadence::Weekly, Cadence::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "Weekly (Monday, for the week before)",
            Cadence::Monthly => "Monthly (the 1st, for the month before)",
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The latest whole period that ended before `today`: (first day, last day).
    pub fn latest_period(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Cadence::Weekly => {
                let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                (monday - Duration::days(7), monday - Duration::days(1))
            }
            Cadence::Monthly => {
                let first_of_this = today.with_day(1).unwrap_or(today);
                let last = first_of_this - Duration::days(1);
                (last.with_day(1).unwrap_or(last), last)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("day")
    }

    #[test]
    fn a_week_runs_monday_to_sunday_before_this_week() {
        // 2026-12-03 is a Thursday.
        assert_eq!(Cadence::Weekly.latest_period(d(2026, 12, 3)), (d(2026, 11, 23), d(2026, 11, 29)));
        // On the Monday itself the week just ended is due.
        assert_eq!(Cadence::Weekly.latest_period(d(2026, 11, 30)), (d(2026, 11, 23), d(2026, 11, 29)));
        assert_eq!(Cadence::Weekly.latest_period(d(2026, 11, 29)), (d(2026, 11, 16), d(2026, 11, 22)));
    }

    #[test]
    fn a_month_is_the_calendar_month_before_across_years() {
        assert_eq!(Cadence::Monthly.latest_period(d(2026, 12, 3)), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(Cadence::Monthly.latest_period(d(2027, 1, 1)), (d(2026, 12, 1), d(2026, 12, 31)));
        assert_eq!(Cadence::Monthly.latest_period(d(2028, 3, 15)), (d(2028, 2, 1), d(2028, 2, 29)));
    }

    #[test]
    fn cadences_read_their_own_words_only() {
        assert_eq!(Cadence::parse(" Weekly "), Some(Cadence::Weekly));
        assert_eq!(Cadence::parse("daily"), None);
    }
}
