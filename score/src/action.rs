//! Improvement actions (Graph: `secureScoreControlProfile`) and their attributes.

use crate::points::Points;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The five areas an improvement action protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    Identity,
    Data,
    Device,
    Apps,
    Infrastructure,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Identity, Category::Data, Category::Device, Category::Apps, Category::Infrastructure];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Identity => "Identity",
            Category::Data => "Data",
            Category::Device => "Device",
            Category::Apps => "Apps",
            Category::Infrastructure => "Infrastructure",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Implementation cost, user impact and complexity share one scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    Low,
    Moderate,
    High,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "Low",
            Level::Moderate => "Moderate",
            Level::High => "High",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        [Level::Low, Level::Moderate, Level::High].into_iter().find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    Core,
    DefenseInDepth,
    Advanced,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Core => "Core",
            Tier::DefenseInDepth => "Defense in depth",
            Tier::Advanced => "Advanced",
        }
    }
}

/// How measurements turn into points: all-or-nothing, or a share of some unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scoring", rename_all = "lowercase")]
pub enum Scoring {
    Binary,
    Partial {
        /// What is counted: users, devices, mailboxes, …
        unit: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Prerequisites {
    #[serde(default)]
    pub licenses: Vec<String>,
    /// Ids of improvement actions to complete first.
    #[serde(default)]
    pub actions: Vec<String>,
}

/// Largest `max_points` an action may carry (SPEC §1).
pub const MAX_POINTS_LIMIT: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementAction {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: Category,
    pub product: String,
    pub max_points: u32,
    #[serde(flatten)]
    pub scoring: Scoring,
    pub implementation_cost: Level,
    pub user_impact: Level,
    pub complexity: Level,
    pub tier: Tier,
    #[serde(default)]
    pub threats: Vec<String>,
    #[serde(default)]
    pub prerequisites: Prerequisites,
    #[serde(default)]
    pub remediation: String,
    #[serde(default)]
    pub manage_url: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub deprecated: bool,
}

impl ImprovementAction {
    /// An action built in code (a custom action, a test's, a benchmark's) from what every
    /// action has: all-or-nothing scoring, low cost, impact and complexity, the Core tier,
    /// nothing else set. Set the rest by struct update (`..ImprovementAction::new(…)`) or
    /// with [`ImprovementAction::scored_by`].
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        category: Category,
        product: impl Into<String>,
        max_points: u32,
    ) -> ImprovementAction {
        ImprovementAction {
            id: id.into(),
            title: title.into(),
            description: String::new(),
            category,
            product: product.into(),
            max_points,
            scoring: Scoring::Binary,
            implementation_cost: Level::Low,
            user_impact: Level::Low,
            complexity: Level::Low,
            tier: Tier::Core,
            threats: Vec::new(),
            prerequisites: Prerequisites::default(),
            remediation: String::new(),
            manage_url: String::new(),
            tags: Vec::new(),
            deprecated: false,
        }
    }

    /// Scored in proportion to what `unit` counts ("users"), or all or nothing for `None`.
    pub fn scored_by(self, unit: Option<&str>) -> ImprovementAction {
        let scoring = unit.map_or(Scoring::Binary, |u| Scoring::Partial { unit: u.to_owned() });
        ImprovementAction { scoring, ..self }
    }

    pub fn max(&self) -> Points {
        Points::whole(self.max_points)
    }

    /// The unit partial scoring counts ("users"), or `None` for binary actions.
    pub fn unit(&self) -> Option<&str> {
        match &self.scoring {
            Scoring::Binary => None,
            Scoring::Partial { unit } => Some(unit),
        }
    }

    /// Whether a tenant holding `held` has every license this action needs.
    pub fn licensed_by(&self, held: &[String]) -> bool {
        self.prerequisites.licenses.iter().all(|l| held.contains(l))
    }
}

#[cfg(test)]
mod license_tests {
    use super::*;

    #[test]
    fn an_action_is_licensed_when_every_license_it_needs_is_held() {
        let mut a = ImprovementAction::new("A", "A", Category::Identity, "Entra ID", 5);
        assert!(a.licensed_by(&[]), "nothing needed");
        a.prerequisites.licenses = vec!["P1".into(), "E3".into()];
        assert!(!a.licensed_by(&["P1".into()]));
        assert!(a.licensed_by(&["E3".into(), "P1".into(), "E5".into()]));
    }
}
