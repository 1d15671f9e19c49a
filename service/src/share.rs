//! Sharing an improvement action: the targets an operator can configure, what a share
//! may carry, the link it sends, and the words for each outcome. The server delivers it.

use crate::refusal::{Refusal, Refusals};
use crate::url::encode;
use serde::{Deserialize, Serialize};

/// Longest message a sharer may add.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// Most email recipients in one share.
pub const MAX_RECIPIENTS: usize = 20;

/// Which targets the operator configured (the server's environment decides).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTargets {
    pub email: bool,
    pub webhook: bool,
    pub servicenow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareTarget {
    Email,
    Webhook,
    ServiceNow,
}

impl ShareTarget {
    pub const ALL: [ShareTarget; 3] = [ShareTarget::Email, ShareTarget::Webhook, ShareTarget::ServiceNow];

    pub fn parse(s: &str) -> Option<ShareTarget> {
        ShareTarget::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The form value, the audit trail's word and the suffix of result codes.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareTarget::Email => "email",
            ShareTarget::Webhook => "webhook",
            ShareTarget::ServiceNow => "servicenow",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ShareTarget::Email => "Email",
            ShareTarget::Webhook => "Teams/Slack webhook",
            ShareTarget::ServiceNow => "ServiceNow change ticket",
        }
    }

    pub fn configured(self, targets: ShareTargets) -> bool {
        match self {
            ShareTarget::Email => targets.email,
            ShareTarget::Webhook => targets.webhook,
            ShareTarget::ServiceNow => targets.servicenow,
        }
    }
}

/// A share as the form sends it, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShareInput {
    pub target: String,
    pub to: String,
    pub message: String,
    pub back: Option<String>,
}

/// A checked share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidShare {
    pub target: ShareTarget,
    /// Email recipients, lower-cased; empty for the other targets.
    pub to: Vec<String>,
    pub message: String,
}

/// A plain email address: one `@`, a local part of 1–64 characters, a domain of dot-separated
/// labels (letters, digits, hyphens); nothing that could start a second header or address.
pub fn is_email_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    let local_ok = (1..=64).contains(&local.len())
        && local.bytes().all(|c| c.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = s.len() <= 254
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    local_ok && domain_ok
}

/// The addresses typed into one field (commas, semicolons or line breaks between them),
/// lower-cased; `None` when one is not an address or there are more than `max`. Text with
/// no address in it is an empty list.
pub fn email_list(text: &str, max: usize) -> Option<Vec<String>> {
    let list: Vec<String> = text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    (list.len() <= max && list.iter().all(|a| is_email_address(a))).then_some(list)
}

/// Checks a share; `Err` is the result code for the URL (`share_<field>`).
pub fn validate_share(input: &ShareInput, targets: ShareTargets) -> Result<ValidShare, &'static str> {
    let target = ShareTarget::parse(input.target.trim()).ok_or("share_target")?;
    if !target.configured(targets) {
        return Err("share_target_off");
    }
    let to = if target == ShareTarget::Email {
        match email_list(&input.to, MAX_RECIPIENTS) {
            Some(to) if !to.is_empty() => to,
            _ => return Err("share_to"),
        }
    } else {
        Vec::new()
    };
    let message = input.message.replace("\r\n", "\n");
    if message.chars().count() > MAX_MESSAGE_CHARS || message.chars().any(|c| c.is_control() && c != '\n') {
        return Err("share_message");
    }
    Ok(ValidShare { target, to, message: message.trim().to_owned() })
}

/// The address of an action's own page under `base` (the public URL, or empty for a
/// link relative to this server).
pub fn action_link(base: &str, tenant_id: &str, action_id: &str) -> String {
    format!("{base}/tenants/{tenant_id}/actions/{}", encode(action_id))
}

