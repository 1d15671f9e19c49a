//! `POST /api/v1/measurements`: sync agents and scanners send a tenant's measurements in
//! batches with a bearer token. A batch is checked whole and stored all-or-nothing; every
//! bad item is named in the answer, so a client can fix them all in one go.

use crate::graph::error::{ErrorDetail, GraphError};
use crate::graph::{internal, Caller, TokenOn};
use crate::http::ServerState;
use crate::web_access::Write;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use score::entity::{text_problem, MAX_ENTITIES};
use score::{Entity, EntityKind, ImprovementAction, Measurement, Scoring};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::MeasurementInput;

pub const INGEST_PATH: &str = "/api/v1/measurements";
/// Largest batch body: a measurement may name 10,000 entities (about 1–2 MiB of JSON).
pub const INGEST_LIMIT_BYTES: usize = 8 * 1024 * 1024;
/// Most items in one batch; a daily sync of every action of a tenant is a few hundred.
pub const MAX_BATCH_ITEMS: usize = 5_000;
/// How far ahead of the server's clock `observedAt` may be (clock skew of the sender).
pub const MAX_CLOCK_SKEW_MINUTES: i64 = 5;
/// Counts are of users, devices or mailboxes; more than this is a sender's bug.
const MAX_UNITS: i64 = u32::MAX as i64;

/// The request body. Items are read one by one so that each bad one gets its own detail.
/// The OpenAPI document's `MeasurementBatch` is written in `graph::openapi::constraints`
/// (one shape per kind of action); the derive only names it for the route.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MeasurementBatch)]
struct Batch {
    /// At most 5,000 items.
    #[schema(value_type = Vec<Item>)]
    measurements: Vec<serde_json::Value>,
}

/// One measurement: `implemented` for a yes/no action, or `count` of `total` units.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = MeasurementItem)]
struct Item {
    action_id: String,
    #[serde(default)]
    implemented: Option<bool>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(value_type = Option<u32>)]
    count: Option<i64>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(value_type = Option<u32>)]
    total: Option<i64>,
    /// RFC 3339; at most 5 minutes ahead of the server's clock.
    observed_at: String,
    /// The users, devices or resources measured, each passing or failing; all of them (an
    /// entity named before and left out now is no longer affected). At most 10,000.
    #[serde(default)]
    entities: Option<Vec<EntityItem>>,
}

/// One entity of a measurement.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = MeasurementEntity)]
struct EntityItem {
    /// Stable within its kind: an object id, a user principal name, a resource id.
    id: String,
    /// Shown in the flyout; the id when left out.
    #[serde(default)]
    display_name: Option<String>,
    /// user, group, device, mailbox, app, site, policy, subscription or resource.
    kind: String,
    passes: bool,
}

/// A count as JSON has it: `5`, or `5.0` as senders that keep every number as a double
/// write it (JSON Schema's `integer` is any number without a fraction). Beyond ±2^53 a
/// double no longer holds every whole number, so such a value is refused rather than guessed.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    let whole =
        n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT).map(|f| f as i64));
    whole.map(Some).ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}

#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct IngestReply {
    /// Items stored (all of the batch).
    pub accepted: usize,
    /// Actions whose value in effect on their day changed; a re-sent batch changes none.
    pub changed: u64,
}

/// `POST /api/v1/measurements`
#[utoipa::path(
    post,
    path = "/api/v1/measurements",
    tag = "Ingest",
    request_body = Batch,
    responses(
        (status = 200, description = "Every item stored", body = IngestReply),
        (status = 400, description = "Nothing stored; `details` names every bad item", body = crate::graph::GraphErrorBody),
        (status = 403, description = "The token's scope or user's role does not allow changes", body = crate::graph::GraphErrorBody),
        (status = 413, description = "The body is over 8 MiB", body = crate::graph::GraphErrorBody),
    ),
)]
pub async fn ingest(
    State(state): State<ServerState>,
    TokenOn(grant, _): TokenOn<Write>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept(&state, &grant, body).await {
        Ok(reply) => axum::Json(reply).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn accept(
    state: &ServerState,
    grant: &Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<IngestReply, GraphError> {
    let store = state.app.store.as_ref();
    let now = Utc::now();
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            payload_too_large()
        } else {
            GraphError::bad_request(format!("The request body could not be read: {r}"))
        }
    })?;
    let measurements = decode_batch(&body)?;
    let mut actions: HashMap<String, ImprovementAction> =
        state.app.catalog.iter().map(|a| (a.id.clone(), a.clone())).collect();
    let custom = store.custom_actions(&grant.tenant_id).await.map_err(internal)?;
    actions.extend(custom.into_iter().map(|a| (a.id.clone(), a)));
    let inputs = check_batch(measurements, &actions, now)?;
    let user = store.user(&grant.user_id).await.map_err(internal)?;
    let changed = store
        .record_measurements(&grant.tenant_id, &inputs, &user.email, score::MeasurementSource::Ingest)
        .await
        .map_err(|e| match e {
            // Another request removed an action between the check and the write.
            store::StoreError::Invalid(m) => GraphError::bad_request(m),
            e => internal(e),
        })?;
    tracing::info!(tenant = %grant.tenant_id, token = %grant.token_id, items = inputs.len(), changed, "measurements ingested");
    Ok(IngestReply { accepted: inputs.len(), changed })
}

