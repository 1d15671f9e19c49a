//! The alert rule form as posted, shared by the page (which posts it) and the checks
//! (which read it).

use serde::{Deserialize, Serialize};

/// The form as posted: every field a string, most of them optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleForm {
    pub name: String,
    /// `score_below`, `leaves_zone`, `drops_points`, `drops_percent`, `action_regresses`,
    /// `category_regresses`, `new_action` or `sync_failing`.
    pub condition: String,
    #[serde(default)]
    pub threshold: String,
    #[serde(default)]
    pub window: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub action_id: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub emails: String,
    #[serde(default)]
    pub chat_url: String,
    #[serde(default)]
    pub webhook_url: String,
    #[serde(default)]
    pub webhook_secret: String,
}
