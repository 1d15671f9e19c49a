//! The list as CSV (RFC 4180): the page's columns, one line per shown action.

use super::row::ActionRow;

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

/// One field, quoted when it holds a comma, quote or line break. Text a spreadsheet would
/// run as a formula (custom titles and tags are typed by people) is prefixed with `'`.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub fn line(fields: &[String]) -> String {
    let mut s = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

/// The values of one row, in [`HEADER`] order.
pub fn values(r: &ActionRow) -> Vec<String> {
    vec![
        r.rank.map(|n| n.to_string()).unwrap_or_default(),
        r.id.clone(),
        r.title.clone(),
        r.points.to_string(),
        r.max.to_string(),
        r.effective.label().to_owned(),
        r.category.as_str().to_owned(),
        r.product.clone(),
        r.cost.as_str().to_owned(),
        r.impact.as_str().to_owned(),
        r.tags.join("; "),
        r.last_change_label(),
    ]
}

/// Header and rows, CRLF line ends.
pub fn to_csv<'a>(rows: impl IntoIterator<Item = &'a ActionRow>) -> String {
    let mut out = line(&HEADER.map(str::to_owned));
    for r in rows {
        out.push_str(&line(&values(r)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("7.50"), "7.50");
    }

    #[test]
    fn lines_end_with_crlf_and_the_header_comes_first() {
        let csv = to_csv(std::iter::empty());
        assert_eq!(csv, format!("{}\r\n", HEADER.join(",")));
    }
}
