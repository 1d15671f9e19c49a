//! Demo data: the tenant "Contoso" with 180 days of history and peer tenants in every
//! seat bucket, so every page and comparison has something real to show. The same
//! seed always produces the same data relative to the day it is loaded.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use score::benchmark::Cell;
use score::comparison::CustomComparison;
use score::roles::Role;
use score::snapshot::action_points;
use score::{evaluate, ControlState, ImprovementAction, Measurement, Status};
use score::{Entity, EntityKind, MeasurementSource, Scoring};
use std::collections::BTreeMap;
use store::{BenchmarkEntry, MeasurementInput, NewTenant, ScoreSnapshot, StatusChange, Store, StoreError};

mod simulation;
use simulation::{contoso, peer, Event, Rng, SimTenant};

/// The password of every demo account. Demo data is for trying Rampart out, never production.
pub const DEMO_PASSWORD: &str = "rampart-demo";
/// Demo accounts: email, role, and what they show.
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 5] = [
    ("admin@contoso.example", "GlobalAdministrator", "read-write in Contoso"),
    ("secops@contoso.example", "SecurityAdministrator", "read-write in Contoso"),
    ("reader@contoso.example", "GlobalReader", "read-only in Contoso"),
    ("helpdesk@contoso.example", "HelpdeskAdministrator", "read-only in Contoso"),
    ("msp@provider.example", "SecurityAdministrator", "read-write in Contoso and five peers (portfolio)"),
];
/// Peer tenants the service-provider account also looks after.
const MSP_PEERS: usize = 5;

/// The licenses Contoso holds.
pub const CONTOSO_LICENSES: [&str; 3] =
    ["Defender for Office 365 Plan 1", "Microsoft 365 E3", "Microsoft Entra ID P1"];
pub const CONTOSO_ID: &str = "c0a7e5f0-0000-4000-8000-000000000001";
pub const HISTORY_DAYS: u32 = 180;
pub const PEER_COUNT: u32 = 44;
const SYNC_ACTOR: &str = "sync-agent";
const ADMIN: &str = "alex.admin@contoso.example";
const SECOPS: &str = "sam.secops@contoso.example";

