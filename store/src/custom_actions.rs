//! Each tenant's custom actions: added, edited, deleted and restored, each write audited in
//! its own transaction.
//!
//! Deleting keeps the row and stamps `deleted_at`: the live score, the lists, ingest and
//! status changes stop seeing the action, while past snapshots keep its points and the
//! history still names it (the next snapshot records it leaving, like a retired catalog
//! action). Restoring clears the stamp, so a deletion is undone with nothing lost.

use crate::audit::{write_audit, AuditLine};
use crate::catalog::ActionRow;
use crate::codec::to_json;
use crate::pool::{in_tenant_tx, of_known_tenant, on_pool, tenant_write, Begin, SqlStore, TenantTx};
use crate::{CustomActionStore, Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use score::catalog::check_action;
use score::ImprovementAction;

const IS_BUILT_IN: &str = "SELECT COUNT(*) FROM catalog_actions WHERE id = $1";
const INSERT_CUSTOM: &str = "INSERT INTO custom_actions \
    (tenant_id, id, category, product, max_points, deprecated, body, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const LIVE_CUSTOM_ACTIONS: &str = "SELECT body, deprecated FROM custom_actions \
    WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id";
const DELETED_CUSTOM_ACTIONS: &str = "SELECT body, deprecated FROM custom_actions \
    WHERE tenant_id = $1 AND deleted_at IS NOT NULL ORDER BY id";
const ONE_CUSTOM: &str =
    "SELECT body, deprecated, deleted_at FROM custom_actions WHERE tenant_id = $1 AND id = $2";
const UPDATE_CUSTOM: &str = "UPDATE custom_actions SET category = $3, product = $4, max_points = $5, \
    deprecated = $6, body = $7 WHERE tenant_id = $1 AND id = $2";
/// Binds `$1`…`$7` of [`INSERT_CUSTOM`] and [`UPDATE_CUSTOM`], which list a custom
/// action's columns in the same order, so the two cannot disagree on it.
macro_rules! bind_columns {
    ($query:expr, $tenant:expr, $action:expr, $body:expr) => {
        $query
            .bind($tenant)
            .bind(&$action.id)
            .bind($action.category.as_str())
            .bind($action.product.as_str())
            .bind(i64::from($action.max_points))
            .bind($action.deprecated)
            .bind($body)
    };
}

const SET_DELETED: &str =
    "UPDATE custom_actions SET deleted_at = $3, deleted_by = $4 WHERE tenant_id = $1 AND id = $2";

/// One stored custom action with whether it is deleted.
#[derive(sqlx::FromRow)]
struct StoredCustom {
    body: String,
    deprecated: bool,
    deleted_at: Option<DateTime<Utc>>,
}

impl StoredCustom {
    fn action(&self) -> Result<ImprovementAction> {
        ActionRow { body: self.body.clone(), deprecated: self.deprecated }.into_action()
    }
}

fn invalid(action: &ImprovementAction) -> Result<()> {
    check_action(action).map_err(|(field, message)| {
        StoreError::Invalid(format!("custom action `{}`: field `{field}`: {message}", action.id))
    })
}

/// A custom action about to be written: checked, as stored (JSON), and its audit line.
fn checked(action: &ImprovementAction, line: AuditLine) -> Result<(String, AuditLine)> {
    invalid(action)?;
    Ok((to_json(action)?, line.after(action)?))
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("custom action {id}"))
}

/// Built-in actions belong to the shipped catalog: no tenant edits or deletes them.
fn built_in(id: &str) -> StoreError {
    StoreError::Invalid(format!("`{id}` is a built-in action; built-in actions cannot be edited or deleted"))
}

/// Whether a delete or a restore changes anything.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    Deleted,
    Live,
}

