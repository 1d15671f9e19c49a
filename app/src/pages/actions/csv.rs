//! The columns of the Improvement actions CSV: the page's columns, one line per shown
//! action. The server's one CSV writer quotes the cells and guards the text ones.

use super::row::ActionRow;

/// One cell of an exported line. Text typed by people (custom titles, tags, notes) may
/// look like a spreadsheet formula, so the writer guards text cells; numbers are our own
/// formatting and stay numbers a spreadsheet can sum (a leading `-` there is a sign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn number(n: impl ToString) -> Cell {
        Cell::Number(n.to_string())
    }
}

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
