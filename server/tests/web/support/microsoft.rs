//! A stand-in for Microsoft on a loopback port: the Entra token endpoint as documented for
//! the client-credentials grant (`POST /{tenant}/oauth2/v2.0/token`), checking each request
//! exactly, and Graph's Secure Score collections (`GET /v1.0/security/…`) with paging by
//! `@odata.nextLink` and the faults Graph documents, and `PATCH` of a control profile
//! (write-back) checked as Graph documents it; it answers with Microsoft's response
//! shapes and records what it was sent.

use axum::extract::RawQuery;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const DIRECTORY: &str = "6f1c3f0a-1c2b-4d3e-9f40-5a6b7c8d9e01";
pub const CLIENT_ID: &str = "0b9e2d4c-7a1f-4e3b-8c5d-6e7f8a9b0c12";
pub const CLIENT_SECRET: &str = "Xq8~fake.secret-for-tests_0123456789abcdef";

/// The certificate registered on the app in the fake Entra: its SHA-1 thumbprint as
/// `openssl x509 -fingerprint -sha1` prints it, and its RSA public key (PKCS#1 DER), as
/// `openssl rsa -RSAPublicKey_out -outform DER` writes it from the key.
pub const CERTIFICATE_PEM: &str = include_str!("../../fixtures/m365-app-certificate.pem");
pub const CERTIFICATE_THUMBPRINT: &str = "36:05:C5:AC:81:9D:9B:2E:02:A1:3B:1E:6F:CF:0A:02:5F:02:3B:12";
const CERTIFICATE_PUBLIC_KEY: &[u8] = include_bytes!("../../fixtures/m365-app-public-key.der");
/// How a client assertion says it is one.
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

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

/// How the fake's Graph answers.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// The items of `/v1.0/security/secureScores`.
    pub items: Vec<serde_json::Value>,
    /// The items of `/v1.0/security/secureScoreControlProfiles`.
    pub profiles: Vec<serde_json::Value>,
    /// Items per page (Graph pages as it likes; 0 means all on one).
    pub page_size: usize,
    /// The next this many requests answer 429 with `Retry-After: 1`.
    pub busy: u32,
    /// After this many pages served, every token granted so far is refused with 401 (a
    /// token that expired, or was revoked, mid-sync).
    pub expire_tokens_after_pages: Option<usize>,
    /// 403: the app lacks consent for SecurityEvents.Read.All.
    pub forbidden: bool,
    /// The second page is cut off mid-body.
    pub truncated: bool,
    /// The first page's next link points to another host.
    pub foreign_next_link: bool,
    /// The next this many PATCHes answer 403: the app lacks SecurityEvents.ReadWrite.All.
    pub refuse_patches: u32,
}

#[derive(Default)]
struct Recorded {
    identity: Identity,
    graph: Graph,
    /// Every token request's form fields, in order.
    token_requests: Vec<BTreeMap<String, String>>,
    /// Tokens numbered up to this are refused by Graph.
    refused_up_to: usize,
    pages_served: usize,
    /// The fake Entra's origin: the audience a client assertion must name.
    entra: String,
    /// Every Graph request: path and query, and the bearer token sent.
    graph_requests: Vec<(String, String)>,
    /// Every PATCH that changed a profile: its id and the body.
    patches: Vec<(String, serde_json::Value)>,
    base: String,
}

/// Entra and Graph, each on a port of its own as Microsoft has them on hosts of their own.
#[derive(Clone)]
pub struct FakeMicrosoft {
    /// The authority (the token endpoint's origin).
    pub base: String,
    /// Graph's origin.
    pub graph: String,
    state: Arc<Mutex<Recorded>>,
}

impl FakeMicrosoft {
    pub async fn start() -> FakeMicrosoft {
        let state = Arc::new(Mutex::new(Recorded::default()));
        let entra =
            axum::Router::new().route("/{tenant}/oauth2/v2.0/token", post(token)).with_state(state.clone());
        let graph = axum::Router::new()
            .route("/v1.0/security/{collection}", get(collection))
            .route("/v1.0/security/secureScoreControlProfiles/{id}", patch(update_profile))
            .with_state(state.clone());
        let base = serve(entra).await;
        let graph = serve(graph).await;
        {
            let mut s = state.lock().expect("lock");
            s.base = graph.clone();
            s.entra = base.clone();
        }
        FakeMicrosoft { base, graph, state }
    }

