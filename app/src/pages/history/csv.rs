//! The columns of the History CSV: the list's columns, one line per matching event. The
//! points delta is a number cell so spreadsheets read "-2.50" as a number, not text.

use super::events::HistoryEvent;
use crate::pages::actions::csv::Cell;

pub const HEADER: [&str; 8] =
    ["Date", "Action", "Category", "Change", "Points delta", "Resulting score", "Who", "Note"];

/// The cells of one event, in [`HEADER`] order.
pub fn values(e: &HistoryEvent) -> Vec<Cell> {
    vec![
        Cell::text(e.day.to_string()),
        Cell::text(e.action.clone()),
        Cell::text(e.category_label()),
        Cell::text(e.change.clone()),
        Cell::number(e.delta),
        Cell::text(e.score_label()),
        Cell::text(e.who.clone()),
        Cell::text(e.note.clone()),
    ]
}
