//! Alert rules, their states and every message they send (SPEC §10).
//!
//! Every write to a tenant marks it changed ([`MARK_CHANGED`], in the write's own
//! transaction), so an alert can never miss a change, whichever way it came in. The alert
//! worker takes the mark once the tenant has been quiet for a moment, checks the tenant's
//! rules, and writes their new states with the messages to send in one transaction — which
//! does not take the tenant's lock, so it marks nothing and cannot wake itself again.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json, to_u32};
use crate::error::other;
use crate::pool::{of_known_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::{Result, Sent, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use score::alert::{AlertCondition, AlertKind, AlertState, Channel, Recipient};
use serde::Serialize;
use std::collections::BTreeMap;

/// Inside every tenant write: the tenant changed (kept as first marked until taken).
pub(crate) const MARK_CHANGED: &str =
    "INSERT INTO alert_checks (tenant_id, changed_at) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING";

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub condition: AlertCondition,
    pub recipients: Vec<Recipient>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A tenant waiting for its rules to be checked, since it changed at `changed_at`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertCheck {
    pub tenant_id: String,
    pub changed_at: DateTime<Utc>,
}

/// A message about to be queued for one recipient of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub rule_id: String,
    pub rule_name: String,
    pub kind: AlertKind,
    pub channel: Channel,
    /// The addresses (comma-separated) or the webhook's URL.
    pub target: String,
    /// The message as JSON, sent as it is: a retry sends the same words.
    pub message: String,
}

/// A message queued, sent, or given up, with how sending it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDelivery {
    pub id: i64,
    pub tenant_id: String,
    pub rule_id: String,
    pub rule_name: String,
    pub kind: AlertKind,
    pub channel: Channel,
    pub target: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub attempts: u32,
    /// When it is tried (again); `None` once sent or given up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl AlertDelivery {
    /// Given up: tried, not sent, and not to be tried again.
    pub fn failed(&self) -> bool {
        self.sent_at.is_none() && self.next_attempt_at.is_none()
    }
}

