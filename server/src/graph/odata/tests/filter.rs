//! `$filter`: parsing, refusals and evaluation.

use super::*;
use proptest::prelude::*;

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
fn text_functions_match_in_any_letter_case() {
    assert_eq!(ids("$filter=startswith(title,'a')"), ["a"]);
    assert_eq!(ids("$filter=STARTSWITH(title, 'DEL')"), ["d"], "the name and the text in any case");
    assert_eq!(ids("$filter=endswith(title,'TA')"), ["b", "d"]);
    assert_eq!(ids("$filter=contains(title,'l')"), ["a", "d"]);
    assert_eq!(ids("$filter=contains(title,'''')"), ["a"], "'' is a quote inside the text");
    assert_eq!(ids("$filter=not contains(title,'a') or score lt 0"), ["c"]);
    assert_eq!(ids("$filter=contains(title,'e') and score eq 10"), ["b", "d"]);
    // Only on text, with a property and a quoted string, closed.
    assert!(refused("$filter=startswith(score,'1')").contains("'score' is a number"));
    assert!(refused("$filter=startswith(nope,'1')").contains("Could not find a property named 'nope'"));
    assert!(refused("$filter=startswith('x',title)").contains("takes a property first"));
    assert!(refused("$filter=contains(title,5)").contains("quoted string"));
    assert!(refused("$filter=contains(title 'x')").contains("expected ','"));
    assert!(refused("$filter=contains(title,'x'").contains("ends too early"));
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
    // and binds tighter than or: read left to right, this would leave out a.
    assert_eq!(ids("$filter=id eq 'a' or id eq 'b' and score eq 10"), ["a", "b"]);
    assert_eq!(ids("$filter=score eq 10 and id eq 'b' or id eq 'a'"), ["a", "b"]);
    // not binds tighter than and: as not (id eq 'a' and score eq 10) it would keep all four.
    assert_eq!(ids("$filter=not id eq 'a' and score eq 10"), ["b", "d"]);
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
fn syntax_errors_quote_the_filter_and_the_position() {
    let message = refused("$filter=score eq 5 )");
    assert_eq!(message, "Syntax error in $filter 'score eq 5 )': unexpected ')' at position 11.");
    assert!(refused("$filter=score eq 5 and )").contains("unexpected ')' at position 15"));
    assert!(refused("$filter=score ! 5").contains("at position 6, found '!'"));
    assert!(refused("$filter=score eq ,").contains("unexpected ',' at position 9"));
    let long = format!("$filter=title eq 'x' {}", "and title eq 'x' ".repeat(20));
    assert!(refused(&format!("{long} or")).contains("…': the expression ends too early"));
}

#[test]
fn any_and_all_look_into_collections_one_level_deep() {
    assert_eq!(ids("$filter=parts/any(p: p/weight gt 5)"), ["a"]);
    assert_eq!(ids("$filter=parts/ANY(p:p/Name eq 'wheel')"), ["b"], "names in any case, values as they are");
    assert_eq!(
        ids("$filter=parts/any(p: startswith(p/name, 'WH'))"),
        ["a", "b"],
        "text functions ignore case"
    );
    // `all` holds for an empty or missing collection; `any` does not.
    assert_eq!(ids("$filter=parts/all(p: p/weight lt 5)"), ["b", "c", "d"]);
    assert_eq!(ids("$filter=parts/any()"), ["a", "b"], "any() asks for items at all");
    assert_eq!(ids("$filter=not parts/any()"), ["c", "d"]);
    // Plain values are the variable itself.
    assert_eq!(ids("$filter=labels/any(l: l eq 'blue' or l eq 'big')"), ["a", "b"]);
    assert_eq!(
        ids("$filter=labels/any(l: contains(l, 'E')) and score ge 10"),
        ["b"],
        "combined with the rest"
    );
    assert_eq!(ids("$filter=labels/any(x: x eq 'red') or parts/any(p: p/weight eq 1)"), ["a", "b"]);

    // Each part is checked and named.
    assert!(refused("$filter=parts/any(p: p/colour eq 'red')")
        .contains("'p/colour' is not a property of type 'microsoft.graph.part'"));
    assert!(
        refused("$filter=parts/any(p: title eq 'x')").contains("as 'p/…'"),
        "outer properties are not in scope"
    );
    assert!(refused("$filter=labels/any(l: m eq 'x')").contains("as 'l'"));
    assert!(refused("$filter=parts/any(p: p/weight eq 'heavy')").contains("'weight', which is a number"));
    assert!(refused("$filter=parts/any(p: parts/any(q: q/weight gt 1))").contains("one level deep"));
    assert!(refused("$filter=title/any(t: t eq 'x')").contains("any and all look into parts, labels"));
    assert!(refused("$filter=parts/all()").contains("needs a condition"));
    assert!(refused("$filter=parts/any(p p/weight gt 1)").contains("expected ':'"));
    assert!(refused("$filter=parts/any(p: p/weight gt 1").contains("ends too early"));
    assert!(refused("$filter=parts/any(5: p/weight gt 1)").contains("starts with a variable name"));
}

#[test]
fn unknown_properties_and_functions_are_named() {
    assert_eq!(
        refused("$filter=colour eq 'red'"),
        "Could not find a property named 'colour' on type 'microsoft.graph.thing'."
    );
    assert!(
        refused("$filter='red' eq colour").contains("named 'colour'"),
        "the property may be on the right"
    );
    assert!(refused("$filter=substringof('A',title)").contains("The function 'substringof' is not supported"));
    assert!(refused("$filter=tags/any(t:t eq 'x')").contains("'tags/any' is not supported"));
    assert!(refused("$filter=score in (1,2)").contains("'in' at position 6 is not an operator"));
    assert!(
        refused("$filter=score eq title").contains("'score', which is a number"),
        "no property on both sides"
    );
}

#[test]
fn literals_of_every_kind() {
    assert_eq!(ids("$filter=score gt -1.5 and score lt 5.6"), ["a", "c"]);
    assert_eq!(ids("$filter=score eq 1e1"), ["b", "d"]);
    assert_eq!(ids("$filter=deprecated ne TRUE"), ["a", "c", "d"]);
    assert_eq!(ids("$filter=title eq ''"), Vec::<String>::new());
    assert_eq!(ids("$filter=title ne 'Beta' and title lt 'D'"), ["a"]);
    assert_eq!(ids("$filter=when le 2026-01-01T22:00:00Z"), ["a", "b"], "equal instants in other offsets");
    assert_eq!(ids("$filter=when eq 2026-01-02T00:00:00.000%2B02:00"), ["b"]);
    assert_eq!(ids("$filter=when gt 2026-01-03T11:59:59.9999999Z"), ["d"], "Graph writes seven digits");
    assert!(refused("$filter=score eq -inf").contains("'score', which is a number"));
    assert!(refused("$filter=deprecated eq 1").contains("'deprecated', which is a boolean"));
    assert!(refused("$filter=when eq '2026-01-01'").contains("'when', which is a date-time"));
}

#[test]
fn missing_or_null_properties_only_equal_null() {
    let items = vec![json!({"id": "x"}), json!({"id": "y", "score": null}), json!({"id": "z", "score": 1})];
    let matching = |filter: &str| -> Vec<String> {
        let options = parse(Some(&format!("$filter={filter}")), &SCHEMA).expect("valid");
        options
            .apply(items.clone(), 10)
            .items
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().into())
            .collect()
    };
    assert_eq!(matching("score eq null"), ["x", "y"]);
    assert_eq!(matching("score ne null"), ["z"]);
    for op in ["eq", "ge", "le"] {
        assert_eq!(matching(&format!("score {op} 1")), ["z"], "{op}");
    }
    for op in ["gt", "lt"] {
        assert!(matching(&format!("score {op} 1")).is_empty(), "{op}");
    }
    // As in OData, null differs from every value, so `ne` and `not eq` agree.
    assert_eq!(matching("score ne 1"), ["x", "y"]);
    assert_eq!(matching("not score eq 1"), ["x", "y"]);
    // A value of the wrong JSON type matches nothing rather than failing the request.
    let odd = vec![json!({"id": "w", "score": "ten", "when": "not a date"})];
    let options = parse(Some("$filter=score lt 100 or when lt 2100-01-01&$orderby=when,score"), &SCHEMA);
    assert!(options.expect("valid").apply(odd, 10).items.is_empty());
}

