//! `secureScoreControlProfiles`: every improvement action with this tenant's state of it,
//! and `PATCH` to change that state the way the Actions page does.

use super::entities::{
    graph_time, points, Collection, ControlProfileUpdate, SecureScoreControlProfile,
    SecureScoreControlStateUpdate, VendorInformation,
};
use super::error::GraphError;
use super::odata::{FieldType, Items, Schema};
use super::{base_url, internal, reply_entity, reply_page, TokenOn};
use crate::http::ServerState;
use crate::web_access::{Read, Write};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use score::graph_state::{graph_state, status_of_graph_state};
use score::{ImprovementAction, Status};
use service::live::{live_score, LiveScore};
use service::status_change::{change_status, ChangeError, WhenCompleted};
use service::status_edit::{Refusal, StatusEdit};
use std::collections::HashMap;
use store::StatusChange;

/// Actions per page: the whole catalog usually fits in one.
pub const PAGE_SIZE: usize = 200;

pub const SCHEMA: Schema = Schema {
    entity: "microsoft.graph.secureScoreControlProfile",
    scalar: &[
        ("id", FieldType::String),
        ("actionType", FieldType::String),
        ("actionUrl", FieldType::String),
        ("azureTenantId", FieldType::String),
        ("controlCategory", FieldType::String),
        ("deprecated", FieldType::Bool),
        ("implementationCost", FieldType::String),
        ("lastModifiedDateTime", FieldType::DateTime),
        ("maxScore", FieldType::Number),
        ("rank", FieldType::Number),
        ("remediation", FieldType::String),
        ("remediationImpact", FieldType::String),
        ("service", FieldType::String),
        ("tier", FieldType::String),
        ("title", FieldType::String),
        ("userImpact", FieldType::String),
    ],
    collections: &[
        (
            "controlStateUpdates",
            Items::Entities {
                entity: "microsoft.graph.secureScoreControlStateUpdate",
                scalar: &[
                    ("assignedTo", FieldType::String),
                    ("comment", FieldType::String),
                    ("state", FieldType::String),
                    ("updatedBy", FieldType::String),
                    ("updatedDateTime", FieldType::DateTime),
                ],
            },
        ),
        ("threats", Items::Values(FieldType::String)),
    ],
    selectable: &[
        "id",
        "actionType",
        "actionUrl",
        "azureTenantId",
        "complianceInformation",
        "controlCategory",
        "controlStateUpdates",
        "deprecated",
        "implementationCost",
        "lastModifiedDateTime",
        "maxScore",
        "rank",
        "remediation",
        "remediationImpact",
        "service",
        "threats",
        "tier",
        "title",
        "userImpact",
        "vendorInformation",
    ],
    max_top: 1_000,
};

const CONTEXT: &str = "$metadata#security/secureScoreControlProfiles";

fn tier_name(tier: score::Tier) -> &'static str {
    match tier {
        score::Tier::Core => "Core",
        score::Tier::DefenseInDepth => "DefenseInDepth",
        score::Tier::Advanced => "Advanced",
    }
}

/// Every profile of the tenant in rank order (unranked ones, such as deprecated actions,
/// after the ranked ones).
async fn profiles(
    state: &ServerState,
    tenant_id: &str,
) -> Result<Vec<SecureScoreControlProfile>, GraphError> {
    let store = state.app.store.as_ref();
    let live = live_score(store, &state.app.catalog, tenant_id).await.map_err(internal)?;
    let mut updates: HashMap<String, Vec<SecureScoreControlStateUpdate>> = HashMap::new();
    for c in store.tenant_status_history(tenant_id).await.map_err(internal)? {
        updates.entry(c.action_id.clone()).or_default().push(state_update(&c));
    }
    let mut ranks: HashMap<&str, u32> = live.ranking.iter().map(|r| (r.id.as_str(), r.rank)).collect();
    let mut next = u32::try_from(live.ranking.len()).unwrap_or(u32::MAX);
    for a in &live.actions {
        ranks.entry(a.id.as_str()).or_insert_with(|| {
            next = next.saturating_add(1);
            next
        });
    }
    let mut out: Vec<SecureScoreControlProfile> = live
        .actions
        .iter()
        .map(|a| profile(&live, a, ranks.get(a.id.as_str()).copied().unwrap_or(0), &mut updates))
        .collect();
    out.sort_by_key(|p| p.rank);
    Ok(out)
}

