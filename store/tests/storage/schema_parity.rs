//! The SQLite and PostgreSQL migrations are two trees written by hand; this reads back what
//! each database built from them — tables, columns, nullability, indexes — from the
//! database's own catalog, and requires the two to be the same, so neither tree can drift.

use crate::common::TestDb;
use std::collections::BTreeSet;

/// A column: (table, column, nullable).
type Column = (String, String, bool);
/// An index other than a primary key: (table, columns in order, unique, partial). An
/// expression (such as `lower(name)`) reads as `<expression>`.
type Index = (String, Vec<String>, bool, bool);

#[derive(Debug, PartialEq, Eq)]
struct Schema {
    tables: BTreeSet<String>,
    columns: BTreeSet<Column>,
    indexes: BTreeSet<Index>,
}

const EXPRESSION: &str = "<expression>";
/// The migrator's own bookkeeping differs by design.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

async fn sqlite_schema(url: &str) -> Schema {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> $1",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&pool)
    .await
    .unwrap();
    let (mut columns, mut indexes) = (BTreeSet::new(), BTreeSet::new());
    for t in &tables {
        let cols: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(t)
                .fetch_all(&pool)
                .await
                .unwrap();
        // SQLite lets a primary key column hold NULL unless told otherwise; PostgreSQL never
        // does, and Rampart never stores one.
        columns
            .extend(cols.into_iter().map(|(name, not_null, pk)| (t.clone(), name, not_null == 0 && pk == 0)));
        let list: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(t)
                .fetch_all(&pool)
                .await
                .unwrap();
        for (name, unique, origin, partial) in list {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let cols = cols.into_iter().map(|c| c.unwrap_or_else(|| EXPRESSION.to_owned())).collect();
            indexes.insert((t.clone(), cols, unique != 0, partial != 0));
        }
    }
    pool.close().await;
    Schema { tables: tables.into_iter().collect(), columns, indexes }
}

async fn postgres_schema(url: &str, schema: &str) -> Schema {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> $2",
    )
    .bind(schema)
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&pool)
    .await
    .unwrap();
    let cols: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = $1 AND table_name <> $2",
    )
    .bind(schema)
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&pool)
    .await
    .unwrap();
    let columns = cols.into_iter().map(|(t, c, nullable)| (t, c, nullable == "YES")).collect();
    let idx: Vec<(String, Vec<Option<String>>, bool, bool)> = sqlx::query_as(
        "SELECT t.relname::text, \
                ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
                      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n), \
                i.indisunique, i.indpred IS NOT NULL \
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace \
         WHERE s.nspname = $1 AND NOT i.indisprimary AND t.relname <> $2",
    )
    .bind(schema)
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&pool)
    .await
    .unwrap();
    let indexes = idx
        .into_iter()
        .map(|(t, cols, unique, partial)| {
            (
                t,
                cols.into_iter().map(|c| c.unwrap_or_else(|| EXPRESSION.to_owned())).collect(),
                unique,
                partial,
            )
        })
        .collect();
    pool.close().await;
    Schema { tables: tables.into_iter().collect(), columns, indexes }
}

/// What one side has and the other lacks, for a failure message that names the drift.
fn drift<T: Ord + Clone + std::fmt::Debug>(
    what: &str,
    sqlite: &BTreeSet<T>,
    postgres: &BTreeSet<T>,
) -> Vec<String> {
    let only = |a: &BTreeSet<T>, b: &BTreeSet<T>, side: &str| {
        a.difference(b).map(|x| format!("{what} only in {side}: {x:?}")).collect::<Vec<_>>()
    };
    let mut lines = only(sqlite, postgres, "SQLite");
    lines.extend(only(postgres, sqlite, "PostgreSQL"));
    lines
}

#[tokio::test]
async fn both_databases_build_the_same_tables_columns_and_indexes() {
    let Some(pg) = TestDb::postgres("schema_parity").await else { return };
    let lite = TestDb::sqlite().await;
    let sqlite = sqlite_schema(lite.location().0).await;
    let (url, schema) = pg.location();
    let postgres = postgres_schema(url, schema.unwrap()).await;
    // The readers themselves must have found something to compare.
    assert!(sqlite.tables.contains("status_changes") && sqlite.columns.len() > 50, "{sqlite:?}");
    assert!(sqlite.indexes.iter().any(|i| i.0 == "status_changes"), "{:?}", sqlite.indexes);
    let mut lines = drift("table", &sqlite.tables, &postgres.tables);
    lines.extend(drift("column (table, name, nullable)", &sqlite.columns, &postgres.columns));
    lines.extend(drift("index (table, columns, unique, partial)", &sqlite.indexes, &postgres.indexes));
    assert!(lines.is_empty(), "the migrations differ:\n{}", lines.join("\n"));
    lite.finish().await;
    pg.finish().await;
}
