use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, d).expect("a day of April")
}

fn cell(bucket: u8, industry: &str) -> Cell {
    Cell { bucket, industry: industry.into() }
}

/// A day whose tenants all stayed where they were the day before.
fn steady(d: u32, cells: &[(Cell, i64, u32)]) -> BenchmarkDay {
    let tallies = cells.iter().map(|(c, sum, count)| CellTally {
        cell: c.clone(),
        sum: *sum,
        count: *count,
        shares: None,
    });
    BenchmarkDay::steady(day(d), tallies.collect(), d == 1)
}

#[test]
fn a_cell_of_five_hidden_tenants_is_shown_rounded_to_a_tenth() {
    let finance = cell(3, "Finance");
    let days: Vec<BenchmarkDay> = (1..=3).map(|d| steady(d, &[(finance.clone(), 30_004, 5)])).collect();
    let r = Release::new(&days, &[]);
    // 30,004 / 5 = 6,000.8 hundredths → 60.0 %.
    assert_eq!(r.value(day(2), &CellGroup::all()), Some(Percent(6_000)));
    assert_eq!(r.value(day(3), &CellGroup::bucket(3)), Some(Percent(6_000)));
    assert_eq!(r.value(day(3), &CellGroup::industry("Retail")), None);
    // The first day read is only the day before of the second.
    assert_eq!(r.value(day(1), &CellGroup::all()), None);
}

#[test]
fn the_viewers_own_tenants_leave_the_average_and_do_not_count_toward_five() {
    let retail = cell(2, "Retail");
    let days: Vec<BenchmarkDay> =
        (1..=2).map(|d| steady(d, &[(retail.clone(), 5 * 7_000 + 1_000, 6)])).collect();
    let own = |d| HeldEntry {
        tenant_id: "mine".into(),
        day: day(d),
        cell: retail.clone(),
        percent: Percent(1_000),
        shares: None,
    };
    // Without the viewer's tenant: five others at 70 %.
    assert_eq!(Release::new(&days, &[own(1), own(2)]).value(day(2), &CellGroup::all()), Some(Percent(7_000)));
    let two = |d, id: &str| HeldEntry {
        tenant_id: id.into(),
        day: day(d),
        cell: retail.clone(),
        percent: Percent(7_000),
        shares: None,
    };
    let held = [own(1), own(2), two(1, "b"), two(2, "b")];
    assert_eq!(Release::new(&days, &held).value(day(2), &CellGroup::all()), None, "four hidden: too small");
}

#[test]
fn small_cells_of_a_bucket_are_pooled_and_stay_out_of_industry_averages() {
    let (a, b) = (cell(1, "Finance"), cell(1, "Health"));
    let days: Vec<BenchmarkDay> =
        (1..=2).map(|d| steady(d, &[(a.clone(), 3 * 5_000, 3), (b.clone(), 3 * 8_000, 3)])).collect();
    let r = Release::new(&days, &[]);
    assert_eq!(r.value(day(2), &CellGroup::bucket(1)), Some(Percent(6_500)));
    assert_eq!(r.value(day(2), &CellGroup::industry("Finance")), None, "three Finance tenants alone");
}

#[test]
fn a_tenant_moving_between_cells_withholds_both_for_the_day() {
    let (small, large) = (cell(2, "Retail"), cell(3, "Retail"));
    let d1 = steady(1, &[(small.clone(), 6 * 5_000, 6), (large.clone(), 6 * 8_000, 6)]);
    let d2 = steady(2, &[(small.clone(), 6 * 5_000, 6), (large.clone(), 6 * 8_000, 6)]);
    // Day 3: one tenant (score 50 %) moved from the smaller bucket to the larger one.
    let d3 = BenchmarkDay {
        day: day(3),
        cells: vec![
            CellTally { cell: small.clone(), sum: 5 * 5_000, count: 5, shares: None },
            CellTally { cell: large.clone(), sum: 6 * 8_000 + 5_000, count: 7, shares: None },
        ],
        moves: vec![
            Move { from: Some(small.clone()), to: Some(small.clone()), count: 5 },
            Move { from: Some(small.clone()), to: Some(large.clone()), count: 1 },
            Move { from: Some(large.clone()), to: Some(large.clone()), count: 6 },
        ],
    };
    let r = Release::new(&[d1, d2, d3], &[]);
    assert!(r.value(day(2), &CellGroup::bucket(2)).is_some());
    assert_eq!(r.value(day(3), &CellGroup::bucket(2)), None);
    assert_eq!(r.value(day(3), &CellGroup::bucket(3)), None);
    // All tenants did not change: still shown.
    assert!(r.value(day(3), &CellGroup::all()).is_some());
}

