//! A cell of an exported CSV line, and the guard every export applies: text typed by
//! people (custom titles, tags, notes, audit subjects) may look like a spreadsheet formula.

use std::borrow::Cow;

/// One cell. Numbers are Rampart's own formatting and stay numbers a spreadsheet can sum
/// (a leading `-` there is a sign); text is guarded.
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

    /// The cell as written: a text cell a spreadsheet would run as a formula (or that hides
    /// one behind a tab or carriage return) gets a leading `'`, which spreadsheets show as
    /// text.
    pub fn guarded(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => Cow::Owned(format!("'{s}")),
            Cell::Text(s) | Cell::Number(s) => Cow::Borrowed(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_starts_like_a_formula_is_guarded_and_numbers_keep_their_sign() {
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            let value = format!("{start}HYPERLINK(\"http://evil.example\")");
            assert_eq!(Cell::text(&value).guarded(), format!("'{value}"), "{start:?}");
        }
        assert_eq!(Cell::number("-2.50").guarded(), "-2.50");
        assert_eq!(Cell::text("Teams").guarded(), "Teams");
    }
}
