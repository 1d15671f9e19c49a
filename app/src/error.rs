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
        AppError::Transport(value.to_string())
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