    pub fn set_identity(&self, identity: Identity) {
        self.state.lock().expect("lock").identity = identity;
    }

    pub fn token_requests(&self) -> Vec<BTreeMap<String, String>> {
        self.state.lock().expect("lock").token_requests.clone()
    }

    pub fn set_graph(&self, graph: Graph) {
        let mut s = self.state.lock().expect("lock");
        s.graph = graph;
        s.pages_served = 0;
    }

    /// (control id, body) of every PATCH Graph took, in order.
    pub fn patches(&self) -> Vec<(String, serde_json::Value)> {
        self.state.lock().expect("lock").patches.clone()
    }

    /// The control profiles as they stand, changed by the PATCHes taken.
    pub fn profiles(&self) -> Vec<serde_json::Value> {
        self.state.lock().expect("lock").graph.profiles.clone()
    }

    /// (path and query, bearer token) of every Graph request so far.
    pub fn graph_requests(&self) -> Vec<(String, String)> {
        self.state.lock().expect("lock").graph_requests.clone()
    }
}

/// Serves `app` on a loopback port of its own; its origin.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    origin
}

/// Graph's error body.
fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message, "innerError": {
        "date": "2026-12-01T00:00:00", "request-id": "00000000-0000-0000-0000-000000000000" } } });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn collection(
    State(state): State<Arc<Mutex<Recorded>>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut s = state.lock().expect("lock");
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let query = query.unwrap_or_default();
    s.graph_requests.push((format!("/v1.0/security/{name}?{query}"), bearer));
    if let Some(refused) = token_refused(&s, &headers) {
        return refused;
    }
    if !matches!(name.as_str(), "secureScores" | "secureScoreControlProfiles") {
        return graph_error(StatusCode::NOT_FOUND, "UnknownError", "Resource not found.");
    }
    if s.graph.busy > 0 {
        s.graph.busy -= 1;
        let mut r = graph_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", "Too many requests.");
        r.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        return r;
    }
    if s.graph.forbidden {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Insufficient privileges to complete the operation.",
        );
    }
    let skip: usize =
        query.split('&').find_map(|p| p.strip_prefix("$skip=")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let items = if name == "secureScores" { &s.graph.items } else { &s.graph.profiles };
    let size = if s.graph.page_size == 0 { items.len().max(1) } else { s.graph.page_size };
    let page: Vec<serde_json::Value> = items.iter().skip(skip).take(size).cloned().collect();
    let more = skip + size < items.len();
    s.pages_served += 1;
    if s.graph.expire_tokens_after_pages == Some(s.pages_served) {
        s.refused_up_to = s.token_requests.len();
    }
    if s.graph.truncated && skip > 0 {
        return (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"value\":[{\"id\":")
            .into_response();
    }
    let mut body = serde_json::json!({
        "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#security/{name}"),
        "value": page,
    });
    if more {
        let host =
            if s.graph.foreign_next_link { "http://graph.evil.example".to_owned() } else { s.base.clone() };
        body["@odata.nextLink"] = format!("{host}/v1.0/security/{name}?$skip={}", skip + size).into();
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; odata.metadata=minimal")], body.to_string())
        .into_response()
}

/// The app that the fake's tokens are granted to, as Graph names it in `updatedBy`.
pub const APP_NAME: &str = "Rampart (app registration)";

/// The 401 Graph answers with when it does not take the bearer token; `None` when it does.
fn token_refused(s: &Recorded, headers: &HeaderMap) -> Option<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match bearer.strip_prefix("fake-graph-token-").and_then(|n| n.parse::<usize>().ok()) {
        Some(n) if n > s.refused_up_to && n <= s.token_requests.len() => None,
        _ => Some(graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        )),
    }
}