#[test]
fn nesting_and_length_are_bounded() {
    let nested = |n: usize| format!("$filter={}id eq 'a'{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(ids(&nested(MAX_DEPTH - 1)), ["a"]);
    assert!(refused(&nested(MAX_DEPTH)).contains("nests deeper than 32"));
    assert!(refused(&format!("$filter={}id eq 'a'", "not ".repeat(MAX_DEPTH))).contains("nests deeper"));
    // An unclosed flood of parentheses stops at the limit instead of exhausting the stack.
    assert!(refused(&format!("$filter={}", "(".repeat(MAX_FILTER_CHARS))).contains("nests deeper"));
    // A long flat chain is fine: and/or loop rather than recurse while parsing.
    let chain = vec!["score ne 99"; 120].join(" and ");
    assert!(chain.len() < MAX_FILTER_CHARS);
    assert_eq!(ids(&format!("$filter={chain}")).len(), 4);
    assert!(refused(&format!("$filter={}", "x".repeat(MAX_FILTER_CHARS + 1))).contains("longer than 2000"));
}

/// A filter over `score`, evaluated directly, to check the parser and evaluator against.
#[derive(Debug, Clone)]
enum Model {
    Compare(&'static str, i64),
    And(Box<Model>, Box<Model>),
    Or(Box<Model>, Box<Model>),
    Not(Box<Model>),
}

impl Model {
    fn strategy() -> impl Strategy<Value = Model> {
        let leaf = (proptest::sample::select(vec!["eq", "ne", "gt", "ge", "lt", "le"]), -3i64..4)
            .prop_map(|(op, n)| Model::Compare(op, n));
        leaf.prop_recursive(5, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| Model::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| Model::Or(Box::new(a), Box::new(b))),
                inner.prop_map(|a| Model::Not(Box::new(a))),
            ]
        })
    }

    fn binding(&self) -> u8 {
        match self {
            Model::Or(..) => 1,
            Model::And(..) => 2,
            Model::Not(_) => 3,
            Model::Compare(..) => 4,
        }
    }

    /// The filter text with only the parentheses precedence requires, so the parser's
    /// precedence is what is under test. `upper` varies the case of keywords.
    fn text(&self, at_least: u8, upper: bool) -> String {
        let kw = |k: &str| if upper { k.to_ascii_uppercase() } else { k.to_owned() };
        let text = match self {
            Model::Compare(op, n) => format!("score {} {n}", kw(op)),
            Model::And(a, b) => format!("{} {} {}", a.text(2, upper), kw("and"), b.text(3, upper)),
            Model::Or(a, b) => format!("{} {} {}", a.text(1, upper), kw("or"), b.text(2, upper)),
            Model::Not(a) => format!("{} {}", kw("not"), a.text(3, upper)),
        };
        if self.binding() < at_least {
            format!("({text})")
        } else {
            text
        }
    }

    /// `None` is a missing score, which only `ne` accepts.
    fn holds(&self, score: Option<i64>) -> bool {
        match self {
            Model::Compare(op, n) => match score {
                None => *op == "ne",
                Some(s) => match *op {
                    "eq" => s == *n,
                    "ne" => s != *n,
                    "gt" => s > *n,
                    "ge" => s >= *n,
                    "lt" => s < *n,
                    _ => s <= *n,
                },
            },
            Model::And(a, b) => a.holds(score) && b.holds(score),
            Model::Or(a, b) => a.holds(score) || b.holds(score),
            Model::Not(a) => !a.holds(score),
        }
    }
}

proptest! {
    #[test]
    fn filters_mean_what_they_say(model in Model::strategy(), upper in proptest::bool::ANY) {
        let scores: Vec<Option<i64>> = (-4..5).map(Some).chain([None]).collect();
        let items: Vec<Value> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                Some(s) => json!({"id": i.to_string(), "score": s}),
                None => json!({"id": i.to_string()}),
            })
            .collect();
        let text = model.text(0, upper);
        let options = parse(Some(&format!("$filter={text}")), &SCHEMA)
            .map_err(|e| TestCaseError::fail(e.message))?;
        let kept: Vec<String> = options
            .apply(items, 100)
            .items
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().into())
            .collect();
        let expected: Vec<String> =
            scores.iter().enumerate().filter(|(_, s)| model.holds(**s)).map(|(i, _)| i.to_string()).collect();
        prop_assert_eq!(kept, expected, "{}", text);
    }

    #[test]
    fn any_text_is_parsed_or_refused_without_panicking(text in ".{0,200}") {
        let _ = parse(Some(&format!("$filter={text}")), &SCHEMA);
        let _ = parse(Some(&text), &SCHEMA);
    }
}
