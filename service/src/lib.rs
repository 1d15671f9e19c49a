//! Rampart's rules, in one place for every way in: the pages' server functions, the Graph
//! API, ingest, import, share, the daily jobs and the command line all call these.
//!
//! Without the `store` feature this is the pure part (what a status edit may be, how a
//! measurement reads), which the browser build shares; with it, the operations that read
//! and write a tenant.

pub mod alert;
pub mod csv;
pub mod m365;
pub mod measurement;
pub mod projection;
pub mod refusal;
pub mod report;
pub mod share;
pub mod status_edit;
pub mod url;

#[cfg(feature = "store")]
pub mod bulk;
#[cfg(feature = "store")]
pub mod live;
#[cfg(feature = "store")]
pub mod portfolio;
#[cfg(feature = "store")]
pub mod snapshot;
#[cfg(feature = "store")]
pub mod status_change;

#[cfg(feature = "store")]
pub use live::{live_score, LiveScore};
pub use refusal::{Refusal, Refusals};
pub use status_edit::StatusEdit;
