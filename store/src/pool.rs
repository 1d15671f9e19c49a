//! The store over either connection pool: each query is written once as runtime sqlx
//! code and compiled for both backends by [`on_pool!`].

use crate::error::other;
use crate::{Result, Store, StoreError};
use async_trait::async_trait;
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The SQL store; callers hold it as a [`crate::DynStore`] from [`crate::open`].
pub(crate) struct SqlStore {
    pub(crate) pool: Pool,
}

/// Runs `$body` with `$p` bound to the concrete pool. The body is type-checked once per
/// backend, so it must only use SQL and Rust types that both backends accept.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite($p) => $body,
            $crate::pool::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// How each backend starts a transaction.
pub(crate) trait Begin {
    type Db: sqlx::Database;
    /// A transaction that will write.
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
    /// A read-only transaction whose statements all see the same committed state.
    async fn begin_read(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
    /// Moves the tenant's revision (one row back, or none for an unknown tenant), which
    /// also locks the tenant's row for the transaction.
    fn lock_tenant_sql(&self) -> &'static str;
    /// Locks the tenant's row without moving its revision: for writes that cannot change
    /// the live score (a daily snapshot freezes it), so kept scores stay good.
    fn hold_tenant_sql(&self) -> &'static str;
}

impl Begin for SqlitePool {
    type Db = Sqlite;
    /// Take the write lock up front: a deferred transaction that reads first and writes
    /// later fails with SQLITE_BUSY instead of waiting when another writer got in between.
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }

    /// In WAL mode a deferred transaction reads one snapshot from its first read on.
    async fn begin_read(&self) -> sqlx::Result<Transaction<'static, Sqlite>> {
        self.begin().await
    }

    /// `BEGIN IMMEDIATE` already holds the database's one write lock.
    fn lock_tenant_sql(&self) -> &'static str {
        MOVE_REVISION
    }

    fn hold_tenant_sql(&self) -> &'static str {
        "SELECT 1 FROM tenants WHERE id = $1"
    }
}

impl Begin for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Postgres>> {
        self.begin().await
    }

    async fn begin_read(&self) -> sqlx::Result<Transaction<'static, Postgres>> {
        self.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
    }

    /// An update of a column no key covers takes the row's NO KEY UPDATE lock: it excludes
    /// other writers of the tenant, not inserts that reference it.
    fn lock_tenant_sql(&self) -> &'static str {
        MOVE_REVISION
    }

    fn hold_tenant_sql(&self) -> &'static str {
        "SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE"
    }
}

/// Every write to a tenant moves its revision, so a kept score computed before the write
/// no longer matches ([`crate::portfolio`]) — whatever the write was.
const MOVE_REVISION: &str = "UPDATE tenants SET revision = revision + 1 WHERE id = $1 RETURNING revision";

/// Inside a write transaction: fails with NotFound unless the tenant exists, and holds
/// the tenant's row lock until the end, so writes of one tenant never interleave. It moves
/// the tenant's revision too, which retires the tenant's kept score.
macro_rules! lock_tenant {
    ($p:expr, $tx:expr, $tenant:expr) => {
        $crate::pool::lock_tenant!($p, $tx, $tenant, $p.lock_tenant_sql())
    };
    ($p:expr, $tx:expr, $tenant:expr, $sql:expr) => {
        if sqlx::query($sql).bind($tenant).fetch_optional(&mut *$tx).await?.is_none() {
            return Err($crate::pool::no_tenant($tenant));
        }
        // Whatever this write changes, the tenant's alert rules are looked at again.
        sqlx::query($crate::alerts::MARK_CHANGED)
            .bind($tenant)
            .bind($crate::codec::micros(chrono::Utc::now()))
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use lock_tenant;

/// One write to one tenant: `$body` runs in a write transaction holding the tenant's lock
/// (so it fails with NotFound for an unknown tenant), which commits after it; a `return`
/// or `?` inside it rolls everything back. The macro's value is the body's.
macro_rules! tenant_write {
    ($store:expr, $tenant:expr, |$p:ident, $tx:ident| $body:block) => {
        $crate::pool::on_pool!($store, $p => {
            let mut $tx = $p.begin_write().await?;
            $crate::pool::lock_tenant!($p, $tx, $tenant);
            #[allow(clippy::let_unit_value)]
            let value = $body;
            $tx.commit().await?;
            value
        })
    };
}
pub(crate) use tenant_write;
/// A write transaction holding one tenant's lock. Steps of one change (an import, a sync:
/// custom actions, statuses, days, measurements, audit lines) run in it one after another
/// and [`TenantTx::commit`] makes them all visible at once; dropped uncommitted, none of
/// them happened.
pub(crate) enum TenantTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl From<Transaction<'static, Sqlite>> for TenantTx {
    fn from(tx: Transaction<'static, Sqlite>) -> Self {
        TenantTx::Sqlite(tx)
    }
}

impl From<Transaction<'static, Postgres>> for TenantTx {
    fn from(tx: Transaction<'static, Postgres>) -> Self {
        TenantTx::Postgres(tx)
    }
}

