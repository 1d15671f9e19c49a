//! Unit tests of `ingest`.

use super::*;

fn catalog() -> HashMap<String, ImprovementAction> {
    let mut actions = HashMap::new();
    for (id, unit) in [("Yes", None), ("Users", Some("users"))] {
        let a = ImprovementAction::new(id, id, score::Category::Identity, "Entra ID", 5).scored_by(unit);
        actions.insert(id.to_owned(), a);
    }
    actions
}

fn check(value: serde_json::Value) -> Result<MeasurementInput, Vec<ErrorDetail>> {
    check_item(0, value, &catalog(), Utc::now())
}

#[test]
fn binary_actions_take_implemented_or_one_unit() {
    let at = "2026-01-01T00:00:00Z";
    let yes = check(serde_json::json!({"actionId": "Yes", "implemented": true, "observedAt": at}));
    assert_eq!(yes.expect("valid").measurement.count, 1);
    let one = check(serde_json::json!({"actionId": "Yes", "count": 0, "total": 1, "observedAt": at}));
    assert_eq!(one.expect("valid").measurement.total, 1);
    let many = check(serde_json::json!({"actionId": "Yes", "count": 3, "total": 5, "observedAt": at}));
    assert_eq!(many.expect_err("not yes/no")[0].target, "measurements[0].total");
    let partial = check(serde_json::json!({"actionId": "Users", "implemented": true, "observedAt": at}));
    assert!(partial.expect_err("needs counts")[0].message.contains("counts users"));
}

#[test]
fn every_problem_of_an_item_is_listed() {
    let bad = check(serde_json::json!({"actionId": "Nope", "count": -1, "total": 2, "observedAt": "soon"}));
    let targets: Vec<String> = bad.expect_err("bad").into_iter().map(|d| d.target).collect();
    assert_eq!(targets, ["measurements[0].actionId", "measurements[0].observedAt", "measurements[0].count"]);
}

#[test]
fn nothing_to_protect_is_not_applicable() {
    let m = check(serde_json::json!({"actionId": "Users", "count": 0, "total": 0,
        "observedAt": "2026-01-01T00:00:00+01:00"}))
    .expect("valid");
    assert_eq!((m.measurement.count, m.measurement.total), (0, 0));
    assert_eq!(m.measurement.observed_at.to_rfc3339(), "2025-12-31T23:00:00+00:00");
}

#[test]
fn item_indexes_come_from_targets() {
    assert_eq!(item_index("measurements[12].count"), 12);
    assert_eq!(item_index("measurements[3]"), 3);
}

#[test]
fn counts_written_as_doubles_are_whole_numbers_all_the_same() {
    let at = "2026-01-01T00:00:00Z";
    let m = check(serde_json::json!({"actionId": "Users", "count": 3.0, "total": 40.0, "observedAt": at}))
        .expect("whole numbers");
    assert_eq!((m.measurement.count, m.measurement.total), (3, 40));
    let half = check(serde_json::json!({"actionId": "Users", "count": 3.5, "total": 40, "observedAt": at}));
    let problem = &half.expect_err("a fraction")[0];
    assert_eq!(problem.target, "measurements[0]");
    assert!(problem.message.contains("3.5 is not a whole number"), "{}", problem.message);
    let huge = check(serde_json::json!({"actionId": "Users", "count": 0, "total": 1e300, "observedAt": at}));
    assert!(huge.expect_err("too large")[0].message.contains("not a whole number"));
}
