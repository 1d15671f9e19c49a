//! Custom comparisons: groups of whole cells (seat buckets × industries), or of chosen
//! tenants, a read-write user defined for a tenant. Their averages are worked out when read,
//! from the benchmark tallies, so a new comparison has its whole history at once.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json, to_u32};
use crate::pool::{ensure_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::Utc;
use score::comparison::{buckets_overlapping, CustomComparison, MAX_CUSTOM_PER_TENANT, SEAT_BUCKETS};

/// Which of a tenant's comparisons gets which new name: two strings a call could swap,
/// named here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rename<'a> {
    /// The comparison's id.
    pub id: &'a str,
    /// The new name; leading and trailing spaces are dropped.
    pub name: &'a str,
}

#[async_trait]
pub trait ComparisonStore: Send + Sync {
    /// Stores a new comparison (its id is drawn here and returned) with its audit line, in
    /// one transaction that also holds the rules: at most [`MAX_CUSTOM_PER_TENANT`] per
    /// tenant (`Full` past it), names unique in any letter case (`Conflict`).
    async fn create_custom_comparison(&self, comparison: &CustomComparison, actor: &str) -> Result<String>;
    /// Renames one of the tenant's comparisons; another tenant's → NotFound, a name another
    /// of its comparisons has (in any letter case) → Conflict.
    async fn rename_custom_comparison(&self, tenant_id: &str, to: Rename<'_>, actor: &str) -> Result<()>;
    /// Deletes one of the tenant's comparisons and its tallies; another tenant's → NotFound.
    async fn delete_custom_comparison(&self, tenant_id: &str, id: &str, actor: &str) -> Result<()>;
    /// The tenant's comparisons, by name (none for an unknown tenant: pages read the
    /// tenant first, so this costs them no second query).
    async fn custom_comparisons(&self, tenant_id: &str) -> Result<Vec<CustomComparison>>;
    /// Every tenant's comparisons: what the daily run tallies.
    async fn all_custom_comparisons(&self) -> Result<Vec<CustomComparison>>;
}

const COLUMNS: &str = "SELECT id, tenant_id, name, seats_min, seats_max, seat_buckets, industries, tenants \
    FROM custom_comparisons";
const INSERT: &str = "INSERT INTO custom_comparisons \
    (id, tenant_id, name, seat_buckets, industries, tenants, created_by, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const RENAME: &str = "UPDATE custom_comparisons SET name = $3 WHERE tenant_id = $1 AND id = $2";
const DELETE: &str = "DELETE FROM custom_comparisons WHERE tenant_id = $1 AND id = $2";
/// The names of the tenant's other comparisons (all of them when `$2` names none).
const OTHER_NAMES: &str = "SELECT name FROM custom_comparisons WHERE tenant_id = $1 AND id <> $2";

/// Refuses a name one of `others` already has, compared as the unique index does (ASCII
/// letters in either case).
fn name_free(others: &[String], name: &str) -> Result<()> {
    if others.iter().any(|o| o.eq_ignore_ascii_case(name)) {
        return Err(StoreError::Conflict(format!(
            "custom comparison: this tenant already has one named `{name}`"
        )));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ComparisonRow {
    id: String,
    tenant_id: String,
    name: String,
    seats_min: Option<i64>,
    seats_max: Option<i64>,
    seat_buckets: String,
    industries: String,
    tenants: String,
}

impl ComparisonRow {
    fn into_comparison(self) -> Result<CustomComparison> {
        let seats = |v: Option<i64>, column| v.map(|v| to_u32(v, column)).transpose();
        let mut seat_buckets: Vec<u8> = from_json(&self.seat_buckets)?;
        if seat_buckets.is_empty() {
            // Saved before comparisons were made of cells: the buckets its range touched.
            seat_buckets = buckets_overlapping(
                seats(self.seats_min, "custom_comparisons.seats_min")?,
                seats(self.seats_max, "custom_comparisons.seats_max")?,
            );
        }
        Ok(CustomComparison {
            seat_buckets,
            industries: from_json(&self.industries)?,
            tenants: from_json(&self.tenants)?,
            id: self.id,
            tenant_id: self.tenant_id,
            name: self.name,
        })
    }
}

fn check(c: &CustomComparison) -> Result<()> {
    if c.name.trim().is_empty() {
        return Err(StoreError::Invalid("custom comparison: the name must not be empty".into()));
    }
    if let Some(b) = c.seat_buckets.iter().find(|b| usize::from(**b) >= SEAT_BUCKETS.len()) {
        return Err(StoreError::Invalid(format!("custom comparison: there is no seat bucket {b}")));
    }
    Ok(())
}

#[async_trait]
impl ComparisonStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn create_custom_comparison(&self, comparison: &CustomComparison, actor: &str) -> Result<String> {
        check(comparison)?;
        let mut c = comparison.clone();
        c.id = uuid::Uuid::new_v4().hyphenated().to_string();
        c.seat_buckets.sort_unstable();
        c.seat_buckets.dedup();
        let (buckets, industries, tenants) =
            (to_json(&c.seat_buckets)?, to_json(&c.industries)?, to_json(&c.tenants)?);
        let audit = AuditLine::new(Some(&c.tenant_id), actor, "comparison.create", &c.id).after(&c)?;
        tenant_write!(self, &c.tenant_id, |p, tx| {
            let others: Vec<String> =
                sqlx::query_scalar(OTHER_NAMES).bind(&c.tenant_id).bind(&c.id).fetch_all(&mut *tx).await?;
            if others.len() >= MAX_CUSTOM_PER_TENANT {
                return Err(StoreError::Full(format!(
                    "custom comparison: a tenant has at most {MAX_CUSTOM_PER_TENANT}"
                )));
            }
            name_free(&others, c.name.trim())?;
            sqlx::query(INSERT)
                .bind(&c.id)
                .bind(&c.tenant_id)
                .bind(c.name.trim())
                .bind(&buckets)
                .bind(&industries)
                .bind(&tenants)
                .bind(actor)
                .bind(micros(Utc::now()))
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, audit)?;
        });
        Ok(c.id)
    }

    #[tracing::instrument(skip_all, err)]
    async fn rename_custom_comparison(&self, tenant_id: &str, to: Rename<'_>, actor: &str) -> Result<()> {
        let (id, name) = (to.id, to.name.trim());
        if name.is_empty() {
            return Err(StoreError::Invalid("custom comparison: the name must not be empty".into()));
        }
        let before = self.custom_comparison(tenant_id, id).await?;
        let audit = AuditLine::new(Some(tenant_id), actor, "comparison.rename", id)
            .before(&serde_json::json!({ "name": before.name }))?
            .after(&serde_json::json!({ "name": name }))?;
        tenant_write!(self, tenant_id, |p, tx| {
            let others: Vec<String> =
                sqlx::query_scalar(OTHER_NAMES).bind(tenant_id).bind(id).fetch_all(&mut *tx).await?;
            name_free(&others, name)?;
            let done = sqlx::query(RENAME).bind(tenant_id).bind(id).bind(name).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(no_comparison(id));
            }
            write_audit!(tx, audit)?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_custom_comparison(&self, tenant_id: &str, id: &str, actor: &str) -> Result<()> {
        let before = self.custom_comparison(tenant_id, id).await?;
        let audit = AuditLine::new(Some(tenant_id), actor, "comparison.delete", id).before(&before)?;
        tenant_write!(self, tenant_id, |p, tx| {
            let done = sqlx::query(DELETE).bind(tenant_id).bind(id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(no_comparison(id));
            }
            write_audit!(tx, audit)?;
        });
        Ok(())
    }

    async fn custom_comparisons(&self, tenant_id: &str) -> Result<Vec<CustomComparison>> {
        let sql = format!("{COLUMNS} WHERE tenant_id = $1 ORDER BY name, id");
        let rows: Vec<ComparisonRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_all(p).await?);
        rows.into_iter().map(ComparisonRow::into_comparison).collect()
    }

    async fn all_custom_comparisons(&self) -> Result<Vec<CustomComparison>> {
        let sql = format!("{COLUMNS} ORDER BY tenant_id, name, id");
        let rows: Vec<ComparisonRow> = on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(ComparisonRow::into_comparison).collect()
    }
}

impl SqlStore {
    async fn custom_comparison(&self, tenant_id: &str, id: &str) -> Result<CustomComparison> {
        let sql = format!("{COLUMNS} WHERE tenant_id = $1 AND id = $2");
        let row: Option<ComparisonRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).bind(id).fetch_optional(p).await?);
        match row {
            Some(r) => r.into_comparison(),
            None => {
                ensure_tenant(self, tenant_id).await?;
                Err(no_comparison(id))
            }
        }
    }
}

fn no_comparison(id: &str) -> StoreError {
    StoreError::NotFound(format!("custom comparison {id}"))
}
