//! A new alert rule as a form gives it, and the rules it must meet before it is stored:
//! each refusal names its field, and a refused rule writes nothing.

use super::address::{webhook_url, WebhookUrl};
pub use super::form::RuleForm;
use super::refusals::REFUSALS;
use crate::refusal::Refusal;
use crate::share::email_list;
use score::alert::{AlertCondition, Recipient, Window, ZoneStart};
use score::{Category, Percent, Points};
use serde::{Deserialize, Serialize};

/// Longest rule name.
pub const MAX_NAME_CHARS: usize = 80;
/// Most email addresses one rule sends to.
pub const MAX_EMAILS: usize = 20;
/// Most rules one tenant keeps: enough for every condition several times over, few
/// enough that a tenant cannot make the evaluation of its changes expensive.
pub const MAX_RULES_PER_TENANT: usize = 50;
/// Shortest signing secret of a generic webhook.
pub const MIN_SECRET_CHARS: usize = 16;
pub const MAX_SECRET_CHARS: usize = 200;
/// Largest drop or new-action worth, in whole points.
pub const MAX_POINTS: i64 = 100_000;
/// Longest sync outage a rule can wait for: 30 days.
pub const MAX_HOURS: u32 = 720;

/// A rule that met every check, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRule {
    pub name: String,
    pub condition: AlertCondition,
    pub recipients: Vec<Recipient>,
}

/// What the server offers rules (its settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertChannels {
    /// The operator set up SMTP, so rules may email.
    pub email: bool,
    /// Webhooks may point at link-local and private IPv6 addresses (cloud metadata lives
    /// there, so this is off unless the operator says so).
    pub internal_webhooks: bool,
}

/// A decimal with at most two places as hundredths: `62.5` → 6250. Signs, exponents and
/// anything else are refused.
pub fn hundredths(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 9 || frac.len() > 2 || !digits(whole) || !digits(frac) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    Some(whole * 100 + frac)
}

fn percent(s: &str) -> Result<Percent, Refusal> {
    match hundredths(s) {
        Some(v) if v <= 10_000 => Ok(Percent(v)),
        _ => Err(REFUSALS.of("alert_percent")),
    }
}

fn points(s: &str) -> Result<Points, Refusal> {
    match hundredths(s) {
        Some(v) if v > 0 && v <= MAX_POINTS * 100 => Ok(Points(v)),
        _ => Err(REFUSALS.of("alert_points")),
    }
}

fn window(s: &str) -> Result<Window, Refusal> {
    match s.trim() {
        "day" => Ok(Window::Day),
        "week" => Ok(Window::Week),
        _ => Err(REFUSALS.of("alert_window")),
    }
}

fn condition(form: &RuleForm, known_action: &dyn Fn(&str) -> bool) -> Result<AlertCondition, Refusal> {
    let t = form.threshold.as_str();
    Ok(match form.condition.trim() {
        "score_below" => AlertCondition::ScoreBelow { percent: percent(t)? },
        "leaves_zone" => AlertCondition::LeavesZone {
            zone: match form.zone.trim() {
                "okay" => ZoneStart::Okay,
                "good" => ZoneStart::Good,
                _ => return Err(REFUSALS.of("alert_zone")),
            },
        },
        "drops_points" => AlertCondition::DropsByPoints { points: points(t)?, window: window(&form.window)? },
        "drops_percent" => {
            let p = percent(t)?;
            if p.0 == 0 {
                return Err(REFUSALS.of("alert_percent"));
            }
            AlertCondition::DropsByPercent { percent: p, window: window(&form.window)? }
        }
        "action_regresses" => {
            let id = form.action_id.trim();
            if !known_action(id) {
                return Err(REFUSALS.of("alert_action"));
            }
            AlertCondition::ActionRegresses { action_id: id.to_owned() }
        }
        "category_regresses" => AlertCondition::CategoryRegresses {
            category: Category::parse(form.category.trim()).ok_or(REFUSALS.of("alert_category"))?,
        },
        "new_action" => AlertCondition::NewAction { points: points(t)? },
        "sync_failing" => match t.trim().parse::<u32>() {
            Ok(hours) if (1..=MAX_HOURS).contains(&hours) => AlertCondition::SyncFailing { hours },
            _ => return Err(REFUSALS.of("alert_hours")),
        },
        _ => return Err(REFUSALS.of("alert_condition")),
    })
}

