//! Rampart's server: configuration, the HTTP router, jobs, demo data and the catalog file.
// Leptos view types nest deeply; the default limit is too small for the larger pages.
#![recursion_limit = "256"]

pub mod admin;
pub mod alerts;
pub mod assets;
pub mod bearer;
pub mod bench_data;
pub mod catalog_file;
pub mod config;
pub mod csv_export;
pub mod demo;
pub mod export;
pub mod graph;
pub mod http;
pub mod import;
pub mod ingest;
pub mod jobs;
pub mod lease;
pub mod m365;
pub mod monitoring;
pub mod plain_page;
pub mod portfolio_changes;
pub mod reports;
pub mod security_headers;
pub mod share;
pub mod startup;
pub mod tokens;
pub mod web_access;
