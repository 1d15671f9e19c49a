//! API tokens for scripts: `Authorization: Bearer <token>`. A token acts for one tenant
//! with the lesser of its scope and its user's current role there.

use app::auth::secrets::hash_secret;
use axum::http::{header, HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use score::roles::Access;
use store::Store;

pub const SCOPE_READ: &str = "SecurityEvents.Read.All";
pub const SCOPE_READ_WRITE: &str = "SecurityEvents.ReadWrite.All";
/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "rmp_";

/// What a valid token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub token_id: String,
    pub user_id: String,
    pub tenant_id: String,
    /// The lesser of the token's scope and the user's role.
    pub access: Access,
}

/// Why a request's token is refused: 401 for a missing, unknown, expired or revoked token,
/// or when its user no longer holds a role in the tenant; 403 when it may not do this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRefusal {
    pub status: StatusCode,
    pub message: &'static str,
}

fn unauthorized(message: &'static str) -> TokenRefusal {
    TokenRefusal { status: StatusCode::UNAUTHORIZED, message }
}

pub fn scope_access(scope: &str) -> Option<Access> {
    match scope {
        SCOPE_READ => Some(Access::Read),
        SCOPE_READ_WRITE => Some(Access::Write),
        _ => None,
    }
}

/// Checks the bearer token of a request for `need`. A token stored without an expiry (made
/// before every token had one) expires `max_days` after it was made, like a new one.
pub async fn authorize_bearer(
    store: &dyn Store,
    headers: &HeaderMap,
    need: Access,
    now: DateTime<Utc>,
    max_days: u32,
) -> Result<TokenGrant, TokenRefusal> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(unauthorized("An Authorization: Bearer token is required."))?;
    let secret = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|s| s.starts_with(TOKEN_PREFIX))
        .ok_or(unauthorized("The Authorization header must be `Bearer <token>`."))?;
    let internal = |e: store::StoreError| {
        tracing::error!(error = %e, "storage error while checking a token");
        TokenRefusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Something went wrong on the server.",
        }
    };
    let token = store
        .api_token_by_hash(&hash_secret(secret))
        .await
        .map_err(internal)?
        .ok_or(unauthorized("The token is not valid."))?;
    if token.revoked_at.is_some() {
        tracing::warn!(token = %token.id, "revoked token used");
        return Err(unauthorized("The token has been revoked."));
    }
    let expires_at =
        token.expires_at.unwrap_or(token.created_at + chrono::Duration::days(i64::from(max_days)));
    if expires_at <= now {
        tracing::warn!(token = %token.id, "expired token used");
        return Err(unauthorized("The token has expired."));
    }
    let role = store
        .role_in(&token.user_id, &token.tenant_id)
        .await
        .map_err(internal)?
        .ok_or(unauthorized("The token's user no longer has access to its tenant."))?;
    let scope = scope_access(&token.scope).unwrap_or(Access::Read);
    let access = if scope == Access::Write && role.can_write() { Access::Write } else { Access::Read };
    if access < need {
        return Err(TokenRefusal {
            status: StatusCode::FORBIDDEN,
            message: "The token's scope or its user's role does not allow changes.",
        });
    }
    Ok(TokenGrant { token_id: token.id, user_id: token.user_id, tenant_id: token.tenant_id, access })
}
