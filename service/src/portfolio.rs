//! The portfolio's scores: each tenant's kept score where it still holds, and a fresh
//! evaluation (kept for the next read) where a write has moved the tenant on since.

use crate::live::live_score;
use chrono::{Duration, NaiveDate};
use score::ImprovementAction;
use store::{KeptScore, PortfolioTenant, Store, StoreError};

/// Days back of the portfolio's short and long change.
pub const WEEK_DAYS: i64 = 7;
pub const MONTH_DAYS: i64 = 30;

/// A tenant of the portfolio with its live score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioScore {
    pub row: PortfolioTenant,
    pub score: KeptScore,
}

/// Every tenant `user_id` holds a role in, by name, with its live score: read from the
/// kept scores, so only the tenants changed since they were last read are evaluated.
pub async fn portfolio(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    fingerprint: &str,
    user_id: &str,
    today: NaiveDate,
) -> Result<Vec<PortfolioScore>, StoreError> {
    let week_ago = today - Duration::days(WEEK_DAYS);
    let month_ago = today - Duration::days(MONTH_DAYS);
    let rows = store.portfolio(user_id, fingerprint, week_ago, month_ago).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let score = match row.kept {
            Some(kept) => kept,
            None => keep(store, catalog, fingerprint, &row.tenant.id, row.revision).await?,
        };
        out.push(PortfolioScore { row, score });
    }
    Ok(out)
}

/// Evaluates one tenant and keeps its score under `revision`, which must have been read
/// before the evaluation: a write in between leaves the kept score behind the tenant's
/// revision, so it is evaluated again rather than served stale.
pub async fn keep(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    fingerprint: &str,
    tenant_id: &str,
    revision: i64,
) -> Result<KeptScore, StoreError> {
    let live = live_score(store, catalog, tenant_id).await?;
    let score = KeptScore { current: live.score.current, max: live.score.max };
    store.keep_score(tenant_id, revision, fingerprint, score).await?;
    Ok(score)
}

/// Every tenant the server hosts with its live score (id, name, score), by id: kept
/// scores where they hold, the others evaluated and kept. Run at startup, it spares the
/// first reads after a catalog update from evaluating every tenant.
pub async fn every_score(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    fingerprint: &str,
) -> Result<Vec<(String, String, KeptScore)>, StoreError> {
    let mut out = Vec::new();
    for t in store.kept_scores(fingerprint).await? {
        let score = match t.kept {
            Some(kept) => kept,
            None => keep(store, catalog, fingerprint, &t.tenant_id, t.revision).await?,
        };
        out.push((t.tenant_id, t.name, score));
    }
    Ok(out)
}

/// A short name of the catalog's contents (FNV-1a over its JSON), the same for the same
/// catalog in every process and build: kept scores are kept under it.
pub fn catalog_fingerprint(catalog: &[ImprovementAction]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for action in catalog {
        // Serializing a plain struct cannot fail; an empty text would still name it.
        let json = serde_json::to_vec(action).unwrap_or_default();
        for byte in json.iter().chain(b"\n") {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
