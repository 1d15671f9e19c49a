//! Exact point arithmetic: integers of 1/100 point, rounded half away from zero
//! only where a fraction first appears, so sums never drift.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Points in hundredths ("centipoints"). `Points(750)` is 7.50 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Whole points, as catalog `max_points` are.
    pub const fn whole(points: u32) -> Points {
        Points(points as i64 * 100)
    }

    pub const fn centi(self) -> i64 {
        self.0
    }

    /// `max * count / total`, rounded to 1/100 point half away from zero.
    /// `total` must be positive; callers treat `total = 0` as not applicable.
    pub fn fraction_of(max: Points, count: u32, total: u32) -> Points {
        debug_assert!(total > 0);
        let count = i128::from(count.min(total));
        Points(div_round_half_away(i128::from(max.0) * count, i128::from(total)) as i64)
    }

    /// Share of `max` as a percentage in hundredths of a percent (6406 = 64.06 %).
    /// An empty maximum scores 0 %.
    pub fn percent_of(self, max: Points) -> Percent {
        if max.0 == 0 {
            return Percent(0);
        }
        Percent(div_round_half_away(i128::from(self.0) * 10_000, i128::from(max.0)) as i64)
    }

    /// Display as a decimal with two places, e.g. `7.50`.
    pub fn display(self) -> String {
        self.to_string()
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// Integer division rounding half away from zero (`d` must be positive).
pub(crate) fn div_round_half_away(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = (n.abs() * 2 + d) / (d * 2);
    if n < 0 {
        -q
    } else {
        q
    }
}

fn fmt_hundredths(v: i64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    write!(f, "{sign}{}.{:02}", a / 100, a % 100)
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_hundredths(self.0, f)
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}
impl AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}
impl Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}
impl SubAssign for Points {
    fn sub_assign(&mut self, o: Points) {
        self.0 -= o.0;
    }
}
impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(-self.0)
    }
}
impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        Points(iter.map(|p| p.0).sum())
    }
}

/// A percentage in hundredths of a percent (`Percent(6406)` is 64.06 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Percent(pub i64);

impl Percent {
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Mean of several percentages, rounded half away from zero; `None` when empty.
    pub fn mean(values: &[Percent]) -> Option<Percent> {
        if values.is_empty() {
            return None;
        }
        let sum: i128 = values.iter().map(|p| i128::from(p.0)).sum();
        Some(Percent(div_round_half_away(sum, values.len() as i128) as i64))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_hundredths(self.0, f)?;
        f.write_str(" %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_points_round_half_away_from_zero() {
        assert_eq!(Points::fraction_of(Points::whole(10), 45, 60), Points(750));
        assert_eq!(Points::fraction_of(Points::whole(10), 1, 3), Points(333));
        assert_eq!(Points::fraction_of(Points::whole(10), 2, 3), Points(667));
        // 1/8 of 1 point is 0.125, which rounds up to 0.13.
        assert_eq!(Points::fraction_of(Points::whole(1), 1, 8), Points(13));
    }

    #[test]
    fn seed_example_five_of_hundred_users_on_thirty_points() {
        let p = Points::fraction_of(Points::whole(30), 5, 100);
        assert_eq!(p.to_string(), "1.50");
    }

    #[test]
    fn percent_display_has_two_decimals() {
        assert_eq!(Points(2050).percent_of(Points(3200)).to_string(), "64.06 %");
        assert_eq!(Points(0).percent_of(Points(0)), Percent(0));
        assert_eq!(Points(-5).to_string(), "-0.05");
    }

    #[test]
    fn negative_values_round_away_from_zero() {
        assert_eq!(div_round_half_away(-5, 2), -3);
        assert_eq!(div_round_half_away(5, 2), 3);
        assert_eq!(div_round_half_away(-4, 3), -1);
    }
}
