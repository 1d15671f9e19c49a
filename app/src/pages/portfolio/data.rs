//! The portfolio read for one viewer: every tenant they hold a role in, from the kept
//! scores and a handful of queries however many tenants there are, then the query's view.

use super::query::PortfolioQuery;
use super::view::{Summary, TenantSummary};
use crate::error::AppError;
use crate::pages::pager::PageOf;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One page of the viewer's portfolio under a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioPage {
    /// The tenants of the page shown.
    pub tenants: Vec<TenantSummary>,
    /// Which page of the tenants the query keeps.
    pub page: PageOf,
    /// Tenants in the portfolio before any filter.
    pub of: u32,
    /// Of the tenants the query keeps, all pages.
    pub summary: Summary,
    /// The industries of the portfolio's tenants, for the filter.
    pub industries: Vec<String>,
    /// The query's industry when no tenant has it (left out of the view).
    pub ignored_industry: Option<String>,
}

#[server(endpoint = "portfolio")]
pub async fn portfolio(#[server(flatten)] q: PortfolioQuery) -> Result<PortfolioPage, AppError> {
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let today = chrono::Utc::now().date_naive();
    server_side::page(&state, &viewer.user_id, q, today).await
}

#[cfg(feature = "ssr")]
pub use server_side::{page, summaries, PortfolioCache};

#[cfg(feature = "ssr")]
mod server_side {
    use super::*;
    use crate::pages::portfolio::view::{select, summarize, SyncState};
    use crate::state::AppState;
    use chrono::{Duration, NaiveDate};
    use service::portfolio::MONTH_DAYS;
    use std::collections::{BTreeMap, HashMap};
    use std::sync::{Arc, Mutex};

    /// Viewers whose portfolio is kept in memory at once; past it the cache starts over.
    const CACHED_VIEWERS: usize = 256;

    /// Each viewer's portfolio as last read, under the version of what it was read from
    /// ([`store::PortfolioStore::portfolio_version`], taken before the read): a request whose
    /// version and day match reads it from here instead of thousands of rows. Any change to
    /// the viewer's tenants, memberships, syncs or the days shown moves the version, so what
    /// is served is never older than the database; each replica keeps its own.
    #[derive(Default)]
    pub struct PortfolioCache {
        entries: Mutex<HashMap<String, Cached>>,
    }

    struct Cached {
        version: String,
        day: NaiveDate,
        list: Arc<Vec<TenantSummary>>,
    }

    impl PortfolioCache {
        fn get(&self, user_id: &str, version: &str, today: NaiveDate) -> Option<Arc<Vec<TenantSummary>>> {
            let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let hit = entries.get(user_id)?;
            (hit.version == version && hit.day == today).then(|| hit.list.clone())
        }

        fn put(&self, user_id: &str, version: String, today: NaiveDate, list: Arc<Vec<TenantSummary>>) {
            let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if entries.len() >= CACHED_VIEWERS && !entries.contains_key(user_id) {
                entries.clear();
            }
            entries.insert(user_id.to_owned(), Cached { version, day: today, list });
        }
    }

    /// The page of `query` from the viewer's whole portfolio.
    pub async fn page(
        state: &AppState,
        user_id: &str,
        mut query: PortfolioQuery,
        today: NaiveDate,
    ) -> Result<PortfolioPage, AppError> {
        let all = summaries(state, user_id, today).await?.as_ref().clone();
        let of = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let mut industries: Vec<String> =
            all.iter().map(|t| t.industry.clone()).filter(|i| !i.is_empty()).collect();
        industries.sort_by_key(|i| i.to_lowercase());
        industries.dedup();
        let asked_industry = query.industry.clone();
        let kept = select(all, &mut query);
        let summary = summarize(&kept);
        let page = PageOf::new(u32::try_from(kept.len()).unwrap_or(u32::MAX), query.page);
        let (start, len) = page.window();
        let mut tenants: Vec<TenantSummary> = kept.into_iter().skip(start).take(len).collect();
        top_regressions(state, &mut tenants, today).await?;
        let ignored_industry = asked_industry.filter(|_| query.industry.is_none());
        Ok(PortfolioPage { tenants, page, of, summary, industries, ignored_industry })
    }

