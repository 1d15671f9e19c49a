//! Test harness: one scenario runs on a fresh SQLite file and, when TEST_DATABASE_URL is
//! set, in a fresh PostgreSQL schema; plus small builders for domain values.
#![allow(dead_code)] // each test crate uses a different part of the harness

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use score::catalog::Catalog;
use score::snapshot::{ActionPoint, ActionPoints};
use score::{Category, ImprovementAction, Level};
use score::{Measurement, Points, Status};
use std::time::{SystemTime, UNIX_EPOCH};
use store::{DynStore, MeasurementInput, NewTenant, ScoreSnapshot, StatusChange};
use tempfile::TempDir;

pub const PG_ENV: &str = "TEST_DATABASE_URL";

enum Backend {
    Sqlite { url: String, _dir: TempDir },
    Postgres { url: String, schema: String },
}

/// One audit_log row as stored: tenant_id, kind, subject, before_json, after_json.
pub type RawAudit = (Option<String>, String, String, String, String);

pub struct TestDb {
    pub store: DynStore,
    backend: Backend,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("rampart.db").display());
        let store = store::open(&url).await.expect("open sqlite");
        TestDb { store, backend: Backend::Sqlite { url, _dir: dir } }
    }

    /// `None` (after saying so) when TEST_DATABASE_URL is unset; panics when it is set
    /// but the database cannot be reached, so a broken setup never passes silently.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(url) = std::env::var(PG_ENV) else {
            println!("skipped {test} on PostgreSQL: {PG_ENV} is not set");
            return None;
        };
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").subsec_nanos();
        let name: String = test.chars().take(30).collect();
        let schema = format!("t_{name}_{}_{nanos}", std::process::id());
        let store = store::open_postgres_in_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL cannot be used: {e}"));
        Some(TestDb { store, backend: Backend::Postgres { url, schema } })
    }

    /// A second store on the same data, as after a restart.
    pub async fn reopen(&self) -> DynStore {
        match &self.backend {
            Backend::Sqlite { url, .. } => store::open(url).await.expect("reopen sqlite"),
            Backend::Postgres { url, schema } => {
                store::open_postgres_in_schema(url, schema).await.expect("reopen postgres")
            }
        }
    }

    /// Every stored audit line, tenant-less ones included, oldest first, read with plain SQL
    /// (the store only lists a tenant's lines): `[tenant_id, kind, subject, before, after]`.
    pub async fn raw_audit_log(&self) -> Vec<RawAudit> {
        const COLUMNS: &str = "tenant_id, kind, subject, before_json, after_json";
        match &self.backend {
            Backend::Sqlite { url, .. } => {
                let pool = sqlx::SqlitePool::connect(url).await.expect("raw sqlite");
                let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY id");
                let rows = sqlx::query_as(&sql).fetch_all(&pool).await.expect("raw audit");
                pool.close().await;
                rows
            }
            Backend::Postgres { url, schema } => {
                let pool = sqlx::PgPool::connect(url).await.expect("raw postgres");
                let sql = format!("SELECT {COLUMNS} FROM \"{schema}\".audit_log ORDER BY id");
                let rows = sqlx::query_as(&sql).fetch_all(&pool).await.expect("raw audit");
                pool.close().await;
                rows
            }
        }
    }

    /// Runs one statement with plain SQL, outside the store (e.g. to make data look as an
    /// older version left it); table names resolve in the test's own schema.
    pub async fn raw_execute(&self, sql: &str) {
        match &self.backend {
            Backend::Sqlite { url, .. } => {
                let pool = sqlx::SqlitePool::connect(url).await.expect("raw sqlite");
                sqlx::query(sql).execute(&pool).await.expect("raw statement");
                pool.close().await;
            }
            Backend::Postgres { url, schema } => {
                let pool = sqlx::PgPool::connect(url).await.expect("raw postgres");
                let mut tx = pool.begin().await.expect("raw transaction");
                sqlx::query(&format!("SET LOCAL search_path TO \"{schema}\""))
                    .execute(&mut *tx)
                    .await
                    .expect("path");
                sqlx::query(sql).execute(&mut *tx).await.expect("raw statement");
                tx.commit().await.expect("raw commit");
                pool.close().await;
            }
        }
    }

    /// Where the data is: a SQLite URL, or a PostgreSQL URL with the schema this test owns.
    pub fn location(&self) -> (&str, Option<&str>) {
        match &self.backend {
            Backend::Sqlite { url, .. } => (url, None),
            Backend::Postgres { url, schema } => (url, Some(schema)),
        }
    }

    pub async fn finish(self) {
        drop(self.store);
        if let Backend::Postgres { url, schema } = &self.backend {
            store::drop_postgres_schema(url, schema).await.expect("drop test schema");
        }
    }
}

