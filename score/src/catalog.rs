//! The catalog of improvement actions and the rules every entry must meet.

use crate::action::{ImprovementAction, Scoring, MAX_POINTS_LIMIT};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub version: String,
    #[serde(rename = "action")]
    pub actions: Vec<ImprovementAction>,
}

/// A rule an entry breaks, naming the entry (position and id) and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogIssue {
    /// 1-based position of the entry in the catalog.
    pub entry: usize,
    pub id: String,
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for CatalogIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "action #{} ({}): field `{}`: {}", self.entry, self.id, self.field, self.message)
    }
}

/// Whether an id is usable in URLs and Graph ids: ASCII letters, digits, `_`, `-`, `.`.
pub fn valid_action_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Checks one action on its own.
pub fn check_action(action: &ImprovementAction) -> Result<(), (&'static str, String)> {
    if !valid_action_id(&action.id) {
        return Err(("id", "must be 1–100 ASCII letters, digits, `_`, `-` or `.`".into()));
    }
    if action.title.trim().is_empty() {
        return Err(("title", "must not be empty".into()));
    }
    if action.product.trim().is_empty() {
        return Err(("product", "must not be empty".into()));
    }
    if !(1..=MAX_POINTS_LIMIT).contains(&action.max_points) {
        return Err((
            "max_points",
            format!("must be an integer from 1 to {MAX_POINTS_LIMIT}, got {}", action.max_points),
        ));
    }
    if let Scoring::Partial { unit } = &action.scoring {
        if unit.trim().is_empty() {
            return Err(("unit", "partial scoring needs the unit it counts (users, devices, …)".into()));
        }
    }
    if !action.manage_url.is_empty() && !action.manage_url.starts_with("https://") {
        return Err(("manage_url", "must be an https:// URL".into()));
    }
    Ok(())
}

impl Catalog {
    /// Checks every entry, unique ids, and that prerequisite actions exist.
    pub fn validate(&self) -> Result<(), CatalogIssue> {
        if self.version.trim().is_empty() {
            return Err(CatalogIssue {
                entry: 0,
                id: String::new(),
                field: "version",
                message: "must not be empty".into(),
            });
        }
        let mut seen = HashSet::new();
        for (i, a) in self.actions.iter().enumerate() {
            let issue = |field, message| CatalogIssue { entry: i + 1, id: a.id.clone(), field, message };
            check_action(a).map_err(|(field, message)| issue(field, message))?;
            if !seen.insert(a.id.as_str()) {
                return Err(issue("id", "appears more than once".into()));
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            if let Some(missing) = a.prerequisites.actions.iter().find(|p| !seen.contains(p.as_str())) {
                return Err(CatalogIssue {
                    entry: i + 1,
                    id: a.id.clone(),
                    field: "prerequisites.actions",
                    message: format!("names `{missing}`, which is not in the catalog"),
                });
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&ImprovementAction> {
        self.actions.iter().find(|a| a.id == id)
    }
}
