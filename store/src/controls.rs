//! The state of each action in a tenant: status changes (append-only history plus the
//! current state) and the reads of both.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, status, to_json, to_u32};
use crate::pool::{in_tenant_tx, of_known_tenant, on_pool, SqlStore, TenantTx};
use crate::{
    ControlRecord, ControlStore, DatedMeasurement, MeasurementInput, RecordedChange, Result, StatusChange,
    StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use score::{ControlState, Measurement};
use serde::Serialize;
use std::collections::BTreeMap;

const ACTION_KNOWN: &str = "SELECT (SELECT COUNT(*) FROM catalog_actions WHERE id = $2) \
    + (SELECT COUNT(*) FROM custom_actions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL)";
const CURRENT_DETAILS: &str = "SELECT status, note, assignee, due_date, tags FROM control_states \
    WHERE tenant_id = $1 AND action_id = $2";
const UPSERT_STATUS: &str = "INSERT INTO control_states \
    (tenant_id, action_id, status, note, assignee, due_date, tags, updated_by, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (tenant_id, action_id) DO UPDATE SET status = excluded.status, note = excluded.note, \
    assignee = excluded.assignee, due_date = excluded.due_date, tags = excluded.tags, \
    updated_by = excluded.updated_by, updated_at = excluded.updated_at";
const INSERT_CHANGE: &str = "INSERT INTO status_changes \
    (tenant_id, action_id, status, note, assignee, due_date, tags, changed_by, changed_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const HISTORY: &str = "SELECT id, action_id, status, note, assignee, due_date, tags, changed_by, changed_at \
    FROM status_changes WHERE tenant_id = $1 AND action_id = $2 ORDER BY changed_at, id";
const TENANT_HISTORY: &str =
    "SELECT action_id, status, note, assignee, due_date, tags, changed_by, changed_at \
    FROM status_changes WHERE tenant_id = $1 ORDER BY action_id, changed_at, id";
const RECORDS: &str = "SELECT action_id, status, note, assignee, due_date, tags, updated_by, updated_at, \
    measured_count, measured_total, measured_at FROM control_states WHERE tenant_id = $1 ORDER BY action_id";

/// What people set, as stored in `control_states` and `status_changes` (tags as JSON text).
#[derive(sqlx::FromRow)]
struct Details {
    status: String,
    note: String,
    assignee: Option<String>,
    due_date: Option<NaiveDate>,
    tags: String,
}

/// The same, as the audit trail shows it before and after a change.
#[derive(Serialize)]
struct AuditedDetails<'a> {
    status: &'a str,
    note: &'a str,
    assignee: Option<&'a str>,
    due_date: Option<NaiveDate>,
    tags: Vec<String>,
}

