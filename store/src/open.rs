//! Opening a store from a database URL: pick the backend, check the data directory,
//! set the connection options, run the embedded migrations.

use crate::error::{one_line, OpenError};
use crate::pool::{Pool, SqlStore};
use crate::DynStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How long a connection waits for another writer before giving up (SQLite).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite writes one at a time anyway; more connections only add concurrent readers.
const SQLITE_CONNECTIONS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 10;
/// How long to wait for PostgreSQL to answer, at startup and for a pooled connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

enum Target {
    SqliteFile(PathBuf),
    SqliteMemory,
    Postgres,
}

fn parse(url: &str) -> Result<Target, OpenError> {
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(OpenError::NoScheme);
    };
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.contains('?') {
                Err(OpenError::InvalidUrl("a sqlite URL takes a path only, without ?options".into()))
            } else if path == ":memory:" {
                Ok(Target::SqliteMemory)
            } else if path.is_empty() {
                Err(OpenError::InvalidUrl(
                    "a sqlite URL needs a file path, e.g. sqlite://data/rampart.db".into(),
                ))
            } else {
                Ok(Target::SqliteFile(PathBuf::from(path)))
            }
        }
        "postgres" | "postgresql" => Ok(Target::Postgres),
        other => Err(OpenError::UnsupportedScheme { scheme: other.to_owned() }),
    }
}

/// Opens the database named by `database_url` and brings its schema up to date.
///
/// `sqlite://PATH` or `sqlite:PATH` (the file is created if missing, its directory must
/// exist; `sqlite::memory:` for a private in-memory database), or
/// `postgres://…` / `postgresql://…`.
// No `err` here: the caller reports an open failure as its one line to the operator.
#[tracing::instrument(skip_all)]
pub async fn open(database_url: &str) -> Result<DynStore, OpenError> {
    match parse(database_url)? {
        Target::SqliteFile(path) => open_sqlite_file(&path).await,
        Target::SqliteMemory => open_sqlite_memory().await,
        Target::Postgres => open_postgres(database_url, None).await,
    }
}

/// Opens a PostgreSQL store whose tables live in `schema` (created if missing), so that
/// several stores, such as parallel tests, can share one database without colliding.
/// `schema` must be 1–63 lowercase ASCII letters, digits or `_`, not starting with a digit.
pub async fn open_postgres_in_schema(database_url: &str, schema: &str) -> Result<DynStore, OpenError> {
    check_schema_name(schema)?;
    match parse(database_url)? {
        Target::Postgres => open_postgres(database_url, Some(schema)).await,
        _ => Err(OpenError::InvalidUrl("a schema needs a postgres:// URL".into())),
    }
}

/// Drops `schema` and everything in it: the clean-up of [`open_postgres_in_schema`].
pub async fn drop_postgres_schema(database_url: &str, schema: &str) -> Result<(), OpenError> {
    check_schema_name(schema)?;
    let options = pg_options(database_url)?;
    let mut conn = first_connection(&options).await?;
    conn.execute(format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE").as_str())
        .await
        .map_err(|e| OpenError::connect("PostgreSQL", e))?;
    conn.close().await.map_err(|e| OpenError::connect("PostgreSQL", e))
}

fn check_schema_name(schema: &str) -> Result<(), OpenError> {
    let ok = (1..=63).contains(&schema.len())
        && schema.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !schema.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(OpenError::InvalidUrl(format!(
            "schema name `{schema}` must be 1–63 lowercase letters, digits or _, not starting with a digit"
        )))
    }
}

/// The directory must exist (we never guess where data should live) and be writable;
/// the file itself is created here so a permission problem names the directory.
fn prepare_sqlite_file(path: &Path) -> Result<(), OpenError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(OpenError::DataDirMissing { dir: dir.display().to_string() });
    }
    if !path.exists() {
        std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
            OpenError::DataDirNotWritable { dir: dir.display().to_string(), detail: one_line(&e.to_string()) }
        })?;
    }
    Ok(())
}

async fn open_sqlite_file(path: &Path) -> Result<DynStore, OpenError> {
    prepare_sqlite_file(path)?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL syncs the WAL on every commit: an acknowledged write survives a kill or power loss.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(SQLITE_CONNECTIONS)
        .connect_with(options)
        .await
        .map_err(|e| OpenError::connect("SQLite", e))?;
    migrate_sqlite(pool).await
}