fn state_update(c: &StatusChange) -> SecureScoreControlStateUpdate {
    SecureScoreControlStateUpdate {
        assigned_to: c.assignee.clone(),
        comment: c.note.clone(),
        state: graph_state(c.status).into(),
        updated_by: c.changed_by.clone(),
        updated_date_time: graph_time(c.changed_at),
    }
}

fn profile(
    live: &LiveScore,
    a: &ImprovementAction,
    rank: u32,
    updates: &mut HashMap<String, Vec<SecureScoreControlStateUpdate>>,
) -> SecureScoreControlProfile {
    let record = live.records.get(&a.id);
    SecureScoreControlProfile {
        id: a.id.clone(),
        action_type: "Config".into(),
        action_url: a.manage_url.clone(),
        azure_tenant_id: live.tenant.id.clone(),
        compliance_information: Vec::new(),
        control_category: a.category.as_str().into(),
        control_state_updates: updates.remove(&a.id).unwrap_or_default(),
        deprecated: a.deprecated,
        implementation_cost: a.implementation_cost.as_str().into(),
        last_modified_date_time: record.and_then(|r| r.updated_at).map(graph_time),
        max_score: points(a.max()),
        rank,
        remediation: a.remediation.clone(),
        remediation_impact: format!("{} user impact", a.user_impact.as_str()),
        service: a.product.clone(),
        threats: a.threats.clone(),
        tier: tier_name(a.tier).into(),
        title: a.title.clone(),
        user_impact: a.user_impact.as_str().into(),
        vendor_information: VendorInformation::rampart(Some(env!("CARGO_PKG_VERSION").into())),
    }
}

/// `GET /v1.0/security/secureScoreControlProfiles`
#[utoipa::path(
    get,
    path = "/v1.0/security/secureScoreControlProfiles",
    tag = "Graph",
    responses(
        (status = 200, description = "Improvement actions in rank order", body = Collection<SecureScoreControlProfile>),
        super::ListRefusals,
    ),
)]
pub async fn list(
    State(state): State<ServerState>,
    TokenOn(caller, _): TokenOn<Read>,
    RawQuery(query): RawQuery,
) -> Response {
    super::respond(async {
        let options = super::odata::parse(query.as_deref(), &SCHEMA)?;
        let all = profiles(&state, &caller.tenant_id).await?;
        let values = all.into_iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>();
        let page = options.apply(values.map_err(internal)?, PAGE_SIZE);
        let value = page.items.into_iter().map(|v| options.project(v)).collect();
        let base = base_url(&state);
        let next_link = page
            .next_skip
            .map(|skip| options.next_link(&format!("{base}/v1.0/security/secureScoreControlProfiles"), skip));
        Ok(reply_page(&base, CONTEXT, page.count, value, next_link))
    })
    .await
}

/// The path of one improvement action, for the OpenAPI document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct ActionId {
    /// The improvement action's id
    id: String,
}

/// `GET /v1.0/security/secureScoreControlProfiles/{id}`
#[utoipa::path(
    get,
    path = "/v1.0/security/secureScoreControlProfiles/{id}",
    tag = "Graph",
    params(ActionId),
    responses((status = 200, description = "One improvement action", body = SecureScoreControlProfile), super::EntityRefusals),
)]
pub async fn get(
    State(state): State<ServerState>,
    TokenOn(caller, _): TokenOn<Read>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let find = async { serde_json::to_value(one(&state, &caller.tenant_id, &id).await?).map_err(internal) };
    super::one_entity(&state, query.as_deref(), &SCHEMA, CONTEXT, find).await
}

async fn one(
    state: &ServerState,
    tenant_id: &str,
    id: &str,
) -> Result<SecureScoreControlProfile, GraphError> {
    profiles(state, tenant_id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| GraphError::not_found(format!("No secureScoreControlProfile with id '{id}'.")))
}

