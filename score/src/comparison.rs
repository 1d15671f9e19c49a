//! Benchmarks against other tenants (SPEC §4). An average is only ever shown when it
//! covers at least five other tenants, so no tenant can read another's score.

use crate::points::{div_round_half_away, Percent};
use serde::{Deserialize, Serialize};

pub const MIN_TENANTS_FOR_AVERAGE: u32 = 5;

/// The seat-count buckets used by the `TotalSeats` comparison.
pub const SEAT_BUCKETS: [(u32, u32); 8] = [
    (1, 10),
    (11, 50),
    (51, 100),
    (101, 500),
    (501, 1_000),
    (1_001, 5_000),
    (5_001, 10_000),
    (10_001, u32::MAX),
];

/// Index into [`SEAT_BUCKETS`] for a seat count (0 seats falls in the first bucket).
pub fn seat_bucket(seats: u32) -> usize {
    SEAT_BUCKETS.iter().position(|(lo, hi)| seats >= *lo && seats <= *hi).unwrap_or(0)
}

pub fn seat_bucket_label(bucket: usize) -> String {
    match SEAT_BUCKETS.get(bucket) {
        Some((lo, u32::MAX)) => format!("{}+", group_thousands(*lo)),
        Some((lo, hi)) => format!("{}–{}", group_thousands(*lo), group_thousands(*hi)),
        None => String::from("unknown"),
    }
}

fn group_thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The kinds of comparison Graph names in `averageComparativeScores[].basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Basis {
    AllTenants,
    TotalSeats,
    IndustryTypes,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::AllTenants => "AllTenants",
            Basis::TotalSeats => "TotalSeats",
            Basis::IndustryTypes => "IndustryTypes",
        }
    }
}

/// Sum and count of score percentages over one group of tenants on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupTally {
    /// Sum of percentages in hundredths of a percent.
    pub sum: i64,
    pub count: u32,
}

impl GroupTally {
    pub fn add(&mut self, p: Percent) {
        self.sum += p.0;
        self.count += 1;
    }

    /// The group's average without `own` (the viewing tenant, when it is a member);
    /// `None` when fewer than [`MIN_TENANTS_FOR_AVERAGE`] other tenants remain.
    pub fn average_excluding(&self, own: Option<Percent>) -> Option<Percent> {
        let (sum, count) = match own {
            Some(p) => (self.sum - p.0, self.count.checked_sub(1)?),
            None => (self.sum, self.count),
        };
        (count >= MIN_TENANTS_FOR_AVERAGE)
            .then(|| Percent(div_round_half_away(i128::from(sum), i128::from(count)) as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_buckets_cover_spec_ranges() {
        assert_eq!(seat_bucket(1), 0);
        assert_eq!(seat_bucket(10), 0);
        assert_eq!(seat_bucket(11), 1);
        assert_eq!(seat_bucket(1_000), 4);
        assert_eq!(seat_bucket(1_001), 5);
        assert_eq!(seat_bucket(10_001), 7);
        assert_eq!(seat_bucket_label(7), "10,001+");
        assert_eq!(seat_bucket_label(5), "1,001–5,000");
    }

    #[test]
    fn average_needs_five_other_tenants_and_excludes_self() {
        let mut g = GroupTally::default();
        for p in [5000, 6000, 7000, 8000, 9000] {
            g.add(Percent(p));
        }
        // Five members, one of them the viewer: only four others remain.
        assert_eq!(g.average_excluding(Some(Percent(9000))), None);
        assert_eq!(g.average_excluding(None), Some(Percent(7000)));
        g.add(Percent(1000));
        assert_eq!(g.average_excluding(Some(Percent(1000))), Some(Percent(7000)));
    }
}
