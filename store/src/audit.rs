//! The append-only audit trail: every write adds its line inside its own transaction.

use crate::codec::{micros, to_json};
use crate::pool::{in_tenant_tx, of_known_tenant, on_pool, SqlStore, TenantTx};
use crate::{AuditEntry, AuditStore, ImportedChanges, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (tenant_id, actor, occurred_at, kind, subject, before_json, after_json) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// One audit line about to be written.
pub(crate) struct AuditLine {
    pub tenant_id: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub subject: String,
    pub before: String,
    pub after: String,
}

impl AuditLine {
    pub fn new(tenant_id: Option<&str>, actor: &str, kind: &'static str, subject: &str) -> AuditLine {
        AuditLine {
            tenant_id: tenant_id.map(str::to_owned),
            actor: actor.to_owned(),
            at: micros(Utc::now()),
            kind,
            subject: subject.to_owned(),
            before: "{}".into(),
            after: "{}".into(),
        }
    }

    pub fn before(mut self, v: &(impl Serialize + ?Sized)) -> Result<AuditLine> {
        self.before = to_json(v)?;
        Ok(self)
    }

    pub fn after(mut self, v: &(impl Serialize + ?Sized)) -> Result<AuditLine> {
        self.after = to_json(v)?;
        Ok(self)
    }
}

/// Appends `$line` (an [`AuditLine`]) inside the open transaction `$tx`.
macro_rules! write_audit {
    ($tx:expr, $line:expr) => {{
        let line = $line;
        sqlx::query($crate::audit::INSERT_AUDIT)
            .bind(line.tenant_id)
            .bind(line.actor)
            .bind(line.at)
            .bind(line.kind)
            .bind(line.subject)
            .bind(line.before)
            .bind(line.after)
            .execute(&mut *$tx)
            .await
    }};
}
pub(crate) use write_audit;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    tenant_id: Option<String>,
    actor: String,
    occurred_at: DateTime<Utc>,
    kind: String,
    subject: String,
    before_json: String,
    after_json: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> AuditEntry {
        AuditEntry {
            id: r.id,
            tenant_id: r.tenant_id,
            actor: r.actor,
            at: r.occurred_at,
            kind: r.kind,
            subject: r.subject,
            before: r.before_json,
            after: r.after_json,
        }
    }
}

const AUDIT_TRAIL: &str = "SELECT id, tenant_id, actor, occurred_at, kind, subject, before_json, after_json \
    FROM audit_log WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2";

const AUDIT_PAGE: &str = "SELECT id, tenant_id, actor, occurred_at, kind, subject, before_json, after_json \
    FROM audit_log WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

#[async_trait]
impl AuditStore for SqlStore {
    async fn audit_page(&self, tenant_id: &str, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>> {
        let before = before.unwrap_or(i64::MAX);
        let rows: Vec<AuditRow> = on_pool!(self, p => {
            sqlx::query_as(AUDIT_PAGE).bind(tenant_id).bind(before).bind(i64::from(limit)).fetch_all(p).await?
        });
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    async fn audit_trail(&self, tenant_id: &str, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = on_pool!(self, p => {
            sqlx::query_as(AUDIT_TRAIL).bind(tenant_id).bind(i64::from(limit)).fetch_all(p).await?
        });
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}

impl TenantTx {
    /// The audit line of one imported file and what it changed (`import.file`).
    pub(crate) async fn record_import(
        &mut self,
        tenant_id: &str,
        actor: &str,
        file: &str,
        changes: &ImportedChanges,
    ) -> Result<()> {
        let line = AuditLine::new(Some(tenant_id), actor, "import.file", file).after(changes)?;
        in_tenant_tx!(self, |tx| {
            write_audit!(tx, line)?;
        });
        Ok(())
    }
}