/// Why a share was refused or failed; the page keeps what was typed.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new(
        "share_target",
        "target",
        "Share target: choose Email, Teams/Slack webhook or ServiceNow change ticket.",
    ),
    Refusal::new(
        "share_target_off",
        "target",
        "Share target: this target is not configured by the operator.",
    ),
    Refusal::new(
        "share_to",
        "to",
        "To: enter 1–20 email addresses separated by commas, for example sam@contoso.example.",
    ),
    Refusal::new(
        "share_message",
        "message",
        "Message: at most 2,000 characters, without control characters other than line breaks.",
    ),
    Refusal::new(
        "share_failed_email",
        "target",
        "Email: the mail server could not be reached or refused the message; nothing was sent. \
         Your text is kept below; try again later.",
    ),
    Refusal::new(
        "share_failed_webhook",
        "target",
        "Teams/Slack webhook: the webhook could not be reached or refused the message; nothing was \
         posted. Your text is kept below; try again later.",
    ),
    Refusal::new(
        "share_failed_servicenow",
        "target",
        "ServiceNow did not answer or refused the request; no ticket was created. Your text is kept \
         below; try again later.",
    ),
    Refusal::new(
        "share_no_public_url",
        "target",
        "Share: the operator has not set this server's public address (RAMPART_PUBLIC_URL), \
         so no link to this action can be sent; nothing was sent.",
    ),
    Refusal::new(
        "share_rate_limited",
        "target",
        "Share: you have shared as often as the operator allows in an hour; nothing was sent. \
         Your text is kept below; try again later.",
    ),
]);

/// The message for a share refusal's code.
pub fn error_message(code: &str) -> &'static str {
    REFUSALS.get(code).map_or("The share was refused.", |r| r.message)
}

/// The message for `?done=…` after a share went through.
pub fn done_message(code: &str) -> Option<&'static str> {
    match code {
        "shared_email" => Some("Shared by email."),
        "shared_webhook" => Some("Shared to the Teams/Slack channel."),
        "shared_servicenow" => Some("ServiceNow change ticket created; it is listed under Share."),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: ShareTargets = ShareTargets { email: true, webhook: true, servicenow: true };

    fn input(target: &str, to: &str, message: &str) -> ShareInput {
        ShareInput { target: target.into(), to: to.into(), message: message.into(), back: None }
    }

    #[test]
    fn targets_must_be_known_and_configured() {
        assert_eq!(validate_share(&input("fax", "", ""), ALL), Err("share_target"));
        assert_eq!(validate_share(&input("", "", ""), ALL), Err("share_target"));
        let none = ShareTargets::default();
        assert_eq!(validate_share(&input("webhook", "", ""), none), Err("share_target_off"));
        let v = validate_share(&input("servicenow", "ignored", " hi "), ALL).expect("valid");
        assert_eq!((v.target, v.to, v.message), (ShareTarget::ServiceNow, vec![], "hi".to_owned()));
    }

    #[test]
    fn email_needs_one_to_twenty_plain_addresses() {
        let v = validate_share(&input("email", " Sam@Contoso.example, kim@contoso.example ,", ""), ALL);
        assert_eq!(v.map(|v| v.to), Ok(vec!["sam@contoso.example".into(), "kim@contoso.example".into()]));
        for bad in [
            "",
            " , ",
            "not-an-email",
            "a@b",
            "a@@b.example",
            "a b@c.example",
            "a@c.example\r\nBcc: x@y.example",
            "<a@b.example>",
            "a@-b.example",
            ".a@b.example",
        ] {
            assert_eq!(validate_share(&input("email", bad, ""), ALL), Err("share_to"), "{bad:?}");
        }
        let many: Vec<String> = (0..21).map(|i| format!("p{i}@contoso.example")).collect();
        assert_eq!(validate_share(&input("email", &many.join(","), ""), ALL), Err("share_to"));
        assert!(validate_share(&input("email", &many[..20].join(","), ""), ALL).is_ok());
    }

    #[test]
    fn messages_are_bounded_and_keep_only_line_breaks() {
        let ok = "é".repeat(MAX_MESSAGE_CHARS);
        assert!(validate_share(&input("webhook", "", &ok), ALL).is_ok());
        let long = "x".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(validate_share(&input("webhook", "", &long), ALL), Err("share_message"));
        assert_eq!(validate_share(&input("webhook", "", "tab\there"), ALL), Err("share_message"));
        let v = validate_share(&input("webhook", "", "one\r\ntwo"), ALL).map(|v| v.message);
        assert_eq!(v, Ok("one\ntwo".to_owned()));
    }

    #[test]
    fn every_code_has_a_message_naming_its_field() {
        for (code, field) in [
            ("share_target", "Share target"),
            ("share_target_off", "not configured by the operator"),
            ("share_to", "To:"),
            ("share_message", "Message:"),
            ("share_failed_servicenow", "no ticket was created"),
            ("share_failed_email", "nothing was sent"),
        ] {
            assert!(error_message(code).contains(field), "{code}");
        }
    }
}
