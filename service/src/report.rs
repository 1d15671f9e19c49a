//! What a scheduled report form may ask for: a cadence and 1–20 email addresses, on a
//! server that can send email.

use crate::refusal::{Refusal, Refusals};
use crate::share::email_list;
use score::report::Cadence;

/// Most addresses one schedule sends to.
pub const MAX_REPORT_EMAILS: usize = 20;
/// Most schedules a tenant keeps.
pub const MAX_SCHEDULES_PER_TENANT: usize = 10;

pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("report_cadence", "cadence", "How often: choose weekly or monthly."),
    Refusal::new(
        "report_emails",
        "emails",
        "Email: 1 to 20 email addresses separated by commas, for example ciso@contoso.example.",
    ),
    Refusal::new("report_email_off", "emails", "Email: the operator has not set up email on this server."),
    Refusal::new(
        "report_too_many",
        "cadence",
        "Scheduled reports: a tenant keeps at most 10; delete one first.",
    ),
    Refusal::new("report_unknown", "schedule_id", "That scheduled report does not exist in this tenant."),
]);

/// The schedule the form describes, or the first thing wrong with it.
pub fn validate_schedule(
    cadence: &str,
    emails: &str,
    email_on: bool,
) -> Result<(Cadence, Vec<String>), Refusal> {
    let cadence = Cadence::parse(cadence).ok_or(REFUSALS.of("report_cadence"))?;
    let to = match email_list(emails, MAX_REPORT_EMAILS) {
        Some(to) if !to.is_empty() => to,
        _ => return Err(REFUSALS.of("report_emails")),
    };
    if !email_on {
        return Err(REFUSALS.of("report_email_off"));
    }
    Ok((cadence, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_needs_a_cadence_real_addresses_and_email_on_the_server() {
        let ok = validate_schedule("monthly", "CISO@contoso.example; it@contoso.example", true);
        assert_eq!(
            ok,
            Ok((Cadence::Monthly, vec!["ciso@contoso.example".to_owned(), "it@contoso.example".to_owned()]))
        );
        let field = |r: Result<(Cadence, Vec<String>), Refusal>| r.expect_err("refused").field;
        assert_eq!(field(validate_schedule("daily", "a@b.example", true)), "cadence");
        assert_eq!(field(validate_schedule("weekly", "", true)), "emails");
        assert_eq!(field(validate_schedule("weekly", "not-an-address", true)), "emails");
        assert_eq!(field(validate_schedule("weekly", "a@b.example\r\nBcc: x@y.example", true)), "emails");
        let many = (0..21).map(|i| format!("p{i}@contoso.example")).collect::<Vec<_>>().join(",");
        assert_eq!(field(validate_schedule("weekly", &many, true)), "emails");
        assert_eq!(field(validate_schedule("weekly", "a@b.example", false)), "emails");
    }
}
