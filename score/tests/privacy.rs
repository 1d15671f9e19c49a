//! The proof of SPEC §4's privacy rule: whatever a viewer reads of the benchmarks, no
//! hidden tenant's score lies in the linear span of the released values — on one day, or
//! over two consecutive days on which scores did not change.
//!
//! Populations, viewers and every possible comparison group are generated; each released
//! value's members are worked out here from the population (not taken from the release),
//! its average is checked against those members' scores, and the span is tested with exact
//! integer elimination (Bareiss), which decides rank over the rationals.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use proptest::prelude::*;
use score::benchmark::{BenchmarkDay, Cell, CellGroup, CellTally, HeldEntry, Move, Release, MIN_BLOCK};
use score::Percent;
use std::collections::{BTreeMap, BTreeSet};

const BUCKETS: u8 = 4;
const INDUSTRIES: [&str; 3] = ["Finance", "Health", "Retail"];

/// One tenant on one day: tallied in a cell with a score, or absent.
type Day = Vec<Option<(Cell, i64)>>;

#[derive(Debug, Clone)]
struct Population {
    days: Vec<Day>,
    held: BTreeSet<usize>,
}

fn date(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(i as i64)
}

fn population() -> impl Strategy<Value = Population> {
    (6usize..=26, 3usize..=5).prop_flat_map(|(n, days)| {
        let tenant = (
            0..BUCKETS,
            0..INDUSTRIES.len(),
            proptest::collection::vec((any::<bool>(), 0u8..10, 0..=10_000i64, 0u8..10), days),
            0u8..10,
        );
        proptest::collection::vec(tenant, n).prop_map(move |tenants| {
            let mut out = vec![Vec::new(); days];
            let mut held = BTreeSet::new();
            for (t, (bucket, industry, daily, hold)) in tenants.into_iter().enumerate() {
                if hold < 2 {
                    held.insert(t);
                }
                let mut bucket = bucket;
                let mut score = 5_000;
                for (d, (changes, present, new_score, moves)) in daily.into_iter().enumerate() {
                    // Scores and seat buckets mostly stay put from one day to the next, as
                    // they do in life: that is what makes differences between days bite.
                    if changes {
                        score = new_score;
                    }
                    if moves == 0 {
                        bucket = (bucket + 1) % BUCKETS;
                    }
                    let cell = Cell { bucket, industry: INDUSTRIES[industry].into() };
                    out[d].push((present > 0).then_some((cell, score)));
                }
            }
            Population { days: out, held }
        })
    })
}

/// The stored days, as the daily run tallies them.
fn benchmark_days(p: &Population) -> Vec<BenchmarkDay> {
    p.days
        .iter()
        .enumerate()
        .map(|(d, tenants)| {
            let mut cells: BTreeMap<Cell, (i64, u32)> = BTreeMap::new();
            let mut moves: BTreeMap<(Option<Cell>, Option<Cell>), u32> = BTreeMap::new();
            for (t, entry) in tenants.iter().enumerate() {
                if let Some((cell, score)) = entry {
                    let c = cells.entry(cell.clone()).or_default();
                    c.0 += score;
                    c.1 += 1;
                }
                let before = if d == 0 { None } else { p.days[d - 1][t].as_ref().map(|e| e.0.clone()) };
                let now = entry.as_ref().map(|e| e.0.clone());
                if before.is_some() || now.is_some() {
                    *moves.entry((before, now)).or_default() += 1;
                }
            }
            BenchmarkDay {
                day: date(d),
                cells: cells
                    .into_iter()
                    .map(|(cell, (sum, count))| CellTally { cell, sum, count, shares: None })
                    .collect(),
                moves: moves.into_iter().map(|((from, to), count)| Move { from, to, count }).collect(),
            }
        })
        .collect()
}

fn held_entries(p: &Population) -> Vec<HeldEntry> {
    let mut out = Vec::new();
    for (d, tenants) in p.days.iter().enumerate() {
        for &t in &p.held {
            if let Some((cell, score)) = &tenants[t] {
                out.push(HeldEntry {
                    tenant_id: t.to_string(),
                    day: date(d),
                    cell: cell.clone(),
                    percent: Percent(*score),
                    shares: None,
                });
            }
        }
    }
    out
}

