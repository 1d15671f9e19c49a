//! `/metrics` as Prometheus scrapes it: the token, the text format (read back by the
//! `prometheus-parse` crate, not by our own code) and the tenant gauges against the score
//! the Graph API reports and the points a measurement moves.

use crate::common::{demo_server, TestServer};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Utc;
use prometheus_parse::{Scrape, Value};
use server::demo::CONTOSO_ID;
use server::monitoring::{with_metrics, MetricsSettings};

const TOKEN: &str = "a-scrape-token-for-tests";

async fn monitored(tenant_names: bool) -> TestServer {
    demo_server().await.wrapped(|router, state| {
        with_metrics(router, Some(MetricsSettings { token: TOKEN.into(), tenant_names }), state)
    })
}

async fn scrape_with(s: &TestServer, authorization: Option<&str>) -> crate::common::Reply {
    let mut req = Request::get("/metrics");
    if let Some(a) = authorization {
        req = req.header(header::AUTHORIZATION, a);
    }
    s.send(req.body(Body::empty()).expect("request")).await
}

async fn scrape(s: &TestServer) -> Scrape {
    let r = scrape_with(s, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    Scrape::parse(r.body.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text format")
}

fn gauge(scrape: &Scrape, name: &str, tenant: &str) -> f64 {
    let found: Vec<f64> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == name && s.labels.get("tenant_id") == Some(tenant))
        .filter_map(|s| match s.value {
            Value::Gauge(v) => Some(v),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "one {name} gauge for {tenant}: {found:?}");
    found[0]
}

fn requests(scrape: &Scrape, route: &str, status: &str) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == "rampart_http_requests_total")
        .filter(|s| s.labels.get("route") == Some(route) && s.labels.get("status") == Some(status))
        .map(|s| match s.value {
            Value::Counter(v) | Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

#[tokio::test]
async fn without_a_token_setting_there_is_no_metrics_and_a_short_token_is_refused() {
    let s = demo_server().await;
    assert_eq!(scrape_with(&s, Some(&format!("Bearer {TOKEN}"))).await.status, StatusCode::NOT_FOUND);
    let short = server::config::Serve { metrics_token: Some("short".into()), ..Default::default() };
    let why = short.metrics().expect_err("a short token is refused");
    assert!(why.contains("RAMPART_METRICS_TOKEN") && why.contains("16"), "{why}");
    let unset = server::config::Serve::default();
    assert!(unset.metrics().expect("no token is fine").is_none());
}

#[tokio::test]
async fn a_scrape_needs_the_exact_token() {
    let s = monitored(true).await;
    for wrong in [None, Some("Bearer not-the-scrape-token"), Some(TOKEN)] {
        let r = scrape_with(&s, wrong).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
        assert!(!r.body.contains("rampart_tenant"), "nothing is given away");
    }
}

#[tokio::test]
async fn requests_are_counted_by_route_and_the_process_and_pool_are_reported() {
    let s = monitored(true).await;
    let before = scrape(&s).await;
    let overview = format!("/tenants/{CONTOSO_ID}");
    let signed_out = s.get(&overview, None).await;
    let r = s.get("/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let after = scrape(&s).await;
    assert!(
        requests(&after, "/healthz", "200") >= requests(&before, "/healthz", "200") + 1.0,
        "the health check is counted under its route"
    );
    // The Overview is counted by its pattern, never by the tenant id in the path.
    let status = signed_out.status.as_u16().to_string();
    assert!(
        requests(&after, "/tenants/:tenant", &status) >= requests(&before, "/tenants/:tenant", &status) + 1.0
    );
    assert!(
        after.samples.iter().all(|x| !x.labels.get("route").is_some_and(|r| r.contains(CONTOSO_ID))),
        "no series per URL"
    );
    let names: Vec<&str> = after.samples.iter().map(|x| x.metric.as_str()).collect();
    for expected in [
        "rampart_http_request_duration_seconds",
        "rampart_http_requests_in_flight",
        "rampart_store_connections",
        "rampart_store_max_connections",
        "rampart_store_query_errors_total",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
    ] {
        assert!(names.iter().any(|n| n.starts_with(expected)), "{expected} missing from {names:?}");
    }
    let histogram = after.samples.iter().find(|x| {
        x.metric == "rampart_http_request_duration_seconds" && x.labels.get("route") == Some("/healthz")
    });
    assert!(matches!(histogram.map(|h| &h.value), Some(Value::Histogram(_))), "latency is a histogram");
}

#[tokio::test]
async fn each_tenants_gauges_are_its_live_score() {
    let s = monitored(true).await;
    let store = s.state.store.as_ref();
    let today = Utc::now().date_naive();
    // The Graph API reports a snapshot; one taken now is the live score.
    server::jobs::snapshot_all(store, &s.state.catalog, today, Utc::now()).await.expect("snapshot");
    let (token, _) = s.api_token("admin@contoso.example", CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let graph = s
        .send(
            Request::get("/v1.0/security/secureScores?$top=1")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let graph: serde_json::Value = serde_json::from_str(&graph.body).expect("JSON");
    let current = graph["value"][0]["currentScore"].as_f64().expect("currentScore");
    let max = graph["value"][0]["maxScore"].as_f64().expect("maxScore");

    let first = scrape(&s).await;
    let points = gauge(&first, "rampart_tenant_points", CONTOSO_ID);
    assert!((points - current).abs() < 0.005, "gauge {points}, Graph {current}");
    assert!((gauge(&first, "rampart_tenant_max_points", CONTOSO_ID) - max).abs() < 0.005);
    assert!((gauge(&first, "rampart_tenant_score_ratio", CONTOSO_ID) - current / max).abs() < 1e-6);
    let every = store.tenants().await.expect("tenants");
    for t in &every {
        gauge(&first, "rampart_tenant_points", &t.id);
    }
    let named = first.samples.iter().find(|x| x.labels.get("tenant_id") == Some(CONTOSO_ID));
    assert_eq!(named.and_then(|x| x.labels.get("tenant_name")), Some("Contoso"));

    // A measurement of a partly met action moves the gauge by what its share is worth.
    let live = service::live_score(store, &s.state.catalog, CONTOSO_ID).await.expect("live");
    let (id, m, action_max) = live
        .scores
        .iter()
        .filter(|a| a.applicable)
        .find_map(|a| {
            let action = live.action(&a.id)?;
            action.unit()?;
            let m = live.records.get(&a.id)?.state.measurement?;
            (m.total >= 10 && m.count >= 4 && m.count < m.total)
                .then(|| (a.id.clone(), m, action.max().as_f64()))
        })
        .expect("a partly measured action in the demo");
    let fewer = m.count / 2;
    let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let body = serde_json::json!({"measurements": [{"actionId": id, "count": fewer, "total": m.total, "observedAt": at}]});
    let r = s
        .send(
            Request::post("/api/v1/measurements")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let expected_drop = action_max * f64::from(m.count - fewer) / f64::from(m.total);
    let second = scrape(&s).await;
    let moved = points - gauge(&second, "rampart_tenant_points", CONTOSO_ID);
    assert!((moved - expected_drop).abs() < 0.01, "fell by {moved}, expected {expected_drop}");
}

#[tokio::test]
async fn tenant_names_can_be_left_out() {
    let s = monitored(false).await;
    let got = scrape(&s).await;
    let tenant_series: Vec<_> =
        got.samples.iter().filter(|x| x.metric.starts_with("rampart_tenant_")).collect();
    assert!(!tenant_series.is_empty());
    assert!(tenant_series
        .iter()
        .all(|x| x.labels.get("tenant_name").is_none() && x.labels.get("tenant_id").is_some()));
}

/// The dashboard in docs/monitoring.md is JSON Grafana can import, and the always-present
/// series it draws exist under the names it uses.
#[tokio::test]
async fn the_documented_dashboard_parses_and_names_real_series() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/monitoring.md")).expect("doc");
    let json = doc.split("```json\n").nth(1).and_then(|b| b.split("\n```").next()).expect("a json block");
    let dashboard: serde_json::Value = serde_json::from_str(json).expect("the dashboard is JSON");
    let s = monitored(true).await;
    s.get("/healthz", None).await;
    let got = scrape(&s).await;
    let exprs: Vec<String> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["expr"].as_str().map(str::to_owned))
        .collect();
    assert!(exprs.len() >= 8, "{exprs:?}");
    let read_at_scrape = ["rampart_tenant_", "rampart_http_", "rampart_store_"];
    for name in exprs.iter().flat_map(|e| {
        e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| read_at_scrape.iter().any(|p| w.starts_with(p)))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    }) {
        let base = name.trim_end_matches("_bucket");
        assert!(got.samples.iter().any(|x| x.metric.starts_with(base)), "{name} is drawn but not served");
    }
}
