//! The API's routes and its OpenAPI document, built together: a handler is only reachable
//! when it is registered here, and registering it is what puts it in the document, so the
//! two cannot drift apart.

mod constraints;

use super::odata::Schema;
use super::{control_profiles, secure_scores};
use crate::http::ServerState;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rampart API",
        description = "Graph-compatible Secure Score endpoints, measurement ingest and the document itself. \
            Authenticate with `Authorization: Bearer <token>`, a token made in Settings."
    ),
    modifiers(&BearerToken),
    tags(
        (name = "Graph", description = "Microsoft Graph-compatible Secure Score endpoints"),
        (name = "Ingest", description = "Measurements from sync agents and scanners")
    )
)]
struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("rmp_…").build(),
            ),
        );
    }
}

/// Every operation takes a bearer token and answers 401 without a good one: said once here
/// rather than on each handler.
struct TokenRequired;

impl utoipa::Modify for TokenRequired {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{security::SecurityRequirement, ContentBuilder, Ref, ResponseBuilder};
        let refused = ResponseBuilder::new()
            .description("Missing or invalid token")
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("GraphErrorBody"))).build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post, &mut item.patch, &mut item.put, &mut item.delete]
                .into_iter()
                .flatten()
            {
                operation.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
                operation.responses.responses.insert("401".to_owned(), refused.clone().into());
            }
        }
    }
}

/// The API's router and its document (ingest names the catalog's actions).
pub fn api(catalog: &[score::ImprovementAction]) -> (Router<ServerState>, serde_json::Value) {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let (router, mut doc) = OpenApiRouter::with_openapi(doc)
        .routes(routes!(secure_scores::list))
        .routes(routes!(secure_scores::get))
        .routes(routes!(control_profiles::list))
        .routes(routes!(control_profiles::get, control_profiles::patch))
        .routes(routes!(crate::ingest::ingest))
        .routes(routes!(crate::import::scan_http::post_scan))
        .split_for_parts();
    // After the routes: they are what put the operations in the document.
    utoipa::Modify::modify(&TokenRequired, &mut doc);
    let doc = constrained(doc, catalog);
    // Scripts written for Graph's beta endpoint call the same collections under /beta:
    // they answer alike (their links lead on under /v1.0, which answers the same).
    use axum::routing::get;
    let router = router
        .route("/beta/security/secureScores", get(secure_scores::list))
        .route("/beta/security/secureScores/{id}", get(secure_scores::get))
        .route("/beta/security/secureScoreControlProfiles", get(control_profiles::list))
        .route(
            "/beta/security/secureScoreControlProfiles/{id}",
            get(control_profiles::get).patch(control_profiles::patch),
        );
    (router, doc)
}

/// The collections and entities whose query options the document states, with the schema
/// their parser checks against.
const QUERIES: [(&str, &Schema, bool); 4] = [
    ("/v1.0/security/secureScores", &secure_scores::SCHEMA, true),
    ("/v1.0/security/secureScores/{id}", &secure_scores::SCHEMA, false),
    ("/v1.0/security/secureScoreControlProfiles", &control_profiles::SCHEMA, true),
    ("/v1.0/security/secureScoreControlProfiles/{id}", &control_profiles::SCHEMA, false),
];

/// The document with every constraint the handlers check: the query options each `GET`
/// takes (after its path parameters), and the request bodies.
fn constrained(doc: utoipa::openapi::OpenApi, catalog: &[score::ImprovementAction]) -> serde_json::Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    for (path, schema, collection) in QUERIES {
        let Some(get) = doc.pointer_mut(&format!("/paths/{}/get", path.replace('/', "~1"))) else {
            continue;
        };
        let options = if collection {
            constraints::collection_options(schema)
        } else {
            constraints::entity_options(schema)
        };
        let mut parameters: Vec<serde_json::Value> = get
            .get("parameters")
            .and_then(|p| p.as_array())
            .map(|p| p.iter().filter(|p| p["in"] != "query").cloned().collect())
            .unwrap_or_default();
        parameters.extend(options);
        get["parameters"] = parameters.into();
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        schemas.insert("ControlProfileUpdate".into(), constraints::control_profile_update());
        schemas.insert("MeasurementBatch".into(), constraints::measurement_batch(catalog));
        schemas.remove("MeasurementItem");
        schemas.remove("ControlStateUpdateBody");
        // `$select` may leave out any property but `id`; a page's items are the entity itself.
        for entity in ["SecureScore", "SecureScoreControlProfile"] {
            if let Some(schema) = schemas.get_mut(entity) {
                schema["required"] = serde_json::json!(["id"]);
            }
            if let Some(items) = schemas
                .get_mut(&format!("Collection_{entity}"))
                .and_then(|c| c.pointer_mut("/properties/value/items"))
            {
                *items = serde_json::json!({"$ref": format!("#/components/schemas/{entity}")});
            }
        }
    }
    doc
}
