//! Opening a database: the messages a person sees when the URL or the place is wrong.

mod common;

use store::OpenError;

async fn open_error(url: &str) -> String {
    match store::open(url).await {
        Ok(_) => panic!("{url} opened"),
        Err(e) => {
            let line = e.to_string();
            println!("{line}");
            assert_eq!(line.lines().count(), 1, "one line: {line}");
            line
        }
    }
}

#[tokio::test]
async fn an_unknown_scheme_names_the_accepted_ones_without_echoing_secrets() {
    let line = open_error("mysql://admin:hunter2@db.example/rampart").await;
    assert!(line.contains("sqlite://") && line.contains("postgres://"), "{line}");
    assert!(line.contains("mysql") && !line.contains("hunter2"), "{line}");
    assert!(open_error("rampart.db").await.contains("sqlite://"));
}

#[tokio::test]
async fn a_missing_data_directory_is_named_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no").join("such");
    let line = open_error(&format!("sqlite://{}/rampart.db", missing.display())).await;
    assert!(line.contains(&missing.display().to_string()) && line.contains("does not exist"), "{line}");
    assert!(line.contains("DATABASE_URL"), "says how to fix it: {line}");
    assert!(!missing.exists());
}

#[tokio::test]
async fn a_sqlite_file_is_created_in_an_existing_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fresh.db");
    let store = store::open(&format!("sqlite:{}", file.display())).await.expect("opens");
    assert_eq!(store.backend(), "sqlite");
    assert!(file.exists());
    assert_eq!(store.tenant_count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_database_that_is_not_rampart_s_fails_its_first_migration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/other.db", dir.path().display());
    {
        use sqlx::{Connection, Executor};
        let options = url.parse::<sqlx::sqlite::SqliteConnectOptions>().expect("url").create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("connect");
        conn.execute("CREATE TABLE tenants (whatever TEXT)").await.expect("foreign table");
        conn.close().await.expect("close");
    }
    let err = store::open(&url).await.err().expect("refused");
    assert!(matches!(err, OpenError::Migration { version: 1, .. }), "{err}");
    let line = err.to_string();
    assert!(line.starts_with("migration 1 failed:") && line.contains("tenants"), "{line}");
}

#[tokio::test]
async fn an_in_memory_database_works_for_quick_tools() {
    let store = store::open("sqlite::memory:").await.expect("opens");
    store.sync_catalog(&common::base_catalog()).await.expect("sync");
    assert_eq!(store.catalog_actions().await.expect("read").len(), 3);
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_clear_error() {
    // Port 1 on localhost: nothing listens there, so the refusal is immediate.
    let line = open_error("postgres://rampart:secret@127.0.0.1:1/rampart").await;
    assert!(line.starts_with("cannot open the PostgreSQL database"), "{line}");
    assert!(!line.contains("secret"), "{line}");
}
