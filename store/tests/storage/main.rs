//! Storage scenarios, each run against SQLite and PostgreSQL (see `common`).

// A panic is how a test reports a failure, so unwrap is fine here.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod alerts;
mod comparisons;
mod controls;
mod custom_actions;
mod entities;
mod imports;
mod leases;
mod m365;
mod people;
mod people_edges;
mod portfolio;
mod schema_parity;
mod snapshots;
mod tenants;
mod tickets;
