//! Rampart's storage seam: one [`Store`] (small traits per table group, combined) with a
//! SQLite and a PostgreSQL backend chosen once at startup from the database URL.

mod alerts;
mod audit;
mod baselines;
mod benchmarks;
mod catalog;
mod codec;
mod comparisons;
mod controls;
mod custom_actions;
mod day_trends;
mod entities;
mod error;
mod imports;
mod leases;
mod m365;
mod measurements;
mod model;
mod open;
mod people;
mod people_rows;
mod pool;
mod portfolio;
mod portfolio_alerts;
mod reports;
mod sign_in_attempts;
mod snapshot_rows;
mod snapshots;
mod tenants;
mod tickets;
mod write_backs;

pub use alerts::{AlertCheck, AlertDelivery, AlertRule, AlertStore, NewDelivery};
pub use baselines::{Baseline, BaselineEntry, BaselineStore};
pub use benchmarks::{BenchmarkEntry, BenchmarkStore};
pub use comparisons::{ComparisonStore, Rename};
pub use entities::EntityStore;
pub use error::OpenError;
pub use imports::{ImportBatch, ImportStore};
pub use leases::LeaseStore;
pub use m365::{M365Connection, M365Store};
pub use model::*;
pub use open::{drop_postgres_schema, open, open_postgres_in_schema};
pub use portfolio::{KeptScore, PortfolioEntry, PortfolioStore, PortfolioTenant, TenantScore, TopRegression};
pub use portfolio_alerts::{PortfolioAlertRule, PortfolioAlertStore};
pub use reports::{ReportSchedule, ReportStore};
pub use tickets::{ActionShare, ActionTicket, ShareStore, SharesSince};
pub use write_backs::{Sent, WriteBack, WriteBackStore};

use async_trait::async_trait;
use chrono::NaiveDate;
use score::catalog::Catalog;
use score::snapshot::ActionPoints;
use score::{ImprovementAction, Measurement};
use std::sync::Arc;

/// Errors of the storage layer. `Other` carries detail for the log, never for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    /// The tenant already holds the most it may of something.
    #[error("full: {0}")]
    Full(String),
    #[error("storage failure: {0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[async_trait]
pub trait TenantStore: Send + Sync {
    async fn create_tenant(&self, tenant: NewTenant, actor: &str) -> Result<Tenant>;
    async fn tenant(&self, id: &str) -> Result<Tenant>;
    /// All tenants, by name.
    async fn tenants(&self) -> Result<Vec<Tenant>>;
    async fn tenant_count(&self) -> Result<u64>;
    /// The industries tenants on this server are in, sorted, each once.
    async fn industries(&self) -> Result<Vec<String>>;
    /// Sets where the okay and good zones start (percentages: okay < good ≤ 100), audited.
    async fn set_zones(&self, tenant_id: &str, okay_from: u32, good_from: u32, actor: &str)
        -> Result<Tenant>;
    /// Sets (or with `None` clears) the tenant's goal, audited.
    async fn set_goal(&self, tenant_id: &str, goal: Option<ScoreGoal>, actor: &str) -> Result<Tenant>;
    /// Records the licenses the tenant holds (`None`: not recorded), audited.
    async fn set_licenses(&self, tenant_id: &str, licenses: Option<&[String]>, actor: &str)
        -> Result<Tenant>;
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Makes the stored built-in catalog match `catalog`; absent actions are retired.
    async fn sync_catalog(&self, catalog: &Catalog) -> Result<CatalogSync>;
    /// The built-in actions, retired ones included (they are marked deprecated).
    async fn catalog_actions(&self) -> Result<Vec<ImprovementAction>>;
}

