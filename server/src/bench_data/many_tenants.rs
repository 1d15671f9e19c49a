//! A SQLite database at the scale the budgets name: many tenants with 300 measured actions
//! each, one of them with years of daily history (its comparison tallies included), and
//! today's snapshot of every tenant.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use score::benchmark::{BenchmarkDay, Cell, CellTally};
use score::catalog::Catalog;
use score::snapshot::{ActionPoint, ActionPoints};
use score::{ImprovementAction, Measurement, Points, Status};
use std::path::PathBuf;
use std::time::Instant;
use store::{DynStore, MeasurementInput, ScoreSnapshot};

pub const ACTIONS: u32 = 300;

/// The built database, in a temp directory removed on drop.
pub struct BenchDb {
    pub store: DynStore,
    pub actions: Vec<ImprovementAction>,
    /// The tenant with the long history.
    pub target: String,
    dir: PathBuf,
}

impl BenchDb {
    /// A reader of the target tenant, for sessions and tokens to act as.
    pub async fn target_reader(&self) -> anyhow::Result<store::User> {
        let user =
            self.store.create_user("bench@example.test", "Bench", "not-a-password-hash", "bench").await?;
        self.store.grant_role(&self.target, &user.id, score::roles::Role::GlobalReader, "bench").await?;
        Ok(user)
    }

    /// Serves the whole router on a free local port.
    pub async fn serve(&self) -> anyhow::Result<std::net::SocketAddr> {
        let state = app::state::AppState::new(self.store.clone(), self.actions.clone());
        super::serve(state).await
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn measurement(tenant: u32, action: u32, at: chrono::DateTime<Utc>) -> Measurement {
    let total = 50 + (tenant * 7 + action * 13) % 400;
    Measurement::partial((tenant * 31 + action * 17) % (total + 1), total, at)
}

/// Per-action points of the history tenant on day `d`: a few actions move each day, some
/// up and some down (regressions), and a few are planned or risk accepted for a while.
fn history_points(catalog: &Catalog, d: i64) -> ActionPoints {
    catalog
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let max = a.max();
            let step = (i as i64 * 7 + d / 5) % 11;
            let status = match (i as i64 + d / 30) % 40 {
                0 => Status::RiskAccepted,
                1 | 2 => Status::Planned,
                _ => Status::ToAddress,
            };
            let points =
                if status == Status::RiskAccepted { Points::ZERO } else { Points(max.0 * step.min(10) / 10) };
            (a.id.clone(), ActionPoint { points, max, status })
        })
        .collect()
}

/// The day's comparison tallies as the daily job writes them, for `tenants` tenants
/// around `mean` percent.
/// A day of benchmark cells: the tenants spread evenly over the eight seat buckets and
/// three industries, every one where it was the day before.
fn benchmark_day(day: NaiveDate, tenants: u32, mean: i64) -> BenchmarkDay {
    let mut cells = Vec::new();
    for bucket in 0..8u8 {
        for industry in ["Retail", "Healthcare", "Technology"] {
            let count = tenants / 24;
            cells.push(CellTally {
                cell: Cell { bucket, industry: industry.into() },
                sum: mean * i64::from(count),
                count,
                // As the daily run now keeps them: the score split by category.
                shares: Some([mean * i64::from(count) / 5; 5]),
            });
        }
    }
    BenchmarkDay::steady(day, cells, false)
}

/// Builds the database, printing how long each part took.
pub async fn many_tenants(catalog: &Catalog, tenants: u32, history_days: i64) -> anyhow::Result<BenchDb> {
    let dir = std::env::temp_dir().join(format!("rampart-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let store = store::open(&url).await?;
    store.sync_catalog(catalog).await?;
    let actions = store.catalog_actions().await?;

    let started = Instant::now();
    let today = Utc::now().date_naive();
    let first_day = today - Duration::days(history_days - 1);
    let mut target = String::new();
    for t in 0..tenants {
        let created = first_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let tenant = store.create_tenant(super::bench_tenant(t, created), "bench").await?;
        let at = Utc.from_utc_datetime(&first_day.and_hms_opt(6, 0, 0).unwrap_or_default());
        let batch: Vec<MeasurementInput> = (0..ACTIONS)
            .map(|a| MeasurementInput {
                action_id: format!("BenchAction{a:03}"),
                measurement: measurement(t, a, at),
                entities: None,
            })
            .collect();
        store.record_measurements(&tenant.id, &batch, "bench", score::MeasurementSource::Ingest).await?;
        if t == 0 {
            target = tenant.id;
        }
    }
    println!("setup: {tenants} tenants × {ACTIONS} actions in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    for d in 0..history_days - 1 {
        let day: NaiveDate = first_day + Duration::days(d);
        let points = history_points(catalog, d);
        let current: Points = points.values().map(|p| p.points).sum();
        let max: Points = points.values().map(|p| p.max).sum();
        let snapshot = ScoreSnapshot {
            tenant_id: target.clone(),
            day,
            current,
            max,
            categories: vec![],
            licensed_seats: 10,
            active_users: 10,
            taken_at: day.and_hms_opt(0, 5, 0).unwrap_or_default().and_utc(),
            imported: false,
        };
        store.write_snapshot(&snapshot, &points).await?;
        store.put_benchmark_day(&benchmark_day(day, tenants, 5_000 + d % 700)).await?;
    }
    // Ten planned actions with due dates: the projection has steps to draw.
    for a in 0..10u32 {
        let change = store::StatusChange {
            action_id: format!("BenchAction{:03}", a * 29),
            status: Status::Planned,
            note: "Benchmark plan".into(),
            assignee: None,
            due_date: Some(today + Duration::days(i64::from(a) * 9 + 5)),
            tags: vec![],
            changed_by: "bench".into(),
            changed_at: Utc::now(),
        };
        store.set_status(&target, &change).await?;
    }
    crate::jobs::snapshot_all(store.as_ref(), &actions, today, Utc::now()).await?;
    println!(
        "history: {history_days} days for one tenant, today's snapshot of all in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(BenchDb { store, actions, target, dir })
}