async fn seed_accounts(store: &dyn Store, sims: &[SimTenant]) -> Result<(), StoreError> {
    for (email, role, _) in DEMO_ACCOUNTS {
        let hash = app::auth::secrets::hash_password(DEMO_PASSWORD)
            .map_err(|e| StoreError::Other(format!("demo password: {e}")))?;
        let name = email.split('@').next().unwrap_or(email);
        let user = store.create_user(email, name, &hash, "demo").await?;
        let role = Role::parse(role).ok_or_else(|| StoreError::Invalid(format!("demo role {role}")))?;
        let tenants = if email.ends_with("@provider.example") { 1 + MSP_PEERS } else { 1 };
        for sim in sims.iter().take(tenants) {
            store.grant_role(&sim.id, &user.id, role, "demo").await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    pub tenants: u32,
    pub days: u32,
}

/// Loads the demo into an empty database, with history ending on `today`.
pub async fn seed(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    today: NaiveDate,
    progress: &(dyn Fn(u32, u32) + Sync),
) -> Result<DemoReport, StoreError> {
    let existing = store.tenant_count().await?;
    if existing > 0 {
        return Err(StoreError::Conflict(format!(
            "the database already holds {existing} tenants; demo data only loads into an empty database"
        )));
    }
    let live: Vec<&ImprovementAction> = catalog.iter().filter(|a| !a.deprecated).collect();
    let first_day = today - Duration::days(i64::from(HISTORY_DAYS));
    let start = first_day.and_hms_opt(6, 0, 0).map(|t| t.and_utc()).unwrap_or_default();
    let mut rng = Rng(0x5EC0_2E5C_0BE5_EED5);
    let mut sims = vec![contoso(&live, &mut rng, start)];
    sims.extend((0..PEER_COUNT).map(|i| peer(i, &live, &mut rng, start)));

    let mut states: Vec<BTreeMap<String, ControlState>> = vec![BTreeMap::new(); sims.len()];
    for sim in &sims {
        store.create_tenant(sim.tenant.clone(), "demo").await?;
    }
    seed_accounts(store, &sims).await?;
    // Contoso's licenses leave the Defender, Purview, E5 and Entra ID P2 actions out of its
    // licensed-only view; the peers' are not recorded.
    let held: Vec<String> = CONTOSO_LICENSES.iter().map(|l| (*l).to_owned()).collect();
    store.set_licenses(CONTOSO_ID, Some(&held), "demo").await?;
    for day_index in 0..=HISTORY_DAYS {
        let day = first_day + Duration::days(i64::from(day_index));
        let observed = not_ahead(day, day.and_hms_opt(6, 0, 0).map(|t| t.and_utc()).unwrap_or_default());
        let mut entries = Vec::with_capacity(sims.len());
        for (sim, state) in sims.iter().zip(states.iter_mut()) {
            let mut batch = Vec::new();
            if day_index == 0 {
                for (id, count, total) in &sim.initial {
                    batch.push(MeasurementInput {
                        action_id: id.clone(),
                        measurement: Measurement::partial(*count, *total, observed),
                        entities: None,
                    });
                }
            }
            for event in sim.events.get(&day_index).into_iter().flatten() {
                match event {
                    Event::Measure { action, count, total } => batch.push(MeasurementInput {
                        action_id: action.clone(),
                        measurement: Measurement::partial(*count, *total, observed),
                        entities: None,
                    }),
                    Event::Status { action, status, note, by, assignee, due_in_days } => {
                        let change = StatusChange {
                            action_id: action.clone(),
                            status: *status,
                            note: note.clone(),
                            assignee: assignee.clone(),
                            due_date: due_in_days.map(|d| today + Duration::days(d)),
                            tags: vec![],
                            changed_by: (*by).to_owned(),
                            changed_at: observed + Duration::hours(3),
                        };
                        store.set_status(&sim.id, &change).await?;
                        state.entry(action.clone()).or_default().status = *status;
                    }
                }
            }
            if !batch.is_empty() {
                store
                    .record_measurements(&sim.id, &batch, SYNC_ACTOR, score::MeasurementSource::GraphSync)
                    .await?;
                for m in batch {
                    state.entry(m.action_id).or_default().measurement = Some(m.measurement);
                }
            }
            let (score, scores) = evaluate(catalog, |id| state.get(id).copied());
            let snapshot = ScoreSnapshot {
                tenant_id: sim.id.clone(),
                day,
                current: score.current,
                max: score.max,
                categories: score.categories.clone(),
                licensed_seats: sim.tenant.licensed_seats,
                active_users: sim.tenant.active_users,
                taken_at: observed + Duration::hours(18),
                imported: false,
            };
            store.write_snapshot(&snapshot, &action_points(&scores)).await?;
            entries.push(BenchmarkEntry {
                tenant_id: sim.id.clone(),
                cell: Cell::of(sim.tenant.licensed_seats, &sim.tenant.industry),
                percent: score.percent(),
                shares: score::benchmark::shares_of(&score.categories, score.max),
            });
        }
        store.write_benchmark_day(day, &entries).await?;
        progress(day_index + 1, HISTORY_DAYS + 1);
    }
    scan_contoso(store, catalog, &states[0], today).await?;
    // One custom comparison, so the demo shows one beside the built-in lines; its history
    // is read from the tallies just written.
    let mid_size = CustomComparison {
        id: String::new(),
        tenant_id: CONTOSO_ID.into(),
        name: "Mid-size organisations".into(),
        seat_buckets: vec![3, 4, 5],
        industries: Vec::new(),
        tenants: Vec::new(),
    };
    store.create_custom_comparison(&mid_size, "demo").await?;
    Ok(DemoReport { tenants: u32::try_from(sims.len()).unwrap_or(u32::MAX), days: HISTORY_DAYS + 1 })
}

/// Contoso's counted actions as a scanner saw them this morning: the same numbers as the
/// sync, with the users, devices or mailboxes behind them, so the flyout has entities to
/// list and names its source.
async fn scan_contoso(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    state: &BTreeMap<String, ControlState>,
    today: NaiveDate,
) -> Result<(), StoreError> {
    const FIRST: [&str; 12] = [
        "Adele", "Alex", "Bianca", "Diego", "Grady", "Isaiah", "Johanna", "Lee", "Lynne", "Megan", "Nestor",
        "Pradeep",
    ];
    const LAST: [&str; 10] =
        ["Vance", "Wilber", "Pisani", "Siciliani", "Archie", "Langer", "Lorenz", "Gu", "Robbins", "Bowen"];
    let observed = not_ahead(today, today.and_hms_opt(6, 30, 0).map(|t| t.and_utc()).unwrap_or_default());
    let mut batch = Vec::new();
    for a in catalog.iter().filter(|a| !a.deprecated) {
        let (Scoring::Partial { unit }, Some(m)) = (&a.scoring, state.get(&a.id).and_then(|s| s.measurement))
        else {
            continue;
        };
        if m.total == 0 || m.total as usize > score::entity::MAX_ENTITIES {
            continue;
        }
        let kind = match unit.as_str() {
            "users" => EntityKind::User,
            "devices" => EntityKind::Device,
            "mailboxes" => EntityKind::Mailbox,
            _ => EntityKind::Resource,
        };
        let entities = (0..m.total as usize)
            .map(|i| {
                let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
                let n = i / (FIRST.len() * LAST.len());
                let (id, display_name) = match kind {
                    EntityKind::User | EntityKind::Mailbox => {
                        let id =
                            format!("{}.{}{n}@contoso.example", first.to_lowercase(), last.to_lowercase());
                        (id, format!("{first} {last} {n}"))
                    }
                    EntityKind::Device => {
                        (format!("CONTOSO-{i:05}"), format!("CONTOSO-{i:05} ({first}'s laptop)"))
                    }
                    _ => (format!("{}-{i:05}", a.id.to_lowercase()), format!("{} {i}", a.product)),
                };
                // The last `total - count` fail, so the numbers are the sync's.
                Entity { id, display_name, kind, passes: (i as u32) < m.count }
            })
            .collect();
        batch.push(
            MeasurementInput::new(a.id.clone(), Measurement::partial(m.count, m.total, observed))
                .with_entities(entities),
        );
    }
    if !batch.is_empty() {
        store.record_measurements(CONTOSO_ID, &batch, "demo scan", MeasurementSource::Prowler).await?;
    }
    Ok(())
}

/// `at`, or a minute ago when `at` is still ahead (a demo loaded before 06:30 UTC), but on
/// `day` all the same: a measurement sent now must be newer than the demo's of today.
fn not_ahead(day: chrono::NaiveDate, at: DateTime<Utc>) -> DateTime<Utc> {
    let start = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(at);
    at.min(Utc::now() - Duration::minutes(1)).max(start)
}
