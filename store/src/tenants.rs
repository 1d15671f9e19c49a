//! Tenants: the organisations whose posture is scored.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{from_json, micros, to_json, to_u32};
use crate::pool::{no_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::{NewTenant, Result, ScoreGoal, StoreError, Tenant, TenantStore};
use crate::{DEFAULT_ZONE_GOOD_FROM, DEFAULT_ZONE_OKAY_FROM};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: String,
    name: String,
    licensed_seats: i64,
    active_users: i64,
    industry: String,
    enabled_services: String,
    created_at: DateTime<Utc>,
    zone_okay_from: i64,
    zone_good_from: i64,
    goal_percent: Option<i64>,
    goal_by: Option<NaiveDate>,
    licenses: Option<String>,
}

impl TenantRow {
    fn into_tenant(self) -> Result<Tenant> {
        Ok(Tenant {
            licensed_seats: to_u32(self.licensed_seats, "tenants.licensed_seats")?,
            active_users: to_u32(self.active_users, "tenants.active_users")?,
            enabled_services: from_json(&self.enabled_services)?,
            zone_okay_from: to_u32(self.zone_okay_from, "tenants.zone_okay_from")?,
            zone_good_from: to_u32(self.zone_good_from, "tenants.zone_good_from")?,
            goal: match (self.goal_percent, self.goal_by) {
                (Some(p), Some(by)) => Some(ScoreGoal { percent: to_u32(p, "tenants.goal_percent")?, by }),
                _ => None,
            },
            licenses: self.licenses.as_deref().map(from_json).transpose()?,
            id: self.id,
            name: self.name,
            industry: self.industry,
            created_at: self.created_at,
        })
    }
}

const SELECT_TENANT: &str = "SELECT id, name, licensed_seats, active_users, industry, enabled_services, \
    created_at, zone_okay_from, zone_good_from, goal_percent, goal_by, licenses FROM tenants";

const ZONES: &str = "SELECT zone_okay_from, zone_good_from FROM tenants WHERE id = $1";
const SET_LICENSES: &str = "UPDATE tenants SET licenses = $2 WHERE id = $1";
const SET_GOAL: &str = "UPDATE tenants SET goal_percent = $2, goal_by = $3 WHERE id = $1";
const SET_ZONES: &str = "UPDATE tenants SET zone_okay_from = $2, zone_good_from = $3 WHERE id = $1";

/// Zone bounds as the audit trail shows them.
#[derive(serde::Serialize)]
struct Zones {
    okay_from: i64,
    good_from: i64,
}

const INSERT_TENANT: &str = "INSERT INTO tenants (id, name, licensed_seats, active_users, industry, \
    enabled_services, created_at, zone_okay_from, zone_good_from) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Checks the new tenant and gives it its final id: a given id must be a UUID
/// (stored in its lowercase hyphenated form), a missing one is drawn at random.
fn prepare(new: NewTenant) -> Result<Tenant> {
    let id = match new.id.as_deref() {
        None => uuid::Uuid::new_v4(),
        Some(s) => uuid::Uuid::parse_str(s)
            .map_err(|_| StoreError::Invalid(format!("tenant id `{s}` is not a UUID")))?,
    };
    if new.name.trim().is_empty() {
        return Err(StoreError::Invalid("tenant name must not be empty".into()));
    }
    Ok(Tenant {
        id: id.hyphenated().to_string(),
        name: new.name,
        licensed_seats: new.licensed_seats,
        active_users: new.active_users,
        industry: new.industry,
        enabled_services: new.enabled_services,
        created_at: micros(new.created_at),
        zone_okay_from: DEFAULT_ZONE_OKAY_FROM,
        zone_good_from: DEFAULT_ZONE_GOOD_FROM,
        goal: None,
        licenses: None,
    })
}

