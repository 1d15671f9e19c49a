//! Edit status and notes, and undo: the server functions behind the forms of `form.rs`
//! and the reading of the form into a [`StatusEdit`].

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use score::Status;
use serde::{Deserialize, Serialize};

use service::status_edit::{Refusal, StatusEdit, REFUSALS};

/// A status change as the form sends it, not yet checked. Every field but the status may be
/// left out (scripts send only what they change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditInput {
    pub status: String,
    pub note: String,
    pub due_date: String,
    pub assignee: String,
    pub tags: String,
}

fn strict_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

/// The edit a form asks for. The form shows the due date and the assignee for a plan only,
/// so for any other status they are dropped unread; tags are comma-separated.
pub fn edit_of(input: &EditInput) -> Result<StatusEdit, Refusal> {
    let status = Status::parse(input.status.trim()).ok_or(REFUSALS.of("status"))?;
    let (due_date, assignee) = if status == Status::Planned {
        let due = input.due_date.trim();
        let due = if due.is_empty() { None } else { Some(strict_date(due).ok_or(REFUSALS.of("due_date"))?) };
        (due, Some(input.assignee.clone()))
    } else {
        (None, None)
    };
    let tags = input.tags.split(',').map(str::to_owned).collect();
    Ok(StatusEdit { status, note: input.note.clone(), due_date, assignee, tags })
}

pub use service::url::back_to_actions as back_url;

#[server(endpoint = "update_action")]
pub async fn update_action(
    tenant_id: String,
    action_id: String,
    #[server(flatten)] input: EditInput,
    back: Option<String>,
) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let state = &access.state;
    let who = access.viewer.email.as_str();
    let changed = service::status_change::change_status(
        state.store.as_ref(),
        &state.catalog,
        &access.tenant_id,
        &action_id,
        who,
        service::status_change::WhenCompleted::Refuse,
        |_| edit_of(&input),
    )
    .await;
    answer(changed, &access.tenant_id, &action_id, back.as_deref()).await
}

/// Undoes the action's latest status change, named by its id (a page drawn before a newer
/// change is refused rather than undoing what its user never saw).
#[server(endpoint = "undo_status")]
pub async fn undo_status(
    tenant_id: String,
    action_id: String,
    change_id: i64,
    back: Option<String>,
) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let state = &access.state;
    let who = access.viewer.email.as_str();
    let undone = service::status_change::undo_change(
        state.store.as_ref(),
        &state.catalog,
        &access.tenant_id,
        &action_id,
        change_id,
        who,
    )
    .await;
    answer(undone, &access.tenant_id, &action_id, back.as_deref()).await
}