/// One connection, kept forever: each SQLite connection to `:memory:` is its own database.
async fn open_sqlite_memory() -> Result<DynStore, OpenError> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")
        .map_err(|e| OpenError::connect("SQLite", e))?
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .map_err(|e| OpenError::connect("SQLite", e))?;
    migrate_sqlite(pool).await
}

async fn migrate_sqlite(pool: sqlx::SqlitePool) -> Result<DynStore, OpenError> {
    sqlx::migrate!("../migrations/sqlite").run(&pool).await.map_err(OpenError::migration)?;
    finish(SqlStore { pool: Pool::Sqlite(pool) }).await
}

fn pg_options(database_url: &str) -> Result<PgConnectOptions, OpenError> {
    // The parser's message never echoes the password.
    PgConnectOptions::from_str(database_url).map_err(|e| OpenError::InvalidUrl(one_line(&e.to_string())))
}

/// One direct connection first: a refused connection or a bad password fails at once
/// here, where the pool would retry until its acquire timeout.
async fn first_connection(options: &PgConnectOptions) -> Result<sqlx::PgConnection, OpenError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(conn) => conn.map_err(|e| OpenError::connect("PostgreSQL", e)),
        Err(_) => Err(OpenError::Connect {
            backend: "PostgreSQL",
            detail: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        }),
    }
}

async fn open_postgres(database_url: &str, schema: Option<&str>) -> Result<DynStore, OpenError> {
    let options = pg_options(database_url)?;
    let mut conn = first_connection(&options).await?;
    let mut pool_options =
        PgPoolOptions::new().max_connections(POSTGRES_CONNECTIONS).acquire_timeout(CONNECT_TIMEOUT);
    if let Some(schema) = schema {
        conn.execute(format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"").as_str())
            .await
            .map_err(|e| OpenError::connect("PostgreSQL", e))?;
        // Every pooled connection, including ones opened later, works inside the schema.
        let set_path: Arc<str> = format!("SET search_path TO \"{schema}\"").into();
        pool_options = pool_options.after_connect(move |conn, _meta| {
            let set_path = Arc::clone(&set_path);
            Box::pin(async move {
                conn.execute(&*set_path).await?;
                Ok(())
            })
        });
    }
    conn.close().await.map_err(|e| OpenError::connect("PostgreSQL", e))?;
    let pool = pool_options.connect_with(options).await.map_err(|e| OpenError::connect("PostgreSQL", e))?;
    sqlx::migrate!("../migrations/postgres").run(&pool).await.map_err(OpenError::migration)?;
    finish(SqlStore { pool: Pool::Postgres(pool) }).await
}

/// The data steps that follow the schema migrations: values of new columns that only the
/// domain code can compute.
async fn finish(store: SqlStore) -> Result<DynStore, OpenError> {
    store
        .fill_day_trends()
        .await
        .map_err(|e| OpenError::Migrations(format!("computing the day trends of stored snapshots: {e}")))?;
    Ok(Arc::new(store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert!(
            matches!(parse("sqlite://data/r.db"), Ok(Target::SqliteFile(p)) if p == Path::new("data/r.db"))
        );
        assert!(
            matches!(parse("sqlite:///abs/r.db"), Ok(Target::SqliteFile(p)) if p == Path::new("/abs/r.db"))
        );
        assert!(matches!(parse("sqlite:r.db"), Ok(Target::SqliteFile(p)) if p == Path::new("r.db")));
        assert!(matches!(parse("sqlite::memory:"), Ok(Target::SqliteMemory)));
        assert!(matches!(parse("postgres://u@h/db"), Ok(Target::Postgres)));
        assert!(matches!(parse("postgresql://u@h/db"), Ok(Target::Postgres)));
        assert!(matches!(parse("mysql://u:secret@h/db"), Err(OpenError::UnsupportedScheme { .. })));
        assert!(matches!(parse("sqlite://"), Err(OpenError::InvalidUrl(_))));
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(check_schema_name("t_abc_123").is_ok());
        assert!(check_schema_name("1abc").is_err());
        assert!(check_schema_name("a\"; DROP").is_err());
        assert!(check_schema_name("").is_err());
    }
}
