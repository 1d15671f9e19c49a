//! Portfolio alert rules: one person's rule over every tenant where they hold a role that
//! may change it (the caller decides which roles, `score::roles`), checked per tenant like
//! the tenant's own rules, with its state kept per tenant. A tenant the owner gains later
//! is watched from then on; one they lose is not.

use crate::alerts::{rule_audit, AlertRule};
use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json};
use crate::pool::{on_pool, Begin, SqlStore};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use score::alert::{AlertCondition, Recipient};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioAlertRule {
    pub id: String,
    pub owner_user_id: String,
    pub name: String,
    pub condition: AlertCondition,
    pub recipients: Vec<Recipient>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl PortfolioAlertRule {
    /// The rule as it is checked for one tenant.
    pub fn for_tenant(&self, tenant_id: &str) -> AlertRule {
        AlertRule {
            id: self.id.clone(),
            tenant_id: tenant_id.to_owned(),
            name: self.name.clone(),
            condition: self.condition.clone(),
            recipients: self.recipients.clone(),
            created_by: self.created_by.clone(),
            created_at: self.created_at,
        }
    }
}

#[async_trait]
pub trait PortfolioAlertStore: Send + Sync {
    /// Adds a rule (audited as `alert.portfolio_rule.add`) and marks `tenants` to be checked,
    /// so a condition that already holds alerts at once; Conflict when the owner already
    /// keeps `max`.
    async fn add_portfolio_alert_rule(
        &self,
        rule: &PortfolioAlertRule,
        tenants: &[String],
        max: usize,
    ) -> Result<()>;
    /// Deletes the owner's rule, its states and its messages not yet sent (audited); false
    /// when the owner has no such rule.
    async fn delete_portfolio_alert_rule(
        &self,
        owner_user_id: &str,
        rule_id: &str,
        actor: &str,
    ) -> Result<bool>;
    async fn portfolio_alert_rules(&self, owner_user_id: &str) -> Result<Vec<PortfolioAlertRule>>;
    /// The portfolio rules over one tenant, each with the role its owner holds there.
    async fn portfolio_alert_rules_over(&self, tenant_id: &str) -> Result<Vec<(PortfolioAlertRule, String)>>;
    /// For each of the owner's rules, how many of the owner's tenants it holds firing in
    /// (one query, however many tenants).
    async fn portfolio_alerts_firing(
        &self,
        owner_user_id: &str,
    ) -> Result<std::collections::BTreeMap<String, u32>>;
}

const COLUMNS: &str = "r.id, r.owner_user_id, r.name, r.condition, r.recipients, r.created_by, r.created_at";

type Row = (String, String, String, String, String, String, DateTime<Utc>);

fn rule_of(row: Row) -> Result<PortfolioAlertRule> {
    let (id, owner_user_id, name, condition, recipients, created_by, created_at) = row;
    Ok(PortfolioAlertRule {
        id,
        owner_user_id,
        name,
        condition: from_json(&condition)?,
        recipients: from_json(&recipients)?,
        created_by,
        created_at,
    })
}

#[async_trait]
impl PortfolioAlertStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn add_portfolio_alert_rule(
        &self,
        rule: &PortfolioAlertRule,
        tenants: &[String],
        max: usize,
    ) -> Result<()> {
        let line = AuditLine::new(None, &rule.created_by, "alert.portfolio_rule.add", &rule.name)
            .after(&rule_audit(&rule.name, &rule.condition, &rule.recipients))?;
        let (condition, recipients) = (to_json(&rule.condition)?, to_json(&rule.recipients)?);
        let at = micros(Utc::now());
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM portfolio_alert_rules WHERE owner_user_id = $1")
                .bind(&rule.owner_user_id)
                .fetch_one(&mut *tx)
                .await?;
            if usize::try_from(n).unwrap_or(usize::MAX) >= max {
                return Err(StoreError::Conflict(format!("you already keep {max} portfolio alert rules")));
            }
            sqlx::query(
                "INSERT INTO portfolio_alert_rules (id, owner_user_id, name, condition, recipients, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&rule.id)
            .bind(&rule.owner_user_id)
            .bind(&rule.name)
            .bind(&condition)
            .bind(&recipients)
            .bind(&rule.created_by)
            .bind(micros(rule.created_at))
            .execute(&mut *tx)
            .await?;
            for t in tenants {
                sqlx::query(crate::alerts::MARK_CHANGED).bind(t).bind(at).execute(&mut *tx).await?;
            }
            write_audit!(tx, line)?;
            tx.commit().await?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_portfolio_alert_rule(
        &self,
        owner_user_id: &str,
        rule_id: &str,
        actor: &str,
    ) -> Result<bool> {
        let Some(rule) =
            self.portfolio_alert_rules(owner_user_id).await?.into_iter().find(|r| r.id == rule_id)
        else {
            return Ok(false);
        };
        let line = AuditLine::new(None, actor, "alert.portfolio_rule.delete", &rule.name)
            .before(&rule_audit(&rule.name, &rule.condition, &rule.recipients))?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let gone = sqlx::query("DELETE FROM portfolio_alert_rules WHERE id = $1 AND owner_user_id = $2")
                .bind(rule_id)
                .bind(owner_user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM alert_states WHERE rule_id = $1").bind(rule_id).execute(&mut *tx).await?;
            // Sent and given-up messages stay in each tenant's log; those still waiting go.
            sqlx::query(
                "DELETE FROM alert_deliveries WHERE rule_id = $1 AND sent_at IS NULL AND next_attempt_at IS NOT NULL",
            )
            .bind(rule_id)
            .execute(&mut *tx)
            .await?;
            write_audit!(tx, line)?;
            tx.commit().await?;
        });
        Ok(true)
    }

    async fn portfolio_alerts_firing(
        &self,
        owner_user_id: &str,
    ) -> Result<std::collections::BTreeMap<String, u32>> {
        let rows: Vec<(String, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT s.rule_id, COUNT(*) FROM alert_states s \
             JOIN portfolio_alert_rules r ON r.id = s.rule_id \
             JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = r.owner_user_id \
             WHERE r.owner_user_id = $1 AND s.firing = $2 GROUP BY s.rule_id"
        )
        .bind(owner_user_id)
        .bind(true)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(|(id, n)| Ok((id, crate::codec::to_u32(n, "firing count")?))).collect()
    }

    async fn portfolio_alert_rules(&self, owner_user_id: &str) -> Result<Vec<PortfolioAlertRule>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM portfolio_alert_rules r WHERE r.owner_user_id = $1 ORDER BY r.created_at, r.id"
        );
        let rows: Vec<Row> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(owner_user_id).fetch_all(p).await?);
        rows.into_iter().map(rule_of).collect()
    }

    async fn portfolio_alert_rules_over(&self, tenant_id: &str) -> Result<Vec<(PortfolioAlertRule, String)>> {
        let sql = format!(
            "SELECT {COLUMNS}, m.role FROM portfolio_alert_rules r \
             JOIN memberships m ON m.user_id = r.owner_user_id AND m.tenant_id = $1 ORDER BY r.created_at, r.id"
        );
        let rows: Vec<(String, String, String, String, String, String, DateTime<Utc>, String)> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_all(p).await?);
        rows.into_iter()
            .map(|(a, b, c, d, e, f, g, role)| Ok((rule_of((a, b, c, d, e, f, g))?, role)))
            .collect()
    }
}
