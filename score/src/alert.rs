//! Alert rules (SPEC §10): what a tenant wants to be told about, and where to.
//!
//! These are the values a rule is stored as; the rules that accept one from a form, decide
//! whether it holds and word its message live in `service::alert`.

use crate::action::Category;
use crate::points::{Percent, Points};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a drop is measured over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Window {
    /// Since the end of the previous day (its snapshot).
    Day,
    /// Since the snapshot seven days before today.
    Week,
}

impl Window {
    pub fn days(self) -> i64 {
        match self {
            Window::Day => 1,
            Window::Week => 7,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Window::Day => "in a day",
            Window::Week => "over 7 days",
        }
    }
}

/// A zone of the tenant's own bounds (Metrics & trends); the score leaves it by falling
/// below where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZoneStart {
    Okay,
    Good,
}

/// When a rule speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum AlertCondition {
    /// The score is below this percentage.
    ScoreBelow { percent: Percent },
    /// The score is below the start of this zone.
    LeavesZone { zone: ZoneStart },
    /// The score fell by at least this many points over the window.
    DropsByPoints { points: Points, window: Window },
    /// The score's percentage fell by at least this many percentage points over the window
    /// (65 % → 60 % is a fall of 5).
    DropsByPercent { percent: Percent, window: Window },
    /// This improvement action regressed: a measurement lowered its points.
    ActionRegresses { action_id: String },
    /// Any action of this category regressed.
    CategoryRegresses { category: Category },
    /// A new improvement action entered the catalog worth at least this many points.
    NewAction { points: Points },
    /// The Microsoft 365 sync has been failing for at least this many hours.
    SyncFailing { hours: u32 },
}

impl AlertCondition {
    /// A notice, unlike a condition, holds for a moment: it is said once and never clears.
    pub fn is_notice(&self) -> bool {
        matches!(self, AlertCondition::NewAction { .. })
    }
}

/// Where a rule's messages go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel")]
pub enum Recipient {
    /// Email addresses, through the operator's SMTP server.
    Email { addresses: Vec<String> },
    /// A Teams or Slack incoming webhook (its URL is itself a secret).
    Chat { url: String },
    /// Any HTTP receiver: a JSON body signed with HMAC-SHA256 under `secret`.
    Webhook { url: String, secret: String },
}

impl Recipient {
    pub fn channel(&self) -> Channel {
        match self {
            Recipient::Email { .. } => Channel::Email,
            Recipient::Chat { .. } => Channel::Chat,
            Recipient::Webhook { .. } => Channel::Webhook,
        }
    }

    /// What a page may show of the recipient: the addresses, or a webhook's scheme and host
    /// only (the rest of a Teams or Slack URL is its secret).
    pub fn shown(&self) -> String {
        match self {
            Recipient::Email { addresses } => addresses.join(", "),
            Recipient::Chat { url } | Recipient::Webhook { url, .. } => {
                let after_scheme = url.find("://").map_or(0, |i| i + 3);
                let host_end = url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i);
                format!("{}/…", &url[..host_end])
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    Email,
    Chat,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Chat => "chat",
            Channel::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Email, Channel::Chat, Channel::Webhook].into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "Email",
            Channel::Chat => "Teams or Slack",
            Channel::Webhook => "Webhook",
        }
    }
}

/// What a message says of its condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertKind {
    /// The condition began to hold.
    Fired,
    /// It holds no longer.
    Cleared,
    /// A notice (a new action in the catalog).
    Notice,
    /// Someone pressed "Send a test".
    Test,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Fired => "fired",
            AlertKind::Cleared => "cleared",
            AlertKind::Notice => "notice",
            AlertKind::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        [AlertKind::Fired, AlertKind::Cleared, AlertKind::Notice, AlertKind::Test]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What a rule's condition was measured against when it began to hold; it clears when
/// the tenant is back there.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "of")]
pub enum Baseline {
    #[default]
    Nothing,
    /// The score of a snapshot (a drop is measured from it).
    Score { day: NaiveDate, current: Points, max: Points },
    /// Points of actions before they regressed.
    Actions { points: BTreeMap<String, Points> },
    /// Actions the catalog held when last looked at (a notice names only newer ones).
    Known { ids: BTreeSet<String> },
}

/// Where a rule stands for its tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertState {
    pub firing: bool,
    /// When it began to hold, while it does.
    pub since: Option<DateTime<Utc>>,
    pub baseline: Baseline,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_shows_only_its_scheme_and_host() {
        let chat = Recipient::Chat { url: "https://hooks.slack.com/services/T0/B0/secret".into() };
        assert_eq!(chat.shown(), "https://hooks.slack.com/…");
        let bare = Recipient::Webhook { url: "http://10.0.0.5:8080".into(), secret: "s".into() };
        assert_eq!(bare.shown(), "http://10.0.0.5:8080/…");
        let mail = Recipient::Email { addresses: vec!["a@b.example".into(), "c@d.example".into()] };
        assert_eq!(mail.shown(), "a@b.example, c@d.example");
    }

    #[test]
    fn conditions_are_stored_as_tagged_json() {
        let c = AlertCondition::DropsByPoints { points: Points::whole(10), window: Window::Week };
        let json = serde_json::to_string(&c).expect("encodes");
        assert_eq!(json, r#"{"kind":"DropsByPoints","points":1000,"window":"Week"}"#);
        assert_eq!(serde_json::from_str::<AlertCondition>(&json).expect("decodes"), c);
    }
}
