//! Benchmark tallies (SPEC §4): each day, the measured tenants of every cell (seat bucket ×
//! industry) and how many moved between cells since the day before. The cell and
//! percentage each snapshot was tallied under are kept on the snapshot row, so a viewer's
//! own tenants can be taken out of an average exactly as they went in.

use crate::codec::{day_bound, from_json, to_json, to_u32};
use crate::pool::{on_pool, Begin, SqlStore};
use crate::{Result, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;
use score::benchmark::{BenchmarkDay, Cell, CellTally, HeldEntry, Move, Shares};
use score::Percent;
use std::collections::BTreeMap;

/// One tenant as the daily run tallies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchmarkEntry {
    pub tenant_id: String,
    pub cell: Cell,
    pub percent: Percent,
    /// The percentage split by category (`score::benchmark::shares_of`).
    pub shares: Shares,
}

#[async_trait]
pub trait BenchmarkStore: Send + Sync {
    /// Tallies the day from the given tenants, replacing what the day had; a tenant with no
    /// snapshot that day, or an imported one, is left out. The day after, if tallied, has
    /// its moves worked out again. One transaction.
    async fn write_benchmark_day(&self, day: NaiveDate, entries: &[BenchmarkEntry]) -> Result<u32>;
    /// Stores a day's tallies exactly as given, with no snapshot behind them: for benchmark
    /// databases and tests only, which need the cells of many tenants without their history.
    async fn put_benchmark_day(&self, day: &BenchmarkDay) -> Result<()>;
    /// The tallied days in `[from, to]`, oldest first.
    async fn benchmark_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<BenchmarkDay>>;
    /// How the given tenants were tallied on each day of `[from, to]`.
    async fn benchmark_entries(
        &self,
        tenant_ids: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeldEntry>>;
}

/// Tenant ids per `IN (…)` list: well under both backends' limit on bound values.
const CHUNK: usize = 500;

const CLEAR_DAY: &str = "UPDATE score_snapshots SET bench_bucket = NULL, bench_industry = NULL, \
    bench_percent = NULL, bench_shares = NULL WHERE day = $1 AND bench_bucket IS NOT NULL";
const TALLY: &str = "UPDATE score_snapshots SET bench_bucket = $3, bench_industry = $4, bench_percent = $5, \
    bench_shares = $7 WHERE tenant_id = $1 AND day = $2 AND imported = $6";
const MEMBERS: &str = "SELECT tenant_id, bench_bucket, bench_industry FROM score_snapshots \
    WHERE day = $1 AND bench_bucket IS NOT NULL";
const UPSERT_DAY: &str = "INSERT INTO benchmark_days (day, cells, moves) VALUES ($1, $2, $3) \
    ON CONFLICT (day) DO UPDATE SET cells = excluded.cells, moves = excluded.moves";
const SET_MOVES: &str = "UPDATE benchmark_days SET moves = $2 WHERE day = $1";
const DAY_EXISTS: &str = "SELECT COUNT(*) FROM benchmark_days WHERE day = $1";
const DAYS: &str = "SELECT day, cells, moves FROM benchmark_days WHERE day >= $1 AND day <= $2 ORDER BY day";

#[derive(sqlx::FromRow)]
struct MemberRow {
    tenant_id: String,
    bench_bucket: Option<i64>,
    bench_industry: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DayRow {
    day: NaiveDate,
    cells: String,
    moves: String,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    tenant_id: String,
    day: NaiveDate,
    bench_bucket: Option<i64>,
    bench_industry: Option<String>,
    bench_percent: Option<i64>,
    bench_shares: Option<String>,
}

fn cell(bucket: Option<i64>, industry: Option<String>) -> Result<Cell> {
    let bucket = bucket.ok_or_else(|| StoreError::Other("score_snapshots.bench_bucket is NULL".into()))?;
    let bucket = u8::try_from(to_u32(bucket, "score_snapshots.bench_bucket")?)
        .map_err(|_| StoreError::Other("score_snapshots.bench_bucket out of range".into()))?;
    Ok(Cell { bucket, industry: industry.unwrap_or_default().into() })
}

fn members(rows: Vec<MemberRow>) -> Result<BTreeMap<String, Cell>> {
    rows.into_iter().map(|r| Ok((r.tenant_id, cell(r.bench_bucket, r.bench_industry)?))).collect()
}

/// Moves from the day before's members to this day's.
fn moves(before: &BTreeMap<String, Cell>, today: &BTreeMap<String, Cell>) -> Vec<Move> {
    let mut counts: BTreeMap<(Option<Cell>, Option<Cell>), u32> = BTreeMap::new();
    for (id, to) in today {
        *counts.entry((before.get(id).cloned(), Some(to.clone()))).or_default() += 1;
    }
    for (id, from) in before {
        if !today.contains_key(id) {
            *counts.entry((Some(from.clone()), None)).or_default() += 1;
        }
    }
    counts.into_iter().map(|((from, to), count)| Move { from, to, count }).collect()
}

#[async_trait]
impl BenchmarkStore for SqlStore {
    async fn write_benchmark_day(&self, day: NaiveDate, entries: &[BenchmarkEntry]) -> Result<u32> {
        let (before_day, after_day) = match (day.pred_opt(), day.succ_opt()) {
            (Some(b), Some(a)) => (b, a),
            _ => return Err(StoreError::Invalid(format!("day {day} is out of range"))),
        };
        let tallied = on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(CLEAR_DAY).bind(day).execute(&mut *tx).await?;
            let mut today: BTreeMap<String, Cell> = BTreeMap::new();
            let mut cells: BTreeMap<Cell, (i64, u32, Shares)> = BTreeMap::new();
            for e in entries {
                let done = sqlx::query(TALLY)
                    .bind(&e.tenant_id)
                    .bind(day)
                    .bind(i64::from(e.cell.bucket))
                    .bind(&*e.cell.industry)
                    .bind(e.percent.0)
                    .bind(false)
                    .bind(to_json(&e.shares)?)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 1 && today.insert(e.tenant_id.clone(), e.cell.clone()).is_none() {
                    let c = cells.entry(e.cell.clone()).or_default();
                    c.0 += e.percent.0;
                    c.1 += 1;
                    c.2.iter_mut().zip(e.shares).for_each(|(sum, s)| *sum += s);
                }
            }
            let rows: Vec<MemberRow> = sqlx::query_as(MEMBERS).bind(before_day).fetch_all(&mut *tx).await?;
            let before = members(rows)?;
            let cells: Vec<CellTally> = cells
                .into_iter()
                .map(|(cell, (sum, count, shares))| CellTally { cell, sum, count, shares: Some(shares) })
                .collect();
            sqlx::query(UPSERT_DAY)
                .bind(day)
                .bind(to_json(&cells)?)
                .bind(to_json(&moves(&before, &today))?)
                .execute(&mut *tx)
                .await?;
            // The day after was diffed against this day's members: work it out again.
            let next: i64 = sqlx::query_scalar(DAY_EXISTS).bind(after_day).fetch_one(&mut *tx).await?;
            if next > 0 {
                let rows: Vec<MemberRow> = sqlx::query_as(MEMBERS).bind(after_day).fetch_all(&mut *tx).await?;
                let after = members(rows)?;
                sqlx::query(SET_MOVES).bind(after_day).bind(to_json(&moves(&today, &after))?).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            today.len()
        });
        Ok(u32::try_from(tallied).unwrap_or(u32::MAX))
    }

