//! What the History page loads: the score over the range (or one category's points), the
//! events in it, one page of them, and plain-words notes on where the data starts or stops.
//! The CSV export loads the same through [`load`], without paging.

use super::events::{HistoryEvent, PageOf};
use super::query::HistoryQuery;
use crate::chart::HistoryPoint;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use score::{Category, Points};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryData {
    pub tenant_id: String,
    pub tenant_name: String,
    /// The days shown; `from` is the first snapshot when the range starts before the history.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The category the chart and the list are narrowed to.
    pub category: Option<Category>,
    /// One point per snapshot: the tenant's score, or the category's points.
    pub points: Vec<HistoryPoint>,
    /// This page of the events.
    pub events: Vec<HistoryEvent>,
    pub page: PageOf,
    /// Sum of the points deltas of every matching event, not only this page's.
    pub net: Points,
    /// Where the history starts, gaps, and the like.
    pub notices: Vec<String>,
}

/// The History view of a tenant. Bad dates, a start after the end, and a range wholly
/// outside the history answer `Invalid` (400) with a message naming the field.
#[server(endpoint = "score_history")]
pub async fn score_history(
    tenant_id: String,
    #[server(flatten)] q: HistoryQuery,
) -> Result<HistoryData, AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let today = chrono::Utc::now().date_naive();
    let state = &access.state;
    let h = server_side::load(state.store.as_ref(), &state.catalog, &access.tenant_id, &q, today).await?;
    let page = PageOf::new(u32::try_from(h.events.len()).unwrap_or(u32::MAX), q.page);
    let (start, len) = page.window();
    let net = h.events.iter().map(|e| e.delta).sum();
    Ok(HistoryData {
        tenant_id: h.tenant_id,
        tenant_name: h.tenant_name,
        from: h.from,
        to: h.to,
        category: q.category,
        points: h.points,
        events: h.events.into_iter().skip(start).take(len).collect(),
        page,
        net,
        notices: h.notices,
    })
}

