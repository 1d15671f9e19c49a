//! Display helpers shared by pages.

use score::{Percent, Points};

/// "43.17 / 120.00"
pub fn points_of(current: Points, max: Points) -> String {
    format!("{current} / {max}")
}

/// Zone of a percentage given where okay and good start.
pub fn zone(percent: Percent, okay_from: u32, good_from: u32) -> &'static str {
    if percent.0 >= i64::from(good_from) * 100 {
        "good"
    } else if percent.0 >= i64::from(okay_from) * 100 {
        "okay"
    } else {
        "bad"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_use_inclusive_lower_bounds() {
        assert_eq!(zone(Percent(3999), 40, 70), "bad");
        assert_eq!(zone(Percent(4000), 40, 70), "okay");
        assert_eq!(zone(Percent(7000), 40, 70), "good");
    }
}
