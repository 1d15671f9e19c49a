//! SPEC §2 examples and properties of the scoring core.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use score::snapshot::{action_points, diff, Cause, ScoreChanges};
use score::{
    evaluate, rank, Category, ControlState, EffectiveStatus, ImprovementAction, Level, Measurement, Points,
    Status,
};
use std::collections::BTreeMap;

fn action(id: &str, max: u32, partial: bool, category: Category) -> ImprovementAction {
    ImprovementAction::new(id, format!("Action {id}"), category, "Entra ID", max)
        .scored_by(partial.then_some("users"))
}

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("valid time")
}

fn state(status: Status, m: Option<Measurement>) -> ControlState {
    ControlState { status, measurement: m }
}

fn worked_example() -> (Vec<ImprovementAction>, BTreeMap<String, ControlState>) {
    let actions = vec![
        action("A", 10, true, Category::Identity),
        action("B", 8, false, Category::Data),
        action("C", 5, false, Category::Device),
        action("D", 9, true, Category::Device),
    ];
    let states = BTreeMap::from([
        ("A".to_string(), state(Status::ToAddress, Some(Measurement::partial(45, 60, at())))),
        ("B".to_string(), state(Status::ThirdParty, Some(Measurement::binary(false, at())))),
        ("C".to_string(), state(Status::ToAddress, Some(Measurement::binary(true, at())))),
        ("D".to_string(), state(Status::RiskAccepted, Some(Measurement::partial(10, 10, at())))),
    ]);
    (actions, states)
}

#[test]
fn spec_worked_example_scores_64_06_percent() {
    let (actions, states) = worked_example();
    let (score, per_action) = evaluate(&actions, |id| states.get(id).copied());
    let points: Vec<String> = per_action.iter().map(|s| s.points.to_string()).collect();
    assert_eq!(points, ["7.50", "8.00", "5.00", "0.00"]);
    assert_eq!(score.current.to_string(), "20.50");
    assert_eq!(score.max.to_string(), "32.00");
    assert_eq!(score.percent().to_string(), "64.06 %");
    assert_eq!(per_action[2].effective, EffectiveStatus::Completed);
    // Risk accepted stays risk accepted even with a full measurement, and stays in the maximum.
    assert_eq!(per_action[3].effective, EffectiveStatus::Set(Status::RiskAccepted));
    let device = score.category(Category::Device).expect("device breakdown");
    assert_eq!((device.current, device.max), (Points(500), Points(1400)));
    assert_eq!(score.categories.len(), 5);
    assert_eq!(score.products.len(), 1);
    assert_eq!(score.products[0].current, Points(2050));
}

#[test]
fn seed_example_five_of_hundred_users() {
    let a = action("Seed", 10, true, Category::Identity);
    let m = Measurement::partial(5, 100, at());
    let (score, _) = evaluate([&a], |_| Some(state(Status::ToAddress, Some(m))));
    assert_eq!(score.current.to_string(), "0.50");
    // The seed's 30-point action (our catalog caps at 10) gives 1.50 points.
    assert_eq!(Points::fraction_of(Points::whole(30), 5, 100).to_string(), "1.50");
}

#[test]
fn not_applicable_and_deprecated_actions_leave_score_and_maximum() {
    let mut old = action("Old", 7, false, Category::Apps);
    old.deprecated = true;
    let empty = action("Empty", 6, true, Category::Apps);
    let live = action("Live", 4, false, Category::Apps);
    let states = BTreeMap::from([
        ("Old".to_string(), state(Status::ToAddress, Some(Measurement::binary(true, at())))),
        ("Empty".to_string(), state(Status::ToAddress, Some(Measurement::partial(0, 0, at())))),
        ("Live".to_string(), state(Status::ToAddress, Some(Measurement::binary(true, at())))),
    ]);
    let (score, scored) = evaluate([&old, &empty, &live], |id| states.get(id).copied());
    assert_eq!((score.current, score.max), (Points(400), Points(400)));
    assert_eq!(rank(&scored).len(), 1, "inapplicable actions get no rank");
}

#[test]
fn ranking_follows_documented_formula() {
    let mut cheap = action("Cheap", 4, false, Category::Identity);
    cheap.implementation_cost = Level::Low;
    let mut costly = action("Costly", 6, false, Category::Identity);
    costly.implementation_cost = Level::High; // 6 × 0.5 = 3
    let mut done = action("Done", 10, false, Category::Identity);
    done.implementation_cost = Level::Low;
    let accepted = action("Accepted", 10, false, Category::Identity);
    let tie_small = action("TieA", 3, false, Category::Identity);
    let mut tie_big = action("TieB", 4, false, Category::Identity);
    tie_big.user_impact = Level::Moderate; // 4 × 0.75 = 3: a three-way tie broken by max
    let states = BTreeMap::from([
        ("Done".to_string(), state(Status::ToAddress, Some(Measurement::binary(true, at())))),
        ("Accepted".to_string(), state(Status::RiskAccepted, None)),
    ]);
    let actions = [cheap, costly, done, accepted, tie_small, tie_big];
    let (_, scored) = evaluate(&actions, |id| states.get(id).copied());
    let order: Vec<String> = rank(&scored).into_iter().map(|r| r.id).collect();
    assert_eq!(order, ["Cheap", "Costly", "TieB", "TieA", "Accepted", "Done"]);
}