/// Each tenant's own improvement actions. A deleted one keeps its row (history names it,
/// and it can be restored) but leaves the live score, the lists, ingest and status changes.
#[async_trait]
pub trait CustomActionStore: Send + Sync {
    /// Adds one, audited; an id in use (built-in, or this tenant's, deleted or not) → Conflict.
    async fn add_custom_action(&self, tenant_id: &str, action: &ImprovementAction, actor: &str)
        -> Result<()>;
    /// The tenant's custom actions in the live score (deleted ones left out), by id.
    async fn custom_actions(&self, tenant_id: &str) -> Result<Vec<ImprovementAction>>;
    /// The tenant's deleted custom actions, by id.
    async fn deleted_custom_actions(&self, tenant_id: &str) -> Result<Vec<ImprovementAction>>;
    /// Rewrites a custom action under its id, audited with before and after. A built-in id
    /// → Invalid; an id that is not one of the tenant's live custom actions → NotFound.
    async fn update_custom_action(
        &self,
        tenant_id: &str,
        action: &ImprovementAction,
        actor: &str,
    ) -> Result<()>;
    /// Takes the action out of the live score, audited; `Ok(false)` when it already was.
    /// Past snapshots are not touched. Built-in id → Invalid; unknown → NotFound.
    async fn delete_custom_action(&self, tenant_id: &str, action_id: &str, actor: &str) -> Result<bool>;
    /// Undoes a delete, audited; `Ok(false)` when the action was not deleted.
    async fn restore_custom_action(&self, tenant_id: &str, action_id: &str, actor: &str) -> Result<bool>;
}

