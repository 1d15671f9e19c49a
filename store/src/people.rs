//! People: users, their roles per tenant, sessions, API tokens and sign-in throttling.
//! Secrets are stored only as hashes; grants, revocations and tokens are audited.

use crate::audit::{write_audit, AuditLine};
use crate::codec::micros;
use crate::pool::{lock_tenant, on_pool, Begin, SqlStore};
use crate::{ApiToken, Membership, PeopleStore, Result, Session, StoreError, User};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use score::roles::Role;

#[derive(sqlx::FromRow)]
struct UserRow {
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
struct MembershipRow {
    user_id: String,
    email: String,
    tenant_id: String,
    role: String,
    granted_by: String,
    granted_at: DateTime<Utc>,
}

impl MembershipRow {
    fn into_membership(self) -> Result<Membership> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| crate::error::other(format_args!("unknown role `{}` in storage", self.role)))?;
        Ok(Membership {
            user_id: self.user_id,
            email: self.email,
            tenant_id: self.tenant_id,
            role,
            granted_by: self.granted_by,
            granted_at: self.granted_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    user_id: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
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

/// What the audit trail shows of a token: never its hash.
#[derive(serde::Serialize)]
struct TokenAudit<'a> {
    id: &'a str,
    name: &'a str,
    scope: &'a str,
    expires_at: Option<DateTime<Utc>>,
}

const SELECT_USER: &str = "SELECT id, email, display_name, password_hash, created_at FROM users";
const SELECT_MEMBERSHIP: &str = "SELECT m.user_id, u.email, m.tenant_id, m.role, m.granted_by, m.granted_at \
    FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id";
const SELECT_TOKEN: &str = "SELECT id, token_hash, user_id, tenant_id, name, scope, created_at, expires_at, \
    revoked_at FROM api_tokens";

fn no_user(what: &str) -> StoreError {
    StoreError::NotFound(format!("user {what}"))
}

#[async_trait]
impl PeopleStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        actor: &str,
    ) -> Result<User> {
        let email = email.trim().to_ascii_lowercase();
        if email.is_empty() {
            return Err(StoreError::Invalid("email must not be empty".into()));
        }
        let user = User {
            id: uuid::Uuid::new_v4().hyphenated().to_string(),
            email: email.clone(),
            display_name: display_name.to_owned(),
            password_hash: password_hash.to_owned(),
            created_at: micros(Utc::now()),
        };
        #[derive(serde::Serialize)]
        struct Created<'a> {
            email: &'a str,
            display_name: &'a str,
        }
        let audit = AuditLine::new(None, actor, "user.create", &user.id)
            .after(&Created { email: &user.email, display_name: &user.display_name })?;
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
                    StoreError::Conflict(_) => StoreError::Conflict(format!("a user with email {email} already exists")),
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
        let email = email.trim().to_ascii_lowercase();
        let sql = format!("{SELECT_USER} WHERE email = $1");
        let row: Option<UserRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(&email).fetch_optional(p).await?);
        row.map(User::from).ok_or_else(|| no_user(&email))
    }

    #[tracing::instrument(skip_all, err)]
    async fn set_password_hash(&self, user_id: &str, password_hash: &str, actor: &str) -> Result<()> {
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
        let user = self.user(user_id).await?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            lock_tenant!(p, tx, tenant_id);
            let before: Option<String> =
                sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2")
                    .bind(user_id)
                    .bind(tenant_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            sqlx::query("INSERT INTO memberships (user_id, tenant_id, role, granted_by, granted_at) \
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, tenant_id) DO UPDATE \
                SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at")
                .bind(user_id)
                .bind(tenant_id)
                .bind(role.as_str())
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let mut audit = AuditLine::new(Some(tenant_id), actor, "membership.grant", &user.email)
                .after(&serde_json::json!({ "role": role.as_str() }))?;
            if let Some(b) = before {
                audit = audit.before(&serde_json::json!({ "role": b }))?;
            }
            write_audit!(tx, audit)?;
            tx.commit().await?;
        });
        Ok(Membership {
            user_id: user.id,
            email: user.email,
            tenant_id: tenant_id.to_owned(),
            role,
            granted_by: actor.to_owned(),
            granted_at: now,
        })
    }

    #[tracing::instrument(skip_all, err)]
    async fn revoke_role(&self, tenant_id: &str, user_id: &str, actor: &str) -> Result<()> {
        let user = self.user(user_id).await?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            lock_tenant!(p, tx, tenant_id);
            let before: Option<String> =
                sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2")
                    .bind(user_id)
                    .bind(tenant_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(before) = before else {
                return Err(StoreError::NotFound(format!("role of {} in tenant {tenant_id}", user.email)));
            };
            sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2")
                .bind(user_id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            let audit = AuditLine::new(Some(tenant_id), actor, "membership.revoke", &user.email)
                .before(&serde_json::json!({ "role": before }))?;
            write_audit!(tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn memberships_of_user(&self, user_id: &str) -> Result<Vec<Membership>> {
        let sql = format!("{SELECT_MEMBERSHIP} WHERE m.user_id = $1 ORDER BY t.name, t.id");
        let rows: Vec<MembershipRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(user_id).fetch_all(p).await?);
        rows.into_iter().map(MembershipRow::into_membership).collect()
    }

    async fn members_of_tenant(&self, tenant_id: &str) -> Result<Vec<Membership>> {
        let sql = format!("{SELECT_MEMBERSHIP} WHERE m.tenant_id = $1 ORDER BY u.email");
        let rows: Vec<MembershipRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_all(p).await?);
        rows.into_iter().map(MembershipRow::into_membership).collect()
    }

    async fn create_session(&self, session: &Session) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(&session.token_hash)
                .bind(&session.user_id)
                .bind(micros(session.created_at))
                .bind(micros(session.expires_at))
                .execute(p)
                .await?;
            // Expired sessions are useless; sweeping them here keeps the table small.
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(micros(session.created_at))
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row: Option<SessionRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(micros(now))
            .fetch_optional(p)
            .await?);
        Ok(row.map(|r| Session {
            token_hash: r.token_hash,
            user_id: r.user_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(p).await?;
        });
        Ok(())
    }

    async fn record_sign_in_failure(&self, key: &str, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)")
                .bind(key)
                .bind(micros(at))
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn sign_in_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<u32> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_failures WHERE key = $1 AND at >= $2")
            .bind(key)
            .bind(micros(since))
            .fetch_one(p)
            .await?);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM sign_in_failures WHERE key = $1").bind(key).execute(p).await?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn create_api_token(&self, token: &ApiToken, actor: &str) -> Result<()> {
        let audit =
            AuditLine::new(Some(&token.tenant_id), actor, "token.create", &token.id).after(&TokenAudit {
                id: &token.id,
                name: &token.name,
                scope: &token.scope,
                expires_at: token.expires_at,
            })?;
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            lock_tenant!(p, tx, &token.tenant_id);
            sqlx::query("INSERT INTO api_tokens (id, token_hash, user_id, tenant_id, name, scope, created_at, \
                expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
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
            tx.commit().await?;
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

    #[tracing::instrument(skip_all, err)]
    async fn revoke_api_token(&self, user_id: &str, token_id: &str, actor: &str) -> Result<()> {
        let now = micros(Utc::now());
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let tenant: Option<String> = sqlx::query_scalar(
                "SELECT tenant_id FROM api_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
                .bind(token_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(tenant) = tenant else {
                return Err(StoreError::NotFound(format!("token {token_id}")));
            };
            sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1")
                .bind(token_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let audit = AuditLine::new(Some(&tenant), actor, "token.revoke", token_id)
                .after(&serde_json::json!({ "revoked_at": now }))?;
            write_audit!(tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }
}
