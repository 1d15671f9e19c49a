//! Metrics & trends: one date range for the page; the score against the tenant's zones
//! (editable by read-write roles), the comparison, regression and risk acceptance trends,
//! the score changes of the range, and the projection from planned actions.

pub mod charts;
pub mod comparison_card;
pub mod comparisons;
pub mod data;
pub mod goal;
pub mod page;
pub mod sync;
pub mod trends;
pub mod zones;

use crate::pages::history::query::HistoryQuery;

/// The Metrics & trends URL of a view: where its forms come back to.
pub fn view_url(tenant_id: &str, view: &HistoryQuery) -> String {
    format!("/tenants/{}/metrics{}", service::url::encode(tenant_id), view.range_only().to_search())
}

/// The page's date range as its URL says it (`range`, `from`, `to`; the rest ignored), for
/// the pages that show one range: Metrics & trends and the report.
pub fn use_range_query() -> leptos::prelude::Memo<HistoryQuery> {
    use leptos::prelude::*;
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        let m = query.read();
        HistoryQuery::from_lookup(|k| if matches!(k, "range" | "from" | "to") { m.get(k) } else { None })
    })
}
