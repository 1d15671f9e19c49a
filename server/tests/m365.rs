//! Microsoft 365, against a loopback stand-in for Entra and Graph that speaks their
//! documented protocols: tokens, reading Graph, connecting a tenant, syncing it, and the
//! Settings page's forms. One test binary, so the server is linked once for all of them.

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

mod common;
#[allow(dead_code)]
#[path = "support/microsoft.rs"]
mod microsoft;

#[path = "m365/connect.rs"]
mod connect;
#[path = "m365/graph.rs"]
mod graph;
#[path = "m365/settings.rs"]
mod settings;
#[path = "m365/sync.rs"]
mod sync;
#[path = "m365/token.rs"]
mod token;
