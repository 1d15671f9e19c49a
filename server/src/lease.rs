//! Daily jobs run once across every replica on one database: the replica that takes the
//! job's lease runs it and renews the lease while it works; the others wait, and take the
//! job over if the holder stops renewing (it died or hung) before it finished the day.

use chrono::{NaiveDate, Utc};
use std::future::Future;
use std::time::Duration;
use store::{DynStore, StoreError};

/// Who runs jobs here, and how long a lease lasts without renewal.
#[derive(Debug, Clone)]
pub struct Replica {
    /// This process among the replicas: host, process id and a random part.
    pub id: String,
    /// How long another replica waits for a silent holder before taking the job over.
    pub lease: Duration,
}

/// Default of `--job-lease-seconds`.
pub const DEFAULT_LEASE_SECONDS: u64 = 60;

impl Replica {
    pub fn new(lease: Duration) -> Replica {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "rampart".to_owned());
        let random = uuid::Uuid::new_v4().simple().to_string();
        Replica { id: format!("{host}-{}-{}", std::process::id(), &random[..8]), lease }
    }
}

/// What became of one day's job on this replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    /// This replica ran it to the end.
    Here,
    /// Another replica finished it (before, or while this one waited).
    Elsewhere,
}

fn lease_of(replica: &Replica) -> chrono::Duration {
    chrono::Duration::from_std(replica.lease).unwrap_or(chrono::Duration::seconds(60))
}

/// Runs `work` for `job` and `day` unless some replica already finished it: waits until this
/// replica holds the lease (or another finishes), runs it while renewing the lease, and
/// records the day finished. A failed run gives the lease back and is not recorded, so it
/// is tried again. Losing the lease mid-run (this process stalled past it) stops the work.
pub async fn once_per_day<F, Fut>(
    store: &DynStore,
    replica: &Replica,
    job: &str,
    day: NaiveDate,
    work: F,
) -> Result<Ran, StoreError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let poll = (replica.lease / 3).max(Duration::from_millis(100));
    loop {
        if store.job_finished(job, day).await? {
            return Ok(Ran::Elsewhere);
        }
        let now = Utc::now();
        if store.take_lease(job, &replica.id, now, now + lease_of(replica)).await? {
            break;
        }
        tokio::time::sleep(poll).await;
    }
    // The holder before may have finished just as its lease was taken over.
    if store.job_finished(job, day).await? {
        store.release_lease(job, &replica.id).await?;
        return Ok(Ran::Elsewhere);
    }
    tracing::info!(job, %day, replica = %replica.id, "job lease taken");
    let renew = async {
        loop {
            tokio::time::sleep(poll).await;
            let now = Utc::now();
            match store.take_lease(job, &replica.id, now, now + lease_of(replica)).await {
                Ok(true) => {}
                Ok(false) => return StoreError::Conflict(format!("the lease on {job} was taken over")),
                Err(e) => return e,
            }
        }
    };
    let outcome = tokio::select! {
        done = work() => done,
        lost = renew => Err(lost),
    };
    match outcome {
        Ok(()) => {
            store.finish_job(job, day, &replica.id, Utc::now()).await?;
            store.release_lease(job, &replica.id).await?;
            Ok(Ran::Here)
        }
        Err(e) => {
            if let Err(release) = store.release_lease(job, &replica.id).await {
                // It frees itself when it runs out.
                tracing::warn!(job, error = %release, "job lease not given back");
            }
            Err(e)
        }
    }
}
