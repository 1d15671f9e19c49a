//! App-only access tokens for Microsoft Graph by the OAuth 2.0 client-credentials grant
//! (`POST {authority}/{tenant}/oauth2/v2.0/token`, scope `https://graph.microsoft.com/.default`),
//! cached until shortly before they expire. The app proves itself with a client secret or
//! a certificate's signed client assertion. A refusal by Entra is read into words that say
//! what to do.

use super::credential::Credential;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The scope of an app-only Graph token: the application permissions the app was granted.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// How a client assertion names itself (RFC 7523, as Entra documents it).
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// A cached token is renewed this long before it expires, so no call starts with a token
/// about to lapse.
pub const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// An Entra app registration that may read one directory's Secure Score.
#[derive(Clone)]
pub struct AppRegistration {
    /// The directory (tenant) id.
    pub directory: String,
    pub client_id: String,
    /// The client secret, or PEM text with a certificate and its private key.
    pub credential: String,
}

impl std::fmt::Debug for AppRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret or the key, not even in a debug line.
        f.debug_struct("AppRegistration")
            .field("directory", &self.directory)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Why no token was had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Entra answered with a refusal; `reason` says what to do, `code` is its AADSTS number.
    #[error("{reason}")]
    Refused { code: Option<u64>, reason: String },
    /// The token endpoint did not answer (or not over HTTP).
    #[error("the sign-in endpoint could not be reached: {0}")]
    Unreachable(String),
    /// An answer that is not what Microsoft documents.
    #[error("the sign-in endpoint answered with something other than a token: {0}")]
    Malformed(String),
    /// The certificate (or its key) cannot be used; nothing was sent.
    #[error("the certificate: {0}")]
    Credential(String),
}

/// What the token endpoint answers.
#[derive(Deserialize)]
struct Granted {
    token_type: String,
    expires_in: u64,
    access_token: String,
}

#[derive(Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u64>,
}

/// Tokens for one app registration, fetched when needed and kept until shortly before they expire.
pub struct TokenSource {
    http: reqwest::Client,
    /// `https://login.microsoftonline.com` or a national cloud's authority (no trailing `/`).
    authority: String,
    app: AppRegistration,
    cached: Mutex<Option<(String, Instant)>>,
}

impl TokenSource {
    pub fn new(http: reqwest::Client, authority: &str, app: AppRegistration) -> TokenSource {
        TokenSource {
            http,
            authority: authority.trim_end_matches('/').to_owned(),
            app,
            cached: Mutex::new(None),
        }
    }

    /// A token valid for at least [`RENEW_BEFORE`], from the cache or freshly granted.
    pub async fn token(&self) -> Result<String, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, renew_at)) = cached.as_ref() {
            if Instant::now() < *renew_at {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = self.grant().await?;
        *cached = Some((token.clone(), Instant::now() + lifetime.saturating_sub(RENEW_BEFORE)));
        Ok(token)
    }

    /// Drops the cached token: Graph refused it (revoked, or the clock is off), so the next
    /// call asks for a new one.
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }

    async fn grant(&self) -> Result<(String, Duration), TokenError> {
        let url = format!("{}/{}/oauth2/v2.0/token", self.authority, self.app.directory);
        let credential =
            Credential::from_text(&self.app.credential).map_err(|e| TokenError::Credential(e.to_string()))?;
        let mut form = vec![("client_id", self.app.client_id.clone())];
        match credential {
            Credential::Secret(secret) => form.push(("client_secret", secret)),
            Credential::Certificate(c) => {
                let now = chrono::Utc::now().timestamp();
                let assertion = c
                    .assertion(&self.app.client_id, &url, now)
                    .map_err(|e| TokenError::Credential(e.to_string()))?;
                form.push(("client_assertion_type", ASSERTION_TYPE.to_owned()));
                form.push(("client_assertion", assertion));
            }
        }
        form.push(("scope", GRAPH_SCOPE.to_owned()));
        form.push(("grant_type", "client_credentials".to_owned()));
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| TokenError::Unreachable(without_url(&e)))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| TokenError::Unreachable(without_url(&e)))?;
        if !status.is_success() {
            let refusal: Refusal = serde_json::from_str(&text).unwrap_or_default();
            return Err(refused(status.as_u16(), &refusal, &self.app));
        }
        let granted: Granted =
            serde_json::from_str(&text).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if !granted.token_type.eq_ignore_ascii_case("bearer") || granted.access_token.is_empty() {
            return Err(TokenError::Malformed(format!("token_type `{}`", granted.token_type)));
        }
        Ok((granted.access_token, Duration::from_secs(granted.expires_in)))
    }
}

