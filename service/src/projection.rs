//! The projected score: where the tenant's score goes once its planned actions are done,
//! step by step in the order they are due.

use chrono::NaiveDate;
use score::{ActionScore, Points, SecureScore, Status};
use serde::{Deserialize, Serialize};

/// A planned action: what it is worth, and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub action_id: String,
    pub title: String,
    pub due: Option<NaiveDate>,
    pub remaining: Points,
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

/// Whether an action counts in the projection: applicable and planned.
pub fn is_planned(s: &ActionScore) -> bool {
    s.applicable && s.status == Status::Planned
}

/// The score with every planned action counted as done (its remaining points added), with
/// its breakdowns.
pub fn projected(scores: &[ActionScore]) -> SecureScore {
    let done: Vec<ActionScore> = scores
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if is_planned(&s) {
                s.points += s.remaining;
            }
            s
        })
        .collect();
    SecureScore::from_scores(&done)
}

/// Steps from `current` in due-date order (undated ones last, then by gain, largest
/// first); actions with nothing left to gain are left out.
pub fn steps(current: Points, mut planned: Vec<Planned>) -> Vec<ProjectionStep> {
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

/// The tenant's planned actions, with their titles and due dates.
#[cfg(feature = "store")]
pub fn planned(live: &crate::LiveScore) -> Vec<Planned> {
    live.scores
        .iter()
        .filter(|s| is_planned(s))
        .map(|s| Planned {
            action_id: s.id.clone(),
            title: live.action(&s.id).map_or_else(|| s.id.clone(), |a| a.title.clone()),
            due: live.records.get(&s.id).and_then(|r| r.due_date),
            remaining: s.remaining,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("a day")
    }

    #[test]
    fn steps_take_dated_actions_first_and_skip_done_ones() {
        let p = |id: &str, due: Option<u32>, remaining: i64| Planned {
            action_id: id.into(),
            title: id.into(),
            due: due.map(day),
            remaining: Points(remaining),
        };
        let steps = steps(
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
