//! Tenants' connections to Microsoft 365, and the outcome of each sync. The client secret
//! is stored only sealed (the server seals and opens it); the audit trail records who
//! connected which app registration, never the secret.

use crate::audit::{write_audit, AuditLine};
use crate::codec::micros;
use crate::pool::{ensure_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A tenant's connection, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M365Connection {
    pub tenant_id: String,
    /// The Entra directory (tenant) id and the app registration's client id.
    pub directory_id: String,
    pub client_id: String,
    /// The client secret, sealed by the server's key for this tenant.
    pub sealed_secret: String,
    /// Send status changes made in Rampart back to Microsoft.
    pub write_back: bool,
    pub connected_by: String,
    pub connected_at: DateTime<Utc>,
    pub secret_set_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, in words; `None` after a success.
    pub last_error: Option<String>,
}

#[async_trait]
pub trait M365Store: Send + Sync {
    /// Connects the tenant, or replaces its connection (a new app registration or a rotated
    /// secret); audited as `m365.connect`. An unknown tenant → NotFound.
    async fn save_m365_connection(&self, c: &M365Connection, actor: &str) -> Result<()>;
    async fn m365_connection(&self, tenant_id: &str) -> Result<Option<M365Connection>>;
    /// Every connection, for the daily sync.
    async fn m365_connections(&self) -> Result<Vec<M365Connection>>;
    /// Records a sync attempt at `at`: `Ok` a success, `Err` why it failed.
    async fn record_m365_sync(
        &self,
        tenant_id: &str,
        at: DateTime<Utc>,
        outcome: Result<(), &str>,
    ) -> Result<()>;
    /// Removes the connection; false when there was none. Audited as `m365.disconnect`.
    async fn delete_m365_connection(&self, tenant_id: &str, actor: &str) -> Result<bool>;
}

/// What the audit trail shows of a connection.
#[derive(Serialize)]
struct ConnectionAudit<'a> {
    directory_id: &'a str,
    client_id: &'a str,
    write_back: bool,
    secret_set_at: DateTime<Utc>,
}

impl M365Connection {
    fn audited(&self) -> ConnectionAudit<'_> {
        ConnectionAudit {
            directory_id: &self.directory_id,
            client_id: &self.client_id,
            write_back: self.write_back,
            secret_set_at: self.secret_set_at,
        }
    }
}

const COLUMNS: &str = "tenant_id, directory_id, client_id, sealed_secret, write_back, connected_by, \
    connected_at, secret_set_at, last_attempt_at, last_success_at, last_error";
const UPSERT: &str = "INSERT INTO m365_connections (tenant_id, directory_id, client_id, sealed_secret, \
    write_back, connected_by, connected_at, secret_set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
    ON CONFLICT (tenant_id) DO UPDATE SET directory_id = excluded.directory_id, \
    client_id = excluded.client_id, sealed_secret = excluded.sealed_secret, \
    write_back = excluded.write_back, secret_set_at = excluded.secret_set_at";
const RECORD_SUCCESS: &str = "UPDATE m365_connections SET last_attempt_at = $2, last_success_at = $2, \
    last_error = NULL WHERE tenant_id = $1";
const RECORD_FAILURE: &str =
    "UPDATE m365_connections SET last_attempt_at = $2, last_error = $3 WHERE tenant_id = $1";
const DELETE: &str = "DELETE FROM m365_connections WHERE tenant_id = $1";

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    tenant_id: String,
    directory_id: String,
    client_id: String,
    sealed_secret: String,
    write_back: bool,
    connected_by: String,
    connected_at: DateTime<Utc>,
    secret_set_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl From<ConnectionRow> for M365Connection {
    fn from(r: ConnectionRow) -> M365Connection {
        M365Connection {
            tenant_id: r.tenant_id,
            directory_id: r.directory_id,
            client_id: r.client_id,
            sealed_secret: r.sealed_secret,
            write_back: r.write_back,
            connected_by: r.connected_by,
            connected_at: r.connected_at,
            secret_set_at: r.secret_set_at,
            last_attempt_at: r.last_attempt_at,
            last_success_at: r.last_success_at,
            last_error: r.last_error,
        }
    }
}

#[async_trait]
impl M365Store for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn save_m365_connection(&self, c: &M365Connection, actor: &str) -> Result<()> {
        let before = self.m365_connection(&c.tenant_id).await?;
        let mut line =
            AuditLine::new(Some(&c.tenant_id), actor, "m365.connect", &c.client_id).after(&c.audited())?;
        if let Some(b) = &before {
            line = line.before(&b.audited())?;
        }
        tenant_write!(self, &c.tenant_id, |p, tx| {
            sqlx::query(UPSERT)
                .bind(&c.tenant_id)
                .bind(&c.directory_id)
                .bind(&c.client_id)
                .bind(&c.sealed_secret)
                .bind(c.write_back)
                .bind(actor)
                .bind(micros(c.connected_at))
                .bind(micros(c.secret_set_at))
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, line)?;
        });
        Ok(())
    }

    async fn m365_connection(&self, tenant_id: &str) -> Result<Option<M365Connection>> {
        let sql = format!("SELECT {COLUMNS} FROM m365_connections WHERE tenant_id = $1");
        let row: Option<ConnectionRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_optional(p).await?);
        match row {
            Some(r) => Ok(Some(r.into())),
            None => ensure_tenant(self, tenant_id).await.map(|()| None),
        }
    }

    async fn m365_connections(&self) -> Result<Vec<M365Connection>> {
        let sql = format!("SELECT {COLUMNS} FROM m365_connections ORDER BY tenant_id");
        let rows: Vec<ConnectionRow> = on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(M365Connection::from).collect())
    }

    async fn record_m365_sync(
        &self,
        tenant_id: &str,
        at: DateTime<Utc>,
        outcome: Result<(), &str>,
    ) -> Result<()> {
        let at = micros(at);
        let changed = on_pool!(self, p => match outcome {
            Ok(()) => sqlx::query(RECORD_SUCCESS).bind(tenant_id).bind(at).execute(p).await?,
            Err(why) => sqlx::query(RECORD_FAILURE).bind(tenant_id).bind(at).bind(why).execute(p).await?,
        }
        .rows_affected());
        if changed == 0 {
            ensure_tenant(self, tenant_id).await?;
            return Err(crate::StoreError::NotFound(format!(
                "Microsoft 365 connection of tenant {tenant_id}"
            )));
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, err)]
    async fn delete_m365_connection(&self, tenant_id: &str, actor: &str) -> Result<bool> {
        let Some(before) = self.m365_connection(tenant_id).await? else { return Ok(false) };
        let line = AuditLine::new(Some(tenant_id), actor, "m365.disconnect", &before.client_id)
            .before(&before.audited())?;
        tenant_write!(self, tenant_id, |p, tx| {
            sqlx::query(crate::write_backs::FORGET).bind(tenant_id).execute(&mut *tx).await?;
            sqlx::query(DELETE).bind(tenant_id).execute(&mut *tx).await?;
            write_audit!(tx, line)?;
        });
        Ok(true)
    }
}
