//! Sharing an improvement action: the audit line of every share, and the change tickets
//! a share opened in ServiceNow.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{micros, to_u32};
use crate::pool::{of_known_tenant, on_pool, tenant_write, Begin, SqlStore};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One share that reached its target, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionShare {
    pub tenant_id: String,
    pub action_id: String,
    /// `email`, `webhook` or `servicenow`.
    pub target: String,
    /// Email addresses; empty for the other targets.
    pub recipients: Vec<String>,
    pub actor: String,
}

/// A change ticket opened for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionTicket {
    pub tenant_id: String,
    pub action_id: String,
    pub number: String,
    pub url: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait ShareStore: Send + Sync {
    /// Appends the share's audit line (`action.share`) and, for a ticket, stores it in the
    /// same transaction. An unknown tenant → NotFound.
    async fn record_share(&self, share: &ActionShare, ticket: Option<&ActionTicket>) -> Result<()>;
    /// The action's tickets in the tenant, newest first.
    async fn action_tickets(&self, tenant_id: &str, action_id: &str) -> Result<Vec<ActionTicket>>;
    /// How many shares `actor` made since `since`, in every tenant, and when the oldest of
    /// them was made: what a rate limit on shares needs.
    async fn shares_since(&self, actor: &str, since: DateTime<Utc>) -> Result<SharesSince>;
}

/// The shares of one person in a recent window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharesSince {
    pub count: u32,
    pub oldest: Option<DateTime<Utc>>,
}

/// What the audit trail shows of a share: never a credential, only where it went.
#[derive(Serialize)]
struct ShareAudit<'a> {
    target: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    recipients: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

const SHARES_SINCE: &str = "SELECT COUNT(*), MIN(occurred_at) FROM audit_log \
    WHERE actor = $1 AND kind = 'action.share' AND occurred_at >= $2";
const INSERT_TICKET: &str = "INSERT INTO action_tickets \
    (tenant_id, action_id, number, url, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const SELECT_TICKETS: &str = "SELECT tenant_id, action_id, number, url, created_by, created_at \
    FROM action_tickets WHERE tenant_id = $1 AND action_id = $2 ORDER BY id DESC";

#[derive(sqlx::FromRow)]
struct TicketRow {
    tenant_id: String,
    action_id: String,
    number: String,
    url: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

#[async_trait]
impl ShareStore for SqlStore {
    #[tracing::instrument(skip_all, err)]
    async fn record_share(&self, share: &ActionShare, ticket: Option<&ActionTicket>) -> Result<()> {
        let audit = AuditLine::new(Some(&share.tenant_id), &share.actor, "action.share", &share.action_id)
            .after(&ShareAudit {
                target: &share.target,
                recipients: &share.recipients,
                ticket: ticket.map(|t| t.number.as_str()),
                url: ticket.map(|t| t.url.as_str()),
            })?;
        tenant_write!(self, &share.tenant_id, |p, tx| {
            if let Some(t) = ticket {
                sqlx::query(INSERT_TICKET)
                    .bind(&t.tenant_id)
                    .bind(&t.action_id)
                    .bind(&t.number)
                    .bind(&t.url)
                    .bind(&t.created_by)
                    .bind(micros(t.created_at))
                    .execute(&mut *tx)
                    .await?;
            }
            write_audit!(tx, audit)?;
        });
        Ok(())
    }

    async fn action_tickets(&self, tenant_id: &str, action_id: &str) -> Result<Vec<ActionTicket>> {
        let rows: Vec<TicketRow> = on_pool!(self, p => {
            sqlx::query_as(SELECT_TICKETS).bind(tenant_id).bind(action_id).fetch_all(p).await?
        });
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        Ok(rows
            .into_iter()
            .map(|r| ActionTicket {
                tenant_id: r.tenant_id,
                action_id: r.action_id,
                number: r.number,
                url: r.url,
                created_by: r.created_by,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn shares_since(&self, actor: &str, since: DateTime<Utc>) -> Result<SharesSince> {
        let (count, oldest): (i64, Option<DateTime<Utc>>) = on_pool!(self, p => {
            sqlx::query_as(SHARES_SINCE).bind(actor).bind(micros(since)).fetch_one(p).await?
        });
        Ok(SharesSince { count: to_u32(count, "shares counted")?, oldest })
    }
}
