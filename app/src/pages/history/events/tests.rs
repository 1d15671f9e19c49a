//! Unit tests of the History list's events and pages.

use super::*;

fn event(day: u32, action: &str, category: Category, delta: i64) -> HistoryEvent {
    HistoryEvent {
        day: NaiveDate::from_ymd_opt(2026, 3, day).expect("day"),
        action_id: action.to_owned(),
        action: action.to_owned(),
        category: Some(category),
        kind: EventKind::Improvement,
        change: "Improvement".into(),
        delta: Points(delta),
        score: Points(1000),
        max: Points(2000),
        who: "Measurement".into(),
        note: String::new(),
    }
}

fn sample() -> Vec<HistoryEvent> {
    vec![
        event(1, "b", Category::Identity, 100),
        event(3, "a", Category::Device, -200),
        event(3, "c", Category::Identity, 300),
        event(2, "d", Category::Identity, 0),
    ]
}

fn order(sort: EventSort, category: Option<Category>) -> Vec<String> {
    let mut v = sample();
    arrange(&mut v, category, sort);
    v.into_iter().map(|e| e.action_id).collect()
}

#[test]
fn each_sort_orders_totally_with_newest_first_on_ties() {
    assert_eq!(order(EventSort::DateDesc, None), ["a", "c", "d", "b"]);
    assert_eq!(order(EventSort::DateAsc, None), ["b", "d", "a", "c"]);
    assert_eq!(order(EventSort::PointsDesc, None), ["c", "b", "d", "a"]);
    assert_eq!(order(EventSort::PointsAsc, None), ["a", "d", "b", "c"]);
    assert_eq!(order(EventSort::Action, None), ["a", "b", "c", "d"]);
}

#[test]
fn the_category_filter_keeps_only_its_actions() {
    assert_eq!(order(EventSort::DateDesc, Some(Category::Identity)), ["c", "d", "b"]);
    assert!(order(EventSort::DateDesc, Some(Category::Apps)).is_empty());
}

#[test]
fn labels_sign_gains_and_show_the_resulting_score() {
    let e = event(1, "a", Category::Apps, 750);
    assert_eq!(e.delta_label(), "+7.50");
    assert_eq!(event(1, "a", Category::Apps, -50).delta_label(), "-0.50");
    assert_eq!(e.score_label(), "50.00 % (10.00 / 20.00)");
}
