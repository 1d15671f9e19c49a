//! Unit tests of `query`.

use super::*;
use std::collections::BTreeMap;

fn parse(pairs: &[(&str, &str)]) -> ActionQuery {
    let m: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    ActionQuery::from_lookup(|k| m.get(k).cloned())
}

#[test]
fn an_empty_query_is_the_default_view() {
    let q = parse(&[]);
    assert_eq!(q, ActionQuery::default());
    assert_eq!(q.status, StatusFilter::Default);
    assert_eq!(q.sort, SortKey::Rank);
    assert_eq!(q.to_query_string(), "");
}

#[test]
fn a_full_query_round_trips() {
    let q = parse(&[
        ("q", "mfa admin"),
        ("category", "identity"),
        ("product", "Entra ID"),
        ("status", "riskaccepted"),
        ("tag", "mfa"),
        ("cost", "low"),
        ("impact", "Moderate"),
        ("group", "Category"),
        ("sort", "points"),
        ("dir", "desc"),
        ("action", "AdminMFAV2"),
    ]);
    assert_eq!(q.q, "mfa admin");
    assert_eq!(q.category, Some(Category::Identity));
    assert_eq!(q.status, StatusFilter::Set(Status::RiskAccepted));
    assert_eq!(q.cost, Some(Level::Low));
    assert_eq!(q.impact, Some(Level::Moderate));
    assert_eq!(q.group, GroupBy::Category);
    assert_eq!((q.sort, q.desc), (SortKey::Points, true));
    let s = q.to_query_string();
    assert_eq!(
        s,
        "q=mfa%20admin&category=Identity&product=Entra%20ID&status=RiskAccepted&tag=mfa&cost=Low\
         &impact=Moderate&group=category&sort=points&dir=desc&action=AdminMFAV2"
    );
    // Parsing the canonical form gives the same view back.
    let decoded: Vec<(String, String)> = s
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("pair");
            (k.to_owned(), v.replace("%20", " "))
        })
        .collect();
    let m: BTreeMap<String, String> = decoded.into_iter().collect();
    assert_eq!(ActionQuery::from_lookup(|k| m.get(k).cloned()), q);
}

#[test]
fn unknown_values_fall_back_to_defaults() {
    let q = parse(&[
        ("category", "Nope"),
        ("status", "Completedish"),
        ("group", "owner"),
        ("sort", "drop table"),
        ("cost", "free"),
        ("action", "<script>"),
    ]);
    assert_eq!(ActionQuery { ignored: Vec::new(), ..q.clone() }, ActionQuery::default());
    let named: Vec<&str> = q.ignored.iter().map(|(k, _)| *k).collect();
    assert_eq!(named, ["category", "status", "cost", "group", "sort"]);
}

#[test]
fn search_text_is_trimmed_bounded_and_stripped_of_control_characters() {
    let long = "x".repeat(500);
    assert_eq!(parse(&[("q", &long)]).q.chars().count(), MAX_SEARCH_CHARS);
    assert_eq!(parse(&[("q", "  mfa\u{0}\n ")]).q, "mfa");
    assert_eq!(parse(&[("product", "   ")]).product, None);
}

#[test]
fn status_filter_names_completed_all_and_the_five_statuses() {
    assert_eq!(StatusFilter::parse("All"), StatusFilter::All);
    assert_eq!(StatusFilter::parse("completed"), StatusFilter::Completed);
    assert_eq!(StatusFilter::parse("ThirdParty"), StatusFilter::Set(Status::ThirdParty));
    assert_eq!(StatusFilter::choices().len(), 8);
}

#[test]
fn sorting_by_a_column_twice_flips_the_direction_and_closes_the_flyout() {
    let q = parse(&[("action", "AdminMFAV2")]);
    let by_title = q.sorted_by(SortKey::Title);
    assert_eq!((by_title.sort, by_title.desc, by_title.action.clone()), (SortKey::Title, false, None));
    assert!(by_title.sorted_by(SortKey::Title).desc);
    assert!(q.sorted_by(SortKey::Points).desc, "points sort biggest first");
    assert!(q.sorted_by(SortKey::Rank).desc, "rank is ascending by default, so a click flips it");
    assert!(!q.sorted_by(SortKey::Rank).sorted_by(SortKey::Rank).desc);
}

#[test]
fn encoding_escapes_everything_but_unreserved_characters() {
    assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

#[test]
fn values_that_are_not_choices_are_named_and_left_out() {
    let q =
        parse(&[("category", "Nope"), ("cost", "low"), ("sort", "<b>"), ("remaining", "3"), ("dir", "up")]);
    assert_eq!(q.category, None, "the list is not filtered by it");
    assert_eq!(q.cost, Some(Level::Low));
    assert_eq!(
        q.ignored,
        vec![("category", "Nope".to_owned()), ("sort", "<b>".to_owned()), ("dir", "up".to_owned())]
    );
    assert_eq!(q.to_query_string(), "cost=Low&remaining=3", "links drop what was ignored");
    let fine = parse(&[("sort", "rank"), ("dir", "asc"), ("status", "all"), ("group", "category")]);
    assert!(fine.ignored.is_empty(), "{:?}", fine.ignored);
}
