//! Sending a share: email over SMTP, a Teams/Slack incoming webhook, a ServiceNow change
//! ticket. Each fails with a detail for the log only; callers show a safe message.

use super::config::{ServiceNow, Smtp};
use super::message::ShareContent;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use std::time::Duration;

/// How long any target may take to connect and answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a share did not go through, for the log. Never holds a password or a webhook URL.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DeliveryError(String);

fn client() -> Result<reqwest::Client, DeliveryError> {
    reqwest::Client::builder()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        // A redirect would send the message (and ServiceNow's credentials) somewhere the
        // operator did not name; it counts as a failure instead.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| DeliveryError(format!("HTTP client: {e}")))
}

/// reqwest's errors name the URL, and a webhook's URL is its secret: the URL is dropped,
/// the causes (connection refused, timed out) are kept for the log.
fn http_error(e: reqwest::Error) -> DeliveryError {
    let e = e.without_url();
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    DeliveryError(detail)
}

pub async fn send_email(smtp: &Smtp, to: &[String], content: &ShareContent) -> Result<(), DeliveryError> {
    let mut builder = Message::builder().from(smtp.from.clone()).subject(content.subject());
    for address in to {
        let mailbox: Mailbox =
            address.parse().map_err(|e| DeliveryError(format!("recipient {address}: {e}")))?;
        builder = builder.to(mailbox);
    }
    let email = builder
        .header(ContentType::TEXT_PLAIN)
        .body(content.body())
        .map_err(|e| DeliveryError(format!("building the email: {e}")))?;
    // Checked at startup; the URL holds the SMTP password, so its errors are not logged.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|_| DeliveryError("the SMTP URL does not parse".into()))?
        .timeout(Some(TIMEOUT))
        .build();
    transport.send(email).await.map_err(|e| DeliveryError(format!("SMTP: {e}")))?;
    Ok(())
}

/// One JSON body both Teams and Slack incoming webhooks accept.
pub async fn post_webhook(url: &str, content: &ShareContent) -> Result<(), DeliveryError> {
    let body = serde_json::json!({ "text": content.webhook_text() });
    let resp = client()?.post(url).json(&body).send().await.map_err(http_error)?;
    if !resp.status().is_success() {
        return Err(DeliveryError(format!("the webhook answered {}", resp.status())));
    }
    Ok(())
}

#[derive(Deserialize)]
struct TableReply {
    result: CreatedRecord,
}

#[derive(Deserialize)]
struct CreatedRecord {
    number: String,
    sys_id: String,
}

/// A ticket opened in ServiceNow: its number and the link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTicket {
    pub number: String,
    pub url: String,
}

/// `POST {instance}/api/now/table/change_request` with basic auth.
pub async fn create_change_request(
    sn: &ServiceNow,
    content: &ShareContent,
) -> Result<CreatedTicket, DeliveryError> {
    let body = serde_json::json!({
        "short_description": content.subject(),
        "description": content.body(),
    });
    let resp = client()?
        .post(format!("{}/api/now/table/change_request", sn.url))
        .basic_auth(&sn.user, Some(&sn.password))
        .header(reqwest::header::ACCEPT, "application/json")
        .json(&body)
        .send()
        .await
        .map_err(http_error)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(DeliveryError(format!("ServiceNow answered {status}")));
    }
    let bytes = resp.bytes().await.map_err(http_error)?;
    let reply: TableReply = serde_json::from_slice(&bytes).map_err(|e| {
        DeliveryError(format!("ServiceNow's answer has no result.number and result.sys_id: {e}"))
    })?;
    let CreatedRecord { number, sys_id } = reply.result;
    // Both end up in a link and on a page: accept only what ServiceNow's values look like.
    let plain = |s: &str, max: usize| {
        (1..=max).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    if !plain(&number, 40) || !plain(&sys_id, 64) {
        return Err(DeliveryError(
            "ServiceNow answered a ticket number or sys_id of an unexpected shape".into(),
        ));
    }
    let url = format!("{}/nav_to.do?uri=change_request.do?sys_id={sys_id}", sn.url);
    Ok(CreatedTicket { number, url })
}
