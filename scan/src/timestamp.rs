//! The timestamps the scanners write, read as instants.

use chrono::{DateTime, NaiveDateTime, Utc};

/// An ISO 8601 time with or without an offset (PowerShell and Python write both), or the
/// `/Date(ms)/` form of Windows PowerShell 5.1's JSON. Without an offset the time is read as
/// UTC: the file gives no other clue, and a guess by this server's zone would be worse.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(millis) = text.strip_prefix("/Date(").and_then(|rest| rest.strip_suffix(")/")) {
        return from_dotnet_millis(millis);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
}

/// `1714543872000` or `1714543872000+1000`: the offset only says how it was displayed.
fn from_dotnet_millis(text: &str) -> Option<DateTime<Utc>> {
    let digits = text.find(['+', '-']).filter(|&at| at > 0).map_or(text, |at| &text[..at]);
    DateTime::from_timestamp_millis(digits.parse().ok()?)
}

/// Seconds since 1970 (OCSF's `time`).
pub(crate) fn from_epoch_seconds(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("a valid test time").with_timezone(&Utc)
    }

    #[test]
    fn the_forms_the_scanners_write_are_read() {
        // PowerShell 7's ConvertTo-Json and .NET's "o" format: seven fractional digits, an offset.
        assert_eq!(parse("2025-11-27T21:29:02.4608480+11:00"), Some(utc("2025-11-27T10:29:02.460848Z")));
        assert_eq!(parse("2026-05-04T17:15:48.307Z"), Some(utc("2026-05-04T17:15:48.307Z")));
        // Python's isoformat() of a naive datetime, as Prowler's time_dt.
        assert_eq!(parse("2025-02-14T14:27:30.710664"), Some(utc("2025-02-14T14:27:30.710664Z")));
        assert_eq!(parse("/Date(1714543872000)/"), Some(utc("2024-05-01T06:11:12Z")));
        assert_eq!(parse("/Date(1714543872000+1000)/"), Some(utc("2024-05-01T06:11:12Z")));
    }

    #[test]
    fn anything_else_is_not_a_time() {
        for text in ["", "yesterday", "2025-13-01T00:00:00Z", "/Date(soon)/", "1714543872"] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
