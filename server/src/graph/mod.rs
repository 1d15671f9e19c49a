//! The Graph-compatible API under `/v1.0/security`: the same entities, field names and
//! query options as Microsoft Graph's Secure Score endpoints, so existing scripts work
//! unchanged against Rampart with a Rampart token.

pub mod cache;
pub mod control_profiles;
pub mod entities;
pub mod error;
pub mod odata;
pub mod openapi;
mod score_entity;
pub mod secure_scores;

use crate::bearer::authorize_bearer;
use crate::http::ServerState;
use crate::web_access::Need;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use error::GraphError;
pub use error::GraphErrorBody;
use score::roles::Access;
use std::future::Future;
use std::marker::PhantomData;

/// Who is calling: the token's tenant, and the user it acts for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant_id: String,
    pub user_id: String,
    pub token_id: String,
}

/// The caller of a Graph handler, cleared for `N` by their bearer token before anything
/// else of the request is read (an anonymous caller learns nothing about what a body or a
/// query should be). The tenant is always the token's.
pub struct TokenOn<N: Need>(pub Caller, pub PhantomData<N>);

impl<N: Need> FromRequestParts<ServerState> for TokenOn<N> {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, GraphError> {
        Ok(TokenOn(authorize(state, &parts.headers, N::ACCESS).await?, PhantomData))
    }
}

/// Checks the bearer token for `need`; the tenant is always the token's.
pub async fn authorize(state: &ServerState, headers: &HeaderMap, need: Access) -> Result<Caller, GraphError> {
    let store = state.app.store.as_ref();
    let grant = authorize_bearer(store, headers, need, chrono::Utc::now(), state.app.token_max_days)
        .await
        .map_err(|r| match r.status.as_u16() {
            401 => GraphError::unauthorized(r.message),
            403 => GraphError::forbidden(r.message),
            _ => GraphError::internal(),
        })?;
    Ok(Caller { tenant_id: grant.tenant_id, user_id: grant.user_id, token_id: grant.token_id })
}

/// Logs what went wrong and answers with a generic 500.
pub fn internal(e: impl std::fmt::Display) -> GraphError {
    tracing::error!(error = %e, "Graph API request failed");
    GraphError::internal()
}

/// Runs a handler body and turns its error into a Graph-style response.
pub async fn respond(body: impl Future<Output = Result<Response, GraphError>>) -> Response {
    body.await.unwrap_or_else(IntoResponse::into_response)
}

/// The base of `@odata.context` and `@odata.nextLink`: the operator's public URL, or
/// nothing, which makes them relative to the server the client called (never the
/// request's Host header, which the caller controls).
pub fn base_url(state: &ServerState) -> String {
    app::links::link_base(state.app.public_url.as_deref()).to_owned()
}

/// A collection page in Graph's envelope.
pub fn reply_page(
    base: &str,
    context: &str,
    count: Option<usize>,
    value: Vec<serde_json::Value>,
    next_link: Option<String>,
) -> Response {
    let context = format!("{base}/v1.0/{context}");
    axum::Json(entities::Collection { context, count, value, next_link }).into_response()
}

/// A collection page whose items are already JSON text: spliced in as they are, without
/// parsing and re-serialising a few hundred control scores per day.
pub fn reply_page_raw(
    base: &str,
    context: &str,
    count: Option<usize>,
    value: &[std::sync::Arc<str>],
    next_link: Option<String>,
) -> Response {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let mut body = String::with_capacity(value.iter().map(|v| v.len() + 1).sum::<usize>() + 256);
    body.push_str("{\"@odata.context\":");
    body.push_str(&quote(&format!("{base}/v1.0/{context}")));
    if let Some(n) = count {
        body.push_str(&format!(",\"@odata.count\":{n}"));
    }
    body.push_str(",\"value\":[");
    for (i, item) in value.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(item);
    }
    body.push(']');
    if let Some(link) = next_link {
        body.push_str(",\"@odata.nextLink\":");
        body.push_str(&quote(&link));
    }
    body.push('}');
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// One entity with its `@odata.context`.
pub fn reply_entity(base: &str, context: &str, entity: serde_json::Value) -> Response {
    let mut body = serde_json::Map::new();
    body.insert("@odata.context".into(), format!("{base}/v1.0/{context}").into());
    if let serde_json::Value::Object(fields) = entity {
        body.extend(fields);
    }
    axum::Json(serde_json::Value::Object(body)).into_response()
}

/// A single entity takes `$select` only; paging and filtering options make no sense there
/// and are refused rather than ignored.
/// `GET …/{id}`: one entity, which `find` reads (a miss is its NotFound); of the query
/// options only `$select` applies.
pub async fn one_entity<F>(
    state: &ServerState,
    query: Option<&str>,
    schema: &odata::Schema,
    context: &str,
    find: F,
) -> Response
where
    F: Future<Output = Result<serde_json::Value, GraphError>>,
{
    respond(async {
        let options = odata::parse(query, schema)?;
        only_select(&options)?;
        let entity = find.await?;
        Ok(reply_entity(&base_url(state), &format!("{context}/$entity"), options.project(entity)))
    })
    .await
}

pub fn only_select(options: &odata::QueryOptions) -> Result<(), GraphError> {
    if options.is_select_only() {
        Ok(())
    } else {
        Err(GraphError::bad_request("Only $select is supported when reading a single entity."))
    }
}

/// How a read of a collection is refused, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ListRefusals {
    /// An unsupported or invalid query option
    #[response(status = 400)]
    BadQuery(GraphErrorBody),
    /// The token may not read
    #[response(status = 403)]
    Forbidden(GraphErrorBody),
}

/// How a read of one entity is refused, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum EntityRefusals {
    /// An unsupported or invalid query option
    #[response(status = 400)]
    BadQuery(GraphErrorBody),
    /// No such entity for this token's tenant
    #[response(status = 404)]
    NotFound(GraphErrorBody),
}
