//! `GET /v1.0/security/secureScores[/{id}]`: one entity per daily snapshot, newest first
//! (each built by `score_entity`).

use super::cache::ScoreCache;
use super::entities::{graph_time, points, Collection, SecureScore};
use super::error::GraphError;
use super::odata::{FieldType, Items, Schema};
use super::score_entity::{entity_json, Viewer};
use super::{base_url, internal, reply_page, TokenOn};
use crate::http::ServerState;
use crate::web_access::Read;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;
use store::{ScoreSnapshot, Store, Tenant};

/// Days per page: a day carries one control score per action, so pages stay small.
pub const PAGE_SIZE: usize = 50;

pub const SCHEMA: Schema = Schema {
    entity: "microsoft.graph.secureScore",
    scalar: &[
        ("id", FieldType::String),
        ("azureTenantId", FieldType::String),
        ("activeUserCount", FieldType::Number),
        ("createdDateTime", FieldType::DateTime),
        ("currentScore", FieldType::Number),
        ("licensedUserCount", FieldType::Number),
        ("maxScore", FieldType::Number),
    ],
    collections: &[
        (
            "controlScores",
            Items::Entities {
                entity: "microsoft.graph.controlScore",
                scalar: &[
                    ("controlCategory", FieldType::String),
                    ("controlName", FieldType::String),
                    ("description", FieldType::String),
                    ("score", FieldType::Number),
                    ("scoreInPercentage", FieldType::Number),
                    ("implementationStatus", FieldType::String),
                    ("count", FieldType::String),
                    ("total", FieldType::String),
                    ("lastSynced", FieldType::DateTime),
                ],
            },
        ),
        (
            "averageComparativeScores",
            Items::Entities {
                entity: "microsoft.graph.averageComparativeScore",
                scalar: &[("basis", FieldType::String), ("averageScore", FieldType::Number)],
            },
        ),
        ("enabledServices", Items::Values(FieldType::String)),
    ],
    selectable: &[
        "id",
        "azureTenantId",
        "activeUserCount",
        "createdDateTime",
        "currentScore",
        "enabledServices",
        "licensedUserCount",
        "maxScore",
        "averageComparativeScores",
        "controlScores",
        "vendorInformation",
    ],
    max_top: 1_000,
};

const CONTEXT: &str = "$metadata#security/secureScores";

pub fn score_id(tenant_id: &str, day: NaiveDate) -> String {
    format!("{tenant_id}_{}", day.format("%Y-%m-%d"))
}

/// When a day's score was made, as Graph says it: on that day. The daily snapshot of day D
/// is taken just after it ends (D+1 00:00), which Graph clients read as the next day's; so
/// the time is held within D (at the latest its last second, and never later than now),
/// and an export read back in lands on the day it came from.
pub fn created_on_its_day(s: &ScoreSnapshot) -> chrono::DateTime<chrono::Utc> {
    let start = s.day.and_time(chrono::NaiveTime::MIN).and_utc();
    let last = start + chrono::Duration::days(1) - chrono::Duration::seconds(1);
    s.taken_at.clamp(start, last.min(chrono::Utc::now().max(start)))
}

/// The scalar fields alone, which is all `$orderby` and most filters look at: pages are
/// chosen from these and only the chosen days are built in full.
fn scalars(s: &ScoreSnapshot) -> serde_json::Value {
    serde_json::json!({
        "id": score_id(&s.tenant_id, s.day),
        "azureTenantId": s.tenant_id,
        "activeUserCount": s.active_users,
        "createdDateTime": graph_time(created_on_its_day(s)),
        "currentScore": points(s.current),
        "licensedUserCount": s.licensed_seats,
        "maxScore": points(s.max),
    })
}

