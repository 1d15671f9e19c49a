//! The portfolio: every tenant one person holds a role in, read in a handful of queries
//! however many tenants there are, with each tenant's kept score.
//!
//! A kept score is a tenant's live score as computed at one revision of the tenant under
//! one catalog. Every write to a tenant moves its revision in the write's own transaction
//! (the tenant lock does it), so a kept score stops matching the moment anything changes;
//! the portfolio reads only scores that still match and the caller recomputes the rest.
//! The catalog is named by a fingerprint of its contents, so a catalog updated at startup
//! (or a replica still running the previous one) never reuses a score of another catalog.

use crate::codec::{micros, to_u32};
use crate::people_rows::role as role_of;
use crate::pool::{on_pool, SqlStore};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use score::roles::Role;
use score::Points;
use std::collections::BTreeMap;

/// A score as points of the most possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptScore {
    pub current: Points,
    pub max: Points,
}

/// What the portfolio shows of a tenant itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioEntry {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub licensed_seats: u32,
    pub zone_okay_from: u32,
    pub zone_good_from: u32,
}

/// One tenant of a person's portfolio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioTenant {
    pub tenant: PortfolioEntry,
    /// The person's role in it.
    pub role: Role,
    /// The tenant's revision when this was read; a score computed from here on is kept
    /// under it (a later write has moved it on, so such a score is never reused).
    pub revision: i64,
    /// The kept score, when it is still the live score under the catalog asked for.
    pub kept: Option<KeptScore>,
    /// The daily snapshots of the two days asked for, where taken.
    pub week_ago: Option<KeptScore>,
    pub month_ago: Option<KeptScore>,
    /// Points lost through measurements after `week_ago` (zero or less).
    pub regressed_since_week_ago: Points,
}

/// A tenant with its revision and, where it still holds, its kept score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScore {
    pub tenant_id: String,
    pub name: String,
    pub revision: i64,
    pub kept: Option<KeptScore>,
}

/// The largest measured loss of one tenant's actions over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopRegression {
    pub action_id: String,
    pub delta: Points,
}