    async fn put_benchmark_day(&self, day: &BenchmarkDay) -> Result<()> {
        let (cells, moves) = (to_json(&day.cells)?, to_json(&day.moves)?);
        on_pool!(self, p => {
            sqlx::query(UPSERT_DAY).bind(day.day).bind(&cells).bind(&moves).execute(p).await?;
        });
        Ok(())
    }

    async fn benchmark_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<BenchmarkDay>> {
        let rows: Vec<DayRow> = on_pool!(self, p => {
            sqlx::query_as(DAYS).bind(day_bound(from)).bind(day_bound(to)).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(BenchmarkDay { day: r.day, cells: from_json(&r.cells)?, moves: from_json(&r.moves)? })
            })
            .collect()
    }

    async fn benchmark_entries(
        &self,
        tenant_ids: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeldEntry>> {
        let mut out = Vec::new();
        for chunk in tenant_ids.chunks(CHUNK) {
            let rows: Vec<EntryRow> = on_pool!(self, p => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT tenant_id, day, bench_bucket, bench_industry, bench_percent, bench_shares FROM score_snapshots \
                     WHERE bench_bucket IS NOT NULL AND day >= ",
                );
                qb.push_bind(day_bound(from)).push(" AND day <= ").push_bind(day_bound(to));
                qb.push(" AND tenant_id IN (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                qb.push(") ORDER BY day, tenant_id");
                qb.build_query_as().fetch_all(p).await?
            });
            for r in rows {
                out.push(HeldEntry {
                    cell: cell(r.bench_bucket, r.bench_industry)?,
                    percent: Percent(
                        r.bench_percent.ok_or_else(|| {
                            StoreError::Other("score_snapshots.bench_percent is NULL".into())
                        })?,
                    ),
                    shares: r.bench_shares.as_deref().map(from_json).transpose()?,
                    tenant_id: r.tenant_id,
                    day: r.day,
                });
            }
        }
        out.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.tenant_id.cmp(&b.tenant_id)));
        Ok(out)
    }
}