impl TenantTx {
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            TenantTx::Sqlite(tx) => tx.commit().await?,
            TenantTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl SqlStore {
    /// Begins a write on one tenant and takes its lock; an unknown tenant → NotFound.
    pub(crate) async fn begin_tenant_write(&self, tenant_id: &str) -> Result<TenantTx> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            lock_tenant!(p, tx, tenant_id);
            Ok(TenantTx::from(tx))
        })
    }

    /// Like [`Self::begin_tenant_write`], for a write that leaves the live score as it is
    /// (the tenant's revision does not move).
    pub(crate) async fn begin_tenant_hold(&self, tenant_id: &str) -> Result<TenantTx> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            lock_tenant!(p, tx, tenant_id, p.hold_tenant_sql());
            Ok(TenantTx::from(tx))
        })
    }
}

/// Runs `$body` with `$tx` bound to the connection of a [`TenantTx`], type-checked once
/// per backend like [`on_pool!`]; a step of a larger change is written with it once and
/// called both on its own and as part of that change.
macro_rules! in_tenant_tx {
    ($ttx:expr, |$tx:ident| $body:block) => {
        match $ttx {
            $crate::pool::TenantTx::Sqlite(t) => {
                let $tx = &mut **t;
                $body
            }
            $crate::pool::TenantTx::Postgres(t) => {
                let $tx = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use in_tenant_tx;

pub(crate) const TENANT_EXISTS: &str = "SELECT COUNT(*) FROM tenants WHERE id = $1";

pub(crate) fn no_tenant(id: &str) -> StoreError {
    StoreError::NotFound(format!("tenant {id}"))
}

/// The rows a read of one tenant found; none at all for a tenant that does not exist is
/// NotFound ("nothing yet" and "no such tenant" read differently).
pub(crate) async fn of_known_tenant<R>(store: &SqlStore, id: &str, rows: Vec<R>) -> Result<Vec<R>> {
    if rows.is_empty() {
        ensure_tenant(store, id).await?;
    }
    Ok(rows)
}

/// Fails with NotFound when the tenant does not exist (reads call it only on an empty
/// result, to tell "nothing yet" from "no such tenant").
pub(crate) async fn ensure_tenant(store: &SqlStore, id: &str) -> Result<()> {
    let n: i64 = on_pool!(store, p => sqlx::query_scalar(TENANT_EXISTS).bind(id).fetch_one(p).await?);
    if n == 0 {
        return Err(no_tenant(id));
    }
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    fn pool_usage(&self) -> crate::PoolUsage {
        let usage = |open: u32, idle: usize, max: u32| crate::PoolUsage {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        };
        match &self.pool {
            Pool::Sqlite(p) => usage(p.size(), p.num_idle(), p.options().get_max_connections()),
            Pool::Postgres(p) => usage(p.size(), p.num_idle(), p.options().get_max_connections()),
        }
    }

    async fn ping(&self) -> Result<()> {
        let _: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(p).await?);
        Ok(())
    }

    async fn size_bytes(&self) -> Result<u64> {
        let bytes: i64 = match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .fetch_one(p)
                .await?
            }
            // The tables of this store's schema (tables, indexes and TOAST), not the whole
            // database: tests share one database, each in its own schema.
            Pool::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT \
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')",
                )
                .fetch_one(p)
                .await?
            }
        };
        u64::try_from(bytes).map_err(|_| other(format_args!("negative database size {bytes}")))
    }

    async fn backup_to(&self, path: &std::path::Path) -> Result<u64> {
        match &self.pool {
            Pool::Sqlite(p) => {
                if path.exists() {
                    return Err(StoreError::Invalid(format!(
                        "{} exists already; name a new file",
                        path.display()
                    )));
                }
                let target = path
                    .to_str()
                    .ok_or_else(|| StoreError::Invalid("the backup path is not UTF-8".into()))?;
                // One statement, one read transaction: the copy is the database as of its start,
                // whatever the server writes meanwhile.
                sqlx::query("VACUUM INTO $1").bind(target).execute(p).await?;
                Ok(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
            }
            Pool::Postgres(_) => Err(StoreError::Invalid(
                "a PostgreSQL database is backed up with pg_dump (see docs/scaling.md)".into(),
            )),
        }
    }

    async fn close(&self) {
        on_pool!(self, p => p.close().await);
    }
}
