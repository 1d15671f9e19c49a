//! The history query: its URL words read and written back.

use super::*;
use std::collections::BTreeMap;

fn parse(pairs: &[(&str, &str)]) -> HistoryQuery {
    let m: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    HistoryQuery::from_lookup(|k| m.get(k).cloned())
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

#[test]
fn the_default_view_is_the_last_30_days_newest_first() {
    let q = parse(&[]);
    assert_eq!(q, HistoryQuery { page: 1, ..HistoryQuery::default() });
    assert_eq!(q.to_search(), "");
    let r = q.days(day("2026-03-31")).expect("range");
    assert_eq!((r.from, r.to), (day("2026-03-02"), day("2026-03-31")));
}

#[test]
fn presets_end_today_and_all_starts_at_the_beginning() {
    let today = day("2026-03-31");
    let from = |r: &str| parse(&[("range", r)]).days(today).expect("range").from;
    assert_eq!(from("7d"), day("2026-03-25"));
    assert_eq!(from("1Y"), day("2025-04-01"));
    assert_eq!(from("all"), BEGINNING);
    assert_eq!(parse(&[("range", "fortnight")]).range, RangePreset::Days30);
}

#[test]
fn a_full_query_round_trips_and_custom_dates_win_over_the_preset() {
    let q = parse(&[
        ("range", "90d"),
        ("from", "2026-01-01"),
        ("to", "2026-02-01"),
        ("category", "identity"),
        ("sort", "-points"),
        ("page", "3"),
    ]);
    assert!(q.is_custom());
    assert_eq!(q.to_search(), "?from=2026-01-01&to=2026-02-01&category=Identity&sort=-points&page=3");
    let r = q.days(day("2026-03-31")).expect("range");
    assert_eq!((r.from, r.to), (day("2026-01-01"), day("2026-02-01")));
    assert_eq!(q.with_preset(RangePreset::Days7).to_search(), "?range=7d&category=Identity&sort=-points");
    assert_eq!(
        q.on_page(1).sorted(EventSort::DateDesc).with_preset(RangePreset::Days30).to_search(),
        "?category=Identity"
    );
}

#[test]
fn bad_pages_and_sorts_fall_back_to_defaults() {
    let q = parse(&[("page", "0"), ("sort", "drop table"), ("category", "Nope")]);
    assert_eq!((q.page, q.sort, q.category), (1, EventSort::DateDesc, None));
    assert_eq!(parse(&[("page", "-2")]).page, 1);
}

#[test]
fn bad_custom_ranges_are_refused_naming_the_field() {
    let today = day("2026-03-31");
    let err = |pairs: &[(&str, &str)]| match parse(pairs).days(today) {
        Err(AppError::Invalid { field, message }) => (field, message),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let (field, message) = err(&[("from", "2026-03-10"), ("to", "2026-03-01")]);
    assert_eq!(field, "from");
    assert!(message.contains("is after the end date 2026-03-01"), "{message}");
    assert_eq!(err(&[("from", "2026-13-01")]).0, "from");
    assert_eq!(err(&[("to", "yesterday")]).0, "to");
    assert_eq!(err(&[("to", "2026-3-1")]).0, "to");
    let (field, message) = err(&[("from", "2026-04-02")]);
    assert_eq!(field, "from");
    assert!(message.contains("in the future"), "{message}");
}

#[test]
fn a_custom_range_ends_today_at_the_latest_and_may_leave_out_its_start() {
    let today = day("2026-03-31");
    let r = parse(&[("from", "2026-03-01"), ("to", "2027-01-01")]).days(today).expect("range");
    assert_eq!((r.from, r.to), (day("2026-03-01"), today));
    let r = parse(&[("to", "2026-02-01")]).days(today).expect("range");
    assert_eq!((r.from, r.to), (BEGINNING, day("2026-02-01")));
}