/// Every group a viewer could ever be shown: each set of buckets × each set of industries
/// (empty meaning any), which covers all tenants, every seat bucket, every industry and
/// every custom comparison at once.
fn every_group() -> Vec<CellGroup> {
    let mut out = Vec::new();
    for b in 0u32..(1 << BUCKETS) {
        for i in 0u32..(1 << INDUSTRIES.len()) {
            out.push(CellGroup {
                buckets: (0..BUCKETS).filter(|k| b & (1 << k) != 0).collect(),
                industries: INDUSTRIES
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| i & (1 << k) != 0)
                    .map(|(_, s)| s.to_string())
                    .collect(),
            });
        }
    }
    out
}

fn round_tenth(sum: i64, count: i64) -> i64 {
    // Half away from zero, in tenths of a percent (scores are hundredths).
    let q = (2 * sum + 10 * count) / (20 * count);
    q * 10
}

/// Rank of an integer matrix, exactly, by fraction-free elimination.
fn rank(rows: &[Vec<i128>]) -> usize {
    let mut m: Vec<Vec<i128>> = rows.to_vec();
    let cols = m.first().map_or(0, Vec::len);
    let (mut r, mut prev) = (0usize, 1i128);
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| m[i][c] != 0) else { continue };
        m.swap(r, p);
        for i in r + 1..m.len() {
            for j in c + 1..cols {
                m[i][j] = (m[r][c] * m[i][j] - m[i][c] * m[r][j]) / prev;
            }
            m[i][c] = 0;
        }
        prev = m[r][c];
        r += 1;
        if r == m.len() {
            break;
        }
    }
    r
}

/// The hidden tenants whose scores a set of rows (over `unknowns`) pins down exactly.
fn derivable(rows: &[Vec<i128>], unknowns: usize) -> Vec<usize> {
    let base = rank(rows);
    (0..unknowns)
        .filter(|&t| {
            let mut with = rows.to_vec();
            let mut e = vec![0; unknowns];
            e[t] = 1;
            with.push(e);
            rank(&with) == base
        })
        .collect()
}

/// Every value the viewer can read, as (day, member tenants), after checking each one.
fn released_values(p: &Population) -> Result<Vec<(usize, BTreeSet<usize>)>, TestCaseError> {
    let release = Release::new(&benchmark_days(p), &held_entries(p));
    let mut out = Vec::new();
    for d in 1..p.days.len() {
        for g in every_group() {
            let Some(r) = release.released(date(d), &g) else { continue };
            let members: BTreeSet<usize> = p.days[d]
                .iter()
                .enumerate()
                .filter(|(t, e)| !p.held.contains(t) && e.as_ref().is_some_and(|(c, _)| r.cells.contains(c)))
                .map(|(t, _)| t)
                .collect();
            prop_assert!(
                members.len() >= MIN_BLOCK as usize,
                "day {d} {g:?}: only {} members",
                members.len()
            );
            prop_assert!(r.cells.iter().all(|c| g.covers(c)), "day {d} {g:?} stands on cells outside it");
            let sum: i64 = members.iter().map(|&t| p.days[d][t].as_ref().unwrap().1).sum();
            prop_assert_eq!(r.average.0, round_tenth(sum, members.len() as i64), "day {} {:?}", d, g);
            out.push((d, members));
        }
    }
    Ok(out)
}

/// One row per distinct member set (a value repeated adds nothing to the span).
fn rows_over(values: &[&BTreeSet<usize>], unknowns: &[usize]) -> Vec<Vec<i128>> {
    let distinct: BTreeSet<&BTreeSet<usize>> = values.iter().copied().collect();
    distinct.into_iter().map(|m| unknowns.iter().map(|t| i128::from(m.contains(t))).collect()).collect()
}