#[test]
fn a_chosen_list_is_shown_only_to_a_viewer_holding_every_tenant_in_it() {
    let c = cell(0, "Retail");
    let entries = [
        HeldEntry {
            tenant_id: "a".into(),
            day: day(1),
            cell: c.clone(),
            percent: Percent(4_000),
            shares: None,
        },
        HeldEntry {
            tenant_id: "b".into(),
            day: day(1),
            cell: c.clone(),
            percent: Percent(5_010),
            shares: None,
        },
    ];
    let on_day: Vec<&HeldEntry> = entries.iter().collect();
    let listed = vec!["a".to_owned(), "b".to_owned()];
    assert_eq!(chosen_average(&listed, &on_day, |_| true), Some(Percent(4_510)));
    assert_eq!(chosen_average(&listed, &on_day, |t| t == "a"), None);
}

#[test]
fn stored_cells_read_back_equal_and_share_their_industry() {
    let stored = r#"[{"bucket":2,"industry":"Retail"},{"bucket":3,"industry":"Retail"},{"bucket":2,"industry":"R\u00e9tail"}]"#;
    let cells: Vec<Cell> = serde_json::from_str(stored).unwrap_or_default();
    assert_eq!(cells, vec![cell(2, "Retail"), cell(3, "Retail"), cell(2, "Rétail")]);
    assert!(std::sync::Arc::ptr_eq(&cells[0].industry, &cells[1].industry), "one name for both");
    let written = serde_json::to_string(&cells).unwrap_or_default();
    assert_eq!(serde_json::from_str::<Vec<Cell>>(&written).unwrap_or_default(), cells);
    assert!(written.starts_with(r#"[{"bucket":2,"industry":"Retail"}"#), "{written}");
}

#[test]
fn the_split_by_category_averages_the_same_hidden_tenants_or_is_withheld_with_the_average() {
    let retail = cell(2, "Retail");
    // Six tenants; the viewer holds one of them. Shares (Identity, Data, Device, Apps,
    // Infrastructure) add up to each tenant's percentage.
    let others: [Shares; 5] = [
        [4_000, 1_000, 500, 500, 0],
        [3_000, 2_000, 1_000, 0, 0],
        [5_000, 500, 500, 1_000, 500],
        [2_000, 2_000, 2_000, 1_000, 0],
        [4_000, 1_500, 0, 500, 1_000],
    ];
    let mine: Shares = [100, 200, 300, 400, 0];
    let sum_of = |list: &[Shares]| -> Shares { std::array::from_fn(|i| list.iter().map(|s| s[i]).sum()) };
    let all = sum_of(&[others.as_slice(), &[mine]].concat());
    let total = all.iter().sum::<i64>();
    let tally = |d: u32, shares: Option<Shares>| {
        BenchmarkDay::steady(
            day(d),
            vec![CellTally { cell: retail.clone(), sum: total, count: 6, shares }],
            d == 1,
        )
    };
    let held = |d| HeldEntry {
        tenant_id: "mine".into(),
        day: day(d),
        cell: retail.clone(),
        percent: Percent(mine.iter().sum()),
        shares: Some(mine),
    };
    let r = Release::new(&[tally(1, Some(all)), tally(2, Some(all))], &[held(1), held(2)]);
    // Worked out by hand over the five others: Identity (4000+3000+5000+2000+4000)/5 = 3600.
    let expected: [Percent; 5] = std::array::from_fn(|i| {
        let s: i64 = others.iter().map(|o| o[i]).sum();
        tenth(s, 5)
    });
    assert_eq!(expected[0], Percent(3_600));
    assert_eq!(r.by_category(day(2), &CellGroup::all()), Some(expected));
    let parts: i64 = expected.iter().map(|p| p.0).sum();
    assert_eq!(Percent(parts), r.value(day(2), &CellGroup::all()).expect("shown"), "the parts add up");

    // Withheld with the average: four hidden tenants are too few.
    let two =
        |d| HeldEntry { tenant_id: "b".into(), shares: Some(others[0]), percent: Percent(6_000), ..held(d) };
    let r = Release::new(&[tally(1, Some(all)), tally(2, Some(all))], &[held(1), held(2), two(1), two(2)]);
    assert_eq!((r.value(day(2), &CellGroup::all()), r.by_category(day(2), &CellGroup::all())), (None, None));

    // A day tallied before the split was kept: the average, but no split.
    let r = Release::new(&[tally(1, None), tally(2, None)], &[held(1), held(2)]);
    assert!(r.value(day(2), &CellGroup::all()).is_some());
    assert_eq!(r.by_category(day(2), &CellGroup::all()), None);
}

#[test]
fn a_score_splits_into_its_categories_shares_of_the_whole_maximum() {
    use crate::tally::Breakdown;
    let b = |name: &str, current: i64, max: i64| Breakdown {
        name: name.into(),
        current: Points(current),
        max: Points(max),
    };
    let categories = [b("Identity", 3_000, 4_000), b("Data", 1_000, 4_000), b("Apps", 0, 2_000)];
    // 30 of 100 points in Identity is 30 % of the whole; Device and Infrastructure are absent.
    assert_eq!(shares_of(&categories, Points(10_000)), [3_000, 1_000, 0, 0, 0]);
}
