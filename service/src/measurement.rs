//! How a measurement reads, the same on the action's page, in the History and in the API.

use score::Measurement;

/// "45 of 60 users" for an action scored in proportion (`unit` is what it counts),
/// "Implemented" or "Not implemented" for an all-or-nothing one, and "Nothing to protect"
/// when there was nothing to count.
pub fn wording(unit: Option<&str>, m: &Measurement) -> String {
    match unit {
        _ if m.total == 0 => "Nothing to protect (not applicable)".to_owned(),
        Some(unit) => format!("{} of {} {unit}", m.count, m.total),
        None if m.is_full() => "Implemented".to_owned(),
        None => "Not implemented".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(count: u32, total: u32) -> Measurement {
        Measurement::partial(count, total, chrono::DateTime::UNIX_EPOCH)
    }

    #[test]
    fn counts_read_with_their_unit_and_binary_actions_read_as_done_or_not() {
        assert_eq!(wording(Some("users"), &measured(45, 60)), "45 of 60 users");
        assert_eq!(wording(None, &measured(1, 1)), "Implemented");
        assert_eq!(wording(None, &measured(0, 1)), "Not implemented");
        assert_eq!(wording(Some("users"), &measured(0, 0)), "Nothing to protect (not applicable)");
        assert_eq!(wording(None, &measured(0, 0)), "Nothing to protect (not applicable)");
    }
}
