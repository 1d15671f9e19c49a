//! The ranked list of what to do next (SPEC §2, "Ranking").
//!
//! priority = remaining points × w(implementation cost) × w(user impact) × w(complexity),
//! with w(Low) = 1.0, w(Moderate) = 0.75, w(High) = 0.5. Highest priority first; ties go to
//! the larger maximum, then to the smaller id. Weights are kept in quarters so the whole
//! comparison is exact integer arithmetic.

use crate::action::Level;
use crate::points::Points;
use crate::tally::ActionScore;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A weight in quarters: Low 4/4, Moderate 3/4, High 2/4.
pub fn weight_quarters(level: Level) -> i64 {
    match level {
        Level::Low => 4,
        Level::Moderate => 3,
        Level::High => 2,
    }
}

pub fn weight(level: Level) -> f64 {
    weight_quarters(level) as f64 / 4.0
}

/// Priority in 1/64 centipoint (remaining centipoints × three weights in quarters).
pub fn priority_key(score: &ActionScore) -> i64 {
    score.remaining.centi()
        * weight_quarters(score.implementation_cost)
        * weight_quarters(score.user_impact)
        * weight_quarters(score.complexity)
}

/// The priority in points, for "Why this rank?".
pub fn priority(score: &ActionScore) -> f64 {
    priority_key(score) as f64 / 6400.0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedAction {
    pub id: String,
    /// 1 = do first.
    pub rank: u32,
    pub remaining: Points,
    pub priority_key: i64,
}

/// The total order of the ranking.
pub fn compare(a: &ActionScore, b: &ActionScore) -> Ordering {
    priority_key(b).cmp(&priority_key(a)).then_with(|| b.max.cmp(&a.max)).then_with(|| a.id.cmp(&b.id))
}

/// Ranks applicable actions; inapplicable (deprecated, nothing to protect) get no rank.
pub fn rank(scores: &[ActionScore]) -> Vec<RankedAction> {
    let mut ordered: Vec<&ActionScore> = scores.iter().filter(|s| s.applicable).collect();
    ordered.sort_by(|a, b| compare(a, b));
    ordered
        .into_iter()
        .enumerate()
        .map(|(i, s)| RankedAction {
            id: s.id.clone(),
            rank: u32::try_from(i + 1).unwrap_or(u32::MAX),
            remaining: s.remaining,
            priority_key: priority_key(s),
        })
        .collect()
}

/// "Why this rank?" in words, with this action's numbers.
pub fn explain(score: &ActionScore) -> String {
    format!(
        "{} remaining points × {} (cost {}) × {} (user impact {}) × {} (complexity {}) = {:.2}",
        score.remaining,
        weight(score.implementation_cost),
        score.implementation_cost,
        weight(score.user_impact),
        score.user_impact,
        weight(score.complexity),
        score.complexity,
        priority(score)
    )
}