/// `PATCH /v1.0/security/secureScoreControlProfiles/{id}`
#[utoipa::path(
    patch,
    path = "/v1.0/security/secureScoreControlProfiles/{id}",
    tag = "Graph",
    params(ActionId, ("Prefer" = Option<String>, Header, description = "`return=representation` to get the updated entity")),
    request_body = ControlProfileUpdate,
    responses(
        (status = 204, description = "Updated"),
        (status = 200, description = "Updated, with `Prefer: return=representation`", body = SecureScoreControlProfile),
        (status = 400, description = "Malformed body, unknown field or invalid value", body = super::GraphErrorBody),
        (status = 403, description = "The token's scope or user's role does not allow changes", body = super::GraphErrorBody),
        (status = 404, description = "No such action", body = super::GraphErrorBody),
        (status = 409, description = "The action is Ignored (risk accepted) and the update would leave it without a comment", body = super::GraphErrorBody),
    ),
)]
pub async fn patch(
    State(state): State<ServerState>,
    TokenOn(caller, _): TokenOn<Write>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    super::respond(async {
        let update: ControlProfileUpdate = serde_json::from_slice(&body)
            .map_err(|e| GraphError::bad_request(format!("The request body is not a valid update: {e}.")))?;
        let update = update.merged();
        if update.state.is_none() && update.comment.is_none() && update.assigned_to.is_none() {
            return Err(GraphError::bad_request(
                "The request changes nothing: give at least one of state, comment or assignedTo.",
            ));
        }
        let status = match &update.state {
            Some(s) => Some(status_of_graph_state(s).ok_or_else(|| {
                GraphError::bad_request(format!(
                    "state: '{s}' is not one of Default, Ignored, ThirdParty or Reviewed."
                ))
            })?),
            None => None,
        };
        let store = state.app.store.as_ref();
        // Recorded under the token's user, like a change made in the app.
        let who = store.user(&caller.user_id).await.map_err(internal)?.email;
        // Graph takes a state on any control: on one Completed by its measurement it is
        // recorded underneath, and takes effect if the control stops being complete.
        let completed = WhenCompleted::Record;
        let change = change_status(store, &state.app.catalog, &caller.tenant_id, &id, &who, completed, |current| {
            Ok(apply(current, status, &update))
        })
        .await
        .map_err(|e| match e {
            ChangeError::NoSuchAction => {
                GraphError::not_found(format!("No secureScoreControlProfile with id '{id}'."))
            }
            // The request is fine on its own but not with the action as it stands: a risk
            // acceptance already recorded keeps needing its reason.
            ChangeError::Refused(r) if r.code == "note_required" && update.state.is_none() => GraphError::new(
                StatusCode::CONFLICT,
                "Conflict",
                "comment: this action is Ignored (risk accepted), which needs a comment saying why; \
                 give one, or change the state as well.",
            ),
            ChangeError::Refused(r) => GraphError::bad_request(graph_wording(r)),
            ChangeError::Store(e) => internal(e),
        })?;
        tracing::info!(tenant = %caller.tenant_id, action = %id, status = %change.status, token = %caller.token_id, "status set through the API");
        let wants_entity = headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("return=representation")));
        if !wants_entity {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        let value = serde_json::to_value(one(&state, &caller.tenant_id, &id).await?).map_err(internal)?;
        let mut resp = reply_entity(&base_url(&state), &format!("{CONTEXT}/$entity"), value);
        resp.headers_mut().insert("preference-applied", header::HeaderValue::from_static("return=representation"));
        Ok(resp)
    })
    .await
}

/// What a PATCH asks for: the fields it names replace the current ones, the others stay.
/// Unlike the page's form, Graph lets any state carry an assignee.
fn apply(current: StatusEdit, status: Option<Status>, update: &ControlProfileUpdate) -> StatusEdit {
    StatusEdit {
        status: status.unwrap_or(current.status),
        note: update.comment.clone().unwrap_or(current.note),
        assignee: update.assigned_to.clone().or(current.assignee),
        ..current
    }
}

/// A refusal in Graph's own words: its fields are `state`, `comment` and `assignedTo`.
fn graph_wording(r: Refusal) -> &'static str {
    match r.code {
        "locked" => "state: this action is Completed (derived from its measurement), so its state is locked.",
        "note" => "comment: at most 4,000 characters, without control characters.",
        "note_required" => "comment: setting state to Ignored needs a comment saying why.",
        "assignee" => "assignedTo: at most 200 characters, without control characters.",
        _ => r.message,
    }
}