#[cfg(feature = "ssr")]
pub use server_side::{load, History};

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::events::{arrange, build, ActionInfo};
    use super::super::query::{DayRange, HistoryQuery, BEGINNING};
    use super::HistoryEvent;
    use crate::chart::HistoryPoint;
    use crate::error::AppError;
    use chrono::{Duration, NaiveDate};
    use score::snapshot::Cause;
    use score::{Category, ImprovementAction, Points};
    use std::collections::HashMap;

    /// How far before the range a measurement may have been observed and still be the one
    /// a change in the range shows: snapshots are daily, so one day is enough unless the
    /// server was down; a week covers the usual outage.
    const MEASUREMENT_LOOKBACK_DAYS: i64 = 7;

    fn info_of(a: &ImprovementAction) -> ActionInfo {
        ActionInfo { title: a.title.clone(), category: a.category, unit: a.unit().map(str::to_owned) }
    }
    use store::{ScoreSnapshot, StatusChange, Store};

    /// Every matching event of the range, arranged, with the chart's points.
    pub struct History {
        pub tenant_id: String,
        pub tenant_name: String,
        pub from: NaiveDate,
        pub to: NaiveDate,
        pub points: Vec<HistoryPoint>,
        pub events: Vec<HistoryEvent>,
        pub notices: Vec<String>,
    }

    /// Reads only the range: the day summaries and the per-action changes stored for it
    /// (never every day's per-action points), plus the tenant's status changes when a
    /// status change needs its who and note.
    pub async fn load(
        store: &dyn Store,
        catalog: &[ImprovementAction],
        tenant_id: &str,
        q: &HistoryQuery,
        today: NaiveDate,
    ) -> Result<History, AppError> {
        let tenant = store.tenant(tenant_id).await?;
        let range = q.days(today)?;
        let snapshots = store.snapshots(tenant_id, range.from, range.to).await?;
        let mut notices = Vec::new();
        if snapshots.is_empty() {
            notices.push(explain_empty(store, tenant_id, range, q.is_custom()).await?);
        }
        let changes = store.action_changes(tenant_id, range.from, range.to).await?;
        let mut actions: HashMap<String, ActionInfo> =
            catalog.iter().map(|a| (a.id.clone(), info_of(a))).collect();
        // Deleted custom actions too: the range may hold their days in the score.
        let mut custom = store.custom_actions(tenant_id).await?;
        custom.extend(store.deleted_custom_actions(tenant_id).await?);
        for a in custom {
            actions.insert(a.id.clone(), info_of(&a));
        }
        let mut status_history: HashMap<String, Vec<StatusChange>> = HashMap::new();
        if changes.iter().any(|c| c.change.cause == Cause::Status) {
            for s in store.tenant_status_history(tenant_id).await? {
                status_history.entry(s.action_id.clone()).or_default().push(s);
            }
        }
        // The measurements behind measurement events ("45 of 60 users"): observed in the
        // range, or in the days just before a change first showed in a snapshot.
        let mut observed: HashMap<String, Vec<store::DatedMeasurement>> = HashMap::new();
        if changes.iter().any(|c| c.change.cause == Cause::Measurement) {
            let since = range.from - Duration::days(MEASUREMENT_LOOKBACK_DAYS);
            for m in store.measurements_observed(tenant_id, since, range.to).await? {
                observed.entry(m.action_id.clone()).or_default().push(m);
            }
        }
        let (mut events, starts) = build(&changes, &snapshots, &actions, &status_history, &observed);
        for s in starts {
            notices.push(format!(
                "History starts on {}: that first snapshot counted {} actions, the starting point \
                 rather than events.",
                s.day, s.actions
            ));
        }
        arrange(&mut events, q.category, q.sort);
        // "All" and an open-ended custom range show where the history really starts.
        let from = match snapshots.first() {
            Some(s) if range.from == BEGINNING => s.day,
            _ => range.from,
        };
        Ok(History {
            tenant_id: tenant.id,
            tenant_name: tenant.name,
            from,
            to: range.to,
            points: points_of(&snapshots, q.category),
            events,
            notices,
        })
    }

    /// The chart's line: the tenant's score, or one category's points, per snapshot.
    fn points_of(snapshots: &[ScoreSnapshot], category: Option<Category>) -> Vec<HistoryPoint> {
        snapshots
            .iter()
            .map(|s| match category {
                None => HistoryPoint { day: s.day, current: s.current, max: s.max },
                Some(c) => {
                    let b = s.categories.iter().find(|b| b.name == c.as_str());
                    HistoryPoint {
                        day: s.day,
                        current: b.map_or(Points::ZERO, |b| b.current),
                        max: b.map_or(Points::ZERO, |b| b.max),
                    }
                }
            })
            .collect()
    }

    /// Why a range holds no snapshot. A custom range wholly before or after the history is
    /// bad input; a preset (which always ends today) only gets a note.
    async fn explain_empty(
        store: &dyn Store,
        tenant_id: &str,
        range: DayRange,
        custom: bool,
    ) -> Result<String, AppError> {
        let refuse = |field: &str, message: String| {
            if custom {
                Err(AppError::invalid(field, message))
            } else {
                Ok(format!("No snapshot in this range: {message}."))
            }
        };
        let Some(latest) = store.latest_snapshot(tenant_id).await? else {
            return refuse(
                "from",
                "there is no history yet; the first snapshot is taken at the next daily run".into(),
            );
        };
        if range.from > latest.day {
            return refuse("from", format!("no history after {}, the latest snapshot", latest.day));
        }
        // Only reached on this error path: the range ends before the latest snapshot, so the
        // history resumes after it — either it starts there, or the range fell in a gap.
        let earlier = store.snapshots(tenant_id, BEGINNING, range.from - Duration::days(1)).await?;
        let next = store.snapshots(tenant_id, range.to + Duration::days(1), latest.day).await?;
        let resumes = next.first().map_or(latest.day, |s| s.day);
        if earlier.is_empty() {
            return refuse("to", format!("no history before {resumes}, the first snapshot"));
        }
        Ok(format!("No snapshot between {} and {}; the history resumes on {resumes}.", range.from, range.to))
    }
}
