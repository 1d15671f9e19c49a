//! The daily sync of every connected tenant: after the snapshot time, each tenant at its
//! own moment in the hour that follows (so a thousand tenants do not call Microsoft at
//! once), a bounded number at a time; one tenant's failure is kept on its connection and
//! never stops the others.

use app::state::AppState;
use chrono::{DateTime, NaiveTime, Utc};
use service::m365::Microsoft365;
use std::sync::Arc;
use std::time::Duration;

/// The daily syncs start within this long after the snapshot time.
pub const SPREAD: Duration = Duration::from_secs(3600);

/// What one run of every connected tenant did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRun {
    pub synced: usize,
    /// Each tenant whose sync failed, and why.
    pub failed: Vec<(String, String)>,
}

/// A tenant's moment within `spread`, the same every day (a hash of its id), so its sync
/// neither drifts nor bunches with the others'.
pub fn offset_of(tenant_id: &str, spread: Duration) -> Duration {
    // FNV-1a: stable across runs and builds, unlike the std hasher.
    let hash = tenant_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let millis = u64::try_from(spread.as_millis()).unwrap_or(u64::MAX).max(1);
    Duration::from_millis(hash % millis)
}

/// When the daily run at `at` next syncs the tenant: its offset after the next run that
/// has not reached it yet.
pub fn next_sync(tenant_id: &str, at: NaiveTime, now: DateTime<Utc>) -> DateTime<Utc> {
    let offset = chrono::Duration::from_std(offset_of(tenant_id, SPREAD)).unwrap_or_default();
    let today = now.date_naive().and_time(at).and_utc() + offset;
    // Yesterday's run may still be on its way to this tenant (a run at 23:30 reaches past midnight).
    let yesterday = today - chrono::Duration::days(1);
    if yesterday > now {
        yesterday
    } else if today > now {
        today
    } else {
        today + chrono::Duration::days(1)
    }
}

/// Syncs every connected tenant, each starting at its offset within `spread`, at most
/// `at_once` at a time.
pub async fn sync_all(
    state: &AppState,
    microsoft: Arc<dyn Microsoft365>,
    spread: Duration,
    at_once: usize,
) -> Result<SyncRun, store::StoreError> {
    let connections = state.store.m365_connections().await?;
    let permits = Arc::new(tokio::sync::Semaphore::new(at_once.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for c in connections {
        let (state, microsoft, permits) = (state.clone(), microsoft.clone(), permits.clone());
        tasks.spawn(async move {
            tokio::time::sleep(offset_of(&c.tenant_id, spread)).await;
            let outcome = match permits.acquire_owned().await {
                Ok(_permit) => microsoft.sync(state.store.as_ref(), &state.catalog, &c.tenant_id).await,
                Err(_) => Err("the sync was stopped".to_owned()),
            };
            (c.tenant_id, outcome)
        });
    }
    let mut run = SyncRun::default();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((_, Ok(_))) => run.synced += 1,
            // The reason is on the connection and in the log already.
            Ok((tenant, Err(why))) => run.failed.push((tenant, why)),
            Err(e) => {
                tracing::error!(error = %e, "a Microsoft 365 sync stopped");
                run.failed.push((String::new(), e.to_string()));
            }
        }
    }
    Ok(run)
}

/// Every day at `at` UTC, syncs every connected tenant over the following hour.
pub async fn run_daily(
    state: AppState,
    microsoft: Arc<dyn Microsoft365>,
    at: NaiveTime,
    at_once: usize,
    replica: crate::lease::Replica,
) {
    loop {
        tokio::time::sleep(crate::jobs::until_next(Utc::now(), at)).await;
        let today = Utc::now().date_naive();
        // One replica syncs each day; another takes over if it stops part way.
        let ran = crate::lease::once_per_day(&state.store, &replica, SYNC_JOB, today, || async {
            let run = sync_all(&state, microsoft.clone(), SPREAD, at_once).await?;
            if run.synced + run.failed.len() > 0 {
                tracing::info!(
                    synced = run.synced,
                    failed = run.failed.len(),
                    "daily Microsoft 365 sync done"
                );
            }
            Ok(())
        });
        if let Err(e) = ran.await {
            tracing::error!(error = %e, "daily Microsoft 365 sync could not run; it runs again tomorrow");
        }
    }
}

/// The daily sync's name among the jobs replicas share.
pub const SYNC_JOB: &str = "m365_daily_sync";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tenant_has_its_own_steady_moment_in_the_hour() {
        let a = offset_of("tenant-a", SPREAD);
        assert_eq!(a, offset_of("tenant-a", SPREAD), "the same every day");
        assert!(a < SPREAD);
        // A thousand tenants land all over the hour, not in a few minutes of it.
        let mut quarters = [0u32; 4];
        for i in 0..1000 {
            let o = offset_of(&format!("00000000-0000-4000-8000-{i:012}"), SPREAD);
            quarters[usize::try_from(o.as_secs() / 900).expect("under an hour")] += 1;
        }
        assert!(quarters.iter().all(|q| (150..=350).contains(q)), "{quarters:?}");
        assert_eq!(offset_of("x", Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn the_next_sync_is_the_tenants_moment_after_the_next_run() {
        use chrono::TimeZone;
        let offset = chrono::Duration::from_std(offset_of("tenant-a", SPREAD)).expect("short");
        let at = NaiveTime::from_hms_opt(2, 0, 0).expect("time");
        let day = |d: u32| Utc.with_ymd_and_hms(2026, 12, d, 2, 0, 0).single().expect("time") + offset;
        let before = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).single().expect("time");
        assert_eq!(next_sync("tenant-a", at, before), day(1));
        assert_eq!(next_sync("tenant-a", at, day(1)), day(2), "just synced: tomorrow");
        let late = NaiveTime::from_hms_opt(23, 59, 0).expect("time");
        let just_after_midnight = Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 1).single().expect("time");
        let next = next_sync("tenant-a", late, just_after_midnight);
        assert!(next > just_after_midnight && next - just_after_midnight <= chrono::Duration::days(1));
    }
}
