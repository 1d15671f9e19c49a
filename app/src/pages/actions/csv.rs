//! The columns of the Improvement actions CSV: the page's columns, one line per shown
//! action. The server's one CSV writer quotes the cells and guards the text ones.

use super::row::ActionRow;

pub use service::csv::Cell;

pub const HEADER: [&str; 12] = [
    "Rank",
    "Action ID",
    "Title",
    "Points achieved",
    "Points possible",
    "Status",
    "Category",
    "Product",
    "Implementation cost",
    "User impact",
    "Tags",
    "Last change",
];

/// The cells of one row, in [`HEADER`] order.
pub fn values(r: &ActionRow) -> Vec<Cell> {
    vec![
        r.rank.map_or_else(|| Cell::text(""), Cell::number),
        Cell::text(r.id.clone()),
        Cell::text(r.title.clone()),
        Cell::number(r.points),
        Cell::number(r.max),
        Cell::text(r.effective.label()),
        Cell::text(r.category.as_str()),
        Cell::text(r.product.clone()),
        Cell::text(r.cost.as_str()),
        Cell::text(r.impact.as_str()),
        Cell::text(r.tags.join("; ")),
        Cell::text(r.last_change_label()),
    ]
}
