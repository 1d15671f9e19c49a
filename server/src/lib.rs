//! Rampart's server: configuration, the HTTP router, jobs, demo data and the catalog file.

pub mod admin;
pub mod catalog_file;
pub mod config;
pub mod demo;
pub mod http;
pub mod jobs;
pub mod startup;