/// Reads a request body as a batch and checks its size. Neither this nor [`check_batch`]
/// needs the store or a token, so everything a body reaches before storage can be run on
/// its own (the fuzz targets in `fuzz/` do).
pub fn decode_batch(body: &[u8]) -> Result<Vec<serde_json::Value>, GraphError> {
    let batch: Batch = serde_json::from_slice(body).map_err(|e| {
        GraphError::bad_request(format!(
            "The body is not a valid measurement batch: {e}. Send {{\"measurements\": [...]}}."
        ))
    })?;
    if batch.measurements.is_empty() {
        return Err(GraphError::bad_request("The batch is empty: send at least one measurement."));
    }
    if batch.measurements.len() > MAX_BATCH_ITEMS {
        return Err(GraphError::bad_request(format!(
            "The batch has {} measurements; send at most {MAX_BATCH_ITEMS} per request.",
            batch.measurements.len()
        )));
    }
    Ok(batch.measurements)
}

/// Checks every item of a decoded batch against the actions the tenant has, and turns them
/// into what the store takes; one error naming every bad item otherwise.
pub fn check_batch(
    measurements: Vec<serde_json::Value>,
    actions: &HashMap<String, ImprovementAction>,
    now: DateTime<Utc>,
) -> Result<Vec<MeasurementInput>, GraphError> {
    let mut inputs = Vec::with_capacity(measurements.len());
    let mut details = Vec::new();
    for (i, value) in measurements.into_iter().enumerate() {
        match check_item(i, value, actions, now) {
            Ok(input) => inputs.push(input),
            Err(mut problems) => details.append(&mut problems),
        }
    }
    if !details.is_empty() {
        let bad = details.iter().map(|d| item_index(&d.target)).collect::<std::collections::BTreeSet<_>>();
        return Err(GraphError::bad_request(format!(
            "{} of {} measurements are invalid; nothing was stored.",
            bad.len(),
            inputs.len() + bad.len()
        ))
        .with_details(details));
    }
    Ok(inputs)
}

/// The index of `measurements[3].count`, for counting bad items.
fn item_index(target: &str) -> usize {
    target
        .strip_prefix("measurements[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// The global body limit answers 413 in plain text before any handler runs when the
/// declared length is too large; API clients expect Graph-style JSON, so it is rewritten
/// for the API paths. Sits outside the limit layer.
pub async fn graph_style_too_large(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_owned();
    let api = crate::http::is_token_only(&path);
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if api && resp.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return too_large_for(&path).into_response();
    }
    resp
}

/// The 413 of an API path, naming its own limit.
fn too_large_for(path: &str) -> GraphError {
    if path == INGEST_PATH {
        return payload_too_large();
    }
    let limit = if crate::import::upload::is_upload_path(path) {
        crate::import::upload::UPLOAD_LIMIT_BYTES
    } else {
        crate::http::BODY_LIMIT_BYTES
    };
    GraphError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        format!("The request body is larger than {} MiB.", limit / (1024 * 1024)),
    )
}

pub fn payload_too_large() -> GraphError {
    GraphError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        format!(
            "The request body is larger than {} MiB; send the measurements in smaller batches.",
            INGEST_LIMIT_BYTES / (1024 * 1024)
        ),
    )
}

fn detail(i: usize, field: Option<&str>, code: &str, message: impl Into<String>) -> ErrorDetail {
    let target = match field {
        Some(f) => format!("measurements[{i}].{f}"),
        None => format!("measurements[{i}]"),
    };
    ErrorDetail { code: code.to_owned(), target, message: message.into() }
}

