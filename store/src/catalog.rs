//! The built-in catalog of improvement actions and each tenant's custom actions.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json};
use crate::pool::{ensure_tenant, lock_tenant, on_pool, Begin, SqlStore};
use crate::{CatalogStore, CatalogSync, Result, StoreError};
use async_trait::async_trait;
use chrono::Utc;
use score::catalog::{check_action, Catalog};
use score::ImprovementAction;
use std::collections::{HashMap, HashSet};

/// Who the audit trail names for a catalog sync: it comes from the shipped file.
const CATALOG_ACTOR: &str = "system";

#[derive(sqlx::FromRow)]
struct StoredAction {
    id: String,
    body: String,
    retired: bool,
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    body: String,
    deprecated: bool,
}

impl ActionRow {
    /// The column wins over the JSON: a retired action is deprecated whatever its file said.
    fn into_action(self) -> Result<ImprovementAction> {
        let mut a: ImprovementAction = from_json(&self.body)?;
        a.deprecated = self.deprecated;
        Ok(a)
    }
}

const STORED_ACTIONS: &str = "SELECT id, body, retired FROM catalog_actions";
const INSERT_ACTION: &str = "INSERT INTO catalog_actions \
    (id, category, product, max_points, deprecated, retired, body) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const UPDATE_ACTION: &str = "UPDATE catalog_actions SET category = $2, product = $3, max_points = $4, \
    deprecated = $5, retired = $6, body = $7 WHERE id = $1";
const RETIRE_ACTION: &str = "UPDATE catalog_actions SET deprecated = $2, retired = $2 WHERE id = $1";
const SET_VERSION: &str = "INSERT INTO catalog_version (singleton, version, synced_at) VALUES (1, $1, $2) \
    ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, synced_at = excluded.synced_at";
const CATALOG_ACTIONS: &str = "SELECT body, deprecated FROM catalog_actions ORDER BY id";
const IS_BUILT_IN: &str = "SELECT COUNT(*) FROM catalog_actions WHERE id = $1";
const INSERT_CUSTOM: &str = "INSERT INTO custom_actions \
    (tenant_id, id, category, product, max_points, deprecated, body, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const CUSTOM_ACTIONS: &str = "SELECT body, deprecated FROM custom_actions WHERE tenant_id = $1 ORDER BY id";

/// What one catalog entry needs: insert, rewrite, or nothing.
enum Write<'a> {
    Insert(&'a ImprovementAction, String),
    Update(&'a ImprovementAction, String),
}

/// Compares the file with what is stored; pure, so the transaction only writes.
fn plan<'a>(catalog: &'a Catalog, stored: Vec<StoredAction>) -> Result<(Vec<Write<'a>>, CatalogSync)> {
    let stored: HashMap<String, StoredAction> = stored.into_iter().map(|s| (s.id.clone(), s)).collect();
    let mut sync = CatalogSync::default();
    let mut writes = Vec::new();
    for action in &catalog.actions {
        let body = to_json(action)?;
        match stored.get(&action.id) {
            None => {
                sync.added.push(action.id.clone());
                writes.push(Write::Insert(action, body));
            }
            Some(s) if s.retired || s.body != body => {
                sync.updated.push(action.id.clone());
                writes.push(Write::Update(action, body));
            }
            Some(_) => {}
        }
    }
    let in_file: HashSet<&str> = catalog.actions.iter().map(|a| a.id.as_str()).collect();
    sync.retired = stored
        .values()
        .filter(|s| !s.retired && !in_file.contains(s.id.as_str()))
        .map(|s| s.id.clone())
        .collect();
    sync.retired.sort();
    Ok((writes, sync))
}

fn changed(sync: &CatalogSync) -> bool {
    !(sync.added.is_empty() && sync.updated.is_empty() && sync.retired.is_empty())
}

#[async_trait]
impl CatalogStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn sync_catalog(&self, catalog: &Catalog) -> Result<CatalogSync> {
        catalog.validate().map_err(|issue| StoreError::Invalid(issue.to_string()))?;
        let now = micros(Utc::now());
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let stored: Vec<StoredAction> = sqlx::query_as(STORED_ACTIONS).fetch_all(&mut *tx).await?;
            let (writes, sync) = plan(catalog, stored)?;
            for w in &writes {
                let (sql, a, body) = match w {
                    Write::Insert(a, body) => (INSERT_ACTION, a, body),
                    Write::Update(a, body) => (UPDATE_ACTION, a, body),
                };
                sqlx::query(sql)
                    .bind(&a.id)
                    .bind(a.category.as_str())
                    .bind(a.product.as_str())
                    .bind(i64::from(a.max_points))
                    .bind(a.deprecated)
                    .bind(false)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
            }
            for id in &sync.retired {
                sqlx::query(RETIRE_ACTION).bind(id).bind(true).execute(&mut *tx).await?;
            }
            sqlx::query(SET_VERSION).bind(&catalog.version).bind(now).execute(&mut *tx).await?;
            if changed(&sync) {
                let line =
                    AuditLine::new(None, CATALOG_ACTOR, "catalog.sync", &catalog.version).after(&sync)?;
                write_audit!(tx, line)?;
            }
            tx.commit().await?;
            Ok(sync)
        })
    }

    async fn catalog_actions(&self) -> Result<Vec<ImprovementAction>> {
        let rows: Vec<ActionRow> = on_pool!(self, p => sqlx::query_as(CATALOG_ACTIONS).fetch_all(p).await?);
        rows.into_iter().map(ActionRow::into_action).collect()
    }

    #[tracing::instrument(skip_all, err)]
    async fn add_custom_action(
        &self,
        tenant_id: &str,
        action: &ImprovementAction,
        actor: &str,
    ) -> Result<()> {
        check_action(action).map_err(|(field, message)| {
            StoreError::Invalid(format!("custom action `{}`: field `{field}`: {message}", action.id))
        })?;
        let body = to_json(action)?;
        let line = AuditLine::new(Some(tenant_id), actor, "custom_action.add", &action.id).after(action)?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            lock_tenant!(p, tx, tenant_id);
            let built_in: i64 = sqlx::query_scalar(IS_BUILT_IN).bind(&action.id).fetch_one(&mut *tx).await?;
            if built_in > 0 {
                return Err(StoreError::Conflict(format!(
                    "`{}` is already the id of a built-in action",
                    action.id
                )));
            }
            sqlx::query(INSERT_CUSTOM)
                .bind(tenant_id)
                .bind(&action.id)
                .bind(action.category.as_str())
                .bind(action.product.as_str())
                .bind(i64::from(action.max_points))
                .bind(action.deprecated)
                .bind(&body)
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
            tx.commit().await?;
        });
        Ok(())
    }

    async fn custom_actions(&self, tenant_id: &str) -> Result<Vec<ImprovementAction>> {
        let rows: Vec<ActionRow> =
            on_pool!(self, p => sqlx::query_as(CUSTOM_ACTIONS).bind(tenant_id).fetch_all(p).await?);
        if rows.is_empty() {
            ensure_tenant(self, tenant_id).await?;
        }
        rows.into_iter().map(ActionRow::into_action).collect()
    }
}
