use super::*;
use serde_json::json;

const SCHEMA: Schema = Schema {
    entity: "microsoft.graph.thing",
    scalar: &[
        ("id", FieldType::String),
        ("title", FieldType::String),
        ("score", FieldType::Number),
        ("deprecated", FieldType::Bool),
        ("when", FieldType::DateTime),
    ],
    selectable: &["id", "title", "score", "deprecated", "when", "tags"],
    max_top: 100,
};

fn items() -> Vec<Value> {
    vec![
        json!({"id": "a", "title": "Alpha's", "score": 5.5, "deprecated": false, "when": "2026-01-01T00:00:00Z", "tags": []}),
        json!({"id": "b", "title": "Beta", "score": 10, "deprecated": true, "when": "2026-01-02T00:00:00+02:00", "tags": []}),
        json!({"id": "c", "title": "Gamma", "score": -1, "deprecated": false, "when": null, "tags": []}),
        json!({"id": "d", "title": "Delta", "score": 10, "deprecated": false, "when": "2026-01-03T12:00:00Z", "tags": []}),
    ]
}

fn ids(query: &str) -> Vec<String> {
    let options = parse(Some(query), &SCHEMA).unwrap_or_else(|e| panic!("{query}: {e}"));
    options
        .apply(items(), 100)
        .items
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn refused(query: &str) -> String {
    parse(Some(query), &SCHEMA).expect_err(query).message
}

#[test]
fn every_operator_and_literal_type_filters() {
    assert_eq!(ids("$filter=score eq 10"), ["b", "d"]);
    assert_eq!(ids("$filter=score ne 10"), ["a", "c"]);
    assert_eq!(ids("$filter=score gt 5.5"), ["b", "d"]);
    assert_eq!(ids("$filter=score ge 5.5"), ["a", "b", "d"]);
    assert_eq!(ids("$filter=score lt 0"), ["c"]);
    assert_eq!(ids("$filter=score le -1"), ["c"]);
    assert_eq!(ids("$filter=title eq 'Alpha''s'"), ["a"], "'' escapes a quote");
    assert_eq!(ids("$filter=title gt 'C'"), ["c", "d"]);
    assert_eq!(ids("$filter=deprecated eq true"), ["b"]);
    assert_eq!(ids("$filter=when eq null"), ["c"]);
    assert_eq!(ids("$filter=when ne null"), ["a", "b", "d"]);
    assert_eq!(ids("$filter=6 lt score"), ["b", "d"], "a literal on the left flips the comparison");
    assert_eq!(ids("$filter=SCORE EQ 10 AND Deprecated eq FALSE"), ["d"], "names and keywords in any case");
}

#[test]
fn date_times_compare_as_instants_across_offsets() {
    // b is 2026-01-01T22:00Z: after a, before d, whatever its text says.
    assert_eq!(ids("$filter=when gt 2026-01-01T21:59:59Z"), ["b", "d"]);
    assert_eq!(ids("$filter=when lt 2026-01-01T23:00:00.5%2B01:00"), ["a", "b"]);
    assert_eq!(ids("$filter=when ge 2026-01-02"), ["d"], "a plain date is midnight UTC");
    assert_eq!(ids("$orderby=when desc"), ["d", "b", "a", "c"], "nulls sort first, so last when descending");
}

#[test]
fn precedence_parentheses_and_not() {
    // and binds tighter than or.
    assert_eq!(ids("$filter=id eq 'a' or id eq 'b' and score eq 5.5"), ["a"]);
    assert_eq!(ids("$filter=(id eq 'a' or id eq 'b') and score eq 10"), ["b"]);
    assert_eq!(ids("$filter=not (score eq 10) and not deprecated eq true"), ["a", "c"]);
    assert_eq!(ids("$filter=((((id eq 'd'))))"), ["d"]);
}

#[test]
fn bad_filters_name_the_problem() {
    assert!(refused("$filter=colour eq 'red'").contains("'colour'"));
    assert!(refused("$filter=tags eq 'x'").contains("not a scalar"));
    assert!(refused("$filter=score eq 'high'").contains("'score', which is a number"));
    assert!(refused("$filter=title gt 5").contains("'title', which is a string"));
    assert!(refused("$filter=when gt yesterday").contains("'when', which is a date-time"));
    assert!(refused("$filter=score gt").contains("ends too early"));
    assert!(refused("$filter=score is 5").contains("'is'"));
    assert!(refused("$filter=(score eq 5").contains("ends too early"));
    assert!(refused("$filter=score eq 5)").contains("unexpected ')'"));
    assert!(refused("$filter=title eq 'open").contains("unterminated"));
    assert!(refused("$filter=").contains("empty"));
    assert!(refused("$filter=5 eq 5").contains("property"));
    let deep = format!("$filter={}id eq 'a'{}", "(".repeat(40), ")".repeat(40));
    assert!(refused(&deep).contains("nests deeper"));
    let long = format!("$filter=title eq '{}'", "x".repeat(3_000));
    assert!(refused(&long).contains("longer than"));
}

#[test]
fn other_options_are_checked() {
    assert!(refused("$expand=controlScores").contains("'$expand' is not supported"));
    assert!(refused("$search=x").contains("$search"));
    assert!(refused("$top=1&$TOP=2").contains("more than once"));
    assert!(refused("$top=-1").contains("$top"));
    assert!(refused("$top=101").contains("maximum of 100"));
    assert!(refused("$top=ten").contains("$top"));
    assert!(refused("$skip=-3").contains("$skip"));
    assert!(refused("$count=yes").contains("$count"));
    assert!(refused("$select=id,,title").contains("missing"));
    assert!(refused("$select=nope").contains("'nope'"));
    assert!(refused("$orderby=tags").contains("'tags'"));
    assert!(refused("$orderby=score sideways").contains("sideways"));
    // Plain parameters are not OData options.
    assert_eq!(ids("tenant=x&$top=1"), ["a"]);
}

#[test]
fn order_by_several_keys_is_stable() {
    assert_eq!(ids("$orderby=score desc"), ["b", "d", "a", "c"], "ties keep the collection's order");
    assert_eq!(ids("$orderby=score desc,title desc"), ["d", "b", "a", "c"]);
    assert_eq!(ids("$orderby=deprecated,score asc"), ["c", "a", "d", "b"]);
}

#[test]
fn select_keeps_only_what_was_asked_for() {
    let options = parse(Some("$select=Score,title"), &SCHEMA).expect("valid");
    let mut item = items().remove(0);
    item["@odata.type"] = json!("#microsoft.graph.thing");
    let projected = options.project(item);
    let mut keys: Vec<&str> = projected.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["@odata.type", "id", "score", "title"]);
    assert_eq!(parse(None, &SCHEMA).expect("no query").project(json!({"a": 1})), json!({"a": 1}));
}