/// `PATCH /v1.0/security/secureScoreControlProfiles/{id}` as Graph documents it: a JSON
/// body with `vendorInformation` (provider and vendor) and any of `assignedTo`, `comment`
/// and `state` (one of the four); answered 204, the change appended to the profile's
/// `controlStateUpdates` under the app's name, as Microsoft records it.
async fn update_profile(
    State(state): State<Arc<Mutex<Recorded>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut s = state.lock().expect("lock");
    s.graph_requests.push((format!("PATCH /v1.0/security/secureScoreControlProfiles/{id}"), String::new()));
    if let Some(refused) = token_refused(&s, &headers) {
        return refused;
    }
    if s.graph.refuse_patches > 0 {
        s.graph.refuse_patches -= 1;
        return graph_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Insufficient privileges to complete the operation.",
        );
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let Ok(update) = serde_json::from_str::<serde_json::Value>(&body) else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Unable to read JSON request payload.");
    };
    let vendor = &update["vendorInformation"];
    let state_ok = update.get("state").is_none_or(|v| {
        v.as_str().is_some_and(|v| ["Default", "Ignored", "ThirdParty", "Reviewed"].contains(&v))
    });
    if !json_type || !vendor["provider"].is_string() || !vendor["vendor"].is_string() || !state_ok {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid request body.");
    }
    let Some(profile) = s.graph.profiles.iter_mut().find(|p| p["id"] == id.as_str()) else {
        return graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "Resource not found.");
    };
    let entry = serde_json::json!({
        "assignedTo": update["assignedTo"].as_str().unwrap_or_default(),
        "comment": update["comment"].as_str().unwrap_or_default(),
        "state": update["state"].as_str().unwrap_or("Default"),
        "updatedBy": APP_NAME,
        "updatedDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    });
    match profile["controlStateUpdates"].as_array_mut() {
        Some(updates) => updates.push(entry),
        None => profile["controlStateUpdates"] = serde_json::json!([entry]),
    }
    s.patches.push((id, update));
    StatusCode::NO_CONTENT.into_response()
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
    if let Some(assertion) = form.get("client_assertion") {
        let audience = format!("{}/{tenant}/oauth2/v2.0/token", state.lock().expect("lock").entra);
        if let Err((code, text)) = check_assertion(&form, assertion, &audience) {
            return entra_error(StatusCode::UNAUTHORIZED, "invalid_client", code, &text);
        }
    } else if form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
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

/// A client assertion checked as Entra documents it: its type, an RS256 JWT whose `x5t`
/// is the registered certificate's thumbprint, signed by that certificate's key, for this
/// token endpoint, issued by and about the client, and valid now. The AADSTS code and text
/// Entra answers with when it is not.
fn check_assertion(
    form: &BTreeMap<String, String>,
    assertion: &str,
    audience: &str,
) -> Result<(), (u64, String)> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    if form.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
        return Err((50027, "Invalid JWT token. The client_assertion_type is not supported.".into()));
    }
    let malformed = || (50027, "Invalid JWT token. Token format not valid.".to_owned());
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else { return Err(malformed()) };
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| malformed());
    let json = |p: &str| -> Result<serde_json::Value, (u64, String)> {
        serde_json::from_slice(&decode(p)?).map_err(|_| malformed())
    };
    let (head, body) = (json(header)?, json(claims)?);
    let thumbprint: Vec<u8> =
        CERTIFICATE_THUMBPRINT.split(':').map(|b| u8::from_str_radix(b, 16).expect("a hex byte")).collect();
    if head["alg"] != "RS256" || head["x5t"].as_str() != Some(URL_SAFE_NO_PAD.encode(&thumbprint).as_str()) {
        return Err((700027, "Client assertion failed signature validation: the certificate is not registered on the application.".into()));
    }
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        CERTIFICATE_PUBLIC_KEY,
    );
    let signed = format!("{header}.{claims}");
    if key.verify(signed.as_bytes(), &decode(signature)?).is_err() {
        return Err((700027, "Client assertion failed signature validation.".into()));
    }
    let now = chrono::Utc::now().timestamp();
    let client = form.get("client_id").map(String::as_str).unwrap_or_default();
    if body["aud"] != audience {
        return Err((
            700021,
            format!("Client assertion audience claim does not match Realm issuer ({audience})."),
        ));
    }
    if body["iss"] != client || body["sub"] != client || !body["jti"].is_string() {
        return Err((700023, "Client assertion contains an invalid issuer or subject.".into()));
    }
    let (nbf, exp) = (body["nbf"].as_i64().unwrap_or(i64::MAX), body["exp"].as_i64().unwrap_or(0));
    if nbf > now + 300 || exp < now || exp - nbf > 24 * 3600 {
        return Err((700024, "Client assertion is not within its valid time range.".into()));
    }
    Ok(())
}

