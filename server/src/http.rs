//! The HTTP router: Leptos pages and server functions, static assets, health, and the
//! guards every request passes (body limit, cross-site check, error statuses).

use app::error::AppError;
use app::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;

/// Largest request body accepted anywhere (server function arguments are small).
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;
/// Server function error bodies are small JSON; anything larger is passed through untouched.
const ERROR_BODY_LIMIT: usize = 16 * 1024;

#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

pub fn router(state: ServerState) -> Router {
    let routes = generate_route_list(App);
    let app_state = state.app.clone();
    let context = move || provide_context(app_state.clone());
    let options = state.leptos.clone();
    let (api, document) = crate::graph::openapi::api();
    let document = std::sync::Arc::new(document);
    let tenant_routes =
        tenant_routes().into_iter().fold(Router::new(), |r, (path, route)| r.route(path, route));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(tenant_routes)
        .merge(api)
        .route(
            crate::graph::openapi::DOCUMENT_PATH,
            get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, shell))
        .layer(axum::Extension(std::sync::Arc::new(crate::graph::cache::ScoreCache::default())))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(same_origin_writes))
        .layer(middleware::from_fn(limit_body))
        .layer(middleware::from_fn(crate::ingest::graph_style_too_large))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// Plain HTTP routes that act for a signed-in browser on one tenant. The HTTP access-matrix
/// test calls each of them as every role, so register such routes here rather than with
/// `.route` in [`router`]: a route missing from the matrix then fails that test.
pub fn tenant_routes() -> Vec<(&'static str, MethodRouter<ServerState>)> {
    vec![
        ("/tenants/{tenant}/tokens", post(crate::tokens::create_token)),
        ("/tenants/{tenant}/tokens/{token}/revoke", post(crate::tokens::revoke_token)),
        ("/tenants/{tenant}/audit.csv", get(crate::tokens::audit_csv)),
        ("/tenants/{tenant}/actions.csv", get(crate::export::actions_csv)),
        ("/tenants/{tenant}/history.csv", get(crate::export::history_csv)),
        ("/tenants/{tenant}/actions/{action}/share", post(crate::share::share_action)),
        (
            "/tenants/{tenant}/import",
            // Multipart reading has its own cap (2 MB by default); lift it to the upload's.
            post(crate::import::upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::upload::UPLOAD_LIMIT_BYTES)),
        ),
    ]
}

/// Caps every request body at [`BODY_LIMIT_BYTES`], except the import upload's. A declared
/// length over the cap is refused at once; a body that grows past it fails its reader,
/// which axum answers with 413.
async fn limit_body(req: Request, next: Next) -> Response {
    let limit = if crate::import::upload::is_upload_path(req.uri().path()) {
        crate::import::upload::UPLOAD_LIMIT_BYTES
    } else {
        BODY_LIMIT_BYTES
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large.").into_response();
    }
    next.run(req.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// Refuses state-changing requests that a browser sent from another site (CSRF). Session
/// cookies are SameSite=Lax as well; this check also covers sign-in itself.
async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let source =
        headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    if let (Some(source), Some(host)) = (source, host) {
        let source_host = source.split("://").nth(1).and_then(|rest| rest.split('/').next());
        if source_host != Some(host) {
            tracing::warn!(%source, %host, path = %req.uri().path(), "cross-site write refused");
            return (
                StatusCode::FORBIDDEN,
                "Cross-site request refused: the Origin does not match this server.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// Server functions answer every error with 500; give each the status its kind deserves
/// (401, 403, 404, 400, 429) so clients and logs can tell them apart.
async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    if !is_server_fn || resp.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
