//! What the portfolio shows of each tenant, and the view of them a query asks for:
//! searched, filtered, ordered and summed up. Pure, so the page, the CSV export and the
//! tests agree by construction.

use super::query::{PortfolioQuery, PortfolioSort, SyncFilter, ZONES};
use score::comparison::seat_bucket;
use score::roles::Role;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One tenant as the portfolio lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub licensed_seats: u32,
    /// The viewer's role in it.
    pub role: Role,
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    /// Percentage points gained (or lost) since 7 and 30 days ago; `None` without a
    /// snapshot of that day.
    pub change_7d: Option<Percent>,
    pub change_30d: Option<Percent>,
    pub zone: String,
    /// Points lost through measurements in the last 7 days (zero or less).
    pub regressed_7d: Points,
    /// The action that lost most points through measurements in 30 days, and how many
    /// (filled in for the tenants of the page shown).
    pub top_regression: Option<(String, Points)>,
    /// The Microsoft 365 sync, when the tenant is connected.
    pub sync: Option<SyncState>,
}

/// How a connected tenant's sync stands, as the portfolio shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncState {
    /// The last attempt succeeded (or none has run yet); the day of the last success.
    Fine { last_success: Option<String> },
    /// The last attempt failed, and why.
    Failing { reason: String },
}

impl TenantSummary {
    fn sync_filter(&self) -> SyncFilter {
        match self.sync {
            None => SyncFilter::NotConnected,
            Some(SyncState::Fine { .. }) => SyncFilter::Fine,
            Some(SyncState::Failing { .. }) => SyncFilter::Failing,
        }
    }

    fn zone_rank(&self) -> usize {
        ZONES.iter().position(|z| *z == self.zone).unwrap_or(0)
    }
}

/// The filtered portfolio summed up.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Tenants in each of [`ZONES`], in that order.
    pub zones: Vec<(String, u32)>,
    /// The mean of their scores; `None` for no tenants.
    pub average: Option<Percent>,
    /// The five largest 7-day drops, largest first: tenant id, name and change.
    pub drops: Vec<(String, String, Percent)>,
}

/// Tenants the query keeps, in its order; the query's industry is dropped (and named) when
/// no tenant of the portfolio has it.
pub fn select(all: Vec<TenantSummary>, query: &mut PortfolioQuery) -> Vec<TenantSummary> {
    if let Some(industry) = query.industry.clone() {
        if !all.iter().any(|t| t.industry.eq_ignore_ascii_case(&industry)) {
            query.ignored.push(("industry".to_owned(), industry));
            query.industry = None;
        }
    }
    let needle = query.q.to_lowercase();
    // Names in lower case once, not in every comparison of a sort of thousands.
    let mut kept: Vec<(String, TenantSummary)> = all
        .into_iter()
        .map(|t| (t.name.to_lowercase(), t))
        .filter(|(name, t)| keeps(query, &needle, name, t))
        .collect();
    kept.sort_by(|(a_name, a), (b_name, b)| {
        let by = if query.sort == PortfolioSort::Name { a_name.cmp(b_name) } else { order(query.sort, a, b) };
        // Ties stay A→Z whichever way the column runs.
        if query.desc { by.reverse() } else { by }.then_with(|| a_name.cmp(b_name))
    });
    kept.into_iter().map(|(_, t)| t).collect()
}

fn keeps(q: &PortfolioQuery, needle: &str, name: &str, t: &TenantSummary) -> bool {
    let whole = |p: Option<u32>| p.map(|p| i64::from(p) * 100);
    (needle.is_empty() || name.contains(needle))
        && q.zone.as_deref().is_none_or(|z| t.zone == z)
        && q.industry.as_deref().is_none_or(|i| t.industry.eq_ignore_ascii_case(i))
        && q.seats.is_none_or(|b| seat_bucket(t.licensed_seats) == usize::from(b))
        && whole(q.min).is_none_or(|lo| t.percent.0 >= lo)
        && whole(q.max).is_none_or(|hi| t.percent.0 <= hi)
        && (!q.regressed || t.regressed_7d < Points::ZERO)
        && q.sync.is_none_or(|s| t.sync_filter() == s)
}

/// Ascending order by one column; tenants without a change sort below every change.
fn order(by: PortfolioSort, a: &TenantSummary, b: &TenantSummary) -> Ordering {
    match by {
        PortfolioSort::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        PortfolioSort::Industry => a.industry.to_lowercase().cmp(&b.industry.to_lowercase()),
        PortfolioSort::Seats => a.licensed_seats.cmp(&b.licensed_seats),
        PortfolioSort::Points => a.current.cmp(&b.current),
        PortfolioSort::Score => a.percent.cmp(&b.percent),
        PortfolioSort::Week => a.change_7d.cmp(&b.change_7d),
        PortfolioSort::Change => a.change_30d.cmp(&b.change_30d),
        // Descending puts the worst zone first.
        PortfolioSort::Zone => b.zone_rank().cmp(&a.zone_rank()),
        PortfolioSort::Sync => a.sync_filter().as_str().cmp(b.sync_filter().as_str()),
    }
}

