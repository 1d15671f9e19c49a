//! The History list as CSV (RFC 4180): the list's columns, one line per matching event.
//! Text goes through the actions export's quoting and formula guard; the points delta is
//! written as a plain signed number so spreadsheets read it as one.

use super::events::HistoryEvent;
use crate::pages::actions::csv::field;

pub const HEADER: [&str; 8] =
    ["Date", "Action", "Category", "Change", "Points delta", "Resulting score", "Who", "Note"];

/// One line, CRLF-terminated.
fn line(e: &HistoryEvent) -> String {
    let cells = [
        e.day.to_string(),
        field(&e.action),
        field(e.category_label()),
        field(&e.change),
        // Our own number ("-2.50"): never a formula, and a spreadsheet should see a number.
        e.delta.to_string(),
        field(&e.score_label()),
        field(&e.who),
        field(&e.note),
    ];
    let mut s = cells.join(",");
    s.push_str("\r\n");
    s
}

/// Header and events, in the order given.
pub fn to_csv<'a>(events: impl IntoIterator<Item = &'a HistoryEvent>) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for e in events {
        out.push_str(&line(e));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::history::events::EventKind;
    use chrono::NaiveDate;
    use score::{Category, Points};

    #[test]
    fn text_is_quoted_and_defused_while_the_delta_stays_a_number() {
        let e = HistoryEvent {
            day: NaiveDate::from_ymd_opt(2026, 3, 1).expect("day"),
            action_id: "X".into(),
            action: "=cmd|' /C calc'!A0".into(),
            category: Some(Category::Apps),
            kind: EventKind::Status,
            change: "Status set to Risk accepted".into(),
            delta: Points(-250),
            score: Points(2050),
            max: Points(3200),
            who: "alex@contoso.example".into(),
            note: "@SUM(1), then \"more\"".into(),
        };
        let csv = to_csv([&e]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Date,Action,Category,Change,Points delta,Resulting score,Who,Note");
        assert_eq!(
            lines[1],
            "2026-03-01,'=cmd|' /C calc'!A0,Apps,Status set to Risk accepted,-2.50,64.06 % (20.50 / 32.00),\
             alex@contoso.example,\"'@SUM(1), then \"\"more\"\"\""
        );
        assert_eq!(lines.len(), 3, "CRLF after the last line too");
    }
}