/// Counts of control `j` on `day`: varied, moving from day to day, and the same for a day
/// whichever day is the newest (so a sync a day later finds the older days unchanged).
pub fn counts(j: usize, day: chrono::NaiveDate) -> (u32, u32) {
    use chrono::Datelike;
    let n = usize::try_from(day.num_days_from_ce()).unwrap_or_default();
    let total = 40 + u32::try_from(j % 5).unwrap_or_default() * 10;
    (u32::try_from((j * 7 + n) % 41).unwrap_or_default().min(total), total)
}

/// One day of `secureScores` as Graph documents it, newest first in the collection.
pub fn score_day(ids: &[String], day: chrono::NaiveDate) -> serde_json::Value {
    let controls: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(j, id)| {
            let (count, total) = counts(j, day);
            let category = ["Identity", "Data", "Device", "Apps"][j % 4];
            serde_json::json!({
                "controlCategory": category,
                "controlName": id,
                "description": format!("<p>Control {j}</p>"),
                "score": f64::from(count) / f64::from(total) * 5.0,
                "scoreInPercentage": (f64::from(count) / f64::from(total) * 10_000.0).round() / 100.0,
                "implementationStatus": format!("{count} of {total} are covered."),
                "count": count.to_string(),
                "total": total.to_string(),
                "lastSynced": format!("{day}T05:10:00Z"),
                "isApplicable": "true",
            })
        })
        .collect();
    serde_json::json!({
        "id": format!("{DIRECTORY}_{day}"),
        "azureTenantId": DIRECTORY,
        "activeUserCount": 58,
        "createdDateTime": format!("{day}T06:00:00Z"),
        "currentScore": 123.5,
        "maxScore": 412.0,
        "licensedUserCount": 60,
        "enabledServices": ["HasExchange", "HasSharePoint"],
        "averageComparativeScores": [{ "basis": "AllTenants", "averageScore": 51.3 }],
        "controlScores": controls,
        "vendorInformation": { "provider": "SecureScore", "vendor": "Microsoft" },
    })
}

/// `days` days of `secureScores`, newest first as Graph lists them.
pub fn score_days(ids: &[String], newest: chrono::NaiveDate, days: usize) -> Vec<serde_json::Value> {
    (0..days).map(|n| score_day(ids, newest - chrono::Duration::days(n as i64))).collect()
}

/// Control profiles; the first carries a risk acceptance made in Microsoft 365.
pub fn profiles(ids: &[String]) -> Vec<serde_json::Value> {
    ids.iter()
        .enumerate()
        .map(|(j, id)| {
            let updates = if j == 0 {
                serde_json::json!([{
                    "assignedTo": "", "comment": "Accepted by the change board", "state": "Ignored",
                    "updatedBy": "ciso@contoso.example", "updatedDateTime": "2026-11-20T10:00:00Z",
                }])
            } else {
                serde_json::json!([])
            };
            serde_json::json!({
                "id": id, "azureTenantId": DIRECTORY, "title": format!("Control {j}"), "maxScore": 5.0,
                "controlCategory": "Identity", "service": "AzureAD", "tier": "Core", "rank": j + 1,
                "deprecated": false, "controlStateUpdates": updates,
            })
        })
        .collect()
}
