//! The portfolio: every tenant one person holds a role in, read in a handful of queries
//! however many tenants there are, with each tenant's kept score.
//!
//! A kept score is a tenant's live score as computed at one revision of the tenant under
//! one catalog. Every write to a tenant moves its revision in the write's own transaction
//! (the tenant lock does it), so a kept score stops matching the moment anything changes;
//! the portfolio reads only scores that still match and the caller recomputes the rest.
//! The catalog is named by a fingerprint of its contents, so a catalog updated at startup
//! (or a replica still running the previous one) never reuses a score of another catalog.

use crate::codec::micros;
use crate::people_rows::role as role_of;
use crate::pool::{on_pool, SqlStore};
use crate::tenants::TenantRow;
use crate::{Result, Tenant};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use score::roles::Role;
use score::Points;
use std::collections::BTreeMap;

/// A score as points of the most possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptScore {
    pub current: Points,
    pub max: Points,
}

/// One tenant of a person's portfolio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioTenant {
    pub tenant: Tenant,
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
    /// Keeps `score` as the tenant's live score at `revision` under `catalog`; a score
    /// already kept for a later revision stays.
    async fn keep_score(&self, tenant_id: &str, revision: i64, catalog: &str, score: KeptScore)
        -> Result<()>;
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
    #[sqlx(flatten)]
    tenant: TenantRow,
    role: String,
    revision: i64,
    kept_current: Option<i64>,
    kept_max: Option<i64>,
}

const PORTFOLIO: &str = "SELECT t.id, t.name, t.licensed_seats, t.active_users, t.industry, \
    t.enabled_services, t.created_at, t.zone_okay_from, t.zone_good_from, t.goal_percent, t.goal_by, \
    t.licenses, m.role, t.revision, k.current_points AS kept_current, k.max_points AS kept_max \
    FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
    LEFT JOIN kept_scores k ON k.tenant_id = t.id AND k.revision = t.revision AND k.catalog = $2 \
    WHERE m.user_id = $1 ORDER BY t.name, t.id";
const PAST_DAYS: &str = "SELECT s.tenant_id, s.day, s.current_points, s.max_points \
    FROM memberships m JOIN score_snapshots s ON s.tenant_id = m.tenant_id \
    WHERE m.user_id = $1 AND (s.day = $2 OR s.day = $3)";
const REGRESSED: &str = "SELECT s.tenant_id, CAST(SUM(s.regressed_points) AS BIGINT) \
    FROM memberships m JOIN score_snapshots s ON s.tenant_id = m.tenant_id \
    WHERE m.user_id = $1 AND s.day > $2 GROUP BY s.tenant_id";
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
        // One read transaction: the kept scores, the revisions and the days agree.
        let (rows, days, regressed) = on_pool!(self, p => {
            let mut tx = crate::pool::Begin::begin_read(p).await?;
            let rows: Vec<PortfolioRow> =
                sqlx::query_as(PORTFOLIO).bind(user_id).bind(catalog).fetch_all(&mut *tx).await?;
            let days: Vec<(String, NaiveDate, i64, i64)> = sqlx::query_as(PAST_DAYS)
                .bind(user_id)
                .bind(week_ago)
                .bind(month_ago)
                .fetch_all(&mut *tx)
                .await?;
            let regressed: Vec<(String, i64)> =
                sqlx::query_as(REGRESSED).bind(user_id).bind(week_ago).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            (rows, days, regressed)
        });
        let mut past: BTreeMap<(String, NaiveDate), KeptScore> = BTreeMap::new();
        for (tenant, day, current, max) in days {
            past.insert((tenant, day), score_of(current, max));
        }
        let regressed: BTreeMap<String, i64> = regressed.into_iter().collect();
        rows.into_iter()
            .map(|r| {
                let tenant = r.tenant.into_tenant()?;
                let id = tenant.id.clone();
                Ok(PortfolioTenant {
                    role: role_of(&r.role)?,
                    revision: r.revision,
                    kept: r.kept_current.zip(r.kept_max).map(|(c, m)| score_of(c, m)),
                    week_ago: past.get(&(id.clone(), week_ago)).copied(),
                    month_ago: past.get(&(id.clone(), month_ago)).copied(),
                    regressed_since_week_ago: Points(regressed.get(&id).copied().unwrap_or(0)),
                    tenant,
                })
            })
            .collect()
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
