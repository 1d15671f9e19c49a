//! The daily snapshot: freezes every tenant's score and the day's comparison tallies.

use app::live::live_score;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use score::comparison::{seat_bucket, Basis, CustomComparison, CUSTOM_BASIS};
use score::snapshot::action_points;
use score::{ImprovementAction, Percent};
use std::collections::BTreeMap;
use store::{ComparisonTally, Store, StoreError};

/// Accumulates one day's comparison groups (SPEC §4) as sums and counts: the built-in
/// ones, and each custom comparison over the tenants it covers.
#[derive(Debug, Default)]
pub struct DayTallies {
    groups: BTreeMap<(String, String), (i64, u32)>,
    custom: Vec<CustomComparison>,
}

impl DayTallies {
    pub fn new(custom: Vec<CustomComparison>) -> DayTallies {
        DayTallies { groups: BTreeMap::new(), custom }
    }

    pub fn add(&mut self, tenant_id: &str, licensed_seats: u32, industry: &str, percent: Percent) {
        let mut keys = vec![
            (Basis::AllTenants.as_str().to_owned(), String::new()),
            (Basis::TotalSeats.as_str().to_owned(), seat_bucket(licensed_seats).to_string()),
            (Basis::IndustryTypes.as_str().to_owned(), industry.to_owned()),
        ];
        keys.extend(
            self.custom
                .iter()
                .filter(|c| c.covers(tenant_id, licensed_seats, industry))
                .map(|c| (CUSTOM_BASIS.to_owned(), c.id.clone())),
        );
        for key in keys {
            let g = self.groups.entry(key).or_default();
            g.0 += percent.0;
            g.1 += 1;
        }
    }

    pub fn rows(&self, day: NaiveDate) -> Vec<ComparisonTally> {
        self.groups
            .iter()
            .map(|((basis, key), (sum, count))| ComparisonTally {
                day,
                basis: basis.clone(),
                group_key: key.clone(),
                sum: *sum,
                count: *count,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotRun {
    pub day: NaiveDate,
    pub tenants: u32,
}

/// Snapshots every tenant's live score under `day`, then the day's comparison tallies.
pub async fn snapshot_all(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    day: NaiveDate,
    taken_at: DateTime<Utc>,
) -> Result<SnapshotRun, StoreError> {
    let tenants = store.tenants().await?;
    let mut tallies = DayTallies::new(store.all_custom_comparisons().await?);
    for t in &tenants {
        let live = live_score(store, catalog, &t.id).await?;
        store.write_snapshot(&live.snapshot(day, taken_at), &action_points(&live.scores)).await?;
        tallies.add(&t.id, t.licensed_seats, &t.industry, live.score.percent());
    }
    store.write_comparison_tallies(day, &tallies.rows(day)).await?;
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

/// Runs the snapshot every day at `at` UTC. The snapshot is filed under the day that
/// just ended when `at` is midnight, otherwise under the current day.
pub async fn run_daily(state: app::state::AppState, at: NaiveTime) {
    let yesterday = Utc::now().date_naive() - chrono::Duration::days(1);
    if let Err(e) = catch_up(state.store.as_ref(), &state.catalog, yesterday, Utc::now()).await {
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
        // Catch up first, in case a run was missed while the process slept (suspend, clock jump).
        if let Err(e) =
            catch_up(state.store.as_ref(), &state.catalog, day - chrono::Duration::days(1), now).await
        {
            tracing::error!(error = %e, "could not fill missed daily snapshots");
        }
        match snapshot_all(state.store.as_ref(), &state.catalog, day, now).await {
            Ok(run) => tracing::info!(day = %run.day, tenants = run.tenants, "daily snapshot taken"),
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

    #[test]
    fn tallies_group_by_all_seats_industry_and_each_custom_comparison() {
        let peers = CustomComparison {
            id: "c1".into(),
            tenant_id: "owner".into(),
            name: "Large".into(),
            seats_min: Some(1_000),
            seats_max: None,
            industries: Vec::new(),
            tenants: Vec::new(),
        };
        let mut t = DayTallies::new(vec![peers]);
        t.add("a", 5, "Retail", Percent(5000));
        t.add("b", 20_000, "Retail", Percent(7000));
        t.add("owner", 20_000, "Retail", Percent(9000));
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("day");
        let rows = t.rows(day);
        let all = rows.iter().find(|r| r.basis == "AllTenants").expect("all");
        assert_eq!((all.sum, all.count), (21_000, 3));
        assert_eq!(rows.iter().filter(|r| r.basis == "TotalSeats").count(), 2);
        let retail = rows.iter().find(|r| r.basis == "IndustryTypes").expect("industry");
        assert_eq!((retail.group_key.as_str(), retail.count), ("Retail", 3));
        // Only "b": "a" is too small, and a comparison never counts its own tenant.
        let custom = rows.iter().find(|r| r.basis == CUSTOM_BASIS).expect("custom");
        assert_eq!((custom.group_key.as_str(), custom.sum, custom.count), ("c1", 7000, 1));
    }
}
