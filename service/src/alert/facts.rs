//! The facts a tenant's rules are checked against, read from the store at one moment.

use super::check::{ActionDrop, CatalogEntry, Facts, Reference};
use crate::live::{live_score, LiveScore};
use crate::measurement::wording;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use score::snapshot::{action_points, diff, ActionPoints};
use score::ImprovementAction;
use store::{Store, StoreError};

/// How far back a reference snapshot is looked for: a tenant without a snapshot in the
/// last two weeks has nothing recent to measure a drop from.
const LOOK_BACK_DAYS: i64 = 14;

/// Actions lower in `now` than in `before`, the largest drop first.
fn drops(live: &LiveScore, before: &ActionPoints, now: &ActionPoints) -> Vec<ActionDrop> {
    let mut out: Vec<ActionDrop> = diff(before, now)
        .into_iter()
        .filter(|c| c.delta < score::Points::ZERO)
        .filter_map(|c| {
            let after = c.after?;
            let action = live.action(&c.id)?;
            let measurement = live
                .records
                .get(&c.id)
                .and_then(|r| r.state.measurement.as_ref())
                .map(|m| wording(action.unit(), m));
            Some(ActionDrop {
                regression: c.is_regression(),
                action_id: c.id.clone(),
                title: action.title.clone(),
                category: action.category,
                before: after.points - c.delta,
                after: after.points,
                max: after.max,
                measurement,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.before - b.after).cmp(&(a.before - a.after)).then_with(|| a.action_id.cmp(&b.action_id))
    });
    out
}

async fn drops_since(
    store: &dyn Store,
    tenant_id: &str,
    live: &LiveScore,
    now: &ActionPoints,
    reference: Option<Reference>,
) -> Result<Vec<ActionDrop>, StoreError> {
    match reference {
        Some(r) => Ok(drops(live, &store.action_points_on(tenant_id, r.day).await?, now)),
        None => Ok(Vec::new()),
    }
}

/// The tenant's facts at `now`, with its live score (the messages read titles from it).
pub async fn gather(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    now: DateTime<Utc>,
) -> Result<(Facts, LiveScore), StoreError> {
    let live = live_score(store, catalog, tenant_id).await?;
    let today: NaiveDate = now.date_naive();
    let snapshots =
        store.snapshots(tenant_id, today - Duration::days(LOOK_BACK_DAYS), today - Duration::days(1)).await?;
    let reference = |s: &store::ScoreSnapshot| Reference { day: s.day, current: s.current, max: s.max };
    let day_before = snapshots.last().map(reference);
    let week_before = snapshots.iter().rev().find(|s| s.day <= today - Duration::days(7)).map(reference);
    let now_points = action_points(&live.scores);
    let drops_since = |r: Option<Reference>| drops_since(store, tenant_id, &live, &now_points, r);
    let drops_since_day = drops_since(day_before).await?;
    let drops_since_week = drops_since(week_before).await?;
    let sync_failing = store.m365_connection(tenant_id).await?.and_then(|c| {
        let why = c.last_error?;
        Some((c.last_success_at.unwrap_or(c.connected_at), why))
    });
    let facts = Facts {
        now,
        current: live.score.current,
        max: live.score.max,
        zone_okay_from: live.tenant.zone_okay_from,
        zone_good_from: live.tenant.zone_good_from,
        day_before,
        week_before,
        drops_since_day,
        drops_since_week,
        points: now_points.iter().map(|(id, p)| (id.clone(), p.points)).collect(),
        titles: live.actions.iter().map(|a| (a.id.clone(), a.title.clone())).collect(),
        catalog: catalog
            .iter()
            .filter(|a| !a.deprecated)
            .map(|a| CatalogEntry { id: a.id.clone(), title: a.title.clone(), max: a.max() })
            .collect(),
        sync_failing,
    };
    Ok((facts, live))
}
