//! A large Microsoft Graph `secureScores` export written as a stream, the way real tenants'
//! exports look (every day repeats each control with its HTML description), for measuring
//! what reading and uploading one costs in memory.

use chrono::{Duration, NaiveDate};
use std::io::{self, Write};

/// Controls per day: about as many as Microsoft's catalog has.
pub const CONTROLS_PER_DAY: usize = 400;

/// What was written.
#[derive(Debug, Clone, Copy)]
pub struct ExportSize {
    pub days: usize,
    pub bytes: u64,
}

/// Writes whole days, newest first from `newest`, until the file would pass `max_bytes`.
/// `ids` are the control names used first (the catalog's, so they become measurements);
/// the rest of the day's controls are named `Vendor.ControlNNN` (custom actions).
pub fn write_graph_export(
    out: &mut impl Write,
    tenant: &str,
    ids: &[String],
    newest: NaiveDate,
    max_bytes: u64,
) -> io::Result<ExportSize> {
    let head = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#security/secureScores\",\"value\":[";
    let tail = "]}";
    out.write_all(head.as_bytes())?;
    let mut bytes = (head.len() + tail.len()) as u64;
    let mut days = 0;
    loop {
        let day = day_entry(tenant, ids, newest - Duration::days(days as i64), days);
        let separator = if days == 0 { "" } else { "," };
        if bytes + (separator.len() + day.len()) as u64 > max_bytes {
            break;
        }
        out.write_all(separator.as_bytes())?;
        out.write_all(day.as_bytes())?;
        bytes += (separator.len() + day.len()) as u64;
        days += 1;
    }
    out.write_all(tail.as_bytes())?;
    Ok(ExportSize { days, bytes })
}

fn day_entry(tenant: &str, ids: &[String], day: NaiveDate, n: usize) -> String {
    let controls: Vec<String> = (0..CONTROLS_PER_DAY)
        .map(|j| {
            let name = ids.get(j).cloned().unwrap_or_else(|| format!("Vendor.Control{j:03}"));
            let total = 50 + (j % 7) * 10;
            let count = (j * 13 + n) % (total + 1);
            let category = ["Identity", "Data", "Device", "Apps", "Infrastructure"][j % 5];
            serde_json::json!({
                "controlCategory": category,
                "controlName": name,
                "description": format!(
                    "<p>Control {j}: make sure that <b>every</b> account in scope is covered by the \
                     policy, that exceptions are reviewed each quarter &amp; that the setting cannot be \
                     turned off by a local administrator. See the documentation for the steps.</p>"
                ),
                "score": format!("{:.2}", count as f64 / total as f64 * 8.0),
                "scoreInPercentage": (count as f64 / total as f64 * 10_000.0).round() / 100.0,
                "implementationStatus": format!("{count} of {total} are covered."),
                "count": count,
                "total": total,
                "lastSynced": format!("{day}T06:12:45Z"),
                "isApplicable": "true",
            })
            .to_string()
        })
        .collect();
    format!(
        "{{\"id\":\"{tenant}_{day}\",\"azureTenantId\":\"{tenant}\",\"activeUserCount\":58,\
         \"createdDateTime\":\"{day}T00:00:00Z\",\"currentScore\":123.5,\"licensedUserCount\":60,\
         \"maxScore\":412.0,\"enabledServices\":[\"HasExchange\",\"HasSharePoint\"],\
         \"controlScores\":[{}]}}",
        controls.join(",")
    )
}
