//! The alert worker (SPEC §10): checks the rules of every tenant that changed, once it has
//! been quiet for a moment (so a batch of changes makes one alert), and sends what they
//! say — email through the operator's SMTP server, Teams/Slack incoming webhooks, and
//! generic webhooks signed with HMAC-SHA256 — trying a failed message again with a
//! doubling wait until it goes or is given up, which the log, the audit trail and Settings
//! all show.

pub mod deliver;
pub mod evaluate;

use crate::share::config::Smtp;
use app::state::AppState;
use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// How the worker paces itself; the defaults suit a server, tests shorten them.
#[derive(Debug, Clone)]
pub struct AlertSettings {
    /// How long a tenant must be quiet after a change before its rules are checked.
    pub quiet: Duration,
    /// How often the worker looks for work.
    pub every: std::time::Duration,
    /// The wait after a first failed delivery; it doubles with each failure.
    pub first_retry: Duration,
    /// The longest wait between two attempts.
    pub longest_retry: Duration,
    /// Attempts before a message is given up (and audited as failed).
    pub attempts: u32,
    /// Webhooks may point at link-local and private IPv6 addresses.
    pub internal_webhooks: bool,
    /// How often conditions that come true with time (a sync failing for N hours) are
    /// looked at without a change.
    pub sweep_every: Duration,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            quiet: Duration::seconds(20),
            every: std::time::Duration::from_secs(5),
            first_retry: Duration::minutes(1),
            longest_retry: Duration::hours(6),
            // 1 + 2 + 4 … minutes, then six-hourly: about two days of trying.
            attempts: 16,
            internal_webhooks: false,
            sweep_every: Duration::minutes(30),
        }
    }
}

/// The worker's settings and senders.
pub struct Alerts {
    pub settings: AlertSettings,
    pub smtp: Option<Smtp>,
    last_sweep: Mutex<Option<DateTime<Utc>>>,
}

impl Alerts {
    pub fn new(settings: AlertSettings, smtp: Option<Smtp>) -> Alerts {
        Alerts { settings, smtp, last_sweep: Mutex::new(None) }
    }

    /// What pages may offer rules.
    pub fn channels(&self) -> service::alert::AlertChannels {
        service::alert::AlertChannels {
            email: self.smtp.is_some(),
            internal_webhooks: self.settings.internal_webhooks,
        }
    }

    /// When the next attempt after `failures` failed ones is due; `None`: give up.
    pub fn again_at(&self, failures: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if failures >= self.settings.attempts {
            return None;
        }
        let doubled = self.settings.first_retry * 2_i32.saturating_pow(failures.saturating_sub(1).min(20));
        Some(now + doubled.min(self.settings.longest_retry))
    }

    fn sweep_due(&self, now: DateTime<Utc>) -> bool {
        let mut last = self.last_sweep.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_some_and(|l| now - l < self.settings.sweep_every) {
            return false;
        }
        *last = Some(now);
        true
    }
}

/// What one round of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub tenants_checked: u32,
    pub queued: u32,
    pub sent: u32,
    pub failed: u32,
}

/// Tenants checked, and messages sent, in one round at most (the rest wait for the next).
const PER_ROUND: u32 = 200;

/// One round: checks the tenants that are due, then sends the messages that are due.
pub async fn round(state: &AppState, alerts: &Alerts, now: DateTime<Utc>) -> store::Result<Round> {
    let store = state.store.as_ref();
    let mut done = Round::default();
    if alerts.sweep_due(now) {
        store.mark_alert_checks("SyncFailing", now).await?;
    }
    for check in store.due_alert_checks(now - alerts.settings.quiet, PER_ROUND).await? {
        if !store.take_alert_check(&check).await? {
            continue;
        }
        match evaluate::check_tenant(state, &check.tenant_id, now).await {
            Ok(n) => {
                done.tenants_checked += 1;
                done.queued += n;
            }
            // The tenant is checked again after its next change or sweep; a store that
            // fails here fails the same way for everything else and is logged there too.
            Err(e) => {
                tracing::error!(tenant = %check.tenant_id, error = %e, "alert rules could not be checked")
            }
        }
    }
    for d in store.due_alert_deliveries(now, PER_ROUND).await? {
        // Claimed for a while longer than a delivery can take, so a second server leaves it.
        if !store.claim_alert_delivery(&d, now + Duration::minutes(2)).await? {
            continue;
        }
        match deliver::send(state, alerts, &d).await {
            Ok(()) => {
                store.record_alert_delivery(&d, Utc::now(), store::Sent::Yes).await?;
                metrics::counter!(DELIVERIES, "channel" => d.channel.as_str(), "outcome" => "sent")
                    .increment(1);
                tracing::info!(tenant = %d.tenant_id, rule = %d.rule_name, channel = d.channel.as_str(), kind = d.kind.as_str(), "alert sent");
                done.sent += 1;
            }
            Err(failure) => {
                let again_at =
                    if failure.for_good { None } else { alerts.again_at(d.attempts + 1, Utc::now()) };
                let sent = store::Sent::No { why: &failure.why, again_at };
                store.record_alert_delivery(&d, Utc::now(), sent).await?;
                let outcome = if again_at.is_none() { "given_up" } else { "failed" };
                metrics::counter!(DELIVERIES, "channel" => d.channel.as_str(), "outcome" => outcome)
                    .increment(1);
                if again_at.is_none() {
                    tracing::error!(tenant = %d.tenant_id, rule = %d.rule_name, channel = d.channel.as_str(), why = %failure.why, "alert given up");
                } else {
                    tracing::warn!(tenant = %d.tenant_id, rule = %d.rule_name, channel = d.channel.as_str(), why = %failure.why, "alert not delivered; will try again");
                }
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

const DELIVERIES: &str = "rampart_alert_deliveries_total";

/// What `/metrics` says of alerts.
pub fn describe_metrics() {
    metrics::describe_counter!(
        DELIVERIES,
        "Attempts to deliver an alert, by channel and outcome (sent, failed and kept to retry, given_up)."
    );
}

/// Runs rounds for as long as the server does.
pub async fn run(state: AppState, alerts: std::sync::Arc<Alerts>) {
    loop {
        tokio::time::sleep(alerts.settings.every).await;
        if let Err(e) = round(&state, &alerts, Utc::now()).await {
            tracing::error!(error = %e, "the alert worker could not read its work; trying again shortly");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_to_its_longest_then_the_message_is_given_up() {
        let alerts = Alerts::new(AlertSettings::default(), None);
        let now = Utc::now();
        let minutes = |n| alerts.again_at(n, now).map(|t| (t - now).num_minutes());
        assert_eq!([minutes(1), minutes(2), minutes(3)], [Some(1), Some(2), Some(4)]);
        assert_eq!(minutes(12), Some(360));
        assert_eq!(minutes(16), None);
    }
}
