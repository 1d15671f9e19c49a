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
fn pages_hold_fifty_and_a_page_past_the_end_shows_the_last() {
    assert_eq!(PageOf::new(0, 1), PageOf { page: 1, pages: 1, total: 0 });
    assert_eq!(PageOf::new(0, 1).window(), (0, 0));
    let p = PageOf::new(120, 9);
    assert_eq!((p.page, p.pages), (3, 3));
    assert_eq!(p.window(), (100, 20));
    assert_eq!(PageOf::new(100, 2).window(), (50, 50));
}

#[test]
fn labels_sign_gains_and_show_the_resulting_score() {
    let e = event(1, "a", Category::Apps, 750);
    assert_eq!(e.delta_label(), "+7.50");
    assert_eq!(event(1, "a", Category::Apps, -50).delta_label(), "-0.50");
    assert_eq!(e.score_label(), "50.00 % (10.00 / 20.00)");
}