impl TenantTx {
    /// Deletes (`Deleted`) or restores (`Live`) with its audit line; `Ok(false)` when the
    /// action is already that way (a repeated post changes nothing).
    pub(crate) async fn set_presence(
        &mut self,
        tenant_id: &str,
        id: &str,
        to: Presence,
        actor: &str,
    ) -> Result<bool> {
        let kind = match to {
            Presence::Deleted => "custom_action.delete",
            Presence::Live => "custom_action.restore",
        };
        let line = AuditLine::new(Some(tenant_id), actor, kind, id);
        in_tenant_tx!(self, |tx| {
            let stored: Option<StoredCustom> =
                sqlx::query_as(ONE_CUSTOM).bind(tenant_id).bind(id).fetch_optional(&mut *tx).await?;
            let Some(stored) = stored else {
                let n: i64 = sqlx::query_scalar(IS_BUILT_IN).bind(id).fetch_one(&mut *tx).await?;
                return Err(if n > 0 { built_in(id) } else { not_found(id) });
            };
            let now = if stored.deleted_at.is_some() { Presence::Deleted } else { Presence::Live };
            if now == to {
                return Ok(false);
            }
            let action = stored.action()?;
            let line = match to {
                Presence::Deleted => line.before(&action)?,
                Presence::Live => line.after(&action)?,
            };
            let (at, by) = match to {
                Presence::Deleted => (Some(line.at), Some(actor)),
                Presence::Live => (None, None),
            };
            sqlx::query(SET_DELETED).bind(tenant_id).bind(id).bind(at).bind(by).execute(&mut *tx).await?;
            write_audit!(tx, line)?;
        });
        Ok(true)
    }
    /// Adds a custom action with its audit line; a built-in id or one the tenant has → Conflict.
    pub(crate) async fn add_custom_action(
        &mut self,
        tenant_id: &str,
        action: &ImprovementAction,
        actor: &str,
    ) -> Result<()> {
        let (body, line) =
            checked(action, AuditLine::new(Some(tenant_id), actor, "custom_action.add", &action.id))?;
        in_tenant_tx!(self, |tx| {
            let built_in: i64 = sqlx::query_scalar(IS_BUILT_IN).bind(&action.id).fetch_one(&mut *tx).await?;
            if built_in > 0 {
                return Err(StoreError::Conflict(format!(
                    "`{}` is already the id of a built-in action",
                    action.id
                )));
            }
            bind_columns!(sqlx::query(INSERT_CUSTOM), tenant_id, action, &body)
                .bind(actor)
                .bind(line.at)
                .execute(&mut *tx)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => StoreError::Conflict(format!(
                        "this tenant already has a custom action `{}`",
                        action.id
                    )),
                    other => other,
                })?;
            write_audit!(tx, line)?;
        });
        Ok(())
    }
}

impl SqlStore {
    async fn presence(&self, tenant_id: &str, id: &str, to: Presence, actor: &str) -> Result<bool> {
        let mut tx = self.begin_tenant_write(tenant_id).await?;
        let changed = tx.set_presence(tenant_id, id, to, actor).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn custom_rows(&self, sql: &str, tenant_id: &str) -> Result<Vec<ImprovementAction>> {
        let rows: Vec<ActionRow> =
            on_pool!(self, p => sqlx::query_as(sql).bind(tenant_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter().map(ActionRow::into_action).collect()
    }
}

#[async_trait]
impl CustomActionStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn add_custom_action(
        &self,
        tenant_id: &str,
        action: &ImprovementAction,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.begin_tenant_write(tenant_id).await?;
        tx.add_custom_action(tenant_id, action, actor).await?;
        tx.commit().await
    }

    async fn custom_actions(&self, tenant_id: &str) -> Result<Vec<ImprovementAction>> {
        self.custom_rows(LIVE_CUSTOM_ACTIONS, tenant_id).await
    }

    async fn deleted_custom_actions(&self, tenant_id: &str) -> Result<Vec<ImprovementAction>> {
        self.custom_rows(DELETED_CUSTOM_ACTIONS, tenant_id).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn update_custom_action(
        &self,
        tenant_id: &str,
        action: &ImprovementAction,
        actor: &str,
    ) -> Result<()> {
        let (body, line) =
            checked(action, AuditLine::new(Some(tenant_id), actor, "custom_action.edit", &action.id))?;
        tenant_write!(self, tenant_id, |p, tx| {
            let stored: Option<StoredCustom> =
                sqlx::query_as(ONE_CUSTOM).bind(tenant_id).bind(&action.id).fetch_optional(&mut *tx).await?;
            let before = match stored {
                Some(s) if s.deleted_at.is_none() => s.action()?,
                Some(_) => return Err(not_found(&action.id)),
                None => {
                    let n: i64 = sqlx::query_scalar(IS_BUILT_IN).bind(&action.id).fetch_one(&mut *tx).await?;
                    return Err(if n > 0 { built_in(&action.id) } else { not_found(&action.id) });
                }
            };
            if &before == action {
                return Ok(());
            }
            bind_columns!(sqlx::query(UPDATE_CUSTOM), tenant_id, action, &body).execute(&mut *tx).await?;
            write_audit!(tx, line.before(&before)?)?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_custom_action(&self, tenant_id: &str, action_id: &str, actor: &str) -> Result<bool> {
        self.presence(tenant_id, action_id, Presence::Deleted, actor).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn restore_custom_action(&self, tenant_id: &str, action_id: &str, actor: &str) -> Result<bool> {
        self.presence(tenant_id, action_id, Presence::Live, actor).await
    }
}
