//! Regular expressions for the OpenAPI document: the query options as a schema-driven
//! client or fuzzer may build them, each written from the same [`Schema`] the parser checks
//! against, so the document cannot name a property the parser refuses.
//!
//! `$select` and `$orderby` are described whole. `$filter` is a nested language that no
//! regular expression states in full; its pattern is the part most scripts use —
//! comparisons, `not`, the text functions and `any` over a collection, joined by `and`/`or`
//! — every string of which the parser accepts. Parentheses and `all` are accepted too and
//! described in words. Only the common subset of ECMAScript and other regex dialects is
//! used (no `\d`, whose meaning differs between them).

use super::{FieldType, Items, Schema};

/// Terms a `$filter` of the pattern joins: few enough to stay far below `MAX_DEPTH` and
/// `MAX_FILTER_CHARS` whatever the literals.
const MAX_TERMS: usize = 4;

fn alternatives<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    format!("(?:{})", names.join("|"))
}

/// `$select`: `*` or selectable properties, comma-separated.
pub fn select_pattern(schema: &Schema) -> String {
    let one = alternatives(schema.selectable.iter().copied().chain(["\\*"]));
    format!("^{one}(?:,{one})*$")
}

/// `$orderby`: scalar properties, each optionally `asc` or `desc`, comma-separated.
pub fn order_by_pattern(schema: &Schema) -> String {
    let one = format!("{}(?: (?:asc|desc))?", alternatives(schema.scalar.iter().map(|(n, _)| *n)));
    format!("^{one}(?:,{one})*$")
}

/// A literal of each type as the tokenizer reads it. Strings keep to printable ASCII with
/// `''` for a quote, which every client can put in a URL unchanged.
fn literal(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "'(?:[ -&(-~]|''){0,20}'",
        FieldType::Number => "-?[0-9]{1,9}(?:\\.[0-9]{1,4})?",
        FieldType::Bool => "(?:true|false)",
        FieldType::DateTime => {
            "(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?"
        }
    }
}

const OPERATORS: &str = "(?:eq|ne|gt|ge|lt|le)";
const TYPES: [FieldType; 4] = [FieldType::String, FieldType::Number, FieldType::Bool, FieldType::DateTime];

/// `property op literal` for the given properties (`prefix` names them inside `any`), one
/// alternative per type so a literal always fits its property; `null` fits any.
fn comparisons(fields: &[(&'static str, FieldType)], prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for ty in TYPES {
        let names: Vec<&str> = fields.iter().filter(|(_, t)| *t == ty).map(|(n, _)| *n).collect();
        if names.is_empty() {
            continue;
        }
        let names = alternatives(names);
        out.push(format!("{prefix}{names} {OPERATORS} (?:{}|null)", literal(ty)));
        if ty == FieldType::String {
            out.push(format!("(?:startswith|endswith|contains)\\({prefix}{names},{}\\)", literal(ty)));
        }
    }
    out
}

/// `$filter`: up to four terms joined by `and`/`or`; each a comparison, a text function or
/// `collection/any(…)` with one comparison inside, optionally after `not`.
pub fn filter_pattern(schema: &Schema) -> String {
    let mut terms = comparisons(schema.scalar, "");
    for (name, items) in schema.collections {
        let inner = match items {
            Items::Entities { scalar, .. } => comparisons(scalar, "x/"),
            Items::Values(ty) => comparisons(&[("x", *ty)], ""),
        };
        terms.push(format!("{name}/any\\((?:x: {})?\\)", alternatives(inner.iter().map(String::as_str))));
    }
    let term = format!("(?:not )?{}", alternatives(terms.iter().map(String::as_str)));
    format!("^{term}(?: (?:and|or) {term}){{0,{}}}$", MAX_TERMS - 1)
}

#[cfg(test)]
mod tests {
    use super::super::{parse, tests::SCHEMA};
    use super::*;
    use proptest::prelude::*;

    /// What a client sends for a pattern's string: the query, encoded as a URL carries it.
    fn query(option: &str, value: &str) -> String {
        let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
        format!("{option}={value}")
    }

    /// The test fixture and the two collections the document describes.
    const SCHEMAS: [&Schema; 3] =
        [&SCHEMA, &crate::graph::secure_scores::SCHEMA, &crate::graph::control_profiles::SCHEMA];

    /// A query with `option` set to a string of its pattern, for one of the schemas.
    fn accepted(
        option: &'static str,
        pattern: fn(&Schema) -> String,
    ) -> impl Strategy<Value = (usize, String)> {
        (0..SCHEMAS.len()).prop_flat_map(move |i| {
            let pattern = pattern(SCHEMAS[i]);
            // The generator makes whole matches, and takes no anchors.
            let unanchored =
                pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$')).expect("anchored").to_owned();
            proptest::string::string_regex(&unanchored)
                .expect("a regex proptest reads")
                .prop_map(move |v| (i, query(option, &v)))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn every_select_the_pattern_allows_is_accepted((i, q) in accepted("$select", select_pattern)) {
            prop_assert!(parse(Some(&q), SCHEMAS[i]).is_ok(), "{q}");
        }

        #[test]
        fn every_order_the_pattern_allows_is_accepted((i, q) in accepted("$orderby", order_by_pattern)) {
            prop_assert!(parse(Some(&q), SCHEMAS[i]).is_ok(), "{q}");
        }

        #[test]
        fn every_filter_the_pattern_allows_is_accepted((i, q) in accepted("$filter", filter_pattern)) {
            let parsed = parse(Some(&q), SCHEMAS[i]);
            prop_assert!(parsed.is_ok(), "{q}: {parsed:?}");
        }
    }

    #[test]
    fn the_patterns_refuse_what_the_parser_refuses() {
        let matches = |pattern: &str, s: &str| regex::Regex::new(pattern).expect("a regex").is_match(s);
        assert!(!matches(&select_pattern(&SCHEMA), "id,nope"));
        assert!(!matches(&select_pattern(&SCHEMA), "id,"));
        assert!(!matches(&order_by_pattern(&SCHEMA), "tags desc"), "only scalar properties sort");
        assert!(!matches(&order_by_pattern(&SCHEMA), "score sideways"));
        let filter = filter_pattern(&SCHEMA);
        assert!(!matches(&filter, "score eq 'five'"), "a literal must fit its property");
        assert!(!matches(&filter, "startswith(score,'1')"), "text functions take text");
        assert!(!matches(&filter, "tags/any(x: x eq 'a')"), "tags is not a collection $filter looks into");
        for good in [
            "score gt 5 and title eq 'It''s'",
            "not deprecated eq true or when ge 2026-01-01T00:00:00Z",
            "parts/any(x: x/weight lt 3)",
            "labels/any(x: startswith(x,'r'))",
            "parts/any()",
        ] {
            assert!(matches(&filter, good), "{good}");
            assert!(parse(Some(&query("$filter", good)), &SCHEMA).is_ok(), "{good}");
        }
    }
}