/// Runs each named `async fn(&TestDb)` scenario as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::common::TestDb::sqlite().await;
                super::$scenario(&db).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::common::TestDb::postgres(stringify!($scenario)).await else {
                    return;
                };
                super::$scenario(&db).await;
                db.finish().await;
            }
        }
    )*};
}

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("valid time")
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid day")
}

pub fn action(id: &str, category: Category, max_points: u32, unit: Option<&str>) -> ImprovementAction {
    ImprovementAction {
        user_impact: Level::Moderate,
        complexity: Level::High,
        threats: vec!["Password cracking".into()],
        remediation: "Turn it on.".into(),
        manage_url: "https://example.com/manage".into(),
        tags: vec!["mfa".into()],
        ..ImprovementAction::new(id, format!("Do {id}"), category, "Entra ID", max_points)
    }
    .scored_by(unit)
}

pub fn catalog(version: &str, actions: Vec<ImprovementAction>) -> Catalog {
    Catalog { version: version.into(), actions }
}

/// The catalog most scenarios start from: A (partial users), B and C (binary).
pub fn base_catalog() -> Catalog {
    catalog(
        "1",
        vec![
            action("A", Category::Identity, 10, Some("users")),
            action("B", Category::Data, 8, None),
            action("C", Category::Device, 5, None),
        ],
    )
}

pub fn new_tenant(name: &str) -> NewTenant {
    NewTenant {
        id: None,
        name: name.into(),
        licensed_seats: 120,
        active_users: 100,
        industry: "Education".into(),
        enabled_services: vec!["Exchange".into(), "Teams".into()],
        created_at: at(2024, 1, 2, 9),
    }
}

pub fn partial(id: &str, count: u32, total: u32, when: DateTime<Utc>) -> MeasurementInput {
    MeasurementInput::new(id, Measurement::partial(count, total, when))
}

pub fn change(action_id: &str, status: Status, note: &str, who: &str, when: DateTime<Utc>) -> StatusChange {
    StatusChange {
        action_id: action_id.into(),
        status,
        note: note.into(),
        assignee: None,
        due_date: None,
        tags: vec![],
        changed_by: who.into(),
        changed_at: when,
    }
}

pub fn point(points: i64, max: i64, status: Status) -> ActionPoint {
    ActionPoint { points: Points(points), max: Points(max), status }
}

pub fn points(entries: &[(&str, ActionPoint)]) -> ActionPoints {
    entries.iter().map(|(id, p)| (id.to_string(), *p)).collect()
}

pub fn summary(tenant_id: &str, on: NaiveDate, p: &ActionPoints) -> ScoreSnapshot {
    let (current, max) = score::snapshot::total(p);
    ScoreSnapshot {
        tenant_id: tenant_id.into(),
        day: on,
        current,
        max,
        categories: vec![],
        licensed_seats: 120,
        active_users: 100,
        taken_at: on.and_hms_opt(23, 30, 0).expect("valid time").and_utc(),
        imported: false,
    }
}

/// A password change for `user_id` to `hash`, keeping the session `keep` (if any) signed in.
pub fn password<'a>(user_id: &'a str, hash: &'a str, keep: Option<&'a str>) -> store::NewPassword<'a> {
    store::NewPassword { user_id, hash, keep_session: keep }
}