    /// Every tenant the viewer holds a role in, by name, without top regressions: from the
    /// cache while nothing it was read from has changed.
    pub async fn summaries(
        state: &AppState,
        user_id: &str,
        today: NaiveDate,
    ) -> Result<Arc<Vec<TenantSummary>>, AppError> {
        let store = state.store.as_ref();
        let (week_ago, month_ago) =
            (today - Duration::days(service::portfolio::WEEK_DAYS), today - Duration::days(MONTH_DAYS));
        let version = store.portfolio_version(user_id, week_ago, month_ago).await?;
        if let Some(list) = state.portfolio_cache.get(user_id, &version, today) {
            return Ok(list);
        }
        let list = Arc::new(read_summaries(state, user_id, today).await?);
        state.portfolio_cache.put(user_id, version, today, list.clone());
        Ok(list)
    }

    async fn read_summaries(
        state: &AppState,
        user_id: &str,
        today: NaiveDate,
    ) -> Result<Vec<TenantSummary>, AppError> {
        let store = state.store.as_ref();
        let scores =
            service::portfolio::portfolio(store, &state.catalog, &state.catalog_fingerprint, user_id, today)
                .await?;
        // One read of the connections for the page; only the viewer's tenants are looked up.
        let mut connections: HashMap<String, store::M365Connection> =
            store.m365_connections().await?.into_iter().map(|c| (c.tenant_id.clone(), c)).collect();
        Ok(scores
            .into_iter()
            .map(|s| {
                let t = s.row.tenant;
                let percent = s.score.current.percent_of(s.score.max);
                let change = |then: Option<store::KeptScore>| {
                    then.map(|k| score::Percent(percent.0 - k.current.percent_of(k.max).0))
                };
                let sync = connections.remove(&t.id).map(|c| match c.last_error {
                    Some(reason) => SyncState::Failing { reason },
                    None => SyncState::Fine {
                        last_success: c.last_success_at.map(|at| at.date_naive().to_string()),
                    },
                });
                TenantSummary {
                    zone: crate::format::zone(percent, t.zone_okay_from, t.zone_good_from).to_owned(),
                    id: t.id,
                    name: t.name,
                    industry: t.industry,
                    licensed_seats: t.licensed_seats,
                    role: s.row.role,
                    current: s.score.current,
                    max: s.score.max,
                    percent,
                    change_7d: change(s.row.week_ago),
                    change_30d: change(s.row.month_ago),
                    regressed_7d: s.row.regressed_since_week_ago,
                    top_regression: None,
                    sync,
                }
            })
            .collect())
    }

    /// Fills in each tenant's largest measured loss of the last 30 days, with the action's
    /// title (a custom action's from its tenant).
    async fn top_regressions(
        state: &AppState,
        tenants: &mut [TenantSummary],
        today: NaiveDate,
    ) -> Result<(), AppError> {
        let store = state.store.as_ref();
        let ids: Vec<String> = tenants.iter().map(|t| t.id.clone()).collect();
        let tops = store.top_regressions(&ids, today - Duration::days(MONTH_DAYS), today).await?;
        let titles: BTreeMap<&str, &str> =
            state.catalog.iter().map(|a| (a.id.as_str(), a.title.as_str())).collect();
        for t in tenants.iter_mut() {
            let Some(top) = tops.get(&t.id) else { continue };
            let title = match titles.get(top.action_id.as_str()) {
                Some(title) => (*title).to_owned(),
                None => store
                    .custom_actions(&t.id)
                    .await?
                    .into_iter()
                    .find(|a| a.id == top.action_id)
                    .map_or_else(|| top.action_id.clone(), |a| a.title),
            };
            t.top_regression = Some((title, top.delta));
        }
        Ok(())
    }
}
