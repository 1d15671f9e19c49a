//! Why an alert rule is refused: the pages read these back from `?error=code` in the
//! browser build too, so they live apart from the rules themselves.

use crate::refusal::{Refusal, Refusals};

pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("alert_name", "name", "Name: give the rule a name of 1 to 80 characters."),
    Refusal::new("alert_condition", "condition", "Condition: choose one of the conditions listed."),
    Refusal::new(
        "alert_percent",
        "threshold",
        "Threshold: a percentage from 0 to 100, with at most two decimals (for example 50 or 62.5).",
    ),
    Refusal::new(
        "alert_points",
        "threshold",
        "Threshold: a number of points above 0 and at most 100000, with at most two decimals.",
    ),
    Refusal::new("alert_hours", "threshold", "Threshold: a whole number of hours from 1 to 720."),
    Refusal::new("alert_window", "window", "Over: choose a day or 7 days."),
    Refusal::new("alert_zone", "zone", "Zone: choose the okay or the good zone."),
    Refusal::new("alert_action", "action_id", "Action: choose an improvement action of this tenant."),
    Refusal::new("alert_category", "category", "Category: choose one of the five categories."),
    Refusal::new(
        "alert_emails",
        "emails",
        "Email: 1 to 20 email addresses separated by commas, for example sam@contoso.example.",
    ),
    Refusal::new("alert_email_off", "emails", "Email: the operator has not set up email on this server."),
    Refusal::new(
        "alert_chat_url",
        "chat_url",
        "Teams or Slack: an https:// or http:// incoming webhook URL, not a link-local or metadata address.",
    ),
    Refusal::new(
        "alert_webhook_url",
        "webhook_url",
        "Webhook: an https:// or http:// URL, not a link-local or metadata address.",
    ),
    Refusal::new(
        "alert_webhook_secret",
        "webhook_secret",
        "Signing secret: 16 to 200 characters, so the receiver can check each message came from here.",
    ),
    Refusal::new("alert_recipients", "emails", "Recipients: give at least one email address or webhook."),
    Refusal::new("alert_too_many", "name", "Rules: a tenant keeps at most 50 alert rules; delete one first."),
    Refusal::new("alert_unknown", "rule_id", "That alert rule does not exist in this tenant."),
]);
