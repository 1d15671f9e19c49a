//! The built-in catalog of improvement actions, synced from the shipped file.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json};
use crate::pool::{on_pool, Begin, SqlStore};
use crate::{CatalogStore, CatalogSync, Result, StoreError};
use async_trait::async_trait;
use chrono::Utc;
use score::catalog::Catalog;
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
pub(crate) struct ActionRow {
    pub(crate) body: String,
    pub(crate) deprecated: bool,
}

impl ActionRow {
    /// The column wins over the JSON: a retired action is deprecated whatever its file said.
    pub(crate) fn into_action(self) -> Result<ImprovementAction> {
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
}