#[async_trait]
pub trait PortfolioStore: Send + Sync {
    /// Every tenant `user_id` holds a role in, by name, with its kept score under
    /// `catalog` (a fingerprint) and its snapshots of `week_ago` and `month_ago`.
    async fn portfolio(
        &self,
        user_id: &str,
        catalog: &str,
        week_ago: NaiveDate,
        month_ago: NaiveDate,
    ) -> Result<Vec<PortfolioTenant>>;
    /// A short text that changes whenever anything [`PortfolioStore::portfolio`] would read
    /// for these days changes: the person's memberships, any of their tenants' revisions,
    /// their syncs, and the snapshots from `week_ago` on and of `month_ago`. A portfolio read
    /// after it was taken may be cached under it.
    async fn portfolio_version(
        &self,
        user_id: &str,
        week_ago: NaiveDate,
        month_ago: NaiveDate,
    ) -> Result<String>;
    /// Keeps `score` as the tenant's live score at `revision` under `catalog`; a score
    /// already kept for a later revision stays.
    async fn keep_score(&self, tenant_id: &str, revision: i64, catalog: &str, score: KeptScore)
        -> Result<()>;
    /// The tenants `user_id` holds a role in and the role, without reading the tenants.
    async fn roles_held(&self, user_id: &str) -> Result<Vec<(String, Role)>>;
    /// How many tenants `user_id` holds a role in, and in how many of them a read-write one.
    async fn role_counts(&self, user_id: &str) -> Result<(u32, u32)>;
    /// Every tenant the server hosts, by id, with its kept score where it still holds
    /// under `catalog`.
    async fn kept_scores(&self, catalog: &str) -> Result<Vec<TenantScore>>;
    /// For each of `tenant_ids`, the action that lost most points through one measured
    /// change after `since` and up to `to`: the first such loss by day and action.
    async fn top_regressions(
        &self,
        tenant_ids: &[String],
        since: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, TopRegression>>;
}

#[derive(sqlx::FromRow)]
struct PortfolioRow {
    id: String,
    name: String,
    industry: String,
    licensed_seats: i64,
    zone_okay_from: i64,
    zone_good_from: i64,
    role: String,
    revision: i64,
    kept_current: Option<i64>,
    kept_max: Option<i64>,
    week_current: Option<i64>,
    week_max: Option<i64>,
    month_current: Option<i64>,
    month_max: Option<i64>,
    regressed: Option<i64>,
}

/// One row a tenant with only the columns the portfolio shows: at thousands of tenants the
/// rows, not the queries, are what the read pays for.
const PORTFOLIO: &str = "SELECT t.id, t.name, t.industry, t.licensed_seats, t.zone_okay_from, \
    t.zone_good_from, m.role, t.revision, k.current_points AS kept_current, k.max_points AS kept_max, \
    w.current_points AS week_current, w.max_points AS week_max, \
    o.current_points AS month_current, o.max_points AS month_max, \
    (SELECT CAST(SUM(r.regressed_points) AS BIGINT) FROM score_snapshots r \
     WHERE r.tenant_id = t.id AND r.day > $3) AS regressed \
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
    LEFT JOIN kept_scores k ON k.tenant_id = t.id AND k.revision = t.revision AND k.catalog = $2 \
    LEFT JOIN score_snapshots w ON w.tenant_id = t.id AND w.day = $3 \
    LEFT JOIN score_snapshots o ON o.tenant_id = t.id AND o.day = $4 \
    WHERE m.user_id = $1";
/// Revisions only grow and a grant stamps its time, so a change to any tenant, any grant or
/// any revoke changes one of these.
const VERSION_OF_TENANTS: &str = "SELECT COUNT(*), CAST(COALESCE(SUM(t.revision), 0) AS BIGINT), \
    MAX(c.last_attempt_at), MAX(m.granted_at) FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
    LEFT JOIN m365_connections c ON c.tenant_id = t.id WHERE m.user_id = $1";
const VERSION_OF_DAYS: &str = "SELECT COUNT(*), MAX(s.taken_at) FROM memberships m \
    JOIN score_snapshots s ON s.tenant_id = m.tenant_id AND (s.day >= $2 OR s.day = $3) \
    WHERE m.user_id = $1";
const KEEP: &str = "INSERT INTO kept_scores (tenant_id, revision, catalog, current_points, max_points, \
    computed_at) VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (tenant_id) DO UPDATE SET revision = excluded.revision, catalog = excluded.catalog, \
    current_points = excluded.current_points, max_points = excluded.max_points, \
    computed_at = excluded.computed_at WHERE kept_scores.revision <= excluded.revision";

const KEPT_SCORES: &str = "SELECT t.id, t.name, t.revision, k.current_points, k.max_points FROM tenants t \
    LEFT JOIN kept_scores k ON k.tenant_id = t.id AND k.revision = t.revision AND k.catalog = $1 \
    ORDER BY t.id";

fn score_of(current: i64, max: i64) -> KeptScore {
    KeptScore { current: Points(current), max: Points(max) }
}

#[async_trait]
impl PortfolioStore for SqlStore {
    async fn portfolio(
        &self,
        user_id: &str,
        catalog: &str,
        week_ago: NaiveDate,
        month_ago: NaiveDate,
    ) -> Result<Vec<PortfolioTenant>> {
        let rows: Vec<PortfolioRow> = on_pool!(self, p => {
            sqlx::query_as(PORTFOLIO)
                .bind(user_id)
                .bind(catalog)
                .bind(week_ago)
                .bind(month_ago)
                .fetch_all(p)
                .await?
        });
        let both = |c: Option<i64>, m: Option<i64>| c.zip(m).map(|(c, m)| score_of(c, m));
        let mut out: Vec<PortfolioTenant> = rows
            .into_iter()
            .map(|r| {
                Ok(PortfolioTenant {
                    tenant: PortfolioEntry {
                        licensed_seats: to_u32(r.licensed_seats, "tenants.licensed_seats")?,
                        zone_okay_from: to_u32(r.zone_okay_from, "tenants.zone_okay_from")?,
                        zone_good_from: to_u32(r.zone_good_from, "tenants.zone_good_from")?,
                        id: r.id,
                        name: r.name,
                        industry: r.industry,
                    },
                    role: role_of(&r.role)?,
                    revision: r.revision,
                    kept: both(r.kept_current, r.kept_max),
                    week_ago: both(r.week_current, r.week_max),
                    month_ago: both(r.month_current, r.month_max),
                    regressed_since_week_ago: Points(r.regressed.unwrap_or(0)),
                })
            })
            .collect::<Result<_>>()?;
        // Sorted here: an ORDER BY on the name leads SQLite to walk every tenant by name
        // rather than only the person's memberships.
        out.sort_by(|a, b| (&a.tenant.name, &a.tenant.id).cmp(&(&b.tenant.name, &b.tenant.id)));
        Ok(out)
    }