/// Tenants per zone, their mean score and their five largest 7-day drops.
pub fn summarize(tenants: &[TenantSummary]) -> Summary {
    let zones = ZONES
        .iter()
        .map(|z| {
            let n = tenants.iter().filter(|t| t.zone == *z).count();
            ((*z).to_owned(), u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect();
    let percents: Vec<Percent> = tenants.iter().map(|t| t.percent).collect();
    let mut drops: Vec<(String, String, Percent)> = tenants
        .iter()
        .filter_map(|t| t.change_7d.filter(|c| c.0 < 0).map(|c| (t.id.clone(), t.name.clone(), c)))
        .collect();
    drops.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase())));
    drops.truncate(5);
    Summary { zones, average: Percent::mean(&percents), drops }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn t(name: &str, percent: i64, week: Option<i64>, seats: u32) -> TenantSummary {
        TenantSummary {
            id: format!("id-{name}"),
            name: name.into(),
            industry: if seats > 50 { "Retail".into() } else { "Finance".into() },
            licensed_seats: seats,
            role: Role::GlobalReader,
            current: Points(percent),
            max: Points(10_000),
            percent: Percent(percent),
            change_7d: week.map(Percent),
            change_30d: None,
            zone: if percent >= 7000 {
                "good"
            } else if percent >= 4000 {
                "okay"
            } else {
                "bad"
            }
            .into(),
            regressed_7d: Points(if week.is_some_and(|w| w < 0) { -100 } else { 0 }),
            top_regression: None,
            sync: None,
        }
    }

    fn query(pairs: &[(&str, &str)]) -> PortfolioQuery {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        PortfolioQuery::from_lookup(|k| map.get(k).cloned())
    }

    fn names(all: &[TenantSummary], pairs: &[(&str, &str)]) -> Vec<String> {
        select(all.to_vec(), &mut query(pairs)).into_iter().map(|t| t.name).collect()
    }

    fn sample() -> Vec<TenantSummary> {
        vec![
            t("beta", 5000, Some(-300), 10),
            t("Alpha", 7500, None, 60),
            t("gamma", 2000, Some(200), 600),
            t("delta", 5000, Some(-50), 30),
        ]
    }

    #[test]
    fn searches_filters_and_orders_like_the_url_says() {
        let all = sample();
        assert_eq!(names(&all, &[]), ["Alpha", "beta", "delta", "gamma"]);
        assert_eq!(names(&all, &[("q", "ET")]), ["beta"]);
        assert_eq!(names(&all, &[("zone", "okay")]), ["beta", "delta"]);
        assert_eq!(names(&all, &[("industry", "retail")]), ["Alpha", "gamma"]);
        assert_eq!(names(&all, &[("seats", "11-50")]), ["delta"]);
        assert_eq!(names(&all, &[("min", "50"), ("max", "75")]), ["Alpha", "beta", "delta"]);
        assert_eq!(names(&all, &[("regressed", "7d")]), ["beta", "delta"]);
        assert_eq!(names(&all, &[("sync", "none")]).len(), 4);
        assert!(names(&all, &[("sync", "failing")]).is_empty());
        // Equal scores stay A→Z in both directions.
        assert_eq!(names(&all, &[("sort", "score")]), ["Alpha", "beta", "delta", "gamma"]);
        assert_eq!(names(&all, &[("sort", "score"), ("dir", "asc")]), ["gamma", "beta", "delta", "Alpha"]);
        // No change sorts below every change.
        assert_eq!(names(&all, &[("sort", "week")]), ["gamma", "delta", "beta", "Alpha"]);
        assert_eq!(names(&all, &[("sort", "zone")]), ["gamma", "beta", "delta", "Alpha"]);
    }

    #[test]
    fn an_industry_no_tenant_has_is_named_and_shows_everyone() {
        let mut q = query(&[("industry", "Mining")]);
        assert_eq!(select(sample(), &mut q).len(), 4);
        assert_eq!(q.ignored, [("industry".to_owned(), "Mining".to_owned())]);
    }

    #[test]
    fn the_summary_counts_zones_averages_and_ranks_the_drops() {
        let s = summarize(&sample());
        assert_eq!(s.zones, [("bad".to_owned(), 1), ("okay".to_owned(), 2), ("good".to_owned(), 1)]);
        assert_eq!(s.average, Some(Percent((5000 + 7500 + 2000 + 5000) / 4)));
        let drops: Vec<&str> = s.drops.iter().map(|d| d.1.as_str()).collect();
        assert_eq!(drops, ["beta", "delta"]);
        assert_eq!(summarize(&[]).average, None);
    }
}
