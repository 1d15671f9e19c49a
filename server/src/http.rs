//! The HTTP router: Leptos pages and server functions, static assets, health, and the
//! guards every request passes (time and body limits, cross-site check, security headers,
//! error statuses).

use app::error::AppError;
use app::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;

/// Largest request body accepted anywhere (server function arguments are small).
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    pub assets: Arc<crate::assets::Assets>,
}

impl ServerState {
    /// The state with the built assets under `leptos.site_root` read into memory: the pages
    /// then link them by their hashed names. Without built assets (most tests) the plain
    /// names stay, served from the site root as files if they appear.
    pub fn new(mut leptos: LeptosOptions, mut app: AppState) -> ServerState {
        let assets = match crate::assets::Assets::load(std::path::Path::new(leptos.site_root.as_ref())) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(site_root = %leptos.site_root, error = %e, "built assets not read; serving them from disk");
                crate::assets::Assets::default()
            }
        };
        if let Some(name) = assets.client_output_name() {
            leptos.output_name = name.into();
        }
        app.assets = Arc::new(assets.names());
        ServerState { leptos, app, assets: Arc::new(assets) }
    }
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

/// Time limits and caps the operator may tune (`serve --help` lists their settings).
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// A client must send a request's whole header within this (slow-header attacks).
    pub header_read_timeout: Duration,
    /// A request must be read and answered within this; a streamed body (an import's
    /// progress, a CSV download) may go on afterwards.
    pub request_timeout: Duration,
    /// The same for the import upload, whose body may be tens of megabytes.
    pub upload_timeout: Duration,
    /// Imports running at once on this server (one per tenant in any case).
    pub imports_at_once: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(600),
            imports_at_once: 4,
        }
    }
}

/// What the guards need to know: where users reach the server, and the limits.
#[derive(Clone)]
struct Guards {
    public_url: Option<Arc<str>>,
    limits: HttpLimits,
}

pub fn router(state: ServerState) -> Router {
    router_with(state, HttpLimits::default())
}

pub fn router_with(state: ServerState, limits: HttpLimits) -> Router {
    let routes = generate_route_list(App);
    let app_state = state.app.clone();
    let context = move || provide_context(app_state.clone());
    let options = state.leptos.clone();
    let (api, document) = crate::graph::openapi::api(&state.app.catalog);
    // Written once: the document is the same for every request.
    let document = axum::body::Bytes::from(serde_json::to_vec(&document).unwrap_or_default());
    let tenant_routes =
        tenant_routes().into_iter().fold(Router::new(), |r, (path, route)| r.route(path, route));
    let guards = Guards { public_url: state.app.public_url.clone(), limits };
    let https = state.app.public_url.as_deref().is_some_and(|p| p.starts_with("https://"));
    let imports = Arc::new(crate::import::slots::ImportSlots::new(limits.imports_at_once));
    let assets = state.assets.routes().fold(Router::new(), |r, (path, asset, cache_control)| {
        r.route(
            path,
            get(move |headers: axum::http::HeaderMap| async move { asset.answer(&headers, cache_control) }),
        )
    });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(assets)
        .merge(tenant_routes)
        // Only the viewer's own tenants, whatever else the server hosts (tested with the portfolio).
        .route("/portfolio.csv", get(crate::export::portfolio_csv))
        // Changes across tenants: each tenant cleared on its own (tests/web/portfolio.rs).
        .route("/portfolio/status", post(crate::portfolio_changes::set_status))
        .route("/portfolio/baselines", post(crate::portfolio_changes::add_baseline))
        .route("/portfolio/baselines/delete", post(crate::portfolio_changes::delete_baseline))
        .route("/portfolio/baselines/apply", post(crate::portfolio_changes::apply_baseline))
        .merge(api)
        .route(
            crate::graph::openapi::DOCUMENT_PATH,
            get(move || {
                let document = document.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], document) }
            }),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, shell))
        .layer(axum::Extension(std::sync::Arc::new(crate::graph::cache::ScoreCache::default())))
        .layer(axum::Extension(imports))
        .layer(middleware::from_fn_with_state(guards.clone(), same_origin_writes))
        .layer(middleware::from_fn(limit_body))
        .layer(middleware::from_fn(crate::ingest::graph_style_too_large))
        .layer(middleware::from_fn_with_state(guards.clone(), time_limit))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(https, crate::security_headers::add))
        .with_state(state)
}

/// Plain HTTP routes that act for a signed-in browser on one tenant. The HTTP access-matrix
/// test calls each of them as every role, so register such routes here rather than with
/// `.route` in [`router`]: a route missing from the matrix then fails that test.
pub fn tenant_routes() -> Vec<(&'static str, MethodRouter<ServerState>)> {
    vec![
        ("/tenants/{tenant}/tokens", post(crate::tokens::create_token)),
        ("/tenants/{tenant}/audit.csv", get(crate::tokens::audit_csv)),
        ("/tenants/{tenant}/actions.csv", get(crate::export::actions_csv)),
        ("/tenants/{tenant}/history.csv", get(crate::export::history_csv)),
        ("/tenants/{tenant}/actions/{action}/entities.csv", get(crate::export::entities_csv)),
        ("/tenants/{tenant}/actions/{action}/share", post(crate::share::share_action)),
        (
            "/tenants/{tenant}/import-scan",
            post(crate::import::scan_http::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::upload::UPLOAD_LIMIT_BYTES)),
        ),
        (
            "/tenants/{tenant}/import",
            // Multipart reading has its own cap (2 MB by default); lift it to the upload's.
            post(crate::import::upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::upload::UPLOAD_LIMIT_BYTES)),
        ),
    ]
}