#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Adds a rule (audited as `alert.rule.add`); Conflict when the tenant already keeps
    /// `max_rules`.
    async fn add_alert_rule(&self, rule: &AlertRule, max_rules: usize) -> Result<()>;
    /// Deletes a rule, its state and its messages not yet sent (audited); false when the
    /// tenant has no such rule.
    async fn delete_alert_rule(&self, tenant_id: &str, rule_id: &str, actor: &str) -> Result<bool>;
    /// The tenant's rules, oldest first.
    async fn alert_rules(&self, tenant_id: &str) -> Result<Vec<AlertRule>>;
    /// The states of the tenant's rules, by rule id.
    async fn alert_states(&self, tenant_id: &str) -> Result<BTreeMap<String, AlertState>>;
    /// Tenants changed no later than `quiet_since`, the longest waiting first.
    async fn due_alert_checks(&self, quiet_since: DateTime<Utc>, limit: u32) -> Result<Vec<AlertCheck>>;
    /// Takes a check for this worker: false when another took it, or the tenant changed
    /// again and was marked anew.
    async fn take_alert_check(&self, check: &AlertCheck) -> Result<bool>;
    /// Marks every tenant with a rule of this kind (`SyncFailing`…) for a check, for
    /// conditions that come true with time rather than with a change.
    async fn mark_alert_checks(&self, condition_kind: &str, at: DateTime<Utc>) -> Result<u32>;
    /// Writes the rules' new states and queues the messages, with an audit line for each
    /// message, all at once. `actor` is who asked (a person for a test, else the server).
    async fn record_alerts(
        &self,
        tenant_id: &str,
        at: DateTime<Utc>,
        actor: &str,
        states: &[(String, AlertState)],
        deliveries: &[NewDelivery],
    ) -> Result<()>;
    /// Messages due at `now` across every tenant, the longest waiting first.
    async fn due_alert_deliveries(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<AlertDelivery>>;
    /// Claims a due message until `until` (another worker then leaves it alone): false when
    /// someone else claimed it first.
    async fn claim_alert_delivery(&self, d: &AlertDelivery, until: DateTime<Utc>) -> Result<bool>;
    /// Records one attempt; a sent message and one given up (no `again_at`) are audited.
    async fn record_alert_delivery(&self, d: &AlertDelivery, at: DateTime<Utc>, sent: Sent<'_>)
        -> Result<()>;
    /// The tenant's latest messages, newest first.
    async fn alert_deliveries(&self, tenant_id: &str, limit: u32) -> Result<Vec<AlertDelivery>>;
    /// One rule of the tenant, if it has it (a delivery reads its webhook's secret).
    async fn alert_rule(&self, tenant_id: &str, rule_id: &str) -> Result<Option<AlertRule>>;
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: String,
    tenant_id: String,
    name: String,
    condition: String,
    recipients: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

impl RuleRow {
    fn into_rule(self) -> Result<AlertRule> {
        Ok(AlertRule {
            condition: from_json(&self.condition)?,
            recipients: from_json(&self.recipients)?,
            id: self.id,
            tenant_id: self.tenant_id,
            name: self.name,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    tenant_id: String,
    rule_id: String,
    rule_name: String,
    kind: String,
    channel: String,
    target: String,
    message: String,
    created_at: DateTime<Utc>,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    sent_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Result<AlertDelivery> {
        let unknown = |what: &str, v: &str| other(format_args!("unknown alert {what} `{v}` in storage"));
        Ok(AlertDelivery {
            kind: AlertKind::parse(&self.kind).ok_or_else(|| unknown("kind", &self.kind))?,
            channel: Channel::parse(&self.channel).ok_or_else(|| unknown("channel", &self.channel))?,
            attempts: to_u32(self.attempts, "alert_deliveries.attempts")?,
            id: self.id,
            tenant_id: self.tenant_id,
            rule_id: self.rule_id,
            rule_name: self.rule_name,
            target: self.target,
            message: self.message,
            created_at: self.created_at,
            next_attempt_at: self.next_attempt_at,
            last_attempt_at: self.last_attempt_at,
            last_error: self.last_error,
            sent_at: self.sent_at,
        })
    }
}

/// What the audit trail shows of a rule: its recipients as a page shows them (webhook
/// URLs and secrets stay out of the trail).
#[derive(Serialize)]
pub(crate) struct RuleAudit<'a> {
    name: &'a str,
    condition: &'a AlertCondition,
    recipients: Vec<String>,
}

impl AlertRule {
    fn audited(&self) -> RuleAudit<'_> {
        rule_audit(&self.name, &self.condition, &self.recipients)
    }
}

/// A rule as the audit trail keeps it: webhooks by host only.
pub(crate) fn rule_audit<'a>(
    name: &'a str,
    condition: &'a AlertCondition,
    recipients: &[Recipient],
) -> RuleAudit<'a> {
    RuleAudit {
        name,
        condition,
        recipients: recipients.iter().map(|r| format!("{}: {}", r.channel().label(), r.shown())).collect(),
    }
}

#[derive(Serialize)]
struct DeliveryAudit<'a> {
    kind: &'static str,
    channel: &'static str,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn shown_target(channel: Channel, target: &str) -> String {
    match channel {
        Channel::Email => Recipient::Email { addresses: vec![target.to_owned()] }.shown(),
        Channel::Chat | Channel::Webhook => Recipient::Chat { url: target.to_owned() }.shown(),
    }
}

const RULE_COLUMNS: &str = "id, tenant_id, name, condition, recipients, created_by, created_at";
const DELIVERY_COLUMNS: &str =
    "id, tenant_id, rule_id, rule_name, kind, channel, target, message, created_at, \
    attempts, next_attempt_at, last_attempt_at, last_error, sent_at";
const COUNT_RULES: &str = "SELECT COUNT(*) FROM alert_rules WHERE tenant_id = $1";
const INSERT_RULE: &str = "INSERT INTO alert_rules (id, tenant_id, name, condition, recipients, created_by, \
    created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const UPSERT_STATE: &str =
    "INSERT INTO alert_states (rule_id, tenant_id, firing, since, baseline, checked_at) \
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (rule_id, tenant_id) DO UPDATE SET firing = excluded.firing, \
    since = excluded.since, baseline = excluded.baseline, checked_at = excluded.checked_at";
const INSERT_DELIVERY: &str = "INSERT INTO alert_deliveries (tenant_id, rule_id, rule_name, kind, channel, \
    target, message, created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8)";
/// A rule's state is written only while the rule exists: a rule deleted while its tenant
/// was being checked leaves no state behind.
const RULE_EXISTS: &str = "SELECT (SELECT COUNT(*) FROM alert_rules WHERE id = $1 AND tenant_id = $2) \
    + (SELECT COUNT(*) FROM portfolio_alert_rules WHERE id = $1)";

