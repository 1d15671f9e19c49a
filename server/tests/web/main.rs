//! Rampart's server from the outside: real HTTP on the router, the `rampart` binary, the
//! daily jobs, against real SQLite files and real local stand-ins for the services it talks
//! to. One test binary, so the server is linked once for all of them (each binary of its
//! own cost a link and hundreds of megabytes); `cargo test -p server --test web -- m365::`
//! runs one area.

mod common;
#[allow(dead_code)]
#[path = "support/microsoft.rs"]
mod microsoft;
#[allow(dead_code)]
#[path = "support/share_receivers.rs"]
mod share_receivers;

mod access_matrix;
mod access_matrix_http;
mod accounts;
mod actions;
mod alerts;
mod assets;
mod comparisons;
mod custom_actions;
mod graph;
mod history;
mod http_guards;
mod import;
mod ingest;
mod licenses;
mod limits;
mod m365;
mod metrics;
mod monitoring;
mod pages;
mod portfolio;
mod replicas;
mod reports;
mod scans;
mod share;
mod snapshots;
mod startup;
mod tokens;