fn recipients(form: &RuleForm, channels: AlertChannels) -> Result<Vec<Recipient>, Refusal> {
    let mut out = Vec::new();
    let emails = email_list(&form.emails, MAX_EMAILS).ok_or(REFUSALS.of("alert_emails"))?;
    if !emails.is_empty() {
        if !channels.email {
            return Err(REFUSALS.of("alert_email_off"));
        }
        out.push(Recipient::Email { addresses: emails });
    }
    let chat = form.chat_url.trim();
    if !chat.is_empty() {
        let WebhookUrl(url) =
            webhook_url(chat, channels.internal_webhooks).ok_or(REFUSALS.of("alert_chat_url"))?;
        out.push(Recipient::Chat { url });
    }
    let hook = form.webhook_url.trim();
    if !hook.is_empty() {
        let WebhookUrl(url) =
            webhook_url(hook, channels.internal_webhooks).ok_or(REFUSALS.of("alert_webhook_url"))?;
        // The secret is kept as typed: the receiver signs with the same bytes.
        let secret = form.webhook_secret.as_str();
        let n = secret.chars().count();
        if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&n) || secret.chars().any(char::is_control) {
            return Err(REFUSALS.of("alert_webhook_secret"));
        }
        out.push(Recipient::Webhook { url, secret: secret.to_owned() });
    }
    if out.is_empty() {
        return Err(REFUSALS.of("alert_recipients"));
    }
    Ok(out)
}

/// The rule the form describes, or the first thing wrong with it. `known_action` says
/// whether an action id is one of the tenant's (built-in or custom).
pub fn validate(
    form: &RuleForm,
    channels: AlertChannels,
    known_action: &dyn Fn(&str) -> bool,
) -> Result<NewRule, Refusal> {
    let name = form.name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(REFUSALS.of("alert_name"));
    }
    let condition = condition(form, known_action)?;
    let recipients = recipients(form, channels)?;
    Ok(NewRule { name: name.to_owned(), condition, recipients })
}

