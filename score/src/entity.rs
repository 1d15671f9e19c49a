//! Affected entities: the users, devices, mailboxes or resources a measurement is about,
//! each passing or failing ("the 10 admins without MFA").

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most entities one measurement of one action may carry.
pub const MAX_ENTITIES: usize = 10_000;
/// Longest id or display name, in characters.
pub const MAX_ENTITY_TEXT: usize = 512;

/// What kind of thing an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EntityKind {
    User,
    Group,
    Device,
    Mailbox,
    App,
    Site,
    Policy,
    Subscription,
    Resource,
}

impl EntityKind {
    pub const ALL: [EntityKind; 9] = [
        EntityKind::User,
        EntityKind::Group,
        EntityKind::Device,
        EntityKind::Mailbox,
        EntityKind::App,
        EntityKind::Site,
        EntityKind::Policy,
        EntityKind::Subscription,
        EntityKind::Resource,
    ];

    /// The name in JSON, CSV and the database (`user`, `device`…).
    pub fn key(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::Device => "device",
            EntityKind::Mailbox => "mailbox",
            EntityKind::App => "app",
            EntityKind::Site => "site",
            EntityKind::Policy => "policy",
            EntityKind::Subscription => "subscription",
            EntityKind::Resource => "resource",
        }
    }

    pub fn from_key(key: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One user, device or resource of a measurement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    /// Stable within its kind: an object id, a UPN, a resource id.
    pub id: String,
    pub display_name: String,
    pub kind: EntityKind,
    pub passes: bool,
}

/// Why an entity's text is refused; `None` when it is fine. Ids and names are shown in
/// pages and CSV files: no control characters (a newline would forge a CSV row, an escape
/// sequence a terminal's), nothing empty, nothing unboundedly long.
pub fn text_problem(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!("contains the control character U+{:04X}", u32::from(c)));
    }
    let chars = text.chars().count();
    (chars > MAX_ENTITY_TEXT)
        .then(|| format!("is {chars} characters long; at most {MAX_ENTITY_TEXT} are kept"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_named_by_code_point() {
        assert_eq!(text_problem("alice@contoso.example"), None);
        assert_eq!(text_problem("bob\n=cmd"), Some("contains the control character U+000A".into()));
        assert_eq!(text_problem("\u{1b}[31m"), Some("contains the control character U+001B".into()));
        assert_eq!(text_problem("  "), Some("is empty".into()));
        assert!(text_problem(&"x".repeat(MAX_ENTITY_TEXT + 1)).is_some());
        assert_eq!(text_problem(&"é".repeat(MAX_ENTITY_TEXT)), None);
    }

    #[test]
    fn kinds_read_back_from_their_keys() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::from_key(k.key()), Some(k));
            assert_eq!(serde_json::to_string(&k).expect("serialises"), format!("\"{}\"", k.key()));
        }
        assert_eq!(EntityKind::from_key("User"), None);
    }
}