/// `GET /readyz`: `ok` while the database answers, 503 otherwise — what a load balancer asks
/// before sending a replica requests (`/healthz` says only that the process serves).
async fn ready(axum::extract::State(state): axum::extract::State<ServerState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => "ok".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer").into_response()
        }
    }
}

/// Caps every request body at [`BODY_LIMIT_BYTES`], except the import uploads' and
/// ingest's ([`crate::ingest::INGEST_LIMIT_BYTES`]). A declared
/// length over the cap is refused at once; a body that grows past it fails its reader,
/// which axum answers with 413.
async fn limit_body(req: Request, next: Next) -> Response {
    let limit = if crate::import::upload::is_upload_path(req.uri().path()) {
        crate::import::upload::UPLOAD_LIMIT_BYTES
    } else {
        if req.uri().path() == crate::ingest::INGEST_PATH {
            crate::ingest::INGEST_LIMIT_BYTES
        } else {
            BODY_LIMIT_BYTES
        }
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

/// A request must be answered within its time limit; the upload gets a longer one.
async fn time_limit(State(guards): State<Guards>, req: Request, next: Next) -> Response {
    let limit = if crate::import::upload::is_upload_path(req.uri().path()) {
        guards.limits.upload_timeout
    } else {
        guards.limits.request_timeout
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            "The request was not received and answered in time; nothing more was done. Try again.",
        )
            .into_response(),
    }
}

/// Routes that only ever authenticate by bearer token (the Graph API under `/v1.0` and its
/// `/beta` aliases, ingest): a browser cannot send a token cross-site, and they never read
/// the session cookie.
pub fn is_token_only(path: &str) -> bool {
    path.starts_with("/v1.0/") || path.starts_with("/beta/security/") || path.starts_with("/api/v1/")
}

/// Refuses state-changing requests that did not come from a page of this server (CSRF),
/// sign-in and server functions included. A write needs an `Origin` equal to this
/// server's own (the public URL's scheme, host and port; without one, the scheme in use
/// and the request's Host), or the browser's `Sec-Fetch-Site: same-origin`. A request with
/// neither is refused: failing open is what cross-site forms rely on. Token-authenticated
/// calls are not affected: no browser attaches a token to a cross-site request.
async fn same_origin_writes(State(guards): State<Guards>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || is_token_only(req.uri().path())
        || req.headers().contains_key(header::AUTHORIZATION)
    {
        return next.run(req).await;
    }
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let expected = own_origin(guards.public_url.as_deref(), headers);
    let same_origin_fetch = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("same-origin"));
    let origin_matches =
        matches!((origin.and_then(normalised_origin), &expected), (Some(o), Some(e)) if &o == e);
    if origin_matches || same_origin_fetch {
        return next.run(req).await;
    }
    tracing::warn!(origin = origin.unwrap_or("(none)"), expected = expected.as_deref().unwrap_or("(unknown)"),
        path = %req.uri().path(), "cross-site write refused");
    let why = if origin.is_none() {
        "a change must come from a page of this server (no Origin was sent)"
    } else {
        "the Origin does not match this server"
    };
    // Server functions answer in the shape their callers read every other refusal in.
    if req.uri().path().starts_with("/api/") {
        let refusal = AppError::Forbidden(format!("cross-site request refused: {why}"));
        return (StatusCode::FORBIDDEN, axum::Json(refusal)).into_response();
    }
    (StatusCode::FORBIDDEN, format!("Cross-site request refused: {why}.")).into_response()
}

/// This server's origin as browsers write it: the public URL's, or (without one) the
/// scheme in use and the Host the request was sent to.
fn own_origin(public: Option<&str>, headers: &axum::http::HeaderMap) -> Option<String> {
    match public {
        Some(public) => normalised_origin(public),
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok())?;
            let scheme = if app::links::is_https(None, headers) { "https" } else { "http" };
            normalised_origin(&format!("{scheme}://{host}"))
        }
    }
}

/// `scheme://host[:port]` in lower case, without a default port, or `None` when `origin`
/// is not one (`null`, a path, another scheme).
fn normalised_origin(origin: &str) -> Option<String> {
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, rest) = origin.split_once("://")?;
    let host = rest.strip_suffix('/').unwrap_or(rest);
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    if host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return None;
    }
    Some(format!("{scheme}://{}", host.strip_suffix(default_port).unwrap_or(host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_by_scheme_host_and_port() {
        assert_eq!(normalised_origin("HTTPS://Rampart.Example:443"), Some("https://rampart.example".into()));
        assert_eq!(normalised_origin("http://r.test:3000/"), Some("http://r.test:3000".into()));
        assert_ne!(normalised_origin("https://r.test"), normalised_origin("http://r.test"));
        for bad in ["null", "r.test", "ftp://r.test", "http://", "http://r.test/path", "http://u@r.test"] {
            assert_eq!(normalised_origin(bad), None, "{bad}");
        }
    }
}
