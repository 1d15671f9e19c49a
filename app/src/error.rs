//! The one error type server functions return: safe to show, never internal detail.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// The thing asked for does not exist — or the user may not know it does.
    NotFound(String),
    /// Nobody is signed in (or the session expired).
    Unauthorized,
    /// Signed in, but the role does not allow this.
    Forbidden(String),
    /// Too many failed sign-ins; try again later.
    TooManyAttempts,
    /// Bad input; the message names the field.
    Invalid { field: String, message: String },
    /// Something failed on the server; the detail is in the server log only.
    Internal,
    /// The request did not reach the server function or its answer did not come back.
    Transport(String),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::NotFound(what) => write!(f, "{what} was not found"),
            AppError::Unauthorized => f.write_str("Please sign in."),
            AppError::Forbidden(why) => write!(f, "Not allowed: {why}."),
            AppError::TooManyAttempts => {
                f.write_str("Too many failed sign-ins. Wait 15 minutes and try again.")
            }
            AppError::Invalid { field, message } => write!(f, "{field}: {message}"),
            AppError::Internal => f.write_str("Something went wrong on the server; it has been logged."),
            AppError::Transport(m) => write!(f, "The server could not be reached: {m}"),
        }
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::TooManyAttempts => 429,
            AppError::Invalid { .. } => 400,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid { field: field.to_owned(), message: message.into() }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request's arguments could not be read: the caller's mistake, a 400.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => bad_arguments(&detail),
            other => AppError::Transport(other.to_string()),
        }
    }

    /// On the server, the answer takes this error's status (through Leptos' response
    /// options) as the error is encoded; a browser's form post keeps the redirect back to
    /// its page that Leptos gives it.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        answer_with_status(self);
        <Self::Encoder as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(br#""Internal""#))
    }
}

#[cfg(feature = "ssr")]
fn answer_with_status(e: &AppError) {
    use leptos::prelude::use_context;
    // Leptos answers a browser's form post that has a Referer with a redirect back to it.
    let redirected = use_context::<http::request::Parts>().is_some_and(|p| {
        let html = p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok());
        html.is_some_and(|v| v.contains("text/html")) && p.headers.contains_key(http::header::REFERER)
    });
    if let (false, Some(response)) = (redirected, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(
            http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
}

/// A refusal for arguments the framework could not read, naming the field when its
/// message does. The message is only searched for the field's name; what is shown is ours.
fn bad_arguments(detail: &str) -> AppError {
    let named = |marker: &str| {
        let rest = &detail[detail.find(marker)? + marker.len()..];
        let name = rest.strip_prefix('`')?.split('`').next()?;
        (!name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| name.to_owned())
    };
    if let Some(field) = named("missing field ") {
        return AppError::invalid(&field, "this field is required.");
    }
    if let Some(field) = named("unknown field ") {
        return AppError::invalid(&field, "this is not a field of this request.");
    }
    let message = "the arguments could not be read; send the documented fields as a form \
                   (application/x-www-form-urlencoded).";
    match named("field ") {
        Some(field) => AppError::invalid(&field, "this value is not valid here."),
        None if detail.contains("invalid type") || detail.contains("invalid value") => {
            AppError::invalid("request", "a value has the wrong type; check the documented fields.")
        }
        None => AppError::invalid("request", message),
    }
}

#[cfg(feature = "ssr")]
impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound(what) => AppError::NotFound(what),
            store::StoreError::Invalid(message) => AppError::Invalid { field: "request".into(), message },
            other => {
                tracing::error!(error = %other, "storage error in a server function");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_arguments_are_refused_naming_the_field() {
        let missing = ServerFnErrorErr::Args("missing field `okay_from`".into());
        assert_eq!(
            AppError::from_server_fn_error(missing),
            AppError::invalid("okay_from", "this field is required.")
        );
        let unknown = ServerFnErrorErr::Args("unknown field `x`, expected `tenant_id`".into());
        assert_eq!(AppError::from_server_fn_error(unknown).status(), 400);
        let garbled =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("invalid digit found in string".into()));
        assert!(matches!(&garbled, AppError::Invalid { field, .. } if field == "request"), "{garbled:?}");
        let transport = AppError::from_server_fn_error(ServerFnErrorErr::Request("offline".into()));
        assert_eq!(transport.status(), 500);
    }
}
