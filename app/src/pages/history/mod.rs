//! History: the score over a chosen date range, optionally narrowed to a category, with
//! every event in the range (status changes, measurement changes, actions added to or
//! removed from the score), paged, sorted and exported to CSV.

pub mod csv;
pub mod data;
pub mod events;
pub mod page;
pub mod query;