#[async_trait]
pub trait ControlStore: Send + Sync {
    /// Current state of every action the tenant has a status or measurement for.
    async fn control_records(&self, tenant_id: &str) -> Result<Vec<ControlRecord>>;
    /// Records a batch all-or-nothing; one measurement per (tenant, action, observed day):
    /// a second one on the same day replaces the first. Returns how many items changed the
    /// value in effect on their day (re-sending yesterday's values counts as no change).
    async fn record_measurements(
        &self,
        tenant_id: &str,
        batch: &[MeasurementInput],
        actor: &str,
        source: score::MeasurementSource,
    ) -> Result<u64>;
    /// Appends a status change and makes it current, in one transaction with its audit line.
    async fn set_status(&self, tenant_id: &str, change: &StatusChange) -> Result<()>;
    /// Status changes of one action, oldest first.
    async fn status_history(&self, tenant_id: &str, action_id: &str) -> Result<Vec<RecordedChange>>;
    /// Every status change of the tenant, by action, then oldest first.
    async fn tenant_status_history(&self, tenant_id: &str) -> Result<Vec<StatusChange>>;
    /// Measurements of one action, oldest first: one per observed day.
    async fn measurement_history(&self, tenant_id: &str, action_id: &str) -> Result<Vec<Measurement>>;
    /// Measurements observed in `[from, to]`, by action, oldest first.
    async fn measurements_observed(
        &self,
        tenant_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DatedMeasurement>>;
    /// Each action's measurement in effect on `day`: the latest observed on or before it.
    async fn measurements_on(
        &self,
        tenant_id: &str,
        day: NaiveDate,
    ) -> Result<std::collections::BTreeMap<String, Measurement>>;
}

#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// Stores the day's summary and, per action, only what changed since the latest
    /// earlier snapshot. Writing the same day again replaces it.
    async fn write_snapshot(&self, snapshot: &ScoreSnapshot, points: &ActionPoints) -> Result<()>;
    /// Summaries in `[from, to]`, oldest first.
    async fn snapshots(&self, tenant_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<ScoreSnapshot>>;
    async fn latest_snapshot(&self, tenant_id: &str) -> Result<Option<ScoreSnapshot>>;
    /// Per-action points as of `day` (the latest change on or before it, per action).
    async fn action_points_on(&self, tenant_id: &str, day: NaiveDate) -> Result<ActionPoints>;
    /// Per-action changes recorded in `[from, to]`, oldest first.
    async fn action_changes(
        &self,
        tenant_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DatedChange>>;
    /// The day trends of the snapshots in `[from, to]`, oldest first.
    async fn day_trends(&self, tenant_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<DatedTrend>>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// The tenant's audit trail, newest first.
    async fn audit_trail(&self, tenant_id: &str, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Up to `limit` lines of the trail, newest first, older than the line `before` (from
    /// the newest when `None`): an export reads the whole trail a page at a time.
    async fn audit_page(&self, tenant_id: &str, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>>;
}

/// People, their roles per tenant, sessions, API tokens and sign-in throttling.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Creates a user (email lower-cased) with a display name; an email already in use →
    /// Conflict.
    async fn create_user(&self, email: &str, name: &str, password_hash: &str, actor: &str) -> Result<User>;
    async fn user(&self, id: &str) -> Result<User>;
    /// By email, case-insensitively; unknown → NotFound.
    async fn user_by_email(&self, email: &str) -> Result<User>;
    /// Sets a new password hash and ends every session of the user except `keep_session`.
    async fn set_password_hash(&self, change: NewPassword<'_>, actor: &str) -> Result<()>;
    /// Grants (or changes) the user's one role in the tenant, with an audit line.
    async fn grant_role(
        &self,
        tenant_id: &str,
        user_id: &str,
        role: score::roles::Role,
        actor: &str,
    ) -> Result<Membership>;
    /// Removes the user's role in the tenant, with an audit line; none held → NotFound.
    async fn revoke_role(&self, tenant_id: &str, user_id: &str, actor: &str) -> Result<()>;
    /// The user's roles in every tenant, by tenant name.
    async fn memberships_of_user(&self, user_id: &str) -> Result<Vec<Membership>>;
    /// The user's role in one tenant; `None` for a tenant they hold no role in and for one
    /// that does not exist alike. Every access check asks this.
    async fn role_in(&self, user_id: &str, tenant_id: &str) -> Result<Option<score::roles::Role>>;
    /// Everyone holding a role in the tenant, by email.
    async fn members_of_tenant(&self, tenant_id: &str) -> Result<Vec<Membership>>;
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// The session if it exists and has not expired at `now`.
    async fn session(&self, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of the user, with an audit line; answers how many ended.
    async fn end_sessions(&self, user_id: &str, actor: &str) -> Result<u64>;
    /// Counts one sign-in attempt for a throttling key and answers the attempts in the key's
    /// current window, this one included. A window that began before `window_began_after`
    /// is over: the count starts again at 1. Atomic: concurrent attempts each get their own
    /// number, so no burst gets past a budget.
    async fn claim_sign_in_attempt(
        &self,
        key: &str,
        at: chrono::DateTime<chrono::Utc>,
        window_began_after: chrono::DateTime<chrono::Utc>,
    ) -> Result<u32>;
    /// Takes back one counted attempt of the key (a sign-in that succeeded).
    async fn forgive_sign_in_attempt(&self, key: &str) -> Result<()>;
    /// Forgets the key's attempts.
    async fn clear_sign_in_attempts(&self, key: &str) -> Result<()>;
    /// Stores a new token (audit line `token.create`).
    async fn create_api_token(&self, token: &ApiToken, actor: &str) -> Result<()>;
    /// The token by the hash of its secret, revoked or not (callers check expiry and revocation).
    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>>;
    async fn api_tokens_of_user(&self, user_id: &str) -> Result<Vec<ApiToken>>;
    /// Marks the user's token revoked (audit line `token.revoke`); not theirs → NotFound.
    async fn revoke_api_token(&self, user_id: &str, token_id: &str, actor: &str) -> Result<()>;
}

/// Everything the app needs from storage.
#[async_trait]
pub trait Store:
    TenantStore
    + CatalogStore
    + CustomActionStore
    + ControlStore
    + SnapshotStore
    + AuditStore
    + PeopleStore
    + ShareStore
    + ComparisonStore
    + BenchmarkStore
    + M365Store
    + WriteBackStore
    + ImportStore
    + EntityStore
    + AlertStore
    + ReportStore
    + PortfolioAlertStore
    + PortfolioStore
    + BaselineStore
    + LeaseStore
{
    /// Which backend this is: `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// The connection pool right now (for monitoring).
    fn pool_usage(&self) -> PoolUsage;
    /// Bytes the data occupies (for benchmarks): SQLite, the file's pages; PostgreSQL, the
    /// tables and indexes of the store's schema.
    async fn size_bytes(&self) -> Result<u64>;
    /// Whether the database answers now (a readiness check).
    async fn ping(&self) -> Result<()>;
    /// Writes a consistent copy of the whole database to `path` while it is in use (SQLite's
    /// `VACUUM INTO`), and returns its size in bytes. `path` must not exist yet. PostgreSQL
    /// is backed up with its own tools (`pg_dump`): Invalid.
    async fn backup_to(&self, path: &std::path::Path) -> Result<u64>;
    /// Waits for every connection to finish and close. On SQLite the last one to close
    /// folds the write-ahead log back into the database file, so the file alone is then a
    /// complete copy (backups, templates).
    async fn close(&self);
}

pub type DynStore = Arc<dyn Store>;

/// How many connections the pool holds and how many of them wait idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

pub use error::query_errors;