impl Details {
    fn audited(&self) -> Result<AuditedDetails<'_>> {
        Ok(AuditedDetails {
            status: &self.status,
            note: &self.note,
            assignee: self.assignee.as_deref(),
            due_date: self.due_date,
            tags: from_json(&self.tags)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    action_id: String,
    #[sqlx(flatten)]
    details: Details,
    changed_by: String,
    changed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RecordedRow {
    id: i64,
    #[sqlx(flatten)]
    change: ChangeRow,
}

impl ChangeRow {
    fn into_change(self) -> Result<StatusChange> {
        let d = self.details;
        Ok(StatusChange {
            status: status(&d.status)?,
            tags: from_json(&d.tags)?,
            action_id: self.action_id,
            note: d.note,
            assignee: d.assignee,
            due_date: d.due_date,
            changed_by: self.changed_by,
            changed_at: self.changed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    action_id: String,
    #[sqlx(flatten)]
    details: Details,
    updated_by: Option<String>,
    updated_at: Option<DateTime<Utc>>,
    measured_count: Option<i64>,
    measured_total: Option<i64>,
    measured_at: Option<DateTime<Utc>>,
}

impl RecordRow {
    fn into_record(self) -> Result<ControlRecord> {
        let measurement = match (self.measured_count, self.measured_total, self.measured_at) {
            (Some(count), Some(total), Some(at)) => Some(Measurement {
                count: to_u32(count, "control_states.measured_count")?,
                total: to_u32(total, "control_states.measured_total")?,
                observed_at: at,
            }),
            _ => None,
        };
        let d = self.details;
        Ok(ControlRecord {
            state: ControlState { status: status(&d.status)?, measurement },
            tags: from_json(&d.tags)?,
            action_id: self.action_id,
            note: d.note,
            assignee: d.assignee,
            due_date: d.due_date,
            updated_by: self.updated_by,
            updated_at: self.updated_at,
        })
    }
}

impl TenantTx {
    /// Records one status change and makes it the action's current status.
    pub(crate) async fn set_status(&mut self, tenant_id: &str, change: &StatusChange) -> Result<()> {
        let changed_at = micros(change.changed_at);
        let after = Details {
            status: change.status.as_str().to_owned(),
            note: change.note.clone(),
            assignee: change.assignee.clone(),
            due_date: change.due_date,
            tags: to_json(&change.tags)?,
        };
        let line = AuditLine::new(Some(tenant_id), &change.changed_by, "status.set", &change.action_id)
            .after(&after.audited()?)?;
        in_tenant_tx!(self, |tx| {
            let known: i64 = sqlx::query_scalar(ACTION_KNOWN)
                .bind(tenant_id)
                .bind(&change.action_id)
                .fetch_one(&mut *tx)
                .await?;
            if known == 0 {
                return Err(StoreError::Invalid(format!(
                    "action `{}`: no such action in the catalog or in this tenant's custom actions",
                    change.action_id
                )));
            }
            let before: Option<Details> = sqlx::query_as(CURRENT_DETAILS)
                .bind(tenant_id)
                .bind(&change.action_id)
                .fetch_optional(&mut *tx)
                .await?;
            let line = match &before {
                Some(b) => line.before(&b.audited()?)?,
                None => line,
            };
            // The current state and the history row take the same nine values.
            for sql in [UPSERT_STATUS, INSERT_CHANGE] {
                sqlx::query(sql)
                    .bind(tenant_id)
                    .bind(&change.action_id)
                    .bind(&after.status)
                    .bind(&after.note)
                    .bind(&after.assignee)
                    .bind(after.due_date)
                    .bind(&after.tags)
                    .bind(&change.changed_by)
                    .bind(changed_at)
                    .execute(&mut *tx)
                    .await?;
            }
            write_audit!(tx, line)?;
        });
        Ok(())
    }
}

#[async_trait]
impl ControlStore for SqlStore {
    async fn control_records(&self, tenant_id: &str) -> Result<Vec<ControlRecord>> {
        let rows: Vec<RecordRow> =
            on_pool!(self, p => sqlx::query_as(RECORDS).bind(tenant_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(RecordRow::into_record).collect()
    }

    #[tracing::instrument(skip_all, err)]
    async fn record_measurements(
        &self,
        tenant_id: &str,
        batch: &[MeasurementInput],
        actor: &str,
        source: score::MeasurementSource,
    ) -> Result<u64> {
        let mut tx = self.begin_tenant_write(tenant_id).await?;
        let changed = tx.record_measurements(tenant_id, batch, actor, source).await?;
        tx.commit().await?;
        Ok(changed)
    }

    #[tracing::instrument(skip_all, err)]
    async fn set_status(&self, tenant_id: &str, change: &StatusChange) -> Result<()> {
        let mut tx = self.begin_tenant_write(tenant_id).await?;
        tx.set_status(tenant_id, change).await?;
        // A change a person makes goes to Microsoft too; one an import or a sync brings
        // in (the internal step above, on its own) came from there.
        tx.queue_write_back(tenant_id, change).await?;
        tx.commit().await
    }

    async fn status_history(&self, tenant_id: &str, action_id: &str) -> Result<Vec<RecordedChange>> {
        let rows: Vec<RecordedRow> = on_pool!(self, p => {
            sqlx::query_as(HISTORY).bind(tenant_id).bind(action_id).fetch_all(p).await?
        });
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(|r| Ok(RecordedChange { id: r.id, change: r.change.into_change()? })).collect()
    }

    async fn tenant_status_history(&self, tenant_id: &str) -> Result<Vec<StatusChange>> {
        let rows: Vec<ChangeRow> =
            on_pool!(self, p => sqlx::query_as(TENANT_HISTORY).bind(tenant_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(ChangeRow::into_change).collect()
    }

    async fn measurement_history(&self, tenant_id: &str, action_id: &str) -> Result<Vec<Measurement>> {
        self.measurements_of(tenant_id, action_id).await
    }

    async fn measurements_observed(
        &self,
        tenant_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DatedMeasurement>> {
        self.observed_between(tenant_id, from, to).await
    }

    async fn measurements_on(
        &self,
        tenant_id: &str,
        day: NaiveDate,
    ) -> Result<BTreeMap<String, Measurement>> {
        self.measurements_as_of(tenant_id, day).await
    }
}
