//! CSV exports of the Improvement actions list, the History events and the portfolio: the same query,
//! rows and columns as the page (`app::exports`), written by [`crate::csv_export`].

use crate::csv_export::{download, in_chunks};
use crate::http::ServerState;
use crate::web_access::{Read, SignedIn, TenantSession};
use app::error::AppError;
use app::exports::Export;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// `GET /tenants/{tenant}/actions.csv?<the page's query>`
pub async fn actions_csv(
    State(state): State<ServerState>,
    session: TenantSession<Read>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let query = |k: &str| params.get(k).cloned();
    let store = state.app.store.as_ref();
    answer(
        "improvement-actions.csv",
        app::exports::improvement_actions(store, &state.app.catalog, &session.tenant_id, query).await,
    )
}

/// `GET /tenants/{tenant}/history.csv?<the History page's query>`: every matching event of
/// the range (not only the page shown), in the page's order.
pub async fn history_csv(
    State(state): State<ServerState>,
    session: TenantSession<Read>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (query, today) = (|k: &str| params.get(k).cloned(), chrono::Utc::now().date_naive());
    let store = state.app.store.as_ref();
    let export = app::exports::history_events(store, &state.app.catalog, &session.tenant_id, query, today);
    answer("history.csv", export.await)
}

/// `GET /tenants/{tenant}/actions/{action}/entities.csv`: every entity the action's
/// measurements name, failing first.
pub async fn entities_csv(
    State(state): State<ServerState>,
    session: TenantSession<Read>,
    Path((_, action_id)): Path<(String, String)>,
) -> Response {
    let store = state.app.store.as_ref();
    let export = app::exports::action_entities(store, &state.app.catalog, &session.tenant_id, &action_id);
    answer("entities.csv", export.await)
}

/// `GET /portfolio.csv?<the portfolio's query>`: every tenant of the viewer's portfolio the
/// query keeps, all pages, in the page's order.
pub async fn portfolio_csv(
    State(state): State<ServerState>,
    SignedIn(viewer): SignedIn,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (query, today) = (|k: &str| params.get(k).cloned(), chrono::Utc::now().date_naive());
    answer("portfolio.csv", app::exports::portfolio(&state.app, &viewer.user_id, query, today).await)
}

/// The download, or the app's error, which is safe to show: bad dates name their field,
/// internals are logged.
fn answer(filename: &str, export: Result<Export, AppError>) -> Response {
    match export {
        Ok(e) => download(filename, e.header, in_chunks(e.lines)),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.to_string()).into_response()
        }
    }
}
