//! What the Metrics & trends page loads for one date range: the score line, the zones, the
//! comparison lines, regressions, risk acceptance, score changes and the projection. It
//! reads the day summaries with their stored trend sums and the day tallies, never the
//! per-action changes: a range costs one row per day, and nothing is read per other
//! tenant, so the page costs the same for any tenant count.

use super::comparisons::{ComparisonChoices, ComparisonSummary};
use super::goal::GoalView;
use super::trends::{ComparisonLine, ProjectionStep, RegressionDay, RiskDay, ScoreChanges};
use crate::chart::HistoryPoint;
use crate::error::AppError;
use crate::pages::history::query::HistoryQuery;
use chrono::NaiveDate;
use leptos::prelude::*;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsData {
    pub tenant_id: String,
    pub tenant_name: String,
    pub can_write: bool,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The live score.
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    pub zone_okay_from: u32,
    pub zone_good_from: u32,
    /// One point per snapshot in the range, today's being the live score.
    pub points: Vec<HistoryPoint>,
    pub comparisons: Vec<ComparisonLine>,
    pub regressions: Vec<RegressionDay>,
    pub risk: Vec<RiskDay>,
    pub changes: ScoreChanges,
    pub projection: Vec<ProjectionStep>,
    /// The tenant's goal, with the projected score on its date.
    pub goal: Option<GoalView>,
    /// The tenant's custom comparisons (their lines are in `comparisons`).
    pub custom: Vec<ComparisonSummary>,
    /// What the add form offers; only for read-write roles.
    pub choices: Option<ComparisonChoices>,
    pub notices: Vec<String>,
}

impl MetricsData {
    /// The projected score: the live one plus every planned action's remaining points.
    pub fn projected(&self) -> Points {
        self.projection.last().map_or(self.current, |s| s.score_after)
    }
}

/// Metrics & trends of a tenant over a range (the History page's presets and custom dates,
/// with the same refusals for bad dates, each naming its field).
#[server(endpoint = "metrics")]
pub async fn metrics(tenant_id: String, #[server(flatten)] q: HistoryQuery) -> Result<MetricsData, AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let q = q.range_only();
    let today = chrono::Utc::now().date_naive();
    let state = &access.state;
    let held = crate::benchmarks::held_by(state.store.as_ref(), &access.viewer.user_id).await?;
    let mut d =
        server_side::load(state.store.as_ref(), &state.catalog, &held, &access.tenant_id, &q, today).await?;
    d.can_write = access.role.can_write();
    if d.can_write {
        let choices =
            super::comparisons::choices(state.store.as_ref(), &access.viewer.user_id, &access.tenant_id);
        d.choices = Some(choices.await?);
    }
    Ok(d)
}

#[cfg(feature = "ssr")]
pub use server_side::load;

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::goal::{projected_on, GoalView};
    use super::super::trends::{regressions, risk_trend, score_changes, score_line};
    use super::MetricsData;
    use crate::error::AppError;
    use crate::pages::history::query::{HistoryQuery, BEGINNING};
    use chrono::NaiveDate;
    use score::ImprovementAction;
    use service::live::live_score;
    use std::collections::HashMap;
    use store::Store;

    pub async fn load(
        store: &dyn Store,
        catalog: &[ImprovementAction],
        viewer_tenants: &[String],
        tenant_id: &str,
        q: &HistoryQuery,
        today: NaiveDate,
    ) -> Result<MetricsData, AppError> {
        let range = q.days(today)?;
        let live = live_score(store, catalog, tenant_id).await?;
        let snapshots = store.snapshots(tenant_id, range.from, range.to).await?;
        let mut notices = Vec::new();
        if snapshots.is_empty() {
            if q.is_custom() {
                return Err(AppError::invalid(
                    "from",
                    format!(
                        "there is no history between {} and {}; pick days with snapshots",
                        range.from, range.to
                    ),
                ));
            }
            notices.push(
                "No daily snapshot in this range yet; the first is taken at the next daily run.".into(),
            );
        }
        let from = match snapshots.first() {
            Some(s) if range.from == BEGINNING => s.day,
            _ => range.from,
        };

        let titles: HashMap<&str, &str> =
            live.actions.iter().map(|a| (a.id.as_str(), a.title.as_str())).collect();
        let title = |id: &str| titles.get(id).map_or_else(|| id.to_owned(), |t| (*t).to_owned());
        // Each day's trend sums were stored with its snapshot: the range reads one row per day.
        let trends = store.day_trends(tenant_id, from, range.to).await?;
        let regressions = regressions(&trends, title);
        let risk = risk_trend(&trends);
        let changes = score_changes(&trends);

        let projection = service::projection::steps(live.score.current, service::projection::planned(&live));
        let goal = live.tenant.goal.map(|g| GoalView {
            percent: g.percent,
            by: g.by,
            projected_by: projected_on(live.score.current, &projection, g.by).percent_of(live.score.max),
        });

        let live_today = (range.to == today).then_some((today, live.score.current, live.score.max));
        let custom = store.custom_comparisons(tenant_id).await?;
        let (points, comparisons) =
            score_line(store, viewer_tenants, &live.tenant, &custom, snapshots, live_today).await?;
        Ok(MetricsData {
            tenant_id: live.tenant.id.clone(),
            tenant_name: live.tenant.name.clone(),
            can_write: false,
            from,
            to: range.to,
            current: live.score.current,
            max: live.score.max,
            percent: live.score.percent(),
            zone_okay_from: live.tenant.zone_okay_from,
            zone_good_from: live.tenant.zone_good_from,
            points,
            comparisons,
            regressions,
            risk,
            changes,
            projection,
            goal,
            custom: custom.iter().map(Into::into).collect(),
            choices: None,
            notices,
        })
    }
}