#[async_trait]
impl AlertStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn add_alert_rule(&self, rule: &AlertRule, max_rules: usize) -> Result<()> {
        let line = AuditLine::new(Some(&rule.tenant_id), &rule.created_by, "alert.rule.add", &rule.name)
            .after(&rule.audited())?;
        let (condition, recipients) = (to_json(&rule.condition)?, to_json(&rule.recipients)?);
        tenant_write!(self, &rule.tenant_id, |p, tx| {
            let n: i64 = sqlx::query_scalar(COUNT_RULES).bind(&rule.tenant_id).fetch_one(&mut *tx).await?;
            if usize::try_from(n).unwrap_or(usize::MAX) >= max_rules {
                return Err(StoreError::Conflict(format!(
                    "the tenant already keeps {max_rules} alert rules"
                )));
            }
            sqlx::query(INSERT_RULE)
                .bind(&rule.id)
                .bind(&rule.tenant_id)
                .bind(&rule.name)
                .bind(&condition)
                .bind(&recipients)
                .bind(&rule.created_by)
                .bind(micros(rule.created_at))
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, line)?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_alert_rule(&self, tenant_id: &str, rule_id: &str, actor: &str) -> Result<bool> {
        let Some(rule) = self.alert_rule(tenant_id, rule_id).await? else { return Ok(false) };
        let line = AuditLine::new(Some(tenant_id), actor, "alert.rule.delete", &rule.name)
            .before(&rule.audited())?;
        tenant_write!(self, tenant_id, |p, tx| {
            let gone = sqlx::query("DELETE FROM alert_rules WHERE id = $1 AND tenant_id = $2")
                .bind(rule_id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM alert_states WHERE rule_id = $1")
                .bind(rule_id)
                .execute(&mut *tx)
                .await?;
            // Sent and given-up messages stay in the log; those still waiting go with the rule.
            sqlx::query(
                "DELETE FROM alert_deliveries WHERE rule_id = $1 AND tenant_id = $2 AND sent_at IS NULL \
                 AND next_attempt_at IS NOT NULL",
            )
            .bind(rule_id)
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
            write_audit!(tx, line)?;
        });
        Ok(true)
    }

    async fn alert_rules(&self, tenant_id: &str) -> Result<Vec<AlertRule>> {
        let sql =
            format!("SELECT {RULE_COLUMNS} FROM alert_rules WHERE tenant_id = $1 ORDER BY created_at, id");
        let rows: Vec<RuleRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_all(p).await?);
        of_known_tenant(self, tenant_id, rows).await?.into_iter().map(RuleRow::into_rule).collect()
    }

    async fn alert_rule(&self, tenant_id: &str, rule_id: &str) -> Result<Option<AlertRule>> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM alert_rules WHERE tenant_id = $1 AND id = $2");
        let row: Option<RuleRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).bind(rule_id).fetch_optional(p).await?);
        row.map(RuleRow::into_rule).transpose()
    }

    async fn alert_states(&self, tenant_id: &str) -> Result<BTreeMap<String, AlertState>> {
        let rows: Vec<(String, bool, Option<DateTime<Utc>>, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT rule_id, firing, since, baseline FROM alert_states WHERE tenant_id = $1"
        )
        .bind(tenant_id)
        .fetch_all(p)
        .await?);
        rows.into_iter()
            .map(|(id, firing, since, baseline)| {
                Ok((id, AlertState { firing, since, baseline: from_json(&baseline)? }))
            })
            .collect()
    }

    async fn due_alert_checks(&self, quiet_since: DateTime<Utc>, limit: u32) -> Result<Vec<AlertCheck>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT tenant_id, changed_at FROM alert_checks WHERE changed_at <= $1 ORDER BY changed_at, tenant_id LIMIT $2"
        )
        .bind(micros(quiet_since))
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?))
    }

    async fn take_alert_check(&self, check: &AlertCheck) -> Result<bool> {
        let taken = on_pool!(self, p => sqlx::query("DELETE FROM alert_checks WHERE tenant_id = $1 AND changed_at = $2")
            .bind(&check.tenant_id)
            .bind(micros(check.changed_at))
            .execute(p)
            .await?
            .rows_affected());
        Ok(taken == 1)
    }

    async fn mark_alert_checks(&self, condition_kind: &str, at: DateTime<Utc>) -> Result<u32> {
        // The condition is JSON the server wrote, tagged `"kind":"…"`. SQLite would read the
        // ON after a bare subquery as a join: the `WHERE true` ends the SELECT first.
        let pattern = format!("%\"kind\":\"{condition_kind}\"%");
        let n = on_pool!(self, p => sqlx::query(
            "INSERT INTO alert_checks (tenant_id, changed_at) SELECT DISTINCT tenant_id, $2 FROM ( \
             SELECT tenant_id FROM alert_rules WHERE condition LIKE $1 \
             UNION SELECT m.tenant_id FROM portfolio_alert_rules r JOIN memberships m ON m.user_id = r.owner_user_id \
             WHERE r.condition LIKE $1) AS watched WHERE true ON CONFLICT (tenant_id) DO NOTHING"
        )
        .bind(pattern)
        .bind(micros(at))
        .execute(p)
        .await?
        .rows_affected());
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    #[tracing::instrument(skip_all, err)]
    async fn record_alerts(
        &self,
        tenant_id: &str,
        at: DateTime<Utc>,
        actor: &str,
        states: &[(String, AlertState)],
        deliveries: &[NewDelivery],
    ) -> Result<()> {
        let at = micros(at);
        let mut lines = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            let audit = DeliveryAudit {
                kind: d.kind.as_str(),
                channel: d.channel.as_str(),
                to: shown_target(d.channel, &d.target),
                error: None,
            };
            lines.push(AuditLine::new(Some(tenant_id), actor, "alert.queued", &d.rule_name).after(&audit)?);
        }
        let baselines: Vec<String> =
            states.iter().map(|(_, s)| to_json(&s.baseline)).collect::<Result<_>>()?;
        on_pool!(self, p => {
            // Not the tenant's lock: this write must not mark the tenant changed again.
            let mut tx = p.begin_write().await?;
            for ((rule_id, state), baseline) in states.iter().zip(&baselines) {
                let exists: i64 =
                    sqlx::query_scalar(RULE_EXISTS).bind(rule_id).bind(tenant_id).fetch_one(&mut *tx).await?;
                if exists == 0 {
                    continue;
                }
                sqlx::query(UPSERT_STATE)
                    .bind(rule_id)
                    .bind(tenant_id)
                    .bind(state.firing)
                    .bind(state.since.map(micros))
                    .bind(baseline)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            for (d, line) in deliveries.iter().zip(lines) {
                sqlx::query(INSERT_DELIVERY)
                    .bind(tenant_id)
                    .bind(&d.rule_id)
                    .bind(&d.rule_name)
                    .bind(d.kind.as_str())
                    .bind(d.channel.as_str())
                    .bind(&d.target)
                    .bind(&d.message)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                write_audit!(tx, line)?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn due_alert_deliveries(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<AlertDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE next_attempt_at IS NOT NULL \
             AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        );
        let rows: Vec<DeliveryRow> = on_pool!(self, p => sqlx::query_as(&sql).bind(micros(now)).bind(i64::from(limit)).fetch_all(p).await?);
        rows.into_iter().map(DeliveryRow::into_delivery).collect()
    }

    async fn claim_alert_delivery(&self, d: &AlertDelivery, until: DateTime<Utc>) -> Result<bool> {
        let Some(due) = d.next_attempt_at else { return Ok(false) };
        let n = on_pool!(self, p => sqlx::query(
            "UPDATE alert_deliveries SET next_attempt_at = $3 WHERE id = $1 AND next_attempt_at = $2"
        )
        .bind(d.id)
        .bind(micros(due))
        .bind(micros(until))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    #[tracing::instrument(skip_all, err)]
    async fn record_alert_delivery(
        &self,
        d: &AlertDelivery,
        at: DateTime<Utc>,
        sent: Sent<'_>,
    ) -> Result<()> {
        let at = micros(at);
        let audited = |kind: &'static str, error: Option<&str>| {
            let audit = DeliveryAudit {
                kind: d.kind.as_str(),
                channel: d.channel.as_str(),
                to: shown_target(d.channel, &d.target),
                error,
            };
            AuditLine::new(Some(&d.tenant_id), "rampart", kind, &d.rule_name).after(&audit)
        };
        let line = match sent {
            Sent::Yes => Some(audited("alert.sent", None)?),
            Sent::No { why, again_at: None } => Some(audited("alert.failed", Some(why))?),
            Sent::No { again_at: Some(_), .. } => None,
        };
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            match sent {
                Sent::Yes => sqlx::query(
                    "UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = $2, sent_at = $2, \
                     next_attempt_at = NULL, last_error = NULL WHERE id = $1",
                )
                .bind(d.id)
                .bind(at)
                .execute(&mut *tx)
                .await?,
                Sent::No { why, again_at } => sqlx::query(
                    "UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = $2, last_error = $3, \
                     next_attempt_at = $4 WHERE id = $1",
                )
                .bind(d.id)
                .bind(at)
                .bind(why)
                .bind(again_at.map(micros))
                .execute(&mut *tx)
                .await?,
            };
            if let Some(line) = line {
                write_audit!(tx, line)?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn alert_deliveries(&self, tenant_id: &str, limit: u32) -> Result<Vec<AlertDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<DeliveryRow> = on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).bind(i64::from(limit)).fetch_all(p).await?);
        rows.into_iter().map(DeliveryRow::into_delivery).collect()
    }
}