#[test]
fn count_and_skip() {
    let options =
        parse(Some("$count=true&$skip=1&$top=2&$filter=deprecated eq false"), &SCHEMA).expect("valid");
    let page = options.apply(items(), 100);
    assert_eq!(page.count, Some(3), "counted before skip and top");
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_skip, None, "$top is reached");
}

/// Follows next links to the end the way a client does.
fn follow(query: &str, n: usize, page_size: usize) -> (Vec<usize>, usize) {
    let all: Vec<Value> = (0..n).map(|i| json!({"id": format!("{i:04}"), "score": i})).collect();
    let mut options = parse(Some(query), &SCHEMA).expect("valid");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let page = options.apply(all.clone(), page_size);
        seen.extend(page.items.iter().map(|i| i["score"].as_u64().unwrap_or_default() as usize));
        let Some(skip) = page.next_skip else { break };
        let link = options.next_link("https://rampart.test/v1.0/x", skip);
        let query = link.split_once('?').expect("a query").1.to_owned();
        assert!(!query.contains(' ') && !query.contains('+'), "encoded: {query}");
        options = parse(Some(&query), &SCHEMA).expect("a next link parses");
        assert!(pages < 1_000);
    }
    (seen, pages)
}

#[test]
fn next_links_reach_every_item_exactly_once() {
    for n in [0, 1, 10, 11, 25] {
        let (seen, pages) = follow("", n, 10);
        assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        assert_eq!(pages, n.div_ceil(10).max(1), "n = {n}");
        let (seen, _) = follow("$top=12", n, 10);
        assert_eq!(seen, (0..n.min(12)).collect::<Vec<_>>(), "$top=12 of {n}");
        let (seen, _) = follow("$filter=score ge 3 and score lt 23&$orderby=score desc&$select=score", n, 10);
        let expected: Vec<usize> = (3..n.min(23)).rev().collect();
        assert_eq!(seen, expected, "filtered and sorted, n = {n}");
        let (seen, _) = follow("$skip=4&$top=15&$count=true", n, 10);
        assert_eq!(seen, (4..n.min(19)).collect::<Vec<_>>(), "skip and top, n = {n}");
    }
}

proptest::proptest! {
    #[test]
    fn any_text_is_parsed_or_refused_without_panicking(text in ".{0,200}") {
        let _ = parse(Some(&format!("$filter={text}")), &SCHEMA);
        let _ = parse(Some(&text), &SCHEMA);
    }

    #[test]
    fn paging_never_loses_or_repeats(n in 0usize..120, page in 1usize..40, top in proptest::option::of(0usize..100)) {
        let query = top.map(|t| format!("$top={t}")).unwrap_or_default();
        let (seen, _) = follow(&query, n, page);
        proptest::prop_assert_eq!(seen, (0..n.min(top.unwrap_or(usize::MAX))).collect::<Vec<_>>());
    }
}
