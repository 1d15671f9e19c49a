//! Leases on background jobs, so that of many replicas on one database exactly one runs
//! each job, and a replica that dies mid-run is taken over once its lease runs out.

use crate::codec::micros;
use crate::pool::{on_pool, SqlStore};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes (or renews) the lease on `job` for `holder` until `until`: true when `holder`
    /// now holds it — it was free, had run out by `now`, or was already `holder`'s.
    async fn take_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Gives the lease back, if `holder` still holds it.
    async fn release_lease(&self, job: &str, holder: &str) -> Result<()>;
    /// Whether `job` has finished for `day` (on any replica).
    async fn job_finished(&self, job: &str, day: NaiveDate) -> Result<bool>;
    /// Records that `job` finished for `day`; the first record stays.
    async fn finish_job(&self, job: &str, day: NaiveDate, holder: &str, at: DateTime<Utc>) -> Result<()>;
}

/// One statement, so two replicas asking at once cannot both win: the row is inserted, or
/// updated only where it had run out or was the asker's already.
const TAKE: &str = "INSERT INTO job_leases (job, holder, expires_at) VALUES ($1, $2, $3) \
    ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
    WHERE job_leases.holder = excluded.holder OR job_leases.expires_at < $4 RETURNING holder";

#[async_trait]
impl LeaseStore for SqlStore {
    async fn take_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let got: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar(TAKE)
                .bind(job)
                .bind(holder)
                .bind(micros(until))
                .bind(micros(now))
                .fetch_optional(p)
                .await?
        });
        Ok(got.as_deref() == Some(holder))
    }

    async fn release_lease(&self, job: &str, holder: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM job_leases WHERE job = $1 AND holder = $2").bind(job).bind(holder).execute(p).await?;
        });
        Ok(())
    }

    async fn job_finished(&self, job: &str, day: NaiveDate) -> Result<bool> {
        let n: i64 = on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM job_runs WHERE job = $1 AND day = $2")
                .bind(job)
                .bind(day)
                .fetch_one(p)
                .await?
        });
        Ok(n > 0)
    }

    async fn finish_job(&self, job: &str, day: NaiveDate, holder: &str, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO job_runs (job, day, holder, finished_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (job, day) DO NOTHING",
            )
            .bind(job)
            .bind(day)
            .bind(holder)
            .bind(micros(at))
            .execute(p)
            .await?;
        });
        Ok(())
    }
}
