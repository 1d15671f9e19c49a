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

/// Text for elements whose content Leptos writes unescaped on the server (`<title>`,
/// `<textarea>`): both are RCDATA, so the browser decodes the entities back to the text.
/// In the browser the text goes in through the DOM and must stay as it is.
pub fn rcdata(s: &str) -> String {
    if cfg!(feature = "ssr") {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        s.to_owned()
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
