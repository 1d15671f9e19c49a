//! The one error type server functions return: safe to show, never internal detail.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// The thing asked for does not exist — or the user may not know it does.
    NotFound(String),
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
            AppError::Invalid { field, message } => write!(f, "{field}: {message}"),
            AppError::Internal => f.write_str("Something went wrong on the server; it has been logged."),
            AppError::Transport(m) => write!(f, "The server could not be reached: {m}"),
        }
    }
}

impl std::error::Error for AppError {}

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
