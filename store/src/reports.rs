//! Scheduled reports (SPEC §10): who gets a tenant's report, how often, and which period
//! went out last. A period is claimed before it is sent, so with several servers on one
//! database each report goes out once.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json, to_u32};
use crate::pool::{lock_tenant, of_known_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::{Result, Sent, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use score::report::Cadence;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSchedule {
    pub id: String,
    /// The tenant reported on; `None` for a portfolio report of everything its creator may
    /// change.
    pub tenant_id: Option<String>,
    pub cadence: Cadence,
    pub recipients: Vec<String>,
    /// Who set it up: their email for the audit trail, their id because the report's
    /// comparisons leave out the tenants they hold (SPEC §4), as their own page would.
    pub created_by: String,
    pub created_by_user: String,
    pub created_at: DateTime<Utc>,
    /// The last day of the latest period sent.
    pub last_period_end: Option<NaiveDate>,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Adds a schedule (audited as `report.schedule.add`); Conflict when the tenant already
    /// keeps `max`.
    async fn add_report_schedule(&self, s: &ReportSchedule, max: usize) -> Result<()>;
    /// Deletes one (audited); false when the tenant has no such schedule.
    async fn delete_report_schedule(&self, tenant_id: &str, id: &str, actor: &str) -> Result<bool>;
    async fn report_schedules(&self, tenant_id: &str) -> Result<Vec<ReportSchedule>>;
    /// The portfolio reports one person set up.
    async fn portfolio_report_schedules(&self, user_id: &str) -> Result<Vec<ReportSchedule>>;
    /// Deletes one of the person's portfolio reports (audited); false when they have no such one.
    async fn delete_portfolio_report_schedule(&self, user_id: &str, id: &str, actor: &str) -> Result<bool>;
    /// Every tenant's schedules, for the job that sends them.
    async fn every_report_schedule(&self) -> Result<Vec<ReportSchedule>>;
    /// Takes the period ending `period_end` to send, until `until`: false when it was sent
    /// already, or another server holds it, or a failed send is still waiting.
    async fn claim_report(
        &self,
        s: &ReportSchedule,
        period_end: NaiveDate,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// How sending the period went (audited as `report.sent`, or `report.failed` with why).
    async fn record_report(&self, s: &ReportSchedule, period_end: NaiveDate, sent: Sent<'_>) -> Result<()>;
}

const COLUMNS: &str = "id, tenant_id, cadence, recipients, created_by, created_by_user, created_at, \
    last_period_end, attempts, next_attempt_at, last_error";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    tenant_id: Option<String>,
    cadence: String,
    recipients: String,
    created_by: String,
    created_by_user: String,
    created_at: DateTime<Utc>,
    last_period_end: Option<NaiveDate>,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl Row {
    fn into_schedule(self) -> Result<ReportSchedule> {
        Ok(ReportSchedule {
            cadence: Cadence::parse(&self.cadence)
                .ok_or_else(|| StoreError::Other(format!("unknown report cadence {}", self.cadence)))?,
            recipients: from_json(&self.recipients)?,
            attempts: to_u32(self.attempts, "attempts")?,
            id: self.id,
            tenant_id: self.tenant_id,
            created_by: self.created_by,
            created_by_user: self.created_by_user,
            created_at: self.created_at,
            last_period_end: self.last_period_end,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
        })
    }
}

#[derive(Serialize)]
struct Audited<'a> {
    cadence: &'static str,
    to: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    period_end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl ReportSchedule {
    fn audited<'a>(&'a self, period_end: Option<NaiveDate>, error: Option<&'a str>) -> Audited<'a> {
        Audited { cadence: self.cadence.as_str(), to: &self.recipients, period_end, error }
    }
}

#[async_trait]
impl ReportStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn add_report_schedule(&self, s: &ReportSchedule, max: usize) -> Result<()> {
        let line =
            AuditLine::new(s.tenant_id.as_deref(), &s.created_by, "report.schedule.add", s.cadence.as_str())
                .after(&s.audited(None, None))?;
        let recipients = to_json(&s.recipients)?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // A tenant's schedule is a write to the tenant; a portfolio's belongs to a person.
            let n: i64 = match &s.tenant_id {
                Some(tenant_id) => {
                    lock_tenant!(p, tx, tenant_id);
                    sqlx::query_scalar("SELECT COUNT(*) FROM report_schedules WHERE tenant_id = $1")
                        .bind(tenant_id)
                        .fetch_one(&mut *tx)
                        .await?
                }
                None => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM report_schedules WHERE tenant_id IS NULL AND created_by_user = $1",
                )
                .bind(&s.created_by_user)
                .fetch_one(&mut *tx)
                .await?,
            };
            if usize::try_from(n).unwrap_or(usize::MAX) >= max {
                return Err(StoreError::Conflict(format!("there are already {max} scheduled reports here")));
            }
            sqlx::query(
                "INSERT INTO report_schedules (id, tenant_id, cadence, recipients, created_by, created_by_user, \
                 created_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
            )
            .bind(&s.id)
            .bind(&s.tenant_id)
            .bind(s.cadence.as_str())
            .bind(&recipients)
            .bind(&s.created_by)
            .bind(&s.created_by_user)
            .bind(micros(s.created_at))
            .execute(&mut *tx)
            .await?;
            write_audit!(tx, line)?;
            tx.commit().await?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_portfolio_report_schedule(&self, user_id: &str, id: &str, actor: &str) -> Result<bool> {
        let Some(s) = self.portfolio_report_schedules(user_id).await?.into_iter().find(|s| s.id == id) else {
            return Ok(false);
        };
        let line = AuditLine::new(None, actor, "report.schedule.delete", s.cadence.as_str())
            .before(&s.audited(None, None))?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let gone = sqlx::query(
                "DELETE FROM report_schedules WHERE id = $1 AND tenant_id IS NULL AND created_by_user = $2",
            )
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if gone == 0 {
                return Ok(false);
            }
            write_audit!(tx, line)?;
            tx.commit().await?;
        });
        Ok(true)
    }

    async fn portfolio_report_schedules(&self, user_id: &str) -> Result<Vec<ReportSchedule>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM report_schedules WHERE tenant_id IS NULL AND created_by_user = $1 \
             ORDER BY created_at, id"
        );
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(&sql).bind(user_id).fetch_all(p).await?);
        rows.into_iter().map(Row::into_schedule).collect()
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_report_schedule(&self, tenant_id: &str, id: &str, actor: &str) -> Result<bool> {
        let Some(s) = self.report_schedules(tenant_id).await?.into_iter().find(|s| s.id == id) else {
            return Ok(false);
        };
        let line = AuditLine::new(Some(tenant_id), actor, "report.schedule.delete", s.cadence.as_str())
            .before(&s.audited(None, None))?;
        tenant_write!(self, tenant_id, |p, tx| {
            let gone = sqlx::query("DELETE FROM report_schedules WHERE id = $1 AND tenant_id = $2")
                .bind(id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 0 {
                return Ok(false);
            }
            write_audit!(tx, line)?;
        });
        Ok(true)
    }

    async fn report_schedules(&self, tenant_id: &str) -> Result<Vec<ReportSchedule>> {
        let sql =
            format!("SELECT {COLUMNS} FROM report_schedules WHERE tenant_id = $1 ORDER BY created_at, id");
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_all(p).await?);
        of_known_tenant(self, tenant_id, rows).await?.into_iter().map(Row::into_schedule).collect()
    }

    async fn every_report_schedule(&self) -> Result<Vec<ReportSchedule>> {
        let sql = format!("SELECT {COLUMNS} FROM report_schedules ORDER BY created_at, id");
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(Row::into_schedule).collect()
    }

    async fn claim_report(
        &self,
        s: &ReportSchedule,
        period_end: NaiveDate,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let taken = on_pool!(self, p => sqlx::query(
            "UPDATE report_schedules SET next_attempt_at = $3 WHERE id = $1 \
             AND (last_period_end IS NULL OR last_period_end < $2) \
             AND (next_attempt_at IS NULL OR next_attempt_at <= $4)",
        )
        .bind(&s.id)
        .bind(period_end)
        .bind(micros(until))
        .bind(micros(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(taken == 1)
    }

    async fn record_report(&self, s: &ReportSchedule, period_end: NaiveDate, sent: Sent<'_>) -> Result<()> {
        let (kind, error) = match sent {
            Sent::Yes => ("report.sent", None),
            Sent::No { why, .. } => ("report.failed", Some(why)),
        };
        let line = AuditLine::new(s.tenant_id.as_deref(), "rampart", kind, s.cadence.as_str())
            .after(&s.audited(Some(period_end), error))?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            match sent {
                Sent::Yes => sqlx::query(
                    "UPDATE report_schedules SET last_period_end = $2, attempts = 0, next_attempt_at = NULL, \
                     last_error = NULL WHERE id = $1",
                )
                .bind(&s.id)
                .bind(period_end)
                .execute(&mut *tx)
                .await?,
                Sent::No { why, again_at: Some(again_at) } => sqlx::query(
                    "UPDATE report_schedules SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 \
                     WHERE id = $1",
                )
                .bind(&s.id)
                .bind(why)
                .bind(micros(again_at))
                .execute(&mut *tx)
                .await?,
                // Given up: the period is passed over (and said so), the next one goes when due.
                Sent::No { why, again_at: None } => sqlx::query(
                    "UPDATE report_schedules SET last_period_end = $2, attempts = 0, next_attempt_at = NULL, \
                     last_error = $3 WHERE id = $1",
                )
                .bind(&s.id)
                .bind(period_end)
                .bind(why)
                .execute(&mut *tx)
                .await?,
            };
            // Sent, given up, or the first failure of a period: retries are in the log.
            if !matches!(sent, Sent::No { again_at: Some(_), .. }) || s.attempts == 0 {
                write_audit!(tx, line)?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
