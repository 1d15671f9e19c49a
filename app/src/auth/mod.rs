//! Signing in and who is asking: sessions, passwords, tokens, and the one place where
//! tenant access is decided.

pub mod access;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod session;
pub mod sign_in;

use serde::{Deserialize, Serialize};

/// The signed-in person, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
}