/// reqwest's error without the URL it puts in (the URL holds no secret, but the reason is
/// what a person needs).
fn without_url(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    if let Some(url) = e.url() {
        reason = reason.replace(&format!(" for url ({url})"), "");
    }
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else {
        reason
    }
}

/// Entra's refusal in words: what is wrong and what to do about it.
fn refused(status: u16, r: &Refusal, app: &AppRegistration) -> TokenError {
    let code = r.error_codes.first().copied().or_else(|| aadsts(&r.error_description));
    let reason = match code {
        Some(7000215) => "the client secret is wrong: create a new one in Entra (App registrations → \
                          Certificates & secrets) and paste its value here, not its id"
            .to_owned(),
        Some(7000222) => "the client secret has expired: create a new one in Entra (App registrations → \
                          Certificates & secrets) and paste it here"
            .to_owned(),
        Some(700016) => format!(
            "no application with client id {} in directory {}: check both ids, or grant the app to the directory",
            app.client_id, app.directory
        ),
        Some(90002) | Some(90072) => {
            format!("directory {} was not found: check the directory (tenant) id", app.directory)
        }
        Some(7000112) => "the application is disabled in Entra: enable it there".to_owned(),
        Some(700027) => format!(
            "Entra does not accept the certificate{} for this app: upload it under App registrations → \
             Certificates & secrets → Certificates (the thumbprint must match), and give Rampart that \
             certificate with its own private key",
            thumbprint_of(app).map(|t| format!(" with thumbprint {t}")).unwrap_or_default()
        ),
        Some(700024) => "Entra refused the time of the certificate's signed request: check the server's clock".to_owned(),
        Some(70011) => "the scope was refused: the app needs Microsoft Graph application permissions".to_owned(),
        _ if r.error.is_empty() => format!("the sign-in endpoint refused with HTTP {status}"),
        _ => format!("the sign-in endpoint refused: {}", first_line(&r.error_description, &r.error)),
    };
    TokenError::Refused { code, reason }
}

/// The thumbprint of the app's certificate, when it has one.
fn thumbprint_of(app: &AppRegistration) -> Option<String> {
    match Credential::from_text(&app.credential) {
        Ok(Credential::Certificate(c)) => Some(c.thumbprint_hex()),
        _ => None,
    }
}

/// The AADSTS number at the start of a description (`AADSTS7000215: …`).
fn aadsts(description: &str) -> Option<u64> {
    let digits: String =
        description.strip_prefix("AADSTS")?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn first_line<'a>(description: &'a str, error: &'a str) -> &'a str {
    description.lines().next().filter(|l| !l.is_empty()).unwrap_or(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> AppRegistration {
        AppRegistration { directory: "d".into(), client_id: "c".into(), credential: "very-secret".into() }
    }

    #[test]
    fn a_refusal_reads_as_what_to_do_and_never_shows_the_secret() {
        let expired = Refusal {
            error: "invalid_client".into(),
            error_description: "AADSTS7000222: The provided client secret keys for app 'c' are expired."
                .into(),
            error_codes: vec![],
        };
        let TokenError::Refused { code, reason } = refused(401, &expired, &app()) else { panic!("refused") };
        assert_eq!(code, Some(7000222), "read from the description when error_codes is missing");
        assert!(reason.contains("expired") && reason.contains("create a new one"), "{reason}");
        assert!(!format!("{:?}", app()).contains("very-secret"));
        let odd = Refusal { error: "temporarily_unavailable".into(), ..Default::default() };
        assert!(refused(503, &odd, &app()).to_string().contains("temporarily_unavailable"));
        assert!(refused(500, &Refusal::default(), &app()).to_string().contains("HTTP 500"));
    }
}