/// A condition in words, as the list of rules shows it. `title` names an action by id.
pub fn describe(condition: &AlertCondition, title: &dyn Fn(&str) -> Option<String>) -> String {
    match condition {
        AlertCondition::ScoreBelow { percent } => format!("Score below {percent}"),
        AlertCondition::LeavesZone { zone: ZoneStart::Okay } => "Score leaves the okay zone".to_owned(),
        AlertCondition::LeavesZone { zone: ZoneStart::Good } => "Score leaves the good zone".to_owned(),
        AlertCondition::DropsByPoints { points, window } => {
            format!("Score falls by {} points {}", points.display(), window.words())
        }
        AlertCondition::DropsByPercent { percent, window } => {
            format!("Score falls by {} percentage points {}", percent.as_f64(), window.words())
        }
        AlertCondition::ActionRegresses { action_id } => {
            format!("“{}” regresses", title(action_id).unwrap_or_else(|| action_id.clone()))
        }
        AlertCondition::CategoryRegresses { category } => format!("An action of {category} regresses"),
        AlertCondition::NewAction { points } => {
            format!("A new action worth at least {} points enters the catalog", points.display())
        }
        AlertCondition::SyncFailing { hours } => format!("The Microsoft 365 sync fails for {hours} hours"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: AlertChannels = AlertChannels { email: true, internal_webhooks: false };

    fn form(condition: &str, threshold: &str) -> RuleForm {
        RuleForm {
            name: "Watch".into(),
            condition: condition.into(),
            threshold: threshold.into(),
            window: "day".into(),
            emails: "ciso@contoso.example".into(),
            ..RuleForm::default()
        }
    }

    fn code(f: &RuleForm) -> &'static str {
        validate(f, ALL, &|id| id == "MFA").map(|_| "ok").unwrap_or_else(|r| r.code)
    }

    #[test]
    fn decimals_have_at_most_two_places_and_no_sign() {
        assert_eq!(hundredths("62.5"), Some(6250));
        assert_eq!(hundredths(" 7 "), Some(700));
        assert_eq!(hundredths("0.05"), Some(5));
        for bad in ["", "-1", "+1", "1e3", "1.234", ".5", "1,5", "NaN", "9999999999"] {
            assert_eq!(hundredths(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn thresholds_outside_their_range_are_refused_naming_the_field() {
        assert_eq!(code(&form("score_below", "50")), "ok");
        assert_eq!(code(&form("score_below", "100")), "ok");
        for bad in ["100.01", "101", "-5", "abc", ""] {
            assert_eq!(code(&form("score_below", bad)), "alert_percent", "{bad:?}");
            assert_eq!(REFUSALS.of("alert_percent").field, "threshold");
        }
        assert_eq!(code(&form("drops_percent", "0")), "alert_percent");
        assert_eq!(code(&form("drops_points", "0")), "alert_points");
        assert_eq!(code(&form("drops_points", "100001")), "alert_points");
        assert_eq!(code(&form("sync_failing", "0")), "alert_hours");
        assert_eq!(code(&form("sync_failing", "24")), "ok");
        assert_eq!(code(&form("nope", "1")), "alert_condition");
        let mut week = form("drops_points", "5");
        week.window = "month".into();
        assert_eq!(code(&week), "alert_window");
    }

    #[test]
    fn an_action_must_be_the_tenants_own() {
        let mut f = form("action_regresses", "");
        f.action_id = "MFA".into();
        assert_eq!(code(&f), "ok");
        f.action_id = "Nope".into();
        assert_eq!(code(&f), "alert_action");
        let mut c = form("category_regresses", "");
        c.category = "device".into();
        assert_eq!(code(&c), "ok");
        c.category = "Weather".into();
        assert_eq!(code(&c), "alert_category");
    }

    #[test]
    fn recipients_are_checked_and_at_least_one_is_needed() {
        let mut f = form("score_below", "50");
        f.emails = "not an address".into();
        assert_eq!(code(&f), "alert_emails");
        f.emails = String::new();
        assert_eq!(code(&f), "alert_recipients");
        f.chat_url = "ftp://hooks.example/x".into();
        assert_eq!(code(&f), "alert_chat_url");
        f.chat_url = "http://169.254.169.254/latest".into();
        assert_eq!(code(&f), "alert_chat_url");
        f.chat_url = "https://hooks.slack.com/services/T/B/X".into();
        assert_eq!(code(&f), "ok");
        f.webhook_url = "https://receiver.example/rampart".into();
        f.webhook_secret = "short".into();
        assert_eq!(code(&f), "alert_webhook_secret");
        f.webhook_secret = "a-long-enough-secret".into();
        let rule = validate(&f, ALL, &|_| false).expect("valid");
        assert_eq!(rule.recipients.len(), 2);
        let no_smtp = AlertChannels { email: false, internal_webhooks: false };
        assert_eq!(
            validate(&form("score_below", "50"), no_smtp, &|_| false).map_err(|r| r.code),
            Err("alert_email_off")
        );
    }

    #[test]
    fn names_are_bounded() {
        let mut f = form("score_below", "50");
        f.name = "  ".into();
        assert_eq!(code(&f), "alert_name");
        f.name = "x".repeat(81);
        assert_eq!(code(&f), "alert_name");
        f.name = " Below half ".into();
        assert_eq!(validate(&f, ALL, &|_| false).map(|r| r.name), Ok("Below half".to_owned()));
    }
}
