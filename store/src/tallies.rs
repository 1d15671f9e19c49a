//! Comparison tallies: per day, the sum and count of score percentages of each group.

use crate::codec::{day_bound, to_u32};
use crate::pool::{on_pool, Begin, SqlStore};
use crate::{ComparisonTally, Result, StoreError};
use chrono::NaiveDate;

/// Rows per multi-row INSERT (5 values each).
const CHUNK: usize = 1000;

const DELETE_DAY: &str = "DELETE FROM comparison_tallies WHERE day = $1";
const INSERT: &str = "INSERT INTO comparison_tallies (day, basis, group_key, score_sum, tenant_count) ";
const BETWEEN: &str = "SELECT day, basis, group_key, score_sum, tenant_count FROM comparison_tallies \
    WHERE day >= $1 AND day <= $2 ORDER BY day, basis, group_key";

#[derive(sqlx::FromRow)]
struct TallyRow {
    day: NaiveDate,
    basis: String,
    group_key: String,
    score_sum: i64,
    tenant_count: i64,
}

impl SqlStore {
    /// The day's tallies replace whatever that day had, so the daily job can rerun.
    pub(crate) async fn replace_tallies(&self, day: NaiveDate, tallies: &[ComparisonTally]) -> Result<()> {
        if let Some((i, t)) = tallies.iter().enumerate().find(|(_, t)| t.day != day) {
            return Err(StoreError::Invalid(format!("tallies[{i}]: day {} is not {day}", t.day)));
        }
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(DELETE_DAY).bind(day).execute(&mut *tx).await?;
            for chunk in tallies.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(INSERT);
                qb.push_values(chunk, |mut b, t| {
                    b.push_bind(day)
                        .push_bind(t.basis.as_str())
                        .push_bind(t.group_key.as_str())
                        .push_bind(t.sum)
                        .push_bind(i64::from(t.count));
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Only the given (basis, group) pairs: a tenant's page needs three groups of the many.
    pub(crate) async fn tallies_of_groups(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        groups: &[(String, String)],
    ) -> Result<Vec<ComparisonTally>> {
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<TallyRow> = on_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT day, basis, group_key, score_sum, tenant_count FROM comparison_tallies WHERE day >= ",
            );
            qb.push_bind(day_bound(from)).push(" AND day <= ").push_bind(day_bound(to));
            qb.push(" AND (basis, group_key) IN (");
            qb.push_values(groups, |mut b, (basis, key)| {
                b.push_bind(basis.as_str()).push_bind(key.as_str());
            });
            qb.push(") ORDER BY day, basis, group_key");
            qb.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(TallyRow::into_tally).collect()
    }

    pub(crate) async fn tallies_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ComparisonTally>> {
        let rows: Vec<TallyRow> = on_pool!(self, p => sqlx::query_as(BETWEEN).bind(day_bound(from)).bind(day_bound(to)).fetch_all(p).await?);
        rows.into_iter().map(TallyRow::into_tally).collect()
    }
}

impl TallyRow {
    fn into_tally(self) -> Result<ComparisonTally> {
        Ok(ComparisonTally {
            day: self.day,
            basis: self.basis,
            group_key: self.group_key,
            sum: self.score_sum,
            count: to_u32(self.tenant_count, "comparison_tallies.tenant_count")?,
        })
    }
}
