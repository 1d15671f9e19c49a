//! Graph-style error bodies: `{"error":{"code","message","details"?}}`, so clients written
//! for Graph report Rampart's refusals the way they report Graph's.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem among several (a batch item, a field), as Graph's `details` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    /// Where the problem is, e.g. `measurements[3].count`.
    pub target: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GraphError {
        GraphError { status, code, message: message.into(), details: Vec::new() }
    }

    pub fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn not_found(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message)
    }

    pub fn forbidden(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::FORBIDDEN, "Forbidden", message)
    }

    /// The detail goes to the log; the client only learns that the server failed.
    pub fn internal() -> GraphError {
        GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Something went wrong on the server.",
        )
    }

    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> GraphError {
        self.details = details;
        self
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

/// The body as it goes on the wire (and into the OpenAPI document).
#[derive(Debug, Serialize, ToSchema)]
pub struct GraphErrorBody {
    pub error: GraphErrorInner,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GraphErrorInner {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = GraphErrorBody {
            error: GraphErrorInner {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            // Tells clients which scheme to retry with (RFC 6750).
            resp.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        resp
    }
}