#[async_trait]
impl TenantStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn create_tenant(&self, new: NewTenant, actor: &str) -> Result<Tenant> {
        let tenant = prepare(new)?;
        let services = to_json(&tenant.enabled_services)?;
        let audit = AuditLine::new(Some(&tenant.id), actor, "tenant.create", &tenant.id).after(&tenant)?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(INSERT_TENANT)
                .bind(&tenant.id)
                .bind(&tenant.name)
                .bind(i64::from(tenant.licensed_seats))
                .bind(i64::from(tenant.active_users))
                .bind(&tenant.industry)
                .bind(&services)
                .bind(tenant.created_at)
                .bind(i64::from(tenant.zone_okay_from))
                .bind(i64::from(tenant.zone_good_from))
                .execute(&mut *tx)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => {
                        StoreError::Conflict(format!("tenant {} already exists", tenant.id))
                    }
                    other => other,
                })?;
            write_audit!(tx, audit)?;
            tx.commit().await?;
        });
        Ok(tenant)
    }

    async fn tenant(&self, id: &str) -> Result<Tenant> {
        let sql = format!("{SELECT_TENANT} WHERE id = $1");
        let row: Option<TenantRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        row.ok_or_else(|| no_tenant(id))?.into_tenant()
    }

    async fn tenants(&self) -> Result<Vec<Tenant>> {
        let sql = format!("{SELECT_TENANT} ORDER BY name, id");
        let rows: Vec<TenantRow> = on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(TenantRow::into_tenant).collect()
    }

    async fn industries(&self) -> Result<Vec<String>> {
        const SQL: &str = "SELECT DISTINCT industry FROM tenants ORDER BY industry";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).fetch_all(p).await?))
    }

    #[tracing::instrument(skip_all, err)]
    async fn set_zones(
        &self,
        tenant_id: &str,
        okay_from: u32,
        good_from: u32,
        actor: &str,
    ) -> Result<Tenant> {
        if okay_from >= good_from || good_from > 100 {
            return Err(StoreError::Invalid(format!(
                "zones: the okay zone must start below the good zone, and the good zone at 100 % \
                 at most (got okay from {okay_from}, good from {good_from})"
            )));
        }
        let after = Zones { okay_from: i64::from(okay_from), good_from: i64::from(good_from) };
        let line = AuditLine::new(Some(tenant_id), actor, "tenant.zones", tenant_id).after(&after)?;
        tenant_write!(self, tenant_id, |p, tx| {
            let (okay, good): (i64, i64) = sqlx::query_as(ZONES).bind(tenant_id).fetch_one(&mut *tx).await?;
            let line = line.before(&Zones { okay_from: okay, good_from: good })?;
            sqlx::query(SET_ZONES)
                .bind(tenant_id)
                .bind(after.okay_from)
                .bind(after.good_from)
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, line)?;
        });
        self.tenant(tenant_id).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn set_goal(&self, tenant_id: &str, goal: Option<ScoreGoal>, actor: &str) -> Result<Tenant> {
        if let Some(g) = goal {
            if !(1..=100).contains(&g.percent) {
                return Err(StoreError::Invalid(format!(
                    "goal: {} % is not a percentage from 1 to 100",
                    g.percent
                )));
            }
        }
        let before = self.tenant(tenant_id).await?.goal;
        let line =
            AuditLine::new(Some(tenant_id), actor, "tenant.goal", tenant_id).before(&before)?.after(&goal)?;
        tenant_write!(self, tenant_id, |p, tx| {
            sqlx::query(SET_GOAL)
                .bind(tenant_id)
                .bind(goal.map(|g| i64::from(g.percent)))
                .bind(goal.map(|g| g.by))
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, line)?;
        });
        self.tenant(tenant_id).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn set_licenses(
        &self,
        tenant_id: &str,
        licenses: Option<&[String]>,
        actor: &str,
    ) -> Result<Tenant> {
        let mut list: Option<Vec<String>> = licenses.map(<[String]>::to_vec);
        if let Some(l) = list.as_mut() {
            l.sort();
            l.dedup();
        }
        let before = self.tenant(tenant_id).await?.licenses;
        let line = AuditLine::new(Some(tenant_id), actor, "tenant.licenses", tenant_id)
            .before(&before)?
            .after(&list)?;
        let json = list.as_ref().map(to_json).transpose()?;
        tenant_write!(self, tenant_id, |p, tx| {
            sqlx::query(SET_LICENSES).bind(tenant_id).bind(&json).execute(&mut *tx).await?;
            write_audit!(tx, line)?;
        });
        self.tenant(tenant_id).await
    }

    async fn tenant_count(&self) -> Result<u64> {
        let n: i64 =
            on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM tenants").fetch_one(p).await?);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
