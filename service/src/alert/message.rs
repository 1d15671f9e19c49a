//! One alert as it is sent: the JSON a generic webhook receives (documented in
//! docs/alerts.md), and the same words as an email or a Teams/Slack message.

use super::check::{ActionDrop, Said};
use chrono::{DateTime, NaiveDate, Utc};
use score::alert::{AlertKind, Recipient};
use score::Points;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub current: f64,
    pub max: f64,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionLine {
    pub id: String,
    pub title: String,
    pub points_before: f64,
    pub points_after: f64,
    pub max_points: f64,
    /// `regression` (a measurement lowered it) or `status` (people changed its status).
    pub cause: String,
    /// "540 of 700 devices", when the action is measured.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub measurement: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertMessage {
    /// `fired`, `cleared`, `notice` or `test`.
    pub event: String,
    pub rule_id: String,
    pub rule_name: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub headline: String,
    pub score: ScoreLine,
    pub actions: Vec<ActionLine>,
    pub day: NaiveDate,
    /// The History page of that day, when the server knows its public address.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub history_url: Option<String>,
    pub at: DateTime<Utc>,
}

/// Who a message is about and when.
pub struct About<'a> {
    pub rule_id: &'a str,
    pub rule_name: &'a str,
    pub tenant_id: &'a str,
    pub tenant_name: &'a str,
    pub current: Points,
    pub max: Points,
    /// The server's public address, for the link to the History.
    pub base_url: Option<&'a str>,
    pub at: DateTime<Utc>,
}

fn line(d: &ActionDrop) -> ActionLine {
    ActionLine {
        id: d.action_id.clone(),
        title: d.title.clone(),
        points_before: d.before.as_f64(),
        points_after: d.after.as_f64(),
        max_points: d.max.as_f64(),
        cause: if d.regression { "regression" } else { "status" }.to_owned(),
        measurement: d.measurement.clone(),
    }
}

impl AlertMessage {
    pub fn new(about: &About<'_>, said: &Said) -> AlertMessage {
        let history_url = about.base_url.map(|base| {
            format!(
                "{}/tenants/{}/history?from={day}&to={day}",
                base.trim_end_matches('/'),
                crate::url::encode(about.tenant_id),
                day = said.day
            )
        });
        AlertMessage {
            event: said.kind.as_str().to_owned(),
            rule_id: about.rule_id.to_owned(),
            rule_name: about.rule_name.to_owned(),
            tenant_id: about.tenant_id.to_owned(),
            tenant_name: about.tenant_name.to_owned(),
            headline: said.headline.clone(),
            score: ScoreLine {
                current: about.current.as_f64(),
                max: about.max.as_f64(),
                percent: about.current.percent_of(about.max).as_f64(),
            },
            actions: said.actions.iter().map(line).collect(),
            day: said.day,
            history_url,
            at: about.at,
        }
    }

    /// The test a person asks for: the rule's recipients get a message saying so.
    pub fn test(about: &About<'_>, by: &str) -> AlertMessage {
        let said = Said {
            kind: AlertKind::Test,
            headline: format!(
                "A test of the alert rule “{}” of {}, sent by {by}. Nothing has changed.",
                about.rule_name, about.tenant_name
            ),
            actions: Vec::new(),
            day: about.at.date_naive(),
        };
        AlertMessage::new(about, &said)
    }

    /// The JSON a generic webhook receives, and the form a queued message is kept in.
    pub fn to_json(&self) -> String {
        // A struct of strings, numbers and dates always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Option<AlertMessage> {
        serde_json::from_str(text).ok()
    }

    /// One message per recipient of `rule`.
    pub fn deliveries(&self, rule: &store::AlertRule, kind: AlertKind) -> Vec<store::NewDelivery> {
        let json = self.to_json();
        rule.recipients
            .iter()
            .map(|r| store::NewDelivery {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                kind,
                channel: r.channel(),
                target: match r {
                    Recipient::Email { addresses } => addresses.join(", "),
                    Recipient::Chat { url } | Recipient::Webhook { url, .. } => url.clone(),
                },
                message: json.clone(),
            })
            .collect()
    }

    pub fn subject(&self) -> String {
        let what = match self.event.as_str() {
            "cleared" => "Cleared",
            "notice" => "Notice",
            "test" => "Test",
            _ => "Alert",
        };
        format!("Rampart {what} — {}: {}", self.tenant_name, self.rule_name)
    }

    /// Plain text, for email and chat alike.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.headline);
        out.push_str(&format!(
            "Secure score now: {:.2} of {:.2} points ({:.2} %).\n",
            self.score.current, self.score.max, self.score.percent
        ));
        if !self.actions.is_empty() {
            out.push_str("\nWhat changed:\n");
            for a in &self.actions {
                let why = match (&a.measurement, a.cause.as_str()) {
                    (Some(m), "regression") => format!("regression, {m}"),
                    (None, "regression") => "regression".to_owned(),
                    _ => "status changed".to_owned(),
                };
                out.push_str(&format!(
                    "- {}: {:.2} → {:.2} of {:.2} points ({why})\n",
                    a.title, a.points_before, a.points_after, a.max_points
                ));
            }
        }
        if let Some(url) = &self.history_url {
            out.push_str(&format!("\nHistory of {}: {url}\n", self.day));
        }
        out.push_str(&format!("\nAlert rule “{}” in Rampart.\n", self.rule_name));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use score::Category;

    #[test]
    fn the_text_names_each_action_with_points_measurement_and_the_history_link() {
        let at = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z").expect("a time").with_timezone(&Utc);
        let about = About {
            rule_id: "r1",
            rule_name: "Daily drop",
            tenant_id: "t 1",
            tenant_name: "Contoso",
            current: Points::whole(308),
            max: Points::whole(700),
            base_url: Some("https://rampart.example/"),
            at,
        };
        let said = Said {
            kind: AlertKind::Fired,
            headline: "The secure score of Contoso fell 12.00 points in a day.".into(),
            actions: vec![ActionDrop {
                action_id: "DeviceCompliance".into(),
                title: "Require compliant devices".into(),
                category: Category::Device,
                before: Points::whole(10),
                after: Points(771),
                max: Points::whole(10),
                regression: true,
                measurement: Some("540 of 700 devices".into()),
            }],
            day: at.date_naive(),
        };
        let m = AlertMessage::new(&about, &said);
        assert_eq!(m.subject(), "Rampart Alert — Contoso: Daily drop");
        let text = m.text();
        assert!(
            text.contains(
                "- Require compliant devices: 10.00 → 7.71 of 10.00 points (regression, 540 of 700 devices)"
            ),
            "{text}"
        );
        assert!(text.contains("Secure score now: 308.00 of 700.00 points (44.00 %)."), "{text}");
        assert!(
            text.contains("https://rampart.example/tenants/t%201/history?from=2026-12-03&to=2026-12-03"),
            "{text}"
        );
    }
}
