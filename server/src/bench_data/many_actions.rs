//! One tenant with 500 improvement actions: the shipped catalog plus enough custom actions,
//! most of them measured, many with a status, notes and tags — the list the Improvement
//! actions page must show without lag.

use app::state::AppState;
use chrono::{Duration, Utc};
use score::{Category, ImprovementAction, Level, Measurement, Scoring, Status};
use std::path::PathBuf;
use store::{MeasurementInput, NewTenant, StatusChange};

/// The built database, in a temp directory removed on drop.
pub struct ManyActions {
    pub state: AppState,
    pub tenant: String,
    /// Built-in plus custom actions.
    pub actions: usize,
    dir: PathBuf,
}

impl Drop for ManyActions {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn custom_action(i: usize) -> ImprovementAction {
    let levels = [Level::Low, Level::Moderate, Level::High];
    let action = ImprovementAction::new(
        format!("Custom.BenchAction{i:03}"),
        format!("Review the configuration of system {i}"),
        Category::ALL[i % 5],
        format!("Line-of-business app {}", i % 12),
        1 + (i % 10) as u32,
    );
    ImprovementAction {
        description: format!("Checks that system {i} follows the baseline; measured by the nightly scanner."),
        implementation_cost: levels[i % 3],
        user_impact: levels[i / 3 % 3],
        complexity: Level::Moderate,
        threats: vec!["Lateral movement".into()],
        tags: vec!["custom".into()],
        ..action.scored_by((!i.is_multiple_of(3)).then_some("servers"))
    }
}

/// A measurement for three actions in four, partial ones at varied shares.
fn measurement(i: usize, a: &ImprovementAction, at: chrono::DateTime<Utc>) -> Option<Measurement> {
    if i % 4 == 3 {
        return None;
    }
    Some(match a.scoring {
        Scoring::Binary => Measurement::binary(i.is_multiple_of(2), at),
        Scoring::Partial { .. } => {
            let total = 20 + (i as u32 * 7) % 300;
            Measurement::partial((i as u32 * 13) % (total + 1), total, at)
        }
    })
}

/// A status for one action in five: planned with a due date, risk accepted, or resolved.
fn status(i: usize, id: &str) -> Option<StatusChange> {
    let status = match i % 25 {
        0 | 5 | 10 => Status::Planned,
        15 => Status::RiskAccepted,
        20 => Status::ThirdParty,
        _ => return None,
    };
    Some(StatusChange {
        action_id: id.to_owned(),
        status,
        note: format!("Reviewed in the weekly security meeting ({i})."),
        assignee: (status == Status::Planned).then(|| "sam@contoso.example".to_owned()),
        due_date: (status == Status::Planned)
            .then(|| Utc::now().date_naive() + Duration::days(i as i64 % 90)),
        tags: vec![["quarter-goal", "audit", "board"][i % 3].to_owned()],
        changed_by: "bench".into(),
        changed_at: Utc::now(),
    })
}

/// Builds a SQLite database holding one tenant with `total` actions.
pub async fn many_actions(total: usize) -> anyhow::Result<ManyActions> {
    let dir = std::env::temp_dir().join(format!("rampart-bench-actions-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let common = crate::config::Common { database_url: url, catalog: None };
    let state = crate::startup::open_app_state(&common).await?;
    let store = state.store.as_ref();
    let tenant = store
        .create_tenant(
            NewTenant {
                id: None,
                name: "Bench tenant with many actions".into(),
                licensed_seats: 2_500,
                active_users: 2_300,
                industry: "Technology".into(),
                enabled_services: vec!["Exchange".into(), "SharePoint".into(), "Teams".into()],
                created_at: Utc::now(),
            },
            "bench",
        )
        .await?;
    let mut actions: Vec<ImprovementAction> = state.catalog.to_vec();
    for i in 0..total.saturating_sub(actions.len()) {
        let a = custom_action(i);
        store.add_custom_action(&tenant.id, &a, "bench").await?;
        actions.push(a);
    }
    let at = Utc::now() - Duration::hours(2);
    let batch: Vec<MeasurementInput> = actions
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some(MeasurementInput::new(a.id.clone(), measurement(i, a, at)?)))
        .collect();
    store.record_measurements(&tenant.id, &batch, "bench", score::MeasurementSource::Ingest).await?;
    for (i, a) in actions.iter().enumerate() {
        if let Some(change) = status(i, &a.id) {
            store.set_status(&tenant.id, &change).await?;
        }
    }
    Ok(ManyActions { state, tenant: tenant.id, actions: actions.len(), dir })
}
