//! Points per action and the Secure Score sums (SPEC §2).

use crate::action::{Category, ImprovementAction, Level};
use crate::points::{Percent, Points};
use crate::status::{ControlState, EffectiveStatus, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One action evaluated in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionScore {
    pub id: String,
    pub category: Category,
    pub product: String,
    pub max: Points,
    pub points: Points,
    /// False for deprecated actions and for measurements with nothing to protect
    /// (`total = 0`): such actions count in neither the score nor the maximum.
    pub applicable: bool,
    pub status: Status,
    pub effective: EffectiveStatus,
    /// Points still to gain by doing the work; zero when resolved or risk accepted.
    pub remaining: Points,
    pub implementation_cost: Level,
    pub user_impact: Level,
    pub complexity: Level,
}

/// Points of one action in one tenant.
pub fn action_score(action: &ImprovementAction, state: &ControlState) -> ActionScore {
    let max = action.max();
    let not_measured_applicable = state.measurement.is_some_and(|m| m.total == 0);
    let applicable = !action.deprecated && !not_measured_applicable;
    let measured = match state.measurement {
        Some(m) if m.total > 0 => Points::fraction_of(max, m.count, m.total),
        _ => Points::ZERO,
    };
    let points = match state.status {
        Status::ThirdParty | Status::AlternateMitigation => max,
        Status::RiskAccepted => Points::ZERO,
        Status::ToAddress | Status::Planned => measured,
    };
    let full = state.measurement.is_some_and(|m| m.is_full());
    let effective = match state.status {
        Status::ToAddress | Status::Planned if full => EffectiveStatus::Completed,
        s => EffectiveStatus::Set(s),
    };
    let remaining = match state.status {
        Status::ToAddress | Status::Planned if applicable => max - points,
        _ => Points::ZERO,
    };
    let points = if applicable { points } else { Points::ZERO };
    ActionScore {
        id: action.id.clone(),
        category: action.category,
        product: action.product.clone(),
        max,
        points,
        applicable,
        status: state.status,
        effective,
        remaining,
        implementation_cost: action.implementation_cost,
        user_impact: action.user_impact,
        complexity: action.complexity,
    }
}

/// Points achieved and possible within one slice (a category, a product, or all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub name: String,
    pub current: Points,
    pub max: Points,
}

impl Breakdown {
    pub fn percent(&self) -> Percent {
        self.current.percent_of(self.max)
    }
}

/// A tenant's Secure Score with its category and product breakdowns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecureScore {
    pub current: Points,
    pub max: Points,
    /// All five categories, in SPEC order, even when empty.
    pub categories: Vec<Breakdown>,
    /// Every product with at least one applicable action, by name.
    pub products: Vec<Breakdown>,
}

impl SecureScore {
    pub fn percent(&self) -> Percent {
        self.current.percent_of(self.max)
    }

    pub fn category(&self, category: Category) -> Option<&Breakdown> {
        self.categories.iter().find(|b| b.name == category.as_str())
    }

    /// Sums over already evaluated actions; inapplicable ones are left out.
    pub fn from_scores(scores: &[ActionScore]) -> SecureScore {
        let mut categories: Vec<Breakdown> = Category::ALL
            .iter()
            .map(|c| Breakdown { name: c.as_str().to_owned(), current: Points::ZERO, max: Points::ZERO })
            .collect();
        let mut products: BTreeMap<&str, (Points, Points)> = BTreeMap::new();
        let (mut current, mut max) = (Points::ZERO, Points::ZERO);
        for s in scores.iter().filter(|s| s.applicable) {
            current += s.points;
            max += s.max;
            let idx = Category::ALL.iter().position(|c| *c == s.category).unwrap_or(0);
            categories[idx].current += s.points;
            categories[idx].max += s.max;
            let p = products.entry(&s.product).or_default();
            p.0 += s.points;
            p.1 += s.max;
        }
        let products = products
            .into_iter()
            .map(|(name, (current, max))| Breakdown { name: name.to_owned(), current, max })
            .collect();
        SecureScore { current, max, categories, products }
    }
}

/// Evaluates every action against the tenant's states (missing state = default).
pub fn evaluate<'a>(
    actions: impl IntoIterator<Item = &'a ImprovementAction>,
    state_of: impl Fn(&str) -> Option<ControlState>,
) -> (SecureScore, Vec<ActionScore>) {
    let scores: Vec<ActionScore> =
        actions.into_iter().map(|a| action_score(a, &state_of(&a.id).unwrap_or_default())).collect();
    (SecureScore::from_scores(&scores), scores)
}
