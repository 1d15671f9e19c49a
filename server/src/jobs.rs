//! The daily snapshot: freezes every tenant's score and tallies the day's benchmark cells.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use score::benchmark::Cell;
use score::ImprovementAction;
use store::{BenchmarkEntry, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotRun {
    pub day: NaiveDate,
    pub tenants: u32,
}

/// Snapshots every tenant's live score under `day`, then tallies each into its benchmark
/// cell: only what Rampart measured itself feeds other tenants' averages.
pub async fn snapshot_all(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    day: NaiveDate,
    taken_at: DateTime<Utc>,
) -> Result<SnapshotRun, StoreError> {
    let started = std::time::Instant::now();
    let run = snapshot_every_tenant(store, catalog, day, taken_at).await;
    match &run {
        Ok(r) => {
            metrics::gauge!(SNAPSHOT_DURATION).set(started.elapsed().as_secs_f64());
            metrics::gauge!(SNAPSHOT_SUCCESS).set(Utc::now().timestamp_millis() as f64 / 1000.0);
            metrics::gauge!(SNAPSHOT_TENANTS).set(f64::from(r.tenants));
        }
        Err(_) => metrics::counter!(SNAPSHOT_FAILURES).increment(1),
    }
    run
}

const SNAPSHOT_DURATION: &str = "rampart_snapshot_last_duration_seconds";
const SNAPSHOT_SUCCESS: &str = "rampart_snapshot_last_success_timestamp_seconds";
const SNAPSHOT_TENANTS: &str = "rampart_snapshot_last_tenants";
const SNAPSHOT_FAILURES: &str = "rampart_snapshot_failures_total";

/// What `/metrics` says of the daily snapshot.
pub fn describe_metrics() {
    metrics::describe_gauge!(
        SNAPSHOT_DURATION,
        metrics::Unit::Seconds,
        "How long the last snapshot of every tenant took."
    );
    metrics::describe_gauge!(
        SNAPSHOT_SUCCESS,
        "When the last snapshot of every tenant finished, in Unix seconds."
    );
    metrics::describe_gauge!(SNAPSHOT_TENANTS, "Tenants the last snapshot froze.");
    metrics::describe_counter!(SNAPSHOT_FAILURES, "Snapshots of every tenant that failed.");
}

async fn snapshot_every_tenant(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    day: NaiveDate,
    taken_at: DateTime<Utc>,
) -> Result<SnapshotRun, StoreError> {
    let tenants = store.tenants().await?;
    let mut entries = Vec::with_capacity(tenants.len());
    for t in &tenants {
        let live = service::snapshot::snapshot_tenant(store, catalog, &t.id, day, taken_at).await?;
        entries.push(BenchmarkEntry {
            tenant_id: t.id.clone(),
            cell: Cell::of(t.licensed_seats, &t.industry),
            percent: live.score.percent(),
            shares: score::benchmark::shares_of(&live.score.categories, live.score.max),
        });
    }
    store.write_benchmark_day(day, &entries).await?;
    Ok(SnapshotRun { day, tenants: u32::try_from(tenants.len()).unwrap_or(u32::MAX) })
}

/// Longest gap the catch-up fills, so a server restored from an ancient backup does not
/// spend hours writing years of identical days before it serves.
pub const MAX_CATCH_UP_DAYS: i64 = 400;

/// Fills the days the server missed (it was down at midnight) up to `yesterday`.
///
/// While the server was down nothing could change a tenant — no status edit, no ingest —
/// so each missing day's score is exactly the current live score: filling them with it is
/// the truth, not an estimate. Days already snapshotted are never written twice.
pub async fn catch_up(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    yesterday: NaiveDate,
    taken_at: DateTime<Utc>,
) -> Result<Vec<SnapshotRun>, StoreError> {
    let mut latest: Option<NaiveDate> = None;
    for t in store.tenants().await? {
        if let Some(s) = store.latest_snapshot(&t.id).await? {
            latest = latest.max(Some(s.day));
        }
    }
    // A server that never took a snapshot has no gap: its history starts now.
    let Some(latest) = latest else { return Ok(Vec::new()) };
    let first =
        (latest + chrono::Duration::days(1)).max(yesterday - chrono::Duration::days(MAX_CATCH_UP_DAYS - 1));
    let mut runs = Vec::new();
    let mut day = first;
    while day <= yesterday {
        runs.push(snapshot_all(store, catalog, day, taken_at).await?);
        day += chrono::Duration::days(1);
    }
    if !runs.is_empty() {
        tracing::info!(from = %first, to = %yesterday, days = runs.len(), "filled missed daily snapshots");
    }
    Ok(runs)
}

/// Time until the next daily run at `at` (UTC).
pub fn until_next(now: DateTime<Utc>, at: NaiveTime) -> std::time::Duration {
    let today_run = now.date_naive().and_time(at).and_utc();
    let next = if today_run > now { today_run } else { today_run + chrono::Duration::days(1) };
    (next - now).to_std().unwrap_or_default()
}

/// The daily snapshot's name among the jobs replicas share.
pub const SNAPSHOT_JOB: &str = "daily_snapshot";

/// Fills missed days up to `day` and snapshots `day`, on exactly one replica.
async fn snapshot_once(
    state: &app::state::AppState,
    replica: &crate::lease::Replica,
    day: NaiveDate,
    today_too: bool,
) -> Result<crate::lease::Ran, StoreError> {
    crate::lease::once_per_day(&state.store, replica, SNAPSHOT_JOB, day, || async {
        let now = Utc::now();
        let filled_to = if today_too { day - chrono::Duration::days(1) } else { day };
        catch_up(state.store.as_ref(), &state.catalog, filled_to, now).await?;
        if today_too {
            let run = snapshot_all(state.store.as_ref(), &state.catalog, day, now).await?;
            tracing::info!(day = %run.day, tenants = run.tenants, "daily snapshot taken");
        }
        Ok(())
    })
    .await
}

/// Runs the snapshot every day at `at` UTC, on one replica of all that share the database.
/// The snapshot is filed under the day that just ended when `at` is midnight, otherwise
/// under the current day.
pub async fn run_daily(state: app::state::AppState, at: NaiveTime, replica: crate::lease::Replica) {
    let yesterday = Utc::now().date_naive() - chrono::Duration::days(1);
    if let Err(e) = snapshot_once(&state, &replica, yesterday, false).await {
        tracing::error!(error = %e, "could not fill missed daily snapshots; will retry at the next run");
    }
    loop {
        tokio::time::sleep(until_next(Utc::now(), at)).await;
        let now = Utc::now();
        let day = if at == NaiveTime::MIN {
            now.date_naive() - chrono::Duration::days(1)
        } else {
            now.date_naive()
        };
        // Catches up first, in case a run was missed while the process slept (suspend, clock jump).
        match snapshot_once(&state, &replica, day, true).await {
            Ok(crate::lease::Ran::Here) => {}
            Ok(crate::lease::Ran::Elsewhere) => {
                tracing::info!(%day, "daily snapshot taken by another replica")
            }
            Err(e) => tracing::error!(error = %e, "daily snapshot failed; it will be retried tomorrow"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn next_run_is_later_today_or_tomorrow() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 23, 0, 0).single().expect("time");
        assert_eq!(until_next(now, NaiveTime::MIN).as_secs(), 3600);
        let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("noon");
        assert_eq!(until_next(now, noon).as_secs(), 13 * 3600);
    }
}