#[test]
fn snapshot_diff_separates_regressions_from_status_changes() {
    let (actions, mut states) = worked_example();
    let (_, before) = evaluate(&actions, |id| states.get(id).copied());
    let before = action_points(&before);
    // A loses users (regression), C gets risk accepted (status), a new action E arrives.
    states.insert("A".into(), state(Status::ToAddress, Some(Measurement::partial(30, 60, at()))));
    states.insert("C".into(), state(Status::RiskAccepted, Some(Measurement::binary(true, at()))));
    let mut actions = actions;
    actions.push(action("E", 2, false, Category::Apps));
    states.insert("E".into(), state(Status::ToAddress, Some(Measurement::binary(true, at()))));
    let (_, after) = evaluate(&actions, |id| states.get(id).copied());
    let after = action_points(&after);
    let changes = diff(&before, &after);
    let causes: Vec<(String, Cause)> = changes.iter().map(|c| (c.id.clone(), c.cause)).collect();
    assert_eq!(
        causes,
        [("A".into(), Cause::Measurement), ("C".into(), Cause::Status), ("E".into(), Cause::Added)]
    );
    assert!(changes[0].is_regression());
    assert!(!changes[1].is_regression());
    let sums = ScoreChanges::from_changes(&changes);
    assert_eq!(sums.regressed, Points(-250));
    assert_eq!(sums.lowered_by_status, Points(-500));
    assert_eq!(sums.from_new_actions, Points(200));
    assert_eq!(sums.max_from_new_actions, Points(200));
    assert_eq!(sums.net, Points(-550));
}

fn arb_status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn arb_level() -> impl Strategy<Value = Level> {
    prop::sample::select(vec![Level::Low, Level::Moderate, Level::High])
}

prop_compose! {
    fn arb_case()(n in 1usize..40)
        (specs in prop::collection::vec(
            (1u32..=10, any::<bool>(), 0u32..50, 0u32..50, arb_status(), arb_level(), arb_level(), arb_level(), any::<bool>(), prop::bool::weighted(0.1)),
            n))
        -> (Vec<ImprovementAction>, BTreeMap<String, ControlState>)
    {
        let mut actions = Vec::new();
        let mut states = BTreeMap::new();
        for (i, (max, partial, a, b, status, cost, impact, complexity, measured, deprecated)) in specs.into_iter().enumerate() {
            let id = format!("X{i:02}");
            let mut act = action(&id, max, partial, Category::ALL[i % 5]);
            act.implementation_cost = cost;
            act.user_impact = impact;
            act.complexity = complexity;
            act.deprecated = deprecated;
            let m = if partial { Measurement::partial(a.min(b), a.max(b), at()) } else { Measurement::binary(a % 2 == 0, at()) };
            states.insert(id, state(status, measured.then_some(m)));
            actions.push(act);
        }
        (actions, states)
    }
}

proptest! {
    #[test]
    fn score_stays_between_zero_and_max((actions, states) in arb_case()) {
        let (score, scored) = evaluate(&actions, |id| states.get(id).copied());
        prop_assert!(score.current >= Points::ZERO);
        prop_assert!(score.current <= score.max);
        for s in &scored {
            prop_assert!(s.points >= Points::ZERO && s.points <= s.max);
        }
        let by_category: Points = score.categories.iter().map(|c| c.current).sum();
        prop_assert_eq!(by_category, score.current);
        let by_product: Points = score.products.iter().map(|c| c.max).sum();
        prop_assert_eq!(by_product, score.max);
    }

    #[test]
    fn ranking_is_a_total_order((actions, states) in arb_case()) {
        let (_, scored) = evaluate(&actions, |id| states.get(id).copied());
        let ranked = rank(&scored);
        let ranks: Vec<u32> = ranked.iter().map(|r| r.rank).collect();
        let expected: Vec<u32> = (1..=ranked.len() as u32).collect();
        prop_assert_eq!(ranks, expected);
        for w in scored.iter().filter(|s| s.applicable).collect::<Vec<_>>().windows(2) {
            let ab = score::ranking::compare(w[0], w[1]);
            let ba = score::ranking::compare(w[1], w[0]);
            prop_assert_eq!(ab, ba.reverse());
            prop_assert!(ab != std::cmp::Ordering::Equal || w[0].id == w[1].id);
        }
        // Priority never increases down the list.
        for w in ranked.windows(2) {
            prop_assert!(w[0].priority_key >= w[1].priority_key);
        }
        // Same input in another order ranks the same.
        let mut reversed = scored.clone();
        reversed.reverse();
        prop_assert_eq!(rank(&reversed), ranked);
    }

    #[test]
    fn a_status_change_alters_no_other_action((actions, states) in arb_case(), pick in any::<prop::sample::Index>(), new_status in arb_status()) {
        let (_, before) = evaluate(&actions, |id| states.get(id).copied());
        let target = actions[pick.index(actions.len())].id.clone();
        let mut changed = states.clone();
        if let Some(s) = changed.get_mut(&target) {
            s.status = new_status;
        }
        let (_, after) = evaluate(&actions, |id| changed.get(id).copied());
        for (b, a) in before.iter().zip(after.iter()) {
            if b.id != target {
                prop_assert_eq!(b, a);
            }
        }
    }
}
