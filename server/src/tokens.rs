//! API tokens made in Settings, and the audit-trail export. Creating a token answers with
//! a page that shows the secret once; only its hash is kept.

use crate::bearer::{scope_access, SCOPE_READ, TOKEN_PREFIX};
use crate::csv_export;
use crate::http::ServerState;
use crate::plain_page::{self, escape};
use crate::web_access::{internal, Read, Refusal, TenantSession, Write};
use app::auth::secrets::{hash_secret, new_secret};
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::csv::Cell;

/// Audit lines read from the store at a time while an export streams.
const AUDIT_PAGE_LINES: u32 = 1_000;

#[derive(Debug, Deserialize)]
pub struct NewToken {
    pub name: String,
    pub scope: String,
    /// Days until it expires; empty for the longest the server allows (`--token-max-days`).
    #[serde(default)]
    pub expires_days: String,
}

fn back_with_error(tenant: &str, code: &str) -> Response {
    Redirect::to(&format!("/tenants/{tenant}/settings?error={code}")).into_response()
}

/// Browsers go back to Settings with the message; scripts get a 400 naming the field.
fn refuse_field(headers: &HeaderMap, tenant: &str, code: &str, message: String) -> Response {
    let html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if html {
        back_with_error(tenant, code)
    } else {
        (StatusCode::BAD_REQUEST, message).into_response()
    }
}

/// When a new token expires: `days` from now, at most `max_days`; empty means `max_days`.
/// Nothing lives forever, so a leaked token stops working in time.
pub fn token_expiry(
    days: &str,
    max_days: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let days = match days.trim() {
        "" => max_days,
        d => match d.parse::<u32>() {
            Ok(n) if (1..=max_days).contains(&n) => n,
            _ => return Err(format!("expires_days: a whole number of days from 1 to {max_days}")),
        },
    };
    Ok(now + chrono::Duration::days(i64::from(days)))
}

/// A token's name as kept: trimmed, 1 to 100 characters, no control characters.
pub fn token_name(raw: &str) -> Result<&str, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err("name: use 1 to 100 characters, no control characters".to_owned());
    }
    Ok(name)
}

/// A token's scope as asked for, checked: one of the two Graph permission names.
pub fn token_scope(scope: &str) -> Result<&str, String> {
    match scope_access(scope) {
        Some(_) => Ok(scope),
        None => Err(format!("scope: use {SCOPE_READ} or {}", crate::bearer::SCOPE_READ_WRITE)),
    }
}

/// A token to make: for whom, in which tenant, named how, with which scope.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    pub user_id: &'a str,
    pub tenant_id: &'a str,
    pub name: &'a str,
    pub scope: &'a str,
}

#[derive(Debug)]
pub enum IssueError {
    Random,
    Store(store::StoreError),
}

/// Makes a token and keeps only its hash: the answer is the one time the secret is seen.
/// Settings and `rampart user token` both make tokens here.
pub async fn issue_token(
    store: &dyn store::Store,
    wanted: TokenRequest<'_>,
    now: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<String, IssueError> {
    let secret = new_secret().map(|s| format!("{TOKEN_PREFIX}{s}")).map_err(|_| IssueError::Random)?;
    let token = store::ApiToken {
        id: uuid::Uuid::new_v4().hyphenated().to_string(),
        token_hash: hash_secret(&secret),
        user_id: wanted.user_id.to_owned(),
        tenant_id: wanted.tenant_id.to_owned(),
        name: wanted.name.to_owned(),
        scope: wanted.scope.to_owned(),
        created_at: now,
        // Every token expires (`token_expiry`), so a leaked one stops working in time.
        expires_at: Some(expires_at),
        revoked_at: None,
    };
    store.create_api_token(&token, actor).await.map_err(IssueError::Store)?;
    Ok(secret)
}

/// `POST /tenants/{tenant}/tokens`
pub async fn create_token(
    State(state): State<ServerState>,
    session: TenantSession<Read>,
    headers: HeaderMap,
    Form(form): Form<NewToken>,
) -> Response {
    let (viewer, tenant) = (session.viewer, session.tenant_id);
    let name = match token_name(&form.name) {
        Ok(name) => name,
        Err(message) => return refuse_field(&headers, &tenant, "token_name", message),
    };
    let scope = match token_scope(&form.scope) {
        Ok(scope) => scope,
        Err(message) => return refuse_field(&headers, &tenant, "token_scope", message),
    };
    let now = chrono::Utc::now();
    let expires_at = match token_expiry(&form.expires_days, state.app.token_max_days, now) {
        Ok(at) => at,
        Err(message) => return refuse_field(&headers, &tenant, "token_expiry", message),
    };
    let wanted = TokenRequest { user_id: &viewer.user_id, tenant_id: &tenant, name, scope };
    let secret = match issue_token(state.app.store.as_ref(), wanted, now, expires_at, &viewer.email).await {
        Ok(secret) => secret,
        Err(IssueError::Random) => {
            return Refusal(StatusCode::INTERNAL_SERVER_ERROR, "Could not create a random token.")
                .into_response()
        }
        Err(IssueError::Store(e)) => return internal(e).into_response(),
    };
    let note = if form.scope == SCOPE_READ {
        "It can read this tenant's scores and improvement actions."
    } else {
        "It can read, and change statuses as far as your own role allows."
    };
    let page = format!(
        "{start}<p>Copy <strong>{name}</strong> now: it is shown only once.</p>\
         <p><code id=\"new-token\">{secret}</code></p><p class=\"subtle\">Scope {scope}. {note}</p>\
         <p><a href=\"/tenants/{tenant}/settings\">Back to Settings</a></p>{end}",
        start = plain_page::start("New API token", "API token created"),
        name = escape(name),
        scope = escape(&form.scope),
        end = plain_page::END,
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// `GET /tenants/{tenant}/audit.csv`: the whole audit trail, for read-write roles, read
/// from the store a page at a time as the download goes.
pub async fn audit_csv(State(state): State<ServerState>, session: TenantSession<Write>) -> Response {
    let tenant = session.tenant_id;
    let store = state.app.store.clone();
    // (the oldest line sent so far, whether the trail is done)
    let pages = futures::stream::unfold((None, false), move |(before, done): (Option<i64>, bool)| {
        let (store, tenant) = (store.clone(), tenant.clone());
        async move {
            if done {
                return None;
            }
            match store.audit_page(&tenant, before, AUDIT_PAGE_LINES).await {
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let next = (page.last().map(|a| a.id), page.len() < AUDIT_PAGE_LINES as usize);
                    Some((Ok(page.into_iter().map(audit_line).collect()), next))
                }
                Err(e) => Some((Err(e), (before, true))),
            }
        }
    });
    csv_export::download("audit-trail.csv", &AUDIT_HEADER, pages)
}

const AUDIT_HEADER: [&str; 6] = ["when", "who", "what", "subject", "before", "after"];

fn audit_line(a: store::AuditEntry) -> Vec<Cell> {
    [a.at.to_rfc3339(), a.actor, a.kind, a.subject, a.before, a.after].into_iter().map(Cell::Text).collect()
}
