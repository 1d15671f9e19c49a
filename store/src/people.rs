//! People: users, their roles per tenant, sessions, API tokens and sign-in throttling.
//! Secrets are stored only as hashes. Changes to users, roles and tokens are audited in
//! the same transaction; sessions and sign-in failures are not (too noisy).

use crate::audit::{write_audit, AuditLine};
use crate::codec::micros;
use crate::people_rows::{
    no_user, normalise_email, role as role_of, MembershipRow, RevokedAudit, RoleAudit, SessionRow,
    TokenAudit, TokenRow, UserAudit, UserRow, SELECT_MEMBERSHIP, SELECT_SESSION, SELECT_TOKEN, SELECT_USER,
    TOKEN_SCOPES,
};
use crate::pool::{lock_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::sign_in_attempts;
use crate::{ApiToken, Membership, NewPassword, PeopleStore, Result, Session, StoreError, User};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use score::roles::Role;

const USER_EMAIL: &str = "SELECT email FROM users WHERE id = $1";
const ROLE_HELD: &str = "SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2";
const UPSERT_MEMBERSHIP: &str = "INSERT INTO memberships (user_id, tenant_id, role, granted_by, granted_at) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, tenant_id) DO UPDATE \
    SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at";
const INSERT_TOKEN: &str = "INSERT INTO api_tokens (id, token_hash, user_id, tenant_id, name, scope, \
    created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// In a change of one user's role in one tenant: their email (no such user → NotFound)
/// and the role they hold there before it, if any.
macro_rules! member_before {
    ($tx:expr, $user:expr, $tenant:expr) => {{
        let email: Option<String> =
            sqlx::query_scalar(USER_EMAIL).bind($user).fetch_optional(&mut *$tx).await?;
        let Some(email) = email else {
            return Err(no_user($user));
        };
        let role: Option<String> =
            sqlx::query_scalar(ROLE_HELD).bind($user).bind($tenant).fetch_optional(&mut *$tx).await?;
        (email, role)
    }};
}

/// The memberships `filter` (a condition on `$1`, and an order) picks, with `key` as `$1`.
async fn memberships(store: &SqlStore, filter: &str, key: &str) -> Result<Vec<Membership>> {
    let sql = format!("{SELECT_MEMBERSHIP} WHERE {filter}");
    let rows: Vec<MembershipRow> = on_pool!(store, p => sqlx::query_as(&sql).bind(key).fetch_all(p).await?);
    rows.into_iter().map(MembershipRow::into_membership).collect()
}

#[async_trait]
impl PeopleStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn create_user(&self, email: &str, name: &str, password_hash: &str, actor: &str) -> Result<User> {
        let email = normalise_email(email);
        if email.is_empty() {
            return Err(StoreError::Invalid("email must not be empty".into()));
        }
        let user = User {
            id: uuid::Uuid::new_v4().hyphenated().to_string(),
            email,
            display_name: name.to_owned(),
            password_hash: password_hash.to_owned(),
            created_at: micros(Utc::now()),
        };
        let audit = AuditLine::new(None, actor, "user.create", &user.id)
            .after(&UserAudit { email: &user.email, display_name: &user.display_name })?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("INSERT INTO users (id, email, display_name, password_hash, created_at) \
                VALUES ($1, $2, $3, $4, $5)")
                .bind(&user.id)
                .bind(&user.email)
                .bind(&user.display_name)
                .bind(&user.password_hash)
                .bind(user.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => {
                        StoreError::Conflict(format!("a user with email {} already exists", user.email))
                    }
                    other => other,
                })?;
            write_audit!(tx, audit)?;
            tx.commit().await?;
        });
        Ok(user)
    }

    async fn user(&self, id: &str) -> Result<User> {
        let sql = format!("{SELECT_USER} WHERE id = $1");
        let row: Option<UserRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        row.map(User::from).ok_or_else(|| no_user(id))
    }

    async fn user_by_email(&self, email: &str) -> Result<User> {
        let email = normalise_email(email);
        let sql = format!("{SELECT_USER} WHERE email = $1");
        let row: Option<UserRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(&email).fetch_optional(p).await?);
        row.map(User::from).ok_or_else(|| no_user(&email))
    }

    #[tracing::instrument(skip_all, err)]
    async fn set_password_hash(&self, change: NewPassword<'_>, actor: &str) -> Result<()> {
        let NewPassword { user_id, hash: password_hash, keep_session } = change;
        // The audit line says that the password changed, never what it is.
        let audit = AuditLine::new(None, actor, "user.password", user_id);
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(user_id)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(no_user(user_id));
            }
            // A new password is often a response to a leaked one: every browser signed in
            // with the old one is signed out, except the one that just proved it knew it.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn grant_role(
        &self,
        tenant_id: &str,
        user_id: &str,
        role: Role,
        actor: &str,
    ) -> Result<Membership> {
        let now = micros(Utc::now());
        let email: String = tenant_write!(self, tenant_id, |p, tx| {
            let (email, before) = member_before!(tx, user_id, tenant_id);
            sqlx::query(UPSERT_MEMBERSHIP)
                .bind(user_id)
                .bind(tenant_id)
                .bind(role.as_str())
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let mut audit = AuditLine::new(Some(tenant_id), actor, "membership.grant", &email)
                .after(&RoleAudit { role: role.as_str() })?;
            if let Some(before) = &before {
                audit = audit.before(&RoleAudit { role: before })?;
            }
            write_audit!(tx, audit)?;
            email
        });
        Ok(Membership {
            user_id: user_id.to_owned(),
            email,
            tenant_id: tenant_id.to_owned(),
            role,
            granted_by: actor.to_owned(),
            granted_at: now,
        })
    }

    #[tracing::instrument(skip_all, err)]
    async fn revoke_role(&self, tenant_id: &str, user_id: &str, actor: &str) -> Result<()> {
        tenant_write!(self, tenant_id, |p, tx| {
            let (email, before) = member_before!(tx, user_id, tenant_id);
            let Some(before) = before else {
                return Err(StoreError::NotFound(format!("role of {email} in tenant {tenant_id}")));
            };
            sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2")
                .bind(user_id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            let audit = AuditLine::new(Some(tenant_id), actor, "membership.revoke", &email)
                .before(&RoleAudit { role: &before })?;
            write_audit!(tx, audit)?;
        });
        Ok(())
    }

    async fn memberships_of_user(&self, user_id: &str) -> Result<Vec<Membership>> {
        memberships(self, "m.user_id = $1 ORDER BY t.name, t.id", user_id).await
    }

    async fn role_in(&self, user_id: &str, tenant_id: &str) -> Result<Option<Role>> {
        let sql = "SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2";
        let role: Option<String> = on_pool!(self, p => sqlx::query_scalar(sql).bind(user_id).bind(tenant_id).fetch_optional(p).await?);
        role.as_deref().map(role_of).transpose()
    }

    async fn members_of_tenant(&self, tenant_id: &str) -> Result<Vec<Membership>> {
        memberships(self, "m.tenant_id = $1 ORDER BY u.email", tenant_id).await
    }

    async fn create_session(&self, session: &Session) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                VALUES ($1, $2, $3, $4)")
                .bind(&session.token_hash)
                .bind(&session.user_id)
                .bind(micros(session.created_at))
                .bind(micros(session.expires_at))
                .execute(&mut *tx)
                .await?;
            // Sessions expired by now are useless; sweeping them here keeps the table small.
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(micros(session.created_at))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let sql = format!("{SELECT_SESSION} WHERE token_hash = $1 AND expires_at > $2");
        let row: Option<SessionRow> = on_pool!(self, p => {
            sqlx::query_as(&sql).bind(token_hash).bind(micros(now)).fetch_optional(p).await?
        });
        Ok(row.map(Session::from))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(p).await?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn end_sessions(&self, user_id: &str, actor: &str) -> Result<u64> {
        sign_in_attempts::end_sessions(self, user_id, actor).await
    }

    async fn claim_sign_in_attempt(
        &self,
        key: &str,
        at: DateTime<Utc>,
        window_began_after: DateTime<Utc>,
    ) -> Result<u32> {
        sign_in_attempts::claim(self, key, at, window_began_after).await
    }

    async fn forgive_sign_in_attempt(&self, key: &str) -> Result<()> {
        sign_in_attempts::forgive(self, key).await
    }

    async fn clear_sign_in_attempts(&self, key: &str) -> Result<()> {
        sign_in_attempts::clear(self, key).await
    }

    #[tracing::instrument(skip_all, err)]
    async fn create_api_token(&self, token: &ApiToken, actor: &str) -> Result<()> {
        if !TOKEN_SCOPES.contains(&token.scope.as_str()) {
            return Err(StoreError::Invalid(format!(
                "token scope `{}` is not one of {}",
                token.scope,
                TOKEN_SCOPES.join(", ")
            )));
        }
        let audit =
            AuditLine::new(Some(&token.tenant_id), actor, "token.create", &token.id).after(&TokenAudit {
                id: &token.id,
                user_id: &token.user_id,
                name: &token.name,
                scope: &token.scope,
                expires_at: token.expires_at.map(micros),
            })?;
        tenant_write!(self, &token.tenant_id, |p, tx| {
            let user: Option<String> =
                sqlx::query_scalar(USER_EMAIL).bind(&token.user_id).fetch_optional(&mut *tx).await?;
            if user.is_none() {
                return Err(no_user(&token.user_id));
            }
            sqlx::query(INSERT_TOKEN)
                .bind(&token.id)
                .bind(&token.token_hash)
                .bind(&token.user_id)
                .bind(&token.tenant_id)
                .bind(&token.name)
                .bind(&token.scope)
                .bind(micros(token.created_at))
                .bind(token.expires_at.map(micros))
                .bind(token.revoked_at.map(micros))
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, audit)?;
        });
        Ok(())
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let sql = format!("{SELECT_TOKEN} WHERE token_hash = $1");
        let row: Option<TokenRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(token_hash).fetch_optional(p).await?);
        Ok(row.map(ApiToken::from))
    }

    async fn api_tokens_of_user(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        let sql = format!("{SELECT_TOKEN} WHERE user_id = $1 ORDER BY created_at DESC, id");
        let rows: Vec<TokenRow> = on_pool!(self, p => sqlx::query_as(&sql).bind(user_id).fetch_all(p).await?);
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// Revoking a token already revoked changes nothing and writes no audit line.
    #[tracing::instrument(skip_all, err)]
    async fn revoke_api_token(&self, user_id: &str, token_id: &str, actor: &str) -> Result<()> {
        let now = micros(Utc::now());
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            // Someone else's token and no token at all look the same: no existence oracle.
            let found: Option<(String, Option<DateTime<Utc>>)> = sqlx::query_as(
                "SELECT tenant_id, revoked_at FROM api_tokens WHERE id = $1 AND user_id = $2")
                .bind(token_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((tenant, revoked_at)) = found else {
                return Err(StoreError::NotFound(format!("token {token_id}")));
            };
            if revoked_at.is_none() {
                lock_tenant!(p, tx, &tenant);
                sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1")
                    .bind(token_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let audit = AuditLine::new(Some(&tenant), actor, "token.revoke", token_id)
                    .after(&RevokedAudit { revoked_at: now })?;
                write_audit!(tx, audit)?;
                tx.commit().await?;
            }
        });
        Ok(())
    }
}
