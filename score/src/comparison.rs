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

/// The `basis` the comparison tallies of custom comparisons are stored under; each
/// comparison's id is its group key.
pub const CUSTOM_BASIS: &str = "Custom";

/// A comparison group a read-write user defined for one tenant (SPEC §4): other tenants
/// within a seat range, of some industries, or from a chosen list. Every criterion given
/// must hold; the tenant it belongs to is never part of its own average.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomComparison {
    pub id: String,
    /// The tenant whose pages show the comparison.
    pub tenant_id: String,
    pub name: String,
    pub seats_min: Option<u32>,
    pub seats_max: Option<u32>,
    /// Empty: any industry.
    pub industries: Vec<String>,
    /// Empty: any tenant.
    pub tenants: Vec<String>,
}

impl CustomComparison {
    /// Whether a tenant with these attributes counts in the comparison's average.
    pub fn covers(&self, tenant_id: &str, licensed_seats: u32, industry: &str) -> bool {
        tenant_id != self.tenant_id
            && self.seats_min.is_none_or(|lo| licensed_seats >= lo)
            && self.seats_max.is_none_or(|hi| licensed_seats <= hi)
            && (self.industries.is_empty() || self.industries.iter().any(|i| i == industry))
            && (self.tenants.is_empty() || self.tenants.iter().any(|t| t == tenant_id))
    }

    /// The criteria in words, e.g. "101–500 seats · Finance or Retail · 6 chosen tenants".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match (self.seats_min, self.seats_max) {
            (Some(lo), Some(hi)) => {
                parts.push(format!("{}–{} seats", group_thousands(lo), group_thousands(hi)))
            }
            (Some(lo), None) => parts.push(format!("at least {} seats", group_thousands(lo))),
            (None, Some(hi)) => parts.push(format!("at most {} seats", group_thousands(hi))),
            (None, None) => {}
        }
        if !self.industries.is_empty() {
            parts.push(self.industries.join(" or "));
        }
        match self.tenants.len() {
            0 => {}
            1 => parts.push("1 chosen tenant".to_owned()),
            n => parts.push(format!("{n} chosen tenants")),
        }
        if parts.is_empty() {
            "every other tenant".to_owned()
        } else {
            parts.join(" · ")
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

    fn custom(min: Option<u32>, max: Option<u32>, industries: &[&str], tenants: &[&str]) -> CustomComparison {
        CustomComparison {
            id: "c1".into(),
            tenant_id: "me".into(),
            name: "Peers".into(),
            seats_min: min,
            seats_max: max,
            industries: industries.iter().map(|s| s.to_string()).collect(),
            tenants: tenants.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_custom_comparison_needs_every_criterion_and_never_covers_its_own_tenant() {
        let c = custom(Some(100), Some(500), &["Finance", "Retail"], &[]);
        assert!(c.covers("a", 100, "Finance"));
        assert!(c.covers("a", 500, "Retail"));
        assert!(!c.covers("a", 99, "Finance"));
        assert!(!c.covers("a", 501, "Finance"));
        assert!(!c.covers("a", 200, "Health"));
        assert!(!c.covers("me", 200, "Finance"));
        let listed = custom(None, None, &[], &["a", "b"]);
        assert!(listed.covers("b", 1, "Health"));
        assert!(!listed.covers("c", 1, "Health"));
        assert_eq!(c.describe(), "100–500 seats · Finance or Retail");
        assert_eq!(
            custom(Some(1_000), None, &[], &["a"]).describe(),
            "at least 1,000 seats · 1 chosen tenant"
        );
        assert_eq!(custom(None, None, &[], &[]).describe(), "every other tenant");
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
