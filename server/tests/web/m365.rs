//! Microsoft 365, against a loopback stand-in for Entra and Graph that speaks their
//! documented protocols: tokens, reading Graph, connecting a tenant, syncing it, and the
//! Settings page's forms.

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

mod connect;
mod graph;
mod settings;
mod sync;
mod token;
mod write_back;
