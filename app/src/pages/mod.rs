//! One module per page.

pub mod actions;
pub mod card;
pub mod forms;
pub mod history;
pub mod licenses;
pub mod metrics;
pub mod nav;
pub mod not_found;
pub mod overview;
pub mod pager;
pub mod portfolio;
pub mod portfolio_alerts;
pub mod portfolio_reports;
pub mod report;
pub mod settings;
