//! What the CSV exports hold: the Improvement actions list and the History events, read
//! with the page's own query, rows and columns, so a download is what the page shows. The
//! server authorizes the tenant first and streams the lines.

use crate::error::AppError;
use crate::pages::{actions, history};
use score::ImprovementAction;
use service::csv::Cell;
use store::Store;

/// An export's header and lines.
pub struct Export {
    pub header: &'static [&'static str],
    pub lines: Vec<Vec<Cell>>,
}

/// The Improvement actions list under `query` (the page's parameters, looked up by name).
pub async fn improvement_actions(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    query: impl Fn(&str) -> Option<String>,
) -> Result<Export, AppError> {
    let live = service::live::live_score(store, catalog, tenant_id).await?;
    let rows = actions::row::rows_of(&live);
    let view = actions::filter::apply(&rows, &actions::query::ActionQuery::from_lookup(query));
    let lines = view.rows_in_order().into_iter().map(actions::csv::values).collect();
    Ok(Export { header: &actions::csv::HEADER, lines })
}

/// Every History event matching `query` over its range (not only the page shown), in the
/// page's order.
pub async fn history_events(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    query: impl Fn(&str) -> Option<String>,
    today: chrono::NaiveDate,
) -> Result<Export, AppError> {
    let query = history::query::HistoryQuery::from_lookup(query).unpaged();
    let history = history::data::load(store, catalog, tenant_id, &query, today).await?;
    Ok(Export {
        header: &history::csv::HEADER,
        lines: history.events.iter().map(history::csv::values).collect(),
    })
}

/// Columns of an action's entities.
pub const ENTITY_HEADER: [&str; 5] = ["Name", "Kind", "Id", "Passes", "Since"];

/// Every user, device or resource the action's measurements name, failing ones first.
pub async fn action_entities(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    action_id: &str,
) -> Result<Export, AppError> {
    let known = catalog.iter().any(|a| a.id == action_id)
        || store.custom_actions(tenant_id).await?.iter().any(|a| a.id == action_id);
    if !known {
        return Err(AppError::NotFound("action".into()));
    }
    let lines = store
        .entity_states(tenant_id, action_id)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                Cell::text(r.entity.display_name),
                Cell::text(r.entity.kind.key()),
                Cell::text(r.entity.id),
                Cell::text(if r.entity.passes { "Yes" } else { "No" }),
                Cell::text(r.since.format("%Y-%m-%d").to_string()),
            ]
        })
        .collect();
    Ok(Export { header: &ENTITY_HEADER, lines })
}

/// The portfolio's columns, one line per tenant the query keeps (every page).
pub const PORTFOLIO_HEADER: [&str; 13] = [
    "Tenant",
    "Tenant ID",
    "Industry",
    "Licensed seats",
    "Your role",
    "Points achieved",
    "Points possible",
    "Score (%)",
    "7-day change (points of %)",
    "30-day change (points of %)",
    "Zone",
    "Points regressed in 7 days",
    "Microsoft 365",
];

/// Every tenant of the viewer's portfolio that `query` keeps, in the page's order.
pub async fn portfolio(
    state: &crate::state::AppState,
    user_id: &str,
    query: impl Fn(&str) -> Option<String>,
    today: chrono::NaiveDate,
) -> Result<Export, AppError> {
    use crate::pages::portfolio::view::{select, SyncState};
    let mut query = crate::pages::portfolio::query::PortfolioQuery::from_lookup(query);
    let all = crate::pages::portfolio::data::summaries(state, user_id, today).await?.as_ref().clone();
    let percent = |p: score::Percent| Cell::number(format!("{:.2}", p.as_f64()));
    let lines = select(all, &mut query)
        .into_iter()
        .map(|t| {
            vec![
                Cell::text(t.name),
                Cell::text(t.id),
                Cell::text(t.industry),
                Cell::number(t.licensed_seats),
                Cell::text(t.role.label()),
                Cell::number(t.current.display()),
                Cell::number(t.max.display()),
                percent(t.percent),
                t.change_7d.map_or_else(|| Cell::text(""), percent),
                t.change_30d.map_or_else(|| Cell::text(""), percent),
                Cell::text(t.zone),
                Cell::number(t.regressed_7d.display()),
                Cell::text(match t.sync {
                    None => "not connected".to_owned(),
                    Some(SyncState::Fine { .. }) => "syncing".to_owned(),
                    Some(SyncState::Failing { reason }) => format!("failing: {reason}"),
                }),
            ]
        })
        .collect();
    Ok(Export { header: &PORTFOLIO_HEADER, lines })
}
