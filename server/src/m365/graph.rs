//! Reading Microsoft Graph as a connected tenant's app: every page of a collection
//! (`@odata.nextLink`, only ever on the Graph address it started from, so the token goes
//! nowhere else), with the faults Graph documents handled — 429 and 503 honour
//! `Retry-After` (capped) with exponential backoff and jitter, a 401 gets one fresh token
//! and one retry, a 403 says which consent is missing.

use super::token::{TokenError, TokenSource};
use serde_json::Value;
use std::time::Duration;

/// How hard to try before a sync gives up on Graph.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries of one request, the first included.
    pub attempts: u32,
    /// The first wait when Graph does not say how long; it doubles each time.
    pub first_wait: Duration,
    /// No wait is longer, whatever `Retry-After` asks.
    pub longest_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            first_wait: Duration::from_secs(2),
            longest_wait: Duration::from_secs(120),
        }
    }
}

/// Why a read of Graph failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("Microsoft Graph refused (HTTP {status}): {reason}")]
    Refused { status: u16, reason: String },
    #[error("Microsoft Graph is busy and asked to wait {tries} times in a row; the next run tries again")]
    Busy { tries: u32 },
    #[error("Microsoft Graph could not be reached: {0}")]
    Unreachable(String),
    #[error("Microsoft Graph answered with something it does not document, at {path}: {reason}")]
    Malformed { path: String, reason: String },
}

pub struct GraphClient {
    http: reqwest::Client,
    /// `https://graph.microsoft.com` or a national cloud's (no trailing `/`).
    base: String,
    tokens: TokenSource,
    retry: RetryPolicy,
}

/// The HTTP client for Microsoft: bounded connect and read times.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_default()
}

impl GraphClient {
    pub fn new(http: reqwest::Client, base: &str, tokens: TokenSource, retry: RetryPolicy) -> GraphClient {
        GraphClient { http, base: base.trim_end_matches('/').to_owned(), tokens, retry }
    }

    /// Every item of the collection at `path` (e.g. `/v1.0/security/secureScores`), all pages.
    pub async fn collection(&self, path: &str) -> Result<Vec<Value>, GraphError> {
        let mut url = format!("{}{path}", self.base);
        let mut items = Vec::new();
        loop {
            let page = self.get(&url).await?;
            let Some(Value::Array(value)) = page.get("value") else {
                return Err(malformed("$.value", "a collection page has a `value` array"));
            };
            items.extend(value.iter().cloned());
            match page.get("@odata.nextLink") {
                None | Some(Value::Null) => return Ok(items),
                Some(Value::String(next)) if next.starts_with(&format!("{}/", self.base)) => {
                    url = next.clone()
                }
                Some(_) => {
                    return Err(malformed(
                        "$['@odata.nextLink']",
                        "the next page is not on the Graph address",
                    ));
                }
            }
        }
    }

    /// Changes one entity with `PATCH {path}` (e.g. a control profile's state, for
    /// write-back); Graph answers 204 with no body. The retries are those of a read.
    pub async fn patch(&self, path: &str, body: &Value) -> Result<(), GraphError> {
        let url = format!("{}{path}", self.base);
        self.send(reqwest::Method::PATCH, &url, Some(body)).await.map(|_| ())
    }

    /// One page, with the retries the policy allows.
    async fn get(&self, url: &str) -> Result<Value, GraphError> {
        let body = self.send(reqwest::Method::GET, url, None).await?;
        serde_json::from_str(&body).map_err(|e| malformed("$", &e.to_string()))
    }

    /// One request, with the retries the policy allows; the body of a 2xx answer.
    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        json: Option<&Value>,
    ) -> Result<String, GraphError> {
        let mut fresh_token_tried = false;
        let mut busy = 0;
        loop {
            let token = self.tokens.token().await?;
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&token)
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(json) = json {
                request = request.json(json);
            }
            let response = request.send().await.map_err(|e| GraphError::Unreachable(reason_of(&e)))?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = read_capped(response).await?;
            match status {
                200..=299 => return Ok(body),
                401 if !fresh_token_tried => {
                    // Revoked or expired early: one new token, one more try.
                    fresh_token_tried = true;
                    self.tokens.forget().await;
                }
                429 | 503 | 504 => {
                    busy += 1;
                    if busy >= self.retry.attempts {
                        return Err(GraphError::Busy { tries: busy });
                    }
                    tokio::time::sleep(self.wait(busy, retry_after)).await;
                }
                _ => return Err(refused(status, &body, method == reqwest::Method::GET)),
            }
        }
    }

    /// The wait before try `n + 1`: what `Retry-After` asks, else the doubling wait with up
    /// to a quarter more at random (so many tenants do not retry in step); never longer
    /// than the policy's longest.
    fn wait(&self, n: u32, retry_after: Option<Duration>) -> Duration {
        let doubled = self.retry.first_wait.saturating_mul(1 << n.saturating_sub(1).min(16));
        let mut byte = [0u8; 1];
        let jitter = getrandom::getrandom(&mut byte).map_or(0.0, |()| f64::from(byte[0]) / 255.0 / 4.0);
        let wait = retry_after.unwrap_or_else(|| doubled.mul_f64(1.0 + jitter));
        wait.min(self.retry.longest_wait)
    }
}

/// The most one page may take: Graph's pages are a few megabytes at most, and a server
/// that sends without end must not take the memory of every tenant's sync.
pub const MAX_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// The body as text, read a chunk at a time and given up past [`MAX_PAGE_BYTES`].
async fn read_capped(mut response: reqwest::Response) -> Result<String, GraphError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| GraphError::Unreachable(reason_of(&e)))? {
        if body.len() + chunk.len() > MAX_PAGE_BYTES {
            return Err(malformed("$", &format!("a page is larger than {} MiB", MAX_PAGE_BYTES >> 20)));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| malformed("$", "the body is not UTF-8 text"))
}

fn malformed(path: &str, reason: &str) -> GraphError {
    GraphError::Malformed { path: path.to_owned(), reason: reason.to_owned() }
}

fn reason_of(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "no connection".to_owned()
    } else {
        e.to_string()
    }
}

/// Graph's error (`{"error": {"code", "message"}}`) in words, with what to do for the
/// refusals people meet; `read` says whether the app was reading or changing.
fn refused(status: u16, body: &str, read: bool) -> GraphError {
    let error: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let code = error["error"]["code"].as_str().unwrap_or_default();
    let message = error["error"]["message"].as_str().unwrap_or_default();
    let reason = match status {
        403 if read => "the app may not read Secure Score: add the Microsoft Graph application permission \
                SecurityEvents.Read.All in Entra (App registrations → API permissions) and grant admin consent"
            .to_owned(),
        403 => "the app may not change Secure Score: add the Microsoft Graph application permission \
                SecurityEvents.ReadWrite.All in Entra (App registrations → API permissions) and grant admin \
                consent, or turn write-back off"
            .to_owned(),
        401 => "the token was refused twice: check that the app registration belongs to this directory".to_owned(),
        _ if !code.is_empty() => format!("{code}: {message}"),
        _ => "no reason given".to_owned(),
    };
    GraphError::Refused { status, reason }
}