    async fn keep_score(
        &self,
        tenant_id: &str,
        revision: i64,
        catalog: &str,
        score: KeptScore,
    ) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(KEEP)
                .bind(tenant_id)
                .bind(revision)
                .bind(catalog)
                .bind(score.current.0)
                .bind(score.max.0)
                .bind(micros(Utc::now()))
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn portfolio_version(
        &self,
        user_id: &str,
        week_ago: NaiveDate,
        month_ago: NaiveDate,
    ) -> Result<String> {
        type Tenants = (i64, i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
        let (tenants, revisions, synced, granted): Tenants = on_pool!(self, p => {
            sqlx::query_as(VERSION_OF_TENANTS).bind(user_id).fetch_one(p).await?
        });
        let (days, taken): (i64, Option<DateTime<Utc>>) = on_pool!(self, p => {
            sqlx::query_as(VERSION_OF_DAYS).bind(user_id).bind(week_ago).bind(month_ago).fetch_one(p).await?
        });
        let at = |t: Option<DateTime<Utc>>| t.map_or(0, |t| t.timestamp_micros());
        Ok(format!("{tenants}.{revisions}.{}.{}.{days}.{}", at(synced), at(granted), at(taken)))
    }

    async fn roles_held(&self, user_id: &str) -> Result<Vec<(String, Role)>> {
        let rows: Vec<(String, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT tenant_id, role FROM memberships WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(p)
                .await?
        });
        rows.into_iter().map(|(tenant, role)| Ok((tenant, role_of(&role)?))).collect()
    }

    async fn role_counts(&self, user_id: &str) -> Result<(u32, u32)> {
        // The roles are the product's own names, never input: safe to write into the query.
        let writers: Vec<String> =
            Role::ALL.iter().filter(|r| r.can_write()).map(|r| format!("'{}'", r.as_str())).collect();
        let sql = format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN role IN ({}) THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM memberships WHERE user_id = $1",
            writers.join(", ")
        );
        let (held, writable): (i64, i64) =
            on_pool!(self, p => sqlx::query_as(&sql).bind(user_id).fetch_one(p).await?);
        Ok((to_u32(held, "memberships")?, to_u32(writable, "memberships")?))
    }

    async fn kept_scores(&self, catalog: &str) -> Result<Vec<TenantScore>> {
        let rows: Vec<(String, String, i64, Option<i64>, Option<i64>)> =
            on_pool!(self, p => sqlx::query_as(KEPT_SCORES).bind(catalog).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(tenant_id, name, revision, current, max)| TenantScore {
                tenant_id,
                name,
                revision,
                kept: current.zip(max).map(|(c, m)| score_of(c, m)),
            })
            .collect())
    }

    async fn top_regressions(
        &self,
        tenant_ids: &[String],
        since: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, TopRegression>> {
        if tenant_ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let list = (0..tenant_ids.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT tenant_id, action_id, delta FROM snapshot_action_changes \
             WHERE day > $1 AND day <= $2 AND cause = '{measured}' AND delta < 0 \
             AND tenant_id IN ({list}) ORDER BY tenant_id, day, action_id",
            measured = crate::codec::cause_str(score::snapshot::Cause::Measurement)
        );
        let rows: Vec<(String, String, i64)> = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(crate::codec::day_bound(since)).bind(crate::codec::day_bound(to));
            for id in tenant_ids {
                q = q.bind(id);
            }
            q.fetch_all(p).await?
        });
        let mut out: BTreeMap<String, TopRegression> = BTreeMap::new();
        for (tenant, action_id, delta) in rows {
            let delta = Points(delta);
            // Strictly lower only: the first of equal losses stays.
            if out.get(&tenant).is_none_or(|top| delta < top.delta) {
                out.insert(tenant, TopRegression { action_id, delta });
            }
        }
        Ok(out)
    }
}
