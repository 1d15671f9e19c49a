//! CSV exports of the Improvement actions list and the History events: the same query,
//! rows and columns as the page, written by [`crate::csv_export`].

use crate::csv_export::{download, in_chunks};
use crate::http::ServerState;
use crate::web_access::{internal, session_access};
use app::pages::actions::{csv, filter, query::ActionQuery, row::rows_of};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use score::roles::Access;
use std::collections::HashMap;

/// `GET /tenants/{tenant}/actions.csv?<the page's query>`
pub async fn actions_csv(
    State(state): State<ServerState>,
    Path(tenant): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match export(&state, &tenant, &params, &headers).await {
        Ok(lines) => download("improvement-actions.csv", &csv::HEADER, in_chunks(lines)),
        Err((status, message)) => (status, message).into_response(),
    }
}

async fn export(
    state: &ServerState,
    tenant: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Vec<Vec<csv::Cell>>, (StatusCode, &'static str)> {
    // The same session and tenant check as every other handler: 401, or 404 for a
    // tenant without a role, exactly like an unknown one.
    let (_, _, tenant) = session_access(state, headers, tenant, Access::Read).await?;
    let store = state.app.store.as_ref();
    let live = service::live::live_score(store, &state.app.catalog, &tenant).await.map_err(|e| match e {
        store::StoreError::NotFound(_) => (StatusCode::NOT_FOUND, "tenant was not found"),
        other => internal(other),
    })?;
    let rows = rows_of(&live, state.app.catalog.len());
    let query = ActionQuery::from_lookup(|k| params.get(k).cloned());
    let view = filter::apply(&rows, &query);
    Ok(view.rows_in_order().into_iter().map(csv::values).collect())
}

/// `GET /tenants/{tenant}/history.csv?<the History page's query>`: every matching event of
/// the range (not only the page shown), in the page's order.
pub async fn history_csv(
    State(state): State<ServerState>,
    Path(tenant): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    use app::pages::history::{csv, data, query::HistoryQuery};
    let tenant = match session_access(&state, &headers, &tenant, Access::Read).await {
        Ok((_, _, tenant)) => tenant,
        Err(refusal) => return refusal.into_response(),
    };
    let query = HistoryQuery::from_lookup(|k| params.get(k).cloned()).unpaged();
    let today = chrono::Utc::now().date_naive();
    match data::load(state.app.store.as_ref(), &state.app.catalog, &tenant, &query, today).await {
        Ok(history) => {
            download("history.csv", &csv::HEADER, in_chunks(history.events.iter().map(csv::values).collect()))
        }
        // The app's errors are safe to show: bad dates name their field, internals are logged.
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.to_string()).into_response()
        }
    }
}
