//! One day's `secureScore` entity as a viewer reads it: its control scores, worded like the
//! pages, and the comparison averages that viewer may read that day (SPEC §4).

use super::cache::ScoreCache;
use super::entities::{
    graph_time, points, AverageComparativeScore, ControlScore, SecureScore, VendorInformation,
};
use super::error::GraphError;
use super::internal;
use super::secure_scores::{created_on_its_day, score_id};
use crate::http::ServerState;
use app::benchmarks::ViewerBenchmarks;
use score::benchmark::CellGroup;
use score::comparison::{seat_bucket, Basis, SEAT_BUCKETS};
use score::snapshot::ActionPoint;
use score::{ImprovementAction, Measurement, Status};
use std::collections::HashMap;
use std::sync::Arc;
use store::{ScoreSnapshot, Store, Tenant};

/// Whose averages these are: the token's user, with every tenant they hold a role in
/// (SPEC §4 — the same release as their pages show).
pub(super) struct Viewer {
    user_id: String,
    held: Vec<String>,
}

impl Viewer {
    pub(super) async fn of(store: &dyn Store, user_id: &str) -> Result<Viewer, GraphError> {
        let held = app::benchmarks::held_by(store, user_id).await.map_err(internal)?;
        Ok(Viewer { user_id: user_id.to_owned(), held })
    }
}

/// The day's entity as JSON, from the cache or built (and then cached). The averages in it
/// are the viewer's, so the cache keeps one entity per viewer.
pub(super) async fn entity_json<'a>(
    state: &'a ServerState,
    cache: &ScoreCache,
    tenant: &'a Tenant,
    viewer: &'a Viewer,
    builder: &mut Option<Builder<'a>>,
    snapshot: &ScoreSnapshot,
) -> Result<Arc<str>, GraphError> {
    let key = format!("{} {}", tenant.id, viewer.user_id);
    if let Some(json) = cache.get(&key, snapshot.day, snapshot.taken_at) {
        return Ok(json);
    }
    if builder.is_none() {
        *builder =
            Some(Builder::new(state.app.store.as_ref(), &state.app.catalog, tenant, &viewer.held).await?);
    }
    let Some(b) = builder.as_ref() else { return Err(GraphError::internal()) };
    let json: Arc<str> = serde_json::to_string(&b.secure_score(snapshot).await?).map_err(internal)?.into();
    cache.put(&key, snapshot.day, snapshot.taken_at, json.clone());
    Ok(json)
}

/// What every day of one tenant shares: its actions and the vendor block.
pub(super) struct Builder<'a> {
    store: &'a dyn Store,
    tenant: &'a Tenant,
    held: &'a [String],
    actions: HashMap<String, ImprovementAction>,
}

impl<'a> Builder<'a> {
    async fn new(
        store: &'a dyn Store,
        catalog: &[ImprovementAction],
        tenant: &'a Tenant,
        held: &'a [String],
    ) -> Result<Builder<'a>, GraphError> {
        let mut actions: HashMap<String, ImprovementAction> =
            catalog.iter().map(|a| (a.id.clone(), a.clone())).collect();
        // Deleted custom actions too: past days still scored them.
        let mut custom = store.custom_actions(&tenant.id).await.map_err(internal)?;
        custom.extend(store.deleted_custom_actions(&tenant.id).await.map_err(internal)?);
        for a in custom {
            actions.insert(a.id.clone(), a);
        }
        Ok(Builder { store, tenant, held, actions })
    }

    async fn secure_score(&self, s: &ScoreSnapshot) -> Result<SecureScore, GraphError> {
        let store = self.store;
        let on = graph_time(s.day.and_time(chrono::NaiveTime::MIN).and_utc());
        let day_points = store.action_points_on(&s.tenant_id, s.day).await.map_err(internal)?;
        let measured = store.measurements_on(&s.tenant_id, s.day).await.map_err(internal)?;
        let control_scores = day_points
            .iter()
            .map(|(id, point)| control_score(id, self.actions.get(id), point, measured.get(id), &on))
            .collect();
        let benchmarks = app::benchmarks::ViewerBenchmarks::read(store, self.held, s.day, s.day)
            .await
            .map_err(internal)?;
        Ok(SecureScore {
            id: score_id(&s.tenant_id, s.day),
            azure_tenant_id: s.tenant_id.clone(),
            active_user_count: s.active_users,
            created_date_time: graph_time(created_on_its_day(s)),
            current_score: points(s.current),
            enabled_services: self.tenant.enabled_services.clone(),
            licensed_user_count: s.licensed_seats,
            max_score: points(s.max),
            average_comparative_scores: averages(s, &self.tenant.industry, &benchmarks),
            control_scores,
            vendor_information: VendorInformation::rampart(Some(env!("CARGO_PKG_VERSION").into())),
        })
    }
}

