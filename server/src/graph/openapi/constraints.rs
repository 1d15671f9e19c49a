//! What the handlers check, stated in the OpenAPI document: the query options of each
//! collection from the schema its parser checks against, and the request bodies from the
//! bounds the checks use. Written as JSON Schema directly, since the rules (one of two body
//! shapes, a comment required with one state, one field per kind of action) are beyond what
//! the derive macros say.
//!
//! Two rules relate a value to something JSON Schema cannot see — a measurement's `count`
//! to its `total`, and `observedAt` to the server's clock — and are stated in words.

use crate::graph::odata::{patterns, Schema, MAX_FILTER_CHARS, MAX_SKIP};
use crate::ingest::{MAX_BATCH_ITEMS, MAX_CLOCK_SKEW_MINUTES};
use score::entity::{MAX_ENTITIES, MAX_ENTITY_TEXT};
use score::graph_state::graph_state;
use score::{EntityKind, ImprovementAction, Scoring, Status};
use serde_json::{json, Value};
use service::status_edit::{MAX_ASSIGNEE_CHARS, MAX_NOTE_CHARS};

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn select(schema: &Schema) -> Value {
    query(
        "$select",
        "Comma-separated properties to return, or `*`.",
        json!({"type": "string", "pattern": patterns::select_pattern(schema)}),
    )
}

/// The query options of a collection.
pub fn collection_options(schema: &Schema) -> Vec<Value> {
    vec![
        query(
            "$top",
            "How many items to return; longer results page with `@odata.nextLink`.",
            json!({"type": "integer", "minimum": 0, "maximum": schema.max_top}),
        ),
        query(
            "$skip",
            "How many matching items to skip.",
            json!({"type": "integer", "minimum": 0, "maximum": MAX_SKIP}),
        ),
        query(
            "$count",
            "`true` adds `@odata.count`, the number of matching items.",
            json!({"type": "boolean"}),
        ),
        select(schema),
        query(
            "$orderby",
            "Scalar properties, each optionally `asc` or `desc`, comma-separated.",
            json!({"type": "string", "pattern": patterns::order_by_pattern(schema)}),
        ),
        query(
            "$filter",
            "`eq ne gt ge lt le` with `and`, `or` and `not` over scalar properties; `startswith`, \
             `endswith` and `contains` on text; `any` over a collection property's items \
             (`controlScores/any(c: c/controlCategory eq 'Identity')`). The pattern states the \
             common forms; parentheses, `all` and literals beyond it are accepted too, up to 32 \
             levels deep (docs/graph-api.md).",
            json!({"type": "string", "maxLength": MAX_FILTER_CHARS, "pattern": patterns::filter_pattern(schema)}),
        ),
    ]
}

/// The query options of a single entity: `$select` alone.
pub fn entity_options(schema: &Schema) -> Vec<Value> {
    vec![select(schema)]
}

/// Characters the checks refuse in a comment (control characters but tab and line feed)
/// and in an assignee (every control character).
const COMMENT_REFUSED: &str = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f";
const ASSIGNEE_REFUSED: &str = "\\u0000-\\u001f\\u007f-\\u009f";

const STATES: [Status; 4] =
    [Status::ToAddress, Status::RiskAccepted, Status::ThirdParty, Status::AlternateMitigation];

/// A comment that says something: the note risk acceptance needs.
fn said() -> Value {
    json!({"type": "string", "pattern": format!("^[^{COMMENT_REFUSED}]*[^{COMMENT_REFUSED}\\s][^{COMMENT_REFUSED}]*$")})
}