fn check(p: &Population) -> Result<(), TestCaseError> {
    let values = released_values(p)?;
    let n = p.days[0].len();
    let hidden: Vec<usize> = (0..n).filter(|t| !p.held.contains(t)).collect();
    for d in 1..p.days.len() {
        // One day: each tenant's score that day is its own unknown.
        let today: Vec<&BTreeSet<usize>> = values.iter().filter(|v| v.0 == d).map(|v| &v.1).collect();
        let leaked = derivable(&rows_over(&today, &hidden), hidden.len());
        prop_assert!(
            leaked.is_empty(),
            "day {d}: tenants {:?} derivable",
            leaked.iter().map(|&i| hidden[i]).collect::<Vec<_>>()
        );
        // Two days with every score unchanged: one unknown per tenant for both days.
        if d >= 2 {
            let both: Vec<&BTreeSet<usize>> =
                values.iter().filter(|v| v.0 == d || v.0 == d - 1).map(|v| &v.1).collect();
            let leaked = derivable(&rows_over(&both, &hidden), hidden.len());
            prop_assert!(
                leaked.is_empty(),
                "days {} and {d}: tenants {:?} derivable",
                d - 1,
                leaked.iter().map(|&i| hidden[i]).collect::<Vec<_>>()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_hidden_score_lies_in_the_span_of_what_a_viewer_reads(p in population()) {
        check(&p)?;
    }
}

/// The rule before cells: a free seat range released over every tenant in it but the
/// viewing one, once it had five others. Kept to show the checker above catches it.
fn free_range_average(
    seats: &[u32],
    scores: &[i64],
    lo: u32,
    hi: u32,
    own: usize,
) -> Option<BTreeSet<usize>> {
    let members: BTreeSet<usize> =
        (0..seats.len()).filter(|&t| t != own && seats[t] >= lo && seats[t] <= hi).collect();
    let _ = scores;
    (members.len() >= 5).then_some(members)
}

#[test]
fn the_seat_range_attack_recovers_a_tenant_under_the_old_rule_and_nothing_now() {
    // Twelve tenants of one industry, seats 20, 40, …, 240; the viewer holds tenant 0.
    let seats: Vec<u32> = (1..=12).map(|k| k * 20).collect();
    let scores: Vec<i64> = (0..12).map(|k| 3_000 + 457 * k).collect();
    // The attack: two ranges whose members differ by exactly tenant 6.
    let a = free_range_average(&seats, &scores, 1, seats[5], 0).expect("five others");
    let b = free_range_average(&seats, &scores, 1, seats[6], 0).expect("six others");
    let unknowns: Vec<usize> = (1..12).collect();
    let leaked = derivable(&rows_over(&[&a, &b], &unknowns), unknowns.len());
    assert_eq!(
        leaked.iter().map(|&i| unknowns[i]).collect::<Vec<_>>(),
        vec![6],
        "the old rule gives tenant 6 away"
    );

    // The same tenants now: cells by seat bucket (1–10, 11–50, 51–100, 101–500), every
    // group the attacker could define, two identical days.
    let day: Day = seats.iter().zip(&scores).map(|(s, p)| Some((Cell::of(*s, "Finance"), *p))).collect();
    let p = Population { days: vec![day.clone(), day.clone(), day], held: BTreeSet::from([0]) };
    check(&p).expect("nothing derivable");
    let values = released_values(&p).unwrap();
    assert!(!values.is_empty(), "the all-tenants average is still shown");
}

#[test]
fn a_provider_holding_four_of_a_group_learns_nothing_of_the_fifth() {
    // The group holds 4 of the viewer's tenants and one stranger: 5 tenants, 1 hidden.
    let day: Day = (0..5).map(|k| Some((Cell::of(300, "Retail"), 4_000 + 100 * k))).collect();
    let p = Population { days: vec![day.clone(), day.clone(), day], held: BTreeSet::from([0, 1, 2, 3]) };
    assert!(released_values(&p).unwrap().is_empty(), "one hidden tenant: nothing is shown");
}

#[test]
fn a_tenant_joining_a_group_is_not_given_away_by_the_day_before() {
    // Day 1: ten tenants in one cell; day 2: an eleventh arrives. The difference of the two
    // days' averages would be its score if both were shown.
    let mut before: Day = (0..10).map(|k| Some((Cell::of(300, "Retail"), 4_000 + 100 * k))).collect();
    before.push(None);
    let mut after = before.clone();
    after[10] = Some((Cell::of(300, "Retail"), 9_900));
    let p = Population { days: vec![before.clone(), before, after], held: BTreeSet::new() };
    check(&p).expect("nothing derivable");
}

#[test]
fn the_checker_finds_a_difference_of_two_days() {
    // Sanity of the checker itself: day d releases {1..6}, day d+1 releases {1..5}.
    let a: BTreeSet<usize> = (1..=6).collect();
    let b: BTreeSet<usize> = (1..=5).collect();
    let unknowns: Vec<usize> = (1..=6).collect();
    assert_eq!(derivable(&rows_over(&[&a, &b], &unknowns), 6), vec![5]);
}
