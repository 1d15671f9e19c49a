//! Prometheus metrics at `/metrics`, for the Grafana an operator already runs.
//!
//! Two kinds of figures meet in one scrape. What happens over time (HTTP requests, job
//! runs, deliveries) is recorded as it happens through the `metrics` facade into the
//! process's one Prometheus recorder. What *is* (each tenant's live score, the pool, the
//! process) is read at scrape time, so it can never disagree with the pages.

mod process;
mod tenants;
mod text;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The path Prometheus scrapes.
pub const PATH: &str = "/metrics";

/// The shortest scrape token the server accepts: it guards per-tenant scores.
pub const MIN_TOKEN_CHARS: usize = 16;

const HTTP_REQUESTS: &str = "rampart_http_requests_total";
const HTTP_DURATION: &str = "rampart_http_request_duration_seconds";
const HTTP_IN_FLIGHT: &str = "rampart_http_requests_in_flight";

/// Request latency buckets: pages answer in milliseconds, an import upload in minutes.
const LATENCY_BUCKETS: [f64; 14] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// What the operator set: the scrape token, and whether tenant names go into labels.
#[derive(Clone)]
pub struct MetricsSettings {
    pub token: String,
    /// Names are what a dashboard shows; some providers keep their clients' names out of
    /// their monitoring, and then only the tenant id labels a series.
    pub tenant_names: bool,
}

impl std::fmt::Debug for MetricsSettings {
    // The token never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings").field("tenant_names", &self.tenant_names).finish_non_exhaustive()
    }
}

/// The process's recorder: installed on first use and kept for the life of the process,
/// since the `metrics` facade has one global recorder (several servers in one test
/// process share it, which is why tests read differences, not totals).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &LATENCY_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics shows only what it reads itself");
        }
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route and status.");
    metrics::describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to answer an HTTP request (until its head is sent), by method and route."
    );
    metrics::describe_gauge!(HTTP_IN_FLIGHT, "HTTP requests being answered now.");
    crate::jobs::describe_metrics();
    crate::m365::sync::describe_metrics();
    crate::alerts::describe_metrics();
}

/// Adds `/metrics` and the HTTP measurements to `router` when the operator set a scrape
/// token; without one the router is unchanged and `/metrics` is not found.
pub fn with_metrics(
    router: Router,
    settings: Option<MetricsSettings>,
    state: app::state::AppState,
) -> Router {
    let Some(settings) = settings else { return router };
    let handle = recorder();
    let scrape = Arc::new(Scrape { settings, state, handle });
    router
        .route(PATH, get(move |headers: HeaderMap| answer(scrape.clone(), headers)))
        .layer(middleware::from_fn(track))
}

struct Scrape {
    settings: MetricsSettings,
    state: app::state::AppState,
    handle: &'static PrometheusHandle,
}

async fn answer(scrape: Arc<Scrape>, headers: HeaderMap) -> Response {
    if !authorized(&headers, &scrape.settings.token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            "metrics need the scrape token: Authorization: Bearer <RAMPART_METRICS_TOKEN>\n",
        )
            .into_response();
    }
    scrape.handle.run_upkeep();
    let mut body = scrape.handle.render();
    process::render(&mut body);
    tenants::render_store(&mut body, scrape.state.store.as_ref());
    match tenants::render_scores(&mut body, &scrape.state, scrape.settings.tenant_names).await {
        Ok(()) => {}
        Err(e) => {
            // A partial scrape would draw every missing tenant as a drop to zero.
            tracing::error!(error = %e, "metrics: tenant scores could not be read");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant scores could not be read; see the server log\n",
            )
                .into_response();
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// Whether the request carries the scrape token. Both sides are hashed first, so the
/// comparison takes the same time whatever prefix of the token a guess gets right.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes())
}

/// Counts and times every request by its route pattern (`/tenants/{id}/history`, never the
/// path itself, so a crawler cannot make a series per URL).
async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| route_label(m.as_str()));
    let method = method_label(request.method());
    let started = Instant::now();
    let in_flight = metrics::gauge!(HTTP_IN_FLIGHT);
    in_flight.increment(1.0);
    let response = next.run(request).await;
    in_flight.decrement(1.0);
    let status = response.status().as_u16().to_string();
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
    response
}

/// A route pattern as the app's own routes write it (`/tenants/:tenant`), not axum's
/// `{tenant}`: braces inside a label value trip some text-format parsers.
fn route_label(pattern: &str) -> String {
    pattern.replace("{*", "*").replace('{', ":").replace('}', "")
}

/// The method as a label: the standard ones by name, any other as `other` (methods are
/// free text a client chooses).
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_let_in() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().expect("header"));
            h
        };
        let token = "a-scrape-token-of-length";
        assert!(authorized(&with(&format!("Bearer {token}")), token));
        assert!(!authorized(&with("Bearer a-scrape-token-of-lengt"), token));
        assert!(!authorized(&with(token), token), "the scheme is required");
        assert!(!authorized(&HeaderMap::new(), token));
    }

    #[test]
    fn route_patterns_are_labelled_without_braces() {
        assert_eq!(route_label("/tenants/{tenant}/actions/{action}"), "/tenants/:tenant/actions/:action");
        assert_eq!(route_label("/pkg/{*file}"), "/pkg/*file");
        assert_eq!(route_label("/healthz"), "/healthz");
    }

    #[test]
    fn unusual_methods_share_one_label() {
        let odd = axum::http::Method::from_bytes(b"PROPFIND").expect("method");
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&axum::http::Method::GET), "GET");
    }
}
