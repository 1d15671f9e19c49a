//! A stand-in for Microsoft on a loopback port: the Entra token endpoint as documented for
//! the client-credentials grant (`POST /{tenant}/oauth2/v2.0/token`), checking each request
//! exactly and answering with Microsoft's response shapes, and recording what it was sent.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const DIRECTORY: &str = "6f1c3f0a-1c2b-4d3e-9f40-5a6b7c8d9e01";
pub const CLIENT_ID: &str = "0b9e2d4c-7a1f-4e3b-8c5d-6e7f8a9b0c12";
pub const CLIENT_SECRET: &str = "Xq8~fake.secret-for-tests_0123456789abcdef";

/// How the fake answers the next token requests.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Seconds each granted token lives (Microsoft grants about an hour).
    pub expires_in: u64,
    /// The secret has expired in Entra: every grant is refused with AADSTS7000222.
    pub secret_expired: bool,
    /// Answer 200 with a body that is not a token.
    pub garbled: bool,
}

impl Default for Identity {
    fn default() -> Self {
        Identity { expires_in: 3599, secret_expired: false, garbled: false }
    }
}

#[derive(Default)]
struct Recorded {
    identity: Identity,
    /// Every token request's form fields, in order.
    token_requests: Vec<BTreeMap<String, String>>,
}

#[derive(Clone)]
pub struct FakeMicrosoft {
    pub base: String,
    state: Arc<Mutex<Recorded>>,
}

impl FakeMicrosoft {
    pub async fn start() -> FakeMicrosoft {
        let state = Arc::new(Mutex::new(Recorded::default()));
        let app =
            axum::Router::new().route("/{tenant}/oauth2/v2.0/token", post(token)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        FakeMicrosoft { base, state }
    }

    pub fn set_identity(&self, identity: Identity) {
        self.state.lock().expect("lock").identity = identity;
    }

    pub fn token_requests(&self) -> Vec<BTreeMap<String, String>> {
        self.state.lock().expect("lock").token_requests.clone()
    }
}

/// Microsoft's error body (`error`, `error_description`, `error_codes`, and the trace ids).
fn entra_error(status: StatusCode, error: &str, code: u64, text: &str) -> Response {
    let body = serde_json::json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text}\r\nTrace ID: 0000\r\nCorrelation ID: 0000\r\nTimestamp: 2026-12-01 00:00:00Z"),
        "error_codes": [code],
        "timestamp": "2026-12-01 00:00:00Z",
        "trace_id": "00000000-0000-0000-0000-000000000000",
        "correlation_id": "00000000-0000-0000-0000-000000000000",
    });
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response()
}

async fn token(
    State(state): State<Arc<Mutex<Recorded>>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let mut recorded = state.lock().expect("lock");
    recorded.token_requests.push(form.clone());
    let identity = recorded.identity.clone();
    drop(recorded);
    let form_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
        == Some("application/x-www-form-urlencoded");
    if !form_type {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    if form.get("scope").map(String::as_str) != Some("https://graph.microsoft.com/.default") {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            "The provided value for scope is not valid.",
        );
    }
    if tenant != DIRECTORY {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            "Application was not found in the directory.",
        );
    }
    if form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided.",
        );
    }
    if identity.secret_expired {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000222,
            "The provided client secret keys for app are expired.",
        );
    }
    if identity.garbled {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"token_type\":\"Bearer\",\"expi",
        )
            .into_response();
    }
    let n = state.lock().expect("lock").token_requests.len();
    let body = serde_json::json!({
        "token_type": "Bearer",
        "expires_in": identity.expires_in,
        "ext_expires_in": identity.expires_in,
        "access_token": format!("fake-graph-token-{n}"),
    });
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string())
        .into_response()
}
