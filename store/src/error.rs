//! Errors of opening a database, and how driver errors become [`StoreError`]s.

use crate::StoreError;
use sqlx::error::ErrorKind;

/// Why the database could not be opened. Each message is one line a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "unsupported database URL scheme `{scheme}`: use sqlite://PATH (or sqlite:PATH) \
         or postgres://USER@HOST/DB (or postgresql://)"
    )]
    UnsupportedScheme { scheme: String },
    #[error(
        "the database URL has no scheme: use sqlite://PATH (or sqlite:PATH) \
         or postgres://USER@HOST/DB (or postgresql://)"
    )]
    NoScheme,
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("data directory {dir} does not exist: create it or set DATABASE_URL")]
    DataDirMissing { dir: String },
    #[error("data directory {dir} is not writable ({detail}): fix its permissions or set DATABASE_URL")]
    DataDirNotWritable { dir: String, detail: String },
    #[error("cannot open the {backend} database: {detail}")]
    Connect { backend: &'static str, detail: String },
    #[error("migration {version} failed: {detail}")]
    Migration { version: i64, detail: String },
    #[error("migrations failed: {0}")]
    Migrations(String),
}

impl OpenError {
    pub(crate) fn connect(backend: &'static str, e: sqlx::Error) -> OpenError {
        OpenError::Connect { backend, detail: one_line(&e.to_string()) }
    }

    pub(crate) fn migration(e: sqlx::migrate::MigrateError) -> OpenError {
        use sqlx::migrate::MigrateError as M;
        let detail = one_line(&e.to_string());
        match e {
            M::ExecuteMigration(source, version) => {
                OpenError::Migration { version, detail: one_line(&source.to_string()) }
            }
            M::VersionMissing(version)
            | M::VersionMismatch(version)
            | M::VersionNotPresent(version)
            | M::Dirty(version) => OpenError::Migration { version, detail },
            _ => OpenError::Migrations(detail),
        }
    }
}

/// Messages must stay on one line: the server prints them as its single fatal line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("record".into()),
            sqlx::Error::Database(db) if db.kind() == ErrorKind::UniqueViolation => {
                StoreError::Conflict("a record with the same key already exists".into())
            }
            _ => other(e),
        }
    }
}

/// Storage failures since the process started (for monitoring): every one passes [`other`].
static QUERY_ERRORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many storage operations have failed since the process started (not the refusals a
/// caller expects, such as a missing record or a duplicate key).
pub fn query_errors() -> u64 {
    QUERY_ERRORS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Logs the detail (it may name tables or values) and wraps it for the caller's log.
pub(crate) fn other(e: impl std::fmt::Display) -> StoreError {
    QUERY_ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let detail = e.to_string();
    tracing::error!(error = %detail, "storage failure");
    StoreError::Other(detail)
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> StoreError {
        other(format_args!("stored JSON does not decode: {e}"))
    }
}