/// Checks an item's entities, noting every problem, each named by its place in the batch.
fn check_entities(i: usize, items: Vec<EntityItem>, problems: &mut Vec<ErrorDetail>) -> Vec<Entity> {
    if items.len() > MAX_ENTITIES {
        problems.push(detail(
            i,
            Some("entities"),
            "InvalidValue",
            format!("{} entities; send at most {MAX_ENTITIES} per measurement", items.len()),
        ));
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    let mut entities = Vec::with_capacity(items.len());
    for (j, e) in items.into_iter().enumerate() {
        let field = |f: &str| format!("entities[{j}].{f}");
        // A name left out is the id, checked once as the id.
        let named = e.display_name.is_some();
        let display_name = e.display_name.unwrap_or_else(|| e.id.clone());
        let mut fine = true;
        let texts = [("id", &e.id), ("displayName", &display_name)];
        for (name, text) in texts.into_iter().take(if named { 2 } else { 1 }) {
            if let Some(problem) = text_problem(text) {
                problems.push(detail(i, Some(&field(name)), "InvalidValue", format!("{text:?} {problem}")));
                fine = false;
            }
        }
        let Some(kind) = EntityKind::from_key(&e.kind) else {
            let kinds: Vec<&str> = EntityKind::ALL.iter().map(|k| k.key()).collect();
            let message = format!("`{}` is not a kind of entity; use one of {}", e.kind, kinds.join(", "));
            problems.push(detail(i, Some(&field("kind")), "InvalidValue", message));
            continue;
        };
        if fine && !seen.insert((kind, e.id.clone())) {
            let message = format!("the {kind} `{}` is listed twice", e.id);
            problems.push(detail(i, Some(&field("id")), "InvalidValue", message));
        }
        entities.push(Entity { id: e.id, display_name, kind, passes: e.passes });
    }
    entities
}

/// Checks one item and turns it into what the store takes, or lists all its problems.
fn check_item(
    i: usize,
    value: serde_json::Value,
    actions: &HashMap<String, ImprovementAction>,
    now: DateTime<Utc>,
) -> Result<MeasurementInput, Vec<ErrorDetail>> {
    let item: Item =
        serde_json::from_value(value).map_err(|e| vec![detail(i, None, "InvalidItem", e.to_string())])?;
    let mut problems = Vec::new();
    let action = actions.get(&item.action_id);
    if action.is_none() {
        problems.push(detail(
            i,
            Some("actionId"),
            "UnknownAction",
            format!(
                "`{}` is neither a built-in improvement action nor one of this tenant's custom actions",
                item.action_id
            ),
        ));
    }
    let observed_at = match check_observed_at(&item.observed_at, now) {
        Ok(at) => Some(at),
        Err(message) => {
            problems.push(detail(i, Some("observedAt"), "InvalidValue", message));
            None
        }
    };
    let binary = action.is_some_and(|a| matches!(a.scoring, Scoring::Binary));
    let units = match (item.implemented, item.count, item.total) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            problems.push(detail(
                i,
                Some("implemented"),
                "InvalidValue",
                "send either `implemented` or `count` and `total`, not both",
            ));
            None
        }
        (Some(implemented), None, None) => {
            if action.is_some() && !binary {
                let unit = action.and_then(|a| a.unit()).unwrap_or("units");
                problems.push(detail(
                    i,
                    Some("implemented"),
                    "InvalidValue",
                    format!("this action counts {unit}: send `count` and `total` instead of `implemented`"),
                ));
            }
            Some((u32::from(implemented), 1))
        }
        (None, Some(count), Some(total)) => check_units(i, count, total, binary, &mut problems),
        (None, None, Some(_)) => {
            problems.push(detail(i, Some("count"), "MissingValue", "`count` is required with `total`"));
            None
        }
        (None, Some(_), None) => {
            problems.push(detail(i, Some("total"), "MissingValue", "`total` is required with `count`"));
            None
        }
        (None, None, None) => {
            problems.push(detail(i, None, "MissingValue", "send `implemented`, or `count` and `total`"));
            None
        }
    };
    let entities = item.entities.map(|e| check_entities(i, e, &mut problems));
    match (problems.is_empty(), units, observed_at) {
        (true, Some((count, total)), Some(observed_at)) => Ok(MeasurementInput {
            action_id: item.action_id,
            measurement: Measurement::partial(count, total, observed_at),
            entities,
        }),
        _ => Err(problems),
    }
}

/// `0 ≤ count ≤ total`. `total = 0` (with `count = 0`) says there is nothing to protect, so
/// the action is not applicable (SPEC §2). A yes/no action counts one unit at most.
fn check_units(
    i: usize,
    count: i64,
    total: i64,
    binary: bool,
    problems: &mut Vec<ErrorDetail>,
) -> Option<(u32, u32)> {
    let before = problems.len();
    if count < 0 {
        problems.push(detail(i, Some("count"), "InvalidValue", format!("count {count} is negative")));
    }
    if total < 0 {
        problems.push(detail(i, Some("total"), "InvalidValue", format!("total {total} is negative")));
    }
    if total > MAX_UNITS {
        problems.push(detail(i, Some("total"), "InvalidValue", format!("total {total} is too large")));
    }
    if count > total && count >= 0 && total >= 0 {
        problems.push(detail(
            i,
            Some("count"),
            "InvalidValue",
            format!("count {count} is more than total {total}"),
        ));
    }
    if binary && total > 1 {
        problems.push(detail(
            i,
            Some("total"),
            "InvalidValue",
            format!("this is a yes/no action: send `implemented`, or a total of 1 (or 0), not {total}"),
        ));
    }
    if problems.len() > before {
        return None;
    }
    Some((u32::try_from(count).ok()?, u32::try_from(total).ok()?))
}

/// RFC 3339 with an offset, not in the future beyond clock skew, not before 2000.
fn check_observed_at(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(s)
        .map_err(|_| format!("`{s}` is not an RFC 3339 time such as 2026-11-26T08:00:00Z"))?
        .with_timezone(&Utc);
    if at > now + Duration::minutes(MAX_CLOCK_SKEW_MINUTES) {
        return Err(format!(
            "`{s}` is in the future (more than {MAX_CLOCK_SKEW_MINUTES} minutes ahead of the server's clock)"
        ));
    }
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    if earliest.is_some_and(|e| at < e) {
        return Err(format!("`{s}` is before the year 2000"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests;
