//! Sending one queued alert. A webhook's host is resolved here and every address it
//! resolves to is checked before anything is sent (the rule was checked when saved, but a
//! name can be pointed elsewhere later); the request then goes to the address checked,
//! never to a second lookup.

use super::Alerts;
use app::state::AppState;
use hmac::{Hmac, Mac};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use score::alert::{Channel, Recipient};
use service::alert::address::address_allowed;
use service::alert::AlertMessage;
use sha2::Sha256;
use std::time::Duration;
use store::AlertDelivery;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The header with the signature: `t=<unix seconds>,sha256=<hex>`, the HMAC-SHA256 under
/// the rule's secret of `<unix seconds>.<body>` (the time is signed too, so an old
/// message cannot be replayed as new).
pub const SIGNATURE_HEADER: &str = "X-Rampart-Signature";
pub const EVENT_HEADER: &str = "X-Rampart-Event";

/// Why a message did not go, for the log and Settings (never a URL or a secret).
#[derive(Debug)]
pub struct Failure {
    pub why: String,
    /// Trying again cannot help (the rule is gone, an address is forbidden).
    pub for_good: bool,
}

impl Failure {
    fn later(why: impl Into<String>) -> Failure {
        Failure { why: why.into(), for_good: false }
    }

    fn for_good(why: impl Into<String>) -> Failure {
        Failure { why: why.into(), for_good: true }
    }
}

/// The signature of `body` sent at `unix_seconds` under `secret`, as the header carries it.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={unix_seconds},sha256={hex}")
}

pub async fn send(state: &AppState, alerts: &Alerts, d: &AlertDelivery) -> Result<(), Failure> {
    let message = AlertMessage::from_json(&d.message)
        .ok_or_else(|| Failure::for_good("the queued message does not read back"))?;
    match d.channel {
        Channel::Email => email(alerts, &d.target, &message).await,
        Channel::Chat => {
            let body = serde_json::json!({ "text": message.text() }).to_string();
            post(alerts, &d.target, body.into_bytes(), &[]).await
        }
        Channel::Webhook => {
            let rule = super::evaluate::rules_over(state.store.as_ref(), &d.tenant_id)
                .await
                .map_err(|e| Failure::later(format!("the rule could not be read: {e}")))?
                .into_iter()
                .find(|r| r.id == d.rule_id)
                .ok_or_else(|| Failure::for_good("the rule was deleted"))?;
            let secret = rule
                .recipients
                .iter()
                .find_map(|r| match r {
                    Recipient::Webhook { url, secret } if *url == d.target => Some(secret.clone()),
                    _ => None,
                })
                .ok_or_else(|| Failure::for_good("the rule no longer sends to this webhook"))?;
            let body = d.message.clone().into_bytes();
            let signed = signature(&secret, chrono::Utc::now().timestamp(), &body);
            post(
                alerts,
                &d.target,
                body,
                &[(SIGNATURE_HEADER, signed), (EVENT_HEADER, message.event.clone())],
            )
            .await
        }
    }
}

async fn email(alerts: &Alerts, to: &str, message: &AlertMessage) -> Result<(), Failure> {
    let smtp = alerts.smtp.as_ref().ok_or_else(|| Failure::later("email is not set up on this server"))?;
    let mut builder = Message::builder().from(smtp.from.clone()).subject(message.subject());
    for address in to.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let mailbox: Mailbox =
            address.parse().map_err(|_| Failure::for_good(format!("{address} is not an email address")))?;
        builder = builder.to(mailbox);
    }
    let email = builder
        .header(ContentType::TEXT_PLAIN)
        .body(message.text())
        .map_err(|e| Failure::for_good(format!("the email could not be built: {e}")))?;
    // The URL holds the SMTP password: its errors are not repeated.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|_| Failure::for_good("the SMTP URL does not parse"))?
        .timeout(Some(TIMEOUT))
        .build();
    transport.send(email).await.map_err(|e| Failure::later(format!("SMTP: {e}")))?;
    Ok(())
}

/// Posts `body` as JSON to `url`, at an address checked against the rules of
/// [`address_allowed`].
async fn post(alerts: &Alerts, url: &str, body: Vec<u8>, headers: &[(&str, String)]) -> Result<(), Failure> {
    let parsed = reqwest::Url::parse(url).map_err(|_| Failure::for_good("the webhook URL does not parse"))?;
    let host = parsed.host_str().ok_or_else(|| Failure::for_good("the webhook URL has no host"))?.to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let lookup = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((lookup.as_str(), port))
        .await
        .map_err(|e| Failure::later(format!("the webhook's host does not resolve: {e}")))?
        .collect();
    let internal = alerts.settings.internal_webhooks;
    let Some(first) = addresses.first() else {
        return Err(Failure::later("the webhook's host has no address"));
    };
    if let Some(bad) = addresses.iter().find(|a| !address_allowed(a.ip(), internal)) {
        return Err(Failure::for_good(format!(
            "the webhook's host resolves to {}, a link-local or metadata address",
            bad.ip()
        )));
    }
    let client = reqwest::Client::builder()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        // A redirect would take the message somewhere nobody checked.
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, *first)
        .build()
        .map_err(|e| Failure::later(format!("HTTP client: {e}")))?;
    let mut request =
        client.post(parsed).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    // reqwest's errors name the URL, which for Teams and Slack is the secret.
    let resp = request.send().await.map_err(|e| Failure::later(e.without_url().to_string()))?;
    if !resp.status().is_success() {
        return Err(Failure::later(format!("the webhook answered {}", resp.status())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let a = signature("a-long-enough-secret", 1_764_000_000, b"{}");
        assert!(a.starts_with("t=1764000000,sha256="), "{a}");
        assert_eq!(a.len(), "t=1764000000,sha256=".len() + 64);
        assert_ne!(a, signature("a-long-enough-secret", 1_764_000_001, b"{}"));
        assert_ne!(a, signature("a-long-enough-secret", 1_764_000_000, b"{ }"));
        assert_ne!(a, signature("another-long-secret!", 1_764_000_000, b"{}"));
    }
}