/// `state`, `comment` and `assignedTo` as the checks bound them; `null` is the same as
/// leaving a field out (the Graph SDKs send unset fields as `null`).
fn state_fields() -> serde_json::Map<String, Value> {
    let mut states: Vec<Value> = STATES.iter().map(|s| graph_state(*s).into()).collect();
    states.push(Value::Null);
    let fields = json!({
        "@odata.type": {"type": ["string", "null"]},
        "state": {"enum": states, "description": "Graph's state, in any letter case."},
        "comment": {
            "type": ["string", "null"],
            "maxLength": MAX_NOTE_CHARS,
            "pattern": format!("^[^{COMMENT_REFUSED}]*$"),
            "description": "The note; line breaks and tabs are kept, other control characters refused.",
        },
        "assignedTo": {
            "type": ["string", "null"],
            "maxLength": MAX_ASSIGNEE_CHARS,
            "pattern": format!("^[^{ASSIGNEE_REFUSED}]*$"),
        },
    });
    match fields {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// The object holds at least one of `fields`, not as `null` nor as an empty list.
fn names_one_of(fields: &[&str]) -> Value {
    let given = json!({"not": {"type": "null"}, "minItems": 1});
    let each: Vec<Value> =
        fields.iter().map(|f| json!({"required": [f], "properties": {*f: given.clone()}})).collect();
    json!({"anyOf": each})
}

/// Risk acceptance (`Ignored`) needs a comment saying why, in the same object.
fn ignored_says_why() -> Value {
    let ignored = graph_state(Status::RiskAccepted);
    json!({"anyOf": [
        {"not": {"required": ["state"], "properties": {"state": {"const": ignored}}}},
        {"required": ["comment"], "properties": {"comment": said()}},
    ]})
}

/// `PATCH secureScoreControlProfiles/{id}`: Graph's documented fields, or the form the Graph
/// SDKs build (`controlStateUpdates`, whose last entry applies; a field given at the top
/// level as well wins over it).
pub fn control_profile_update() -> Value {
    let ignored = graph_state(Status::RiskAccepted);
    let mut entry_fields = state_fields();
    entry_fields.insert("updatedBy".into(), json!({"type": ["string", "null"], "description": "Accepted, not kept: the change is the token's user's."}));
    entry_fields.insert("updatedDateTime".into(), json!({"type": ["string", "null"], "description": "Accepted, not kept: the change is dated when received."}));
    let entry = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": entry_fields,
        "allOf": [names_one_of(&["state", "comment", "assignedTo"]), ignored_says_why()],
    });
    let mut fields = state_fields();
    fields.insert("vendorInformation".into(), json!({"type": ["object", "null"], "description": "Accepted for compatibility; Rampart keeps its own."}));
    fields.insert(
        "controlStateUpdates".into(),
        json!({"type": ["array", "null"], "items": entry, "description": "The last entry applies."}),
    );
    let entry_ignored =
        json!({"contains": {"required": ["state"], "properties": {"state": {"const": ignored}}}});
    json!({
        "description": "The state, comment and assignee to set. Fields left out keep their value. \
            Unknown fields are refused.",
        "type": "object",
        "additionalProperties": false,
        "properties": fields,
        "allOf": [
            names_one_of(&["state", "comment", "assignedTo", "controlStateUpdates"]),
            ignored_says_why(),
            // A comment at the top level replaces the entry's, so it must say why as well.
            {"anyOf": [
                {"not": {"required": ["controlStateUpdates"], "properties": {"controlStateUpdates": entry_ignored}}},
                {"not": {"required": ["comment"]}},
                {"properties": {"comment": said()}},
            ]},
        ],
    })
}

/// `POST /api/v1/measurements`: each item names a built-in action (or one of the tenant's
/// custom actions) and sends what that action counts.
pub fn measurement_batch(catalog: &[ImprovementAction]) -> Value {
    let ids = |binary: bool| -> Vec<&str> {
        let mut ids: Vec<&str> = catalog
            .iter()
            .filter(|a| matches!(a.scoring, Scoring::Binary) == binary)
            .map(|a| a.id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    };
    let observed_at = json!({
        "type": "string",
        "format": "date-time",
        "description": format!("When it was measured: RFC 3339, not before the year 2000 and at most \
            {MAX_CLOCK_SKEW_MINUTES} minutes ahead of the server's clock."),
    });
    let action_id = |binary: bool| {
        json!({
            "type": "string",
            "enum": ids(binary),
            "description": "A built-in action of this kind, or the id of one of the tenant's custom actions.",
        })
    };
    let units = json!({"type": "integer", "minimum": 0, "maximum": u32::MAX});
    let text = json!({"type": "string", "minLength": 1, "maxLength": MAX_ENTITY_TEXT, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]+$"});
    let kinds: Vec<&str> = EntityKind::ALL.iter().map(|k| k.key()).collect();
    let entities = json!({
        "type": "array",
        "maxItems": MAX_ENTITIES,
        "description": "Every user, device or resource measured, each passing or not: an entity named \
            before and left out now is no longer affected. Each kind and id at most once.",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["id", "kind", "passes"],
            "properties": {
                "id": text,
                "displayName": text,
                "kind": {"type": "string", "enum": kinds},
                "passes": {"type": "boolean"},
            },
        },
    });
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["measurements"],
        "properties": {"measurements": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_BATCH_ITEMS,
            "items": {"oneOf": [
                {
                    "title": "Yes/no action",
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["actionId", "implemented", "observedAt"],
                    "properties": {"actionId": action_id(true), "implemented": {"type": "boolean"}, "observedAt": observed_at, "entities": entities},
                },
                {
                    "title": "Counted action",
                    "description": "`count` of `total` users, devices or mailboxes; `count` is at most `total`, \
                        and a `total` of 0 says there is nothing to protect.",
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["actionId", "count", "total", "observedAt"],
                    "properties": {"actionId": action_id(false), "count": units, "total": units, "observedAt": observed_at, "entities": entities},
                },
            ]},
        }},
    })
}
