//! Baselines: a provider's named set of (action → status, note), kept per owner and
//! applied to a tenant as one write, so a tenant gets all of it or none.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json};
use crate::pool::{on_pool, Begin, SqlStore};
use crate::{Result, StatusChange, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use score::Status;
use serde::{Deserialize, Serialize};

/// One line of a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub action_id: String,
    pub status: Status,
    pub note: String,
}

/// A saved baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub id: String,
    pub owner_user_id: String,
    pub name: String,
    pub entries: Vec<BaselineEntry>,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait BaselineStore: Send + Sync {
    /// Saves a new baseline; another of the owner's with the same name is a Conflict, and
    /// so is keeping more than `max`.
    async fn add_baseline(&self, baseline: &Baseline, max: usize, actor: &str) -> Result<()>;
    /// The owner's baselines, by name.
    async fn baselines(&self, owner_user_id: &str) -> Result<Vec<Baseline>>;
    /// Deletes one of the owner's baselines; false when they have none of that id.
    async fn delete_baseline(&self, owner_user_id: &str, id: &str, actor: &str) -> Result<bool>;
    /// Sets every change in one transaction of the tenant, each audited and sent on to
    /// Microsoft like a person's edit: all of them happen, or none.
    async fn set_statuses(&self, tenant_id: &str, changes: &[StatusChange]) -> Result<()>;
}

#[derive(sqlx::FromRow)]
struct BaselineRow {
    id: String,
    owner_user_id: String,
    name: String,
    entries: String,
    created_at: DateTime<Utc>,
}

impl BaselineRow {
    fn into_baseline(self) -> Result<Baseline> {
        Ok(Baseline {
            entries: from_json(&self.entries)?,
            id: self.id,
            owner_user_id: self.owner_user_id,
            name: self.name,
            created_at: self.created_at,
        })
    }
}

#[derive(Serialize)]
struct Audited<'a> {
    name: &'a str,
    entries: &'a [BaselineEntry],
}

#[async_trait]
impl BaselineStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn add_baseline(&self, baseline: &Baseline, max: usize, actor: &str) -> Result<()> {
        let line = AuditLine::new(None, actor, "baseline.add", &baseline.name)
            .after(&Audited { name: &baseline.name, entries: &baseline.entries })?;
        let entries = to_json(&baseline.entries)?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let names: Vec<String> = sqlx::query_scalar("SELECT name FROM baselines WHERE owner_user_id = $1")
                .bind(&baseline.owner_user_id)
                .fetch_all(&mut *tx)
                .await?;
            if names.iter().any(|n| n.eq_ignore_ascii_case(&baseline.name)) {
                return Err(StoreError::Conflict(format!("you already keep a baseline named “{}”", baseline.name)));
            }
            if names.len() >= max {
                return Err(StoreError::Full(format!("you already keep {max} baselines")));
            }
            sqlx::query(
                "INSERT INTO baselines (id, owner_user_id, name, entries, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&baseline.id)
            .bind(&baseline.owner_user_id)
            .bind(&baseline.name)
            .bind(&entries)
            .bind(micros(baseline.created_at))
            .execute(&mut *tx)
            .await?;
            write_audit!(tx, line)?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn baselines(&self, owner_user_id: &str) -> Result<Vec<Baseline>> {
        let rows: Vec<BaselineRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, owner_user_id, name, entries, created_at FROM baselines \
                 WHERE owner_user_id = $1 ORDER BY name, id",
            )
            .bind(owner_user_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(BaselineRow::into_baseline).collect()
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_baseline(&self, owner_user_id: &str, id: &str, actor: &str) -> Result<bool> {
        let Some(b) = self.baselines(owner_user_id).await?.into_iter().find(|b| b.id == id) else {
            return Ok(false);
        };
        let line = AuditLine::new(None, actor, "baseline.delete", &b.name)
            .before(&Audited { name: &b.name, entries: &b.entries })?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let gone = sqlx::query("DELETE FROM baselines WHERE id = $1 AND owner_user_id = $2")
                .bind(id)
                .bind(owner_user_id)
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

    #[tracing::instrument(skip_all, err)]
    async fn set_statuses(&self, tenant_id: &str, changes: &[StatusChange]) -> Result<()> {
        let mut tx = self.begin_tenant_write(tenant_id).await?;
        for change in changes {
            tx.set_status(tenant_id, change).await?;
            tx.queue_write_back(tenant_id, change).await?;
        }
        tx.commit().await
    }
}
