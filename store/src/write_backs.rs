//! Write-back to Microsoft 365: each status change people make in a tenant whose connection
//! writes back is queued in the change's own transaction, then sent by the server and its
//! outcome kept here — sent, refused and due again, or refused for good — so a change is
//! never lost and never blocks the edit in Rampart.

use crate::codec::micros;
use crate::pool::{in_tenant_tx, of_known_tenant, on_pool, SqlStore, TenantTx};
use crate::{Result, StatusChange};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One action's latest change as it goes to Microsoft, with how sending it went.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WriteBack {
    pub tenant_id: String,
    /// The control's id at Microsoft (Rampart's action id).
    pub action_id: String,
    /// `Default`, `Ignored`, `ThirdParty` or `Reviewed`.
    pub state: String,
    pub comment: String,
    /// Empty when nobody is assigned.
    pub assigned_to: String,
    pub changed_by: String,
    /// When the change was made in Rampart: which change this is.
    pub changed_at: DateTime<Utc>,
    #[sqlx(try_from = "i64")]
    pub attempts: u32,
    /// When it is tried (again); `None` once sent, or refused for good.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, in words; `None` before the first and after a success.
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// How one attempt to send a write-back went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent<'a> {
    Yes,
    /// Refused or not delivered: why, and when to try again (`None`: never, the refusal is
    /// final — Microsoft has no such control).
    No {
        why: &'a str,
        again_at: Option<DateTime<Utc>>,
    },
}

#[async_trait]
pub trait WriteBackStore: Send + Sync {
    /// Write-backs due at `now` across every tenant, the longest waiting first.
    async fn due_write_backs(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<WriteBack>>;
    /// The tenant's write-backs, one per action that has one, by action.
    async fn write_backs(&self, tenant_id: &str) -> Result<Vec<WriteBack>>;
    /// One action's write-back, if its latest change has one.
    async fn write_back_of(&self, tenant_id: &str, action_id: &str) -> Result<Option<WriteBack>>;
    /// Records an attempt at `at` to send the change `w` names (by tenant, action and when
    /// it was made). False, and nothing written, when a newer change has replaced it since.
    async fn record_write_back(&self, w: &WriteBack, at: DateTime<Utc>, sent: Sent<'_>) -> Result<bool>;
}

const QUEUE: &str = "INSERT INTO m365_write_backs (tenant_id, action_id, state, comment, assigned_to, \
    changed_by, changed_at, attempts, next_attempt_at) \
    SELECT tenant_id, $2, $3, $4, $5, $6, $7, 0, $7 FROM m365_connections WHERE tenant_id = $1 AND write_back \
    ON CONFLICT (tenant_id, action_id) DO UPDATE SET state = excluded.state, comment = excluded.comment, \
    assigned_to = excluded.assigned_to, changed_by = excluded.changed_by, changed_at = excluded.changed_at, \
    attempts = 0, next_attempt_at = excluded.next_attempt_at, last_attempt_at = NULL, last_error = NULL, \
    sent_at = NULL";
const COLUMNS: &str = "tenant_id, action_id, state, comment, assigned_to, changed_by, changed_at, attempts, \
    next_attempt_at, last_attempt_at, last_error, sent_at";
const SENT: &str =
    "UPDATE m365_write_backs SET attempts = attempts + 1, last_attempt_at = $4, sent_at = $4, \
    next_attempt_at = NULL, last_error = NULL WHERE tenant_id = $1 AND action_id = $2 AND changed_at = $3";
const NOT_SENT: &str = "UPDATE m365_write_backs SET attempts = attempts + 1, last_attempt_at = $4, \
    last_error = $5, next_attempt_at = $6 WHERE tenant_id = $1 AND action_id = $2 AND changed_at = $3";
/// A tenant disconnected from Microsoft 365 sends nothing more.
pub(crate) const FORGET: &str = "DELETE FROM m365_write_backs WHERE tenant_id = $1";

impl TenantTx {
    /// Queues `change` to be sent to Microsoft when the tenant's connection writes back;
    /// nothing otherwise.
    pub(crate) async fn queue_write_back(&mut self, tenant_id: &str, change: &StatusChange) -> Result<()> {
        use score::graph_state::{graph_comment, graph_state};
        let comment = graph_comment(change.status, &change.note, change.due_date);
        in_tenant_tx!(self, |tx| {
            sqlx::query(QUEUE)
                .bind(tenant_id)
                .bind(&change.action_id)
                .bind(graph_state(change.status))
                .bind(&comment)
                .bind(change.assignee.as_deref().unwrap_or_default())
                .bind(&change.changed_by)
                .bind(micros(change.changed_at))
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}

#[async_trait]
impl WriteBackStore for SqlStore {
    async fn due_write_backs(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<WriteBack>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM m365_write_backs WHERE next_attempt_at IS NOT NULL \
             AND next_attempt_at <= $1 ORDER BY next_attempt_at, tenant_id, action_id LIMIT $2"
        );
        Ok(
            on_pool!(self, p => sqlx::query_as(&sql).bind(micros(now)).bind(i64::from(limit)).fetch_all(p).await?),
        )
    }

    async fn write_backs(&self, tenant_id: &str) -> Result<Vec<WriteBack>> {
        let sql = format!("SELECT {COLUMNS} FROM m365_write_backs WHERE tenant_id = $1 ORDER BY action_id");
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).fetch_all(p).await?);
        of_known_tenant(self, tenant_id, rows).await
    }

    async fn write_back_of(&self, tenant_id: &str, action_id: &str) -> Result<Option<WriteBack>> {
        let sql = format!("SELECT {COLUMNS} FROM m365_write_backs WHERE tenant_id = $1 AND action_id = $2");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(tenant_id).bind(action_id).fetch_optional(p).await?))
    }

    async fn record_write_back(&self, w: &WriteBack, at: DateTime<Utc>, sent: Sent<'_>) -> Result<bool> {
        let (key, changed_at, at) = ((&w.tenant_id, &w.action_id), micros(w.changed_at), micros(at));
        let done = on_pool!(self, p => match sent {
            Sent::Yes => sqlx::query(SENT).bind(key.0).bind(key.1).bind(changed_at).bind(at).execute(p).await?,
            Sent::No { why, again_at } => sqlx::query(NOT_SENT)
                .bind(key.0)
                .bind(key.1)
                .bind(changed_at)
                .bind(at)
                .bind(why)
                .bind(again_at.map(micros))
                .execute(p)
                .await?,
        }
        .rows_affected());
        Ok(done == 1)
    }
}