fn control_score(
    id: &str,
    action: Option<&ImprovementAction>,
    point: &ActionPoint,
    measurement: Option<&Measurement>,
    on: &str,
) -> ControlScore {
    let percent = if point.max.0 > 0 { point.points.percent_of(point.max).as_f64() } else { 0.0 };
    let (count, total) = measurement.map_or((0, 0), |m| (m.count, m.total));
    ControlScore {
        control_category: action.map(|a| a.category.as_str()).unwrap_or_default().to_owned(),
        control_name: id.to_owned(),
        description: action.map(|a| a.title.clone()).unwrap_or_default(),
        score: points(point.points),
        score_in_percentage: percent,
        implementation_status: implementation_status(action, point, measurement),
        count: count.to_string(),
        total: total.to_string(),
        last_synced: measurement.map(|m| graph_time(m.observed_at)),
        on: on.to_owned(),
    }
}

/// The sentence a person reads next to the points: how they were earned.
fn implementation_status(
    action: Option<&ImprovementAction>,
    point: &ActionPoint,
    measurement: Option<&Measurement>,
) -> String {
    match point.status {
        Status::ThirdParty => return "Resolved through third party".into(),
        Status::AlternateMitigation => return "Resolved through alternate mitigation".into(),
        Status::RiskAccepted => return "Risk accepted".into(),
        Status::ToAddress | Status::Planned => {}
    }
    match measurement {
        Some(m) => service::measurement::wording(action.and_then(|a| a.unit()), m),
        None => "Not measured yet".into(),
    }
}

/// The bases the viewer may read that day (SPEC §4); a withheld one is left out.
fn averages(
    s: &ScoreSnapshot,
    industry: &str,
    benchmarks: &ViewerBenchmarks,
) -> Vec<AverageComparativeScore> {
    let bucket = seat_bucket(s.licensed_seats);
    let mut out = Vec::new();
    for basis in Basis::ALL {
        let group = CellGroup::of_basis(basis, s.licensed_seats, industry);
        let Some((avg, split)) = benchmarks.with_split(s.day, &group) else {
            continue;
        };
        let (lower, upper) = match basis {
            Basis::TotalSeats => {
                let (lo, hi) = SEAT_BUCKETS.get(bucket).copied().unwrap_or((0, 0));
                (Some(lo.to_string()), Some(if hi == u32::MAX { String::new() } else { hi.to_string() }))
            }
            _ => (None, None),
        };
        let part = |i: usize| split.map(|p| p[i].as_f64());
        out.push(AverageComparativeScore {
            basis: basis.as_str().to_owned(),
            average_score: avg.as_f64(),
            seat_size_range_lower_value: lower,
            seat_size_range_upper_value: upper,
            industry_name: (basis == Basis::IndustryTypes).then(|| industry.to_owned()),
            identity_score: part(0),
            data_score: part(1),
            device_score: part(2),
            apps_score: part(3),
            infrastructure_score: part(4),
        });
    }
    out
}
