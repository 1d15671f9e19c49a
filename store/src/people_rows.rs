//! Rows of the people tables, their conversion to domain values, and what the audit trail
//! shows of them (never a password hash or a token hash).

use crate::error::other;
use crate::{ApiToken, Membership, Result, Session, StoreError, User};
use chrono::{DateTime, Utc};
use score::roles::Role;

pub(crate) const SELECT_USER: &str = "SELECT id, email, display_name, password_hash, created_at FROM users";
/// Joins users (for the email) and tenants (for ordering by tenant name).
pub(crate) const SELECT_MEMBERSHIP: &str = "SELECT m.user_id, u.email, m.tenant_id, m.role, m.granted_by, \
    m.granted_at FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id";
pub(crate) const SELECT_SESSION: &str = "SELECT token_hash, user_id, created_at, expires_at FROM sessions";
pub(crate) const SELECT_TOKEN: &str = "SELECT id, token_hash, user_id, tenant_id, name, scope, created_at, \
    expires_at, revoked_at FROM api_tokens";

/// The scopes an API token may carry (SPEC §5).
pub(crate) const TOKEN_SCOPES: [&str; 2] = ["SecurityEvents.Read.All", "SecurityEvents.ReadWrite.All"];

/// Emails are stored and looked up lower-cased, so uniqueness ignores case.
pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) fn no_user(what: &str) -> StoreError {
    StoreError::NotFound(format!("user {what}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    display_name: String,
    password_hash: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MembershipRow {
    user_id: String,
    email: String,
    tenant_id: String,
    role: String,
    granted_by: String,
    granted_at: DateTime<Utc>,
}

impl MembershipRow {
    pub(crate) fn into_membership(self) -> Result<Membership> {
        Ok(Membership {
            role: role(&self.role)?,
            user_id: self.user_id,
            email: self.email,
            tenant_id: self.tenant_id,
            granted_by: self.granted_by,
            granted_at: self.granted_at,
        })
    }
}

pub(crate) fn role(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| other(format_args!("unknown role `{s}` in storage")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    user_id: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Session {
        Session {
            token_hash: r.token_hash,
            user_id: r.user_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    id: String,
    token_hash: String,
    user_id: String,
    tenant_id: String,
    name: String,
    scope: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> ApiToken {
        ApiToken {
            id: r.id,
            token_hash: r.token_hash,
            user_id: r.user_id,
            tenant_id: r.tenant_id,
            name: r.name,
            scope: r.scope,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A new user as the audit trail shows it: no password hash.
#[derive(serde::Serialize)]
pub(crate) struct UserAudit<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
}

/// A role as the audit trail shows it.
#[derive(serde::Serialize)]
pub(crate) struct RoleAudit<'a> {
    pub role: &'a str,
}

/// A token as the audit trail shows it: never its hash.
#[derive(serde::Serialize)]
pub(crate) struct TokenAudit<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    pub scope: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A revocation as the audit trail shows it.
#[derive(serde::Serialize)]
pub(crate) struct RevokedAudit {
    pub revoked_at: DateTime<Utc>,
}
