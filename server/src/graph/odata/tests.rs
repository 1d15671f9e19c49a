//! Query options, `$select` and paging, with the fixtures the `$filter` tests share.

mod filter;

use super::*;
use serde_json::json;

pub(super) const SCHEMA: Schema = Schema {
    entity: "microsoft.graph.thing",
    scalar: &[
        ("id", FieldType::String),
        ("title", FieldType::String),
        ("score", FieldType::Number),
        ("deprecated", FieldType::Bool),
        ("when", FieldType::DateTime),
    ],
    collections: &[
        (
            "parts",
            Items::Entities {
                entity: "microsoft.graph.part",
                scalar: &[("name", FieldType::String), ("weight", FieldType::Number)],
            },
        ),
        ("labels", Items::Values(FieldType::String)),
    ],
    selectable: &["id", "title", "score", "deprecated", "when", "tags", "parts", "labels"],
    max_top: 100,
};

fn items() -> Vec<Value> {
    vec![
        json!({"id": "a", "title": "Alpha's", "score": 5.5, "deprecated": false, "when": "2026-01-01T00:00:00Z", "tags": [],
            "parts": [{"name": "Wheel", "weight": 2}, {"name": "Axle", "weight": 7}], "labels": ["red", "big"]}),
        json!({"id": "b", "title": "Beta", "score": 10, "deprecated": true, "when": "2026-01-02T00:00:00+02:00", "tags": [],
            "parts": [{"name": "wheel", "weight": 1}], "labels": ["blue"]}),
        json!({"id": "c", "title": "Gamma", "score": -1, "deprecated": false, "when": null, "tags": [],
            "parts": [], "labels": []}),
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
    let options = parse(Some("$orderby=score desc,title,SCORE asc"), &SCHEMA).expect("valid");
    assert_eq!(options.order_by.len(), 2, "a repeated property adds nothing");
    assert!(options.order_by[0].descending, "the first mention decides");
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
    fn paging_never_loses_or_repeats(n in 0usize..120, page in 1usize..40, top in proptest::option::of(0usize..100)) {
        let query = top.map(|t| format!("$top={t}")).unwrap_or_default();
        let (seen, _) = follow(&query, n, page);
        proptest::prop_assert_eq!(seen, (0..n.min(top.unwrap_or(usize::MAX))).collect::<Vec<_>>());
    }
}

#[test]
fn the_query_is_decoded_like_a_url() {
    assert_eq!(ids("$filter=title+eq+%27Beta%27"), ["b"], "+ is a space");
    assert_eq!(ids("%24filter=title%20eq%20'Alpha''s'"), ["a"]);
    assert_eq!(ids("$Filter=score eq 10&$TOP=1&$OrderBy=title"), ["b"], "option names in any case");
    assert!(
        refused("$filter=title eq 'a'&$FILTER=title eq 'b'").contains("'$filter' is given more than once")
    );
}

#[test]
fn select_keeps_the_entity_order_and_star_keeps_everything() {
    let item = json!({"@odata.etag": "1", "id": "a", "score": 1, "tags": [], "title": "A", "when": null});
    let projected = parse(Some("$select=when,TITLE,when"), &SCHEMA).expect("valid").project(item.clone());
    let keys: Vec<&String> = projected.as_object().expect("object").keys().collect();
    let expected: Vec<&String> = item
        .as_object()
        .expect("object")
        .keys()
        .filter(|k| ["@odata.etag", "id", "title", "when"].contains(&k.as_str()))
        .collect();
    assert_eq!(keys, expected);
    assert_eq!(parse(Some("$select=*"), &SCHEMA).expect("valid").project(item.clone()), item);
    assert_eq!(parse(Some("$select=id"), &SCHEMA).expect("valid").select, Some(vec!["id"]));
}

#[test]
fn plain_queries_are_told_apart() {
    let options = |q: &str| parse(Some(q), &SCHEMA).expect("valid");
    assert!(options("$top=5&$skip=2&$select=id").is_plain());
    assert!(options("$count=true").is_plain());
    assert!(!options("$filter=score eq 1").is_plain());
    assert!(!options("$orderby=score").is_plain());
    assert!(options("$select=id,title").is_select_only());
    assert!(parse(None, &SCHEMA).expect("no query").is_select_only());
    for q in ["$top=1", "$skip=1", "$count=true", "$orderby=id", "$filter=id eq 'a'"] {
        assert!(!options(q).is_select_only(), "{q}");
    }
}

#[test]
fn pages_stop_at_top_and_at_the_end() {
    let page = |q: &str, n: usize| {
        let all: Vec<Value> = (0..n).map(|i| json!({"id": i.to_string()})).collect();
        let p = parse(Some(q), &SCHEMA).expect("valid").apply(all, 10);
        (p.items.len(), p.next_skip, p.count)
    };
    assert_eq!(page("", 10), (10, None, None), "exactly one full page");
    assert_eq!(page("", 11), (10, Some(10), None));
    assert_eq!(page("$top=0&$count=true", 5), (0, None, Some(5)));
    assert_eq!(page("$skip=50&$count=TRUE", 5), (0, None, Some(5)));
    assert_eq!(page("$top=10", 30), (10, None, None), "$top fills exactly one page");
    assert_eq!(page("$top=11&$skip=3", 30), (10, Some(13), None));
    assert_eq!(page("$count=false", 3), (3, None, None));
}

#[test]
fn next_links_carry_the_query_encoded() {
    let options = parse(
        Some("$filter=title+eq+'R%26D''s%20%2B1'&$orderby=score%20desc&$select=title,score&$count=true&$top=25&$skip=5"),
        &SCHEMA,
    )
    .expect("valid");
    let link = options.next_link("https://rampart.test/v1.0/security/secureScores", 15);
    assert_eq!(
        link,
        "https://rampart.test/v1.0/security/secureScores?$filter=title%20eq%20%27R%26D%27%27s%20%2B1%27\
         &$orderby=score%20desc&$select=title%2Cscore&$count=true&$top=15&$skip=15"
    );
    let again = parse(link.split_once('?').map(|(_, q)| q), &SCHEMA).expect("the link parses");
    assert_eq!(again.filter, options.filter);
    assert_eq!((again.top, again.skip), (Some(15), 15), "10 of the 25 were returned");
    let after_query = options.next_link("https://rampart.test/x?api-version=1", 15);
    assert!(after_query.starts_with("https://rampart.test/x?api-version=1&$filter="), "{after_query}");
}