/// `GET /v1.0/security/secureScores`
#[utoipa::path(
    get,
    path = "/v1.0/security/secureScores",
    tag = "Graph",
    responses((status = 200, description = "Daily scores, newest first", body = Collection<SecureScore>), super::ListRefusals),
)]
pub async fn list(
    State(state): State<ServerState>,
    Extension(cache): Extension<Arc<ScoreCache>>,
    TokenOn(caller, _): TokenOn<Read>,
    RawQuery(query): RawQuery,
) -> Response {
    super::respond(async {
        let options = super::odata::parse(query.as_deref(), &SCHEMA)?;
        let store = state.app.store.as_ref();
        let tenant = store.tenant(&caller.tenant_id).await.map_err(internal)?;
        let viewer = Viewer::of(store, &caller.user_id).await?;
        // Scripts mostly ask for the newest day or days: read only those unless the query
        // needs every day (a filter, an order or a count).
        let days = if options.is_plain() && !options.count {
            let wanted = options.skip.saturating_add(options.top.unwrap_or(PAGE_SIZE).min(PAGE_SIZE));
            newest_days(store, &tenant, wanted.saturating_add(1)).await?
        } else {
            newest_days(store, &tenant, usize::MAX).await?
        };
        let by_id: HashMap<String, &ScoreSnapshot> =
            days.iter().map(|s| (score_id(&s.tenant_id, s.day), s)).collect();
        let mut builder = None;
        let items = if options.filter.as_ref().is_some_and(super::odata::Filter::looks_into_collections) {
            // `controlScores/any(…)` needs each day whole; the page below reuses what is built.
            let mut whole = Vec::with_capacity(days.len());
            for snapshot in &days {
                let json = entity_json(&state, &cache, &tenant, &viewer, &mut builder, snapshot).await?;
                whole.push(serde_json::from_str(&json).map_err(internal)?);
            }
            whole
        } else {
            days.iter().map(scalars).collect()
        };
        let page = options.apply(items, PAGE_SIZE);
        let mut value = Vec::with_capacity(page.items.len());
        for item in &page.items {
            let Some(snapshot) = item.get("id").and_then(|v| v.as_str()).and_then(|id| by_id.get(id)) else {
                continue;
            };
            value.push(entity_json(&state, &cache, &tenant, &viewer, &mut builder, snapshot).await?);
        }
        let base = base_url(&state);
        let next_link =
            page.next_skip.map(|skip| options.next_link(&format!("{base}/v1.0/security/secureScores"), skip));
        if options.select.is_none() {
            return Ok(super::reply_page_raw(&base, CONTEXT, page.count, &value, next_link));
        }
        let value = value
            .iter()
            .map(|json| serde_json::from_str(json).map(|v| options.project(v)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal)?;
        Ok(reply_page(&base, CONTEXT, page.count, value, next_link))
    })
    .await
}

/// `GET /v1.0/security/secureScores/{id}`
#[utoipa::path(
    get,
    path = "/v1.0/security/secureScores/{id}",
    tag = "Graph",
    params(("id" = String, Path, description = "`<tenantId>_<yyyy-mm-dd>`")),
    responses((status = 200, description = "One day's score", body = SecureScore), super::EntityRefusals),
)]
pub async fn get(
    State(state): State<ServerState>,
    Extension(cache): Extension<Arc<ScoreCache>>,
    TokenOn(caller, _): TokenOn<Read>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let find = async {
        let not_found = || GraphError::not_found(format!("No secureScore with id '{id}'."));
        // Another tenant's id answers exactly like an unknown one.
        let day = id
            .strip_prefix(&format!("{}_", caller.tenant_id))
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(not_found)?;
        let store = state.app.store.as_ref();
        let tenant = store.tenant(&caller.tenant_id).await.map_err(internal)?;
        let snapshot =
            store.snapshots(&tenant.id, day, day).await.map_err(internal)?.pop().ok_or_else(not_found)?;
        let viewer = Viewer::of(store, &caller.user_id).await?;
        let json = entity_json(&state, &cache, &tenant, &viewer, &mut None, &snapshot).await?;
        serde_json::from_str(&json).map_err(internal)
    };
    super::one_entity(&state, query.as_deref(), &SCHEMA, CONTEXT, find).await
}

/// The tenant's newest `n` days (or all), newest first. Days may be missing (the server was
/// down before catch-up existed, or history was imported with gaps), so the window widens
/// until it holds `n` days or reaches back to before the tenant's first snapshot.
async fn newest_days(store: &dyn Store, tenant: &Tenant, n: usize) -> Result<Vec<ScoreSnapshot>, GraphError> {
    if n == usize::MAX {
        let mut all = store.snapshots(&tenant.id, NaiveDate::MIN, NaiveDate::MAX).await.map_err(internal)?;
        all.reverse();
        return Ok(all);
    }
    let Some(latest) = store.latest_snapshot(&tenant.id).await.map_err(internal)? else {
        return Ok(Vec::new());
    };
    // Far enough back for any real history (imports may predate the tenant's creation).
    const ALL_DAYS: i64 = 1_000_000;
    let created = tenant.created_at.date_naive();
    let mut span = i64::try_from(n).unwrap_or(ALL_DAYS).clamp(1, ALL_DAYS);
    let mut found = 0;
    loop {
        let from = latest.day - chrono::Duration::days(span);
        let mut days = store.snapshots(&tenant.id, from, latest.day).await.map_err(internal)?;
        let exhausted = from < created && days.len() == found;
        if days.len() >= n || exhausted || span >= ALL_DAYS {
            days.reverse();
            days.truncate(n);
            return Ok(days);
        }
        found = days.len();
        span = (span * 4).min(ALL_DAYS);
    }
}
