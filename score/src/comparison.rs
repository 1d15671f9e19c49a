//! Benchmarks against other tenants (SPEC §4): the fixed seat buckets, the kinds of
//! comparison, and custom comparisons. What may be shown of them is `crate::benchmark`'s.

use serde::{Deserialize, Serialize};

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
    /// The built-in comparisons, in the order they are shown.
    pub const ALL: [Basis; 3] = [Basis::AllTenants, Basis::TotalSeats, Basis::IndustryTypes];

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

/// The most custom comparisons one tenant may keep: each is one more line on its charts.
pub const MAX_CUSTOM_PER_TENANT: usize = 10;

/// A comparison group a read-write user defined for one tenant (SPEC §4): the tenants of
/// some seat buckets and industries — a union of whole cells of the comparison grid, never
/// free bounds — or a list of tenants the user holds a role in. Which tenants it shows, and
/// to whom, is the business of [`crate::benchmark`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomComparison {
    pub id: String,
    /// The tenant whose pages show the comparison.
    pub tenant_id: String,
    pub name: String,
    /// Indexes into [`SEAT_BUCKETS`]; empty: any seat count.
    pub seat_buckets: Vec<u8>,
    /// Empty: any industry.
    pub industries: Vec<String>,
    /// Chosen tenants; when any are given, the comparison is their average alone.
    pub tenants: Vec<String>,
}

impl CustomComparison {
    /// The criteria in words, e.g. "11–50 or 51–100 seats · Finance or Retail".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.seat_buckets.is_empty() {
            let labels: Vec<String> =
                self.seat_buckets.iter().map(|b| seat_bucket_label(usize::from(*b))).collect();
            parts.push(format!("{} seats", labels.join(" or ")));
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

/// The seat buckets a seat range of the first custom comparisons touched: those stored
/// before comparisons were made of cells read as the buckets their range overlapped.
pub fn buckets_overlapping(min: Option<u32>, max: Option<u32>) -> Vec<u8> {
    if min.is_none() && max.is_none() {
        return Vec::new();
    }
    let (lo, hi) = (min.unwrap_or(0), max.unwrap_or(u32::MAX));
    SEAT_BUCKETS
        .iter()
        .enumerate()
        // The first bucket also holds tenants with no seats recorded.
        .filter(|(i, (b_lo, b_hi))| lo <= *b_hi && hi >= if *i == 0 { 0 } else { *b_lo })
        .filter_map(|(i, _)| u8::try_from(i).ok())
        .collect()
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

    fn custom(buckets: &[u8], industries: &[&str], tenants: &[&str]) -> CustomComparison {
        CustomComparison {
            id: "c1".into(),
            tenant_id: "me".into(),
            name: "Peers".into(),
            seat_buckets: buckets.to_vec(),
            industries: industries.iter().map(|s| s.to_string()).collect(),
            tenants: tenants.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_custom_comparison_says_its_cells_in_words() {
        assert_eq!(
            custom(&[1, 2], &["Finance", "Retail"], &[]).describe(),
            "11–50 or 51–100 seats · Finance or Retail"
        );
        assert_eq!(custom(&[7], &[], &["a"]).describe(), "10,001+ seats · 1 chosen tenant");
        assert_eq!(custom(&[], &[], &[]).describe(), "every other tenant");
    }

    #[test]
    fn an_old_seat_range_reads_as_the_buckets_it_overlaps() {
        assert_eq!(buckets_overlapping(Some(100), Some(500)), vec![2, 3]);
        assert_eq!(buckets_overlapping(None, Some(10)), vec![0]);
        assert_eq!(buckets_overlapping(Some(0), Some(0)), vec![0]);
        assert_eq!(buckets_overlapping(Some(6_000), None), vec![6, 7]);
        assert!(buckets_overlapping(None, None).is_empty());
    }
}
