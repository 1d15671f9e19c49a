//! CSV export of the Improvement actions list: the same query, rows and columns as the page.

use crate::http::ServerState;
use app::pages::actions::{csv, filter, query::ActionQuery, row::rows_of};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// `GET /tenants/{tenant}/actions.csv?<the page's query>`
pub async fn actions_csv(
    State(state): State<ServerState>,
    Path(tenant): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match export(&state, &tenant, &params, &headers).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"improvement-actions.csv\""),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err((status, message)) => (status, message).into_response(),
    }
}

async fn export(
    state: &ServerState,
    tenant: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<String, (StatusCode, &'static str)> {
    let store = state.app.store.as_ref();
    let internal = |e: store::StoreError| {
        tracing::error!(error = %e, "storage error in the CSV export");
        (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server; it has been logged.")
    };
    let viewer = app::auth::session::viewer_for(store, headers)
        .await
        .map_err(internal)?
        .ok_or((StatusCode::UNAUTHORIZED, "Please sign in."))?;
    let tenant = tenant.to_ascii_lowercase();
    // A tenant without a role and an unknown one answer alike, as everywhere else.
    let member = store.memberships_of_user(&viewer.user_id).await.map_err(internal)?;
    if !member.iter().any(|m| m.tenant_id == tenant) {
        return Err((StatusCode::NOT_FOUND, "tenant was not found"));
    }
    let live = app::live::live_score(store, &state.app.catalog, &tenant).await.map_err(|e| match e {
        store::StoreError::NotFound(_) => (StatusCode::NOT_FOUND, "tenant was not found"),
        other => internal(other),
    })?;
    let rows = rows_of(&live, state.app.catalog.len());
    let query = ActionQuery::from_lookup(|k| params.get(k).cloned());
    let view = filter::apply(&rows, &query);
    Ok(csv::to_csv(view.rows_in_order()))
}