/// A saved change goes back to the page it came from with "Saved."; a refusal goes back
/// with its code (or, to a script, a 400 naming the field).
#[cfg(feature = "ssr")]
async fn answer(
    result: Result<store::StatusChange, service::status_change::ChangeError>,
    tenant_id: &str,
    action_id: &str,
    back: Option<&str>,
) -> Result<(), AppError> {
    use service::status_change::ChangeError;
    let back = back_url(tenant_id, action_id, back);
    match result {
        Ok(change) => {
            tracing::info!(tenant = %tenant_id, action = %action_id, status = %change.status, by = %change.changed_by, "status set");
            crate::pages::forms::done(&service::url::with_param(&back, "saved", "1"))
        }
        Err(ChangeError::NoSuchAction) => Err(AppError::NotFound("action".into())),
        Err(ChangeError::Refused(r)) => crate::pages::forms::refuse(&back, r).await,
        Err(ChangeError::Store(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use service::status_edit::MAX_NOTE_CHARS;
    use service::url::with_param;

    fn input(status: &str) -> EditInput {
        EditInput { status: status.into(), ..Default::default() }
    }

    /// The form's edit checked by the rules, a refusal read as its code.
    fn checked(i: &EditInput) -> Result<StatusEdit, &'static str> {
        edit_of(i).and_then(StatusEdit::checked).map_err(|r| r.code)
    }

    fn tags_of(s: &str) -> Result<Vec<String>, &'static str> {
        checked(&EditInput { tags: s.into(), ..input("ToAddress") }).map(|v| v.tags)
    }

    #[test]
    fn the_five_statuses_are_accepted_and_nothing_else() {
        for s in Status::ALL {
            let mut i = input(s.as_str());
            i.note = "why".into();
            assert_eq!(checked(&i).map(|v| v.status), Ok(s));
        }
        assert_eq!(checked(&input("Completed")), Err("status"));
        assert_eq!(checked(&input("")), Err("status"));
        assert_eq!(checked(&input("Ignored")), Err("status"));
    }

    #[test]
    fn risk_acceptance_needs_a_note() {
        assert_eq!(checked(&input("RiskAccepted")), Err("note_required"));
        let mut i = input("RiskAccepted");
        i.note = "   \n ".into();
        assert_eq!(checked(&i), Err("note_required"));
        i.note = " Accepted by the CISO ".into();
        assert_eq!(checked(&i).map(|v| v.note), Ok("Accepted by the CISO".to_owned()));
    }

    #[test]
    fn notes_are_bounded_and_free_of_control_characters_but_keep_line_breaks() {
        let mut i = input("ToAddress");
        i.note = "x".repeat(MAX_NOTE_CHARS);
        assert!(checked(&i).is_ok());
        i.note = "é".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(checked(&i), Err("note"));
        i.note = "line one\r\nline two\ttab".into();
        assert_eq!(checked(&i).map(|v| v.note), Ok("line one\nline two\ttab".to_owned()));
        i.note = "bell\u{7}".into();
        assert_eq!(checked(&i), Err("note"));
    }

    #[test]
    fn plans_take_a_strict_date_and_an_assignee_other_statuses_drop_them() {
        let mut i = input("Planned");
        i.due_date = "2026-06-30".into();
        i.assignee = " sam@contoso.example ".into();
        let v = checked(&i).expect("valid plan");
        assert_eq!(v.due_date, NaiveDate::from_ymd_opt(2026, 6, 30));
        assert_eq!(v.assignee.as_deref(), Some("sam@contoso.example"));
        for bad in ["30/06/2026", "2026-6-30", "2026-02-30", "tomorrow", "2026-06-30T00:00"] {
            i.due_date = bad.into();
            assert_eq!(checked(&i), Err("due_date"), "{bad}");
        }
        i.due_date = "".into();
        assert_eq!(checked(&i).map(|v| v.due_date), Ok(None));
        i.status = "ToAddress".into();
        i.due_date = "garbage".into();
        let v = checked(&i).expect("dropped for other statuses");
        assert_eq!((v.due_date, v.assignee), (None, None));
    }

    #[test]
    fn tags_are_comma_separated_bounded_and_deduplicated() {
        assert_eq!(tags_of(" mfa, Admins ,,mfa, "), Ok(vec!["mfa".to_owned(), "Admins".to_owned()]));
        assert_eq!(tags_of(""), Ok(vec![]));
        assert_eq!(tags_of(&"t".repeat(41)), Err("tags"));
        assert_eq!(tags_of("ok, bad\u{0}tag"), Err("tags"));
        assert_eq!(tags_of("line\nbreak"), Err("tags"));
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(tags_of(&many.join(",")), Err("tags"));
    }

    #[test]
    fn redirects_stay_on_this_tenants_actions_pages() {
        let t = "c0a7e5f0-0000-4000-8000-000000000001";
        let own = format!("/tenants/{t}/actions?status=All&action=X");
        assert_eq!(back_url(t, "X", Some(&own)), own);
        let page = format!("/tenants/{t}/actions/X");
        for bad in ["https://evil.example", "/tenants/other/actions", "//evil", "/tenants/{t}/actionsX"] {
            assert_eq!(back_url(t, "X", Some(bad)), page, "{bad}");
        }
        assert_eq!(back_url(t, "X", Some(&format!("/tenants/{t}/actions/X\n"))), page);
        assert_eq!(with_param(&page, "error", "note"), format!("{page}?error=note"));
        assert_eq!(with_param(&own, "saved", "1"), format!("{own}&saved=1"));
    }
}
