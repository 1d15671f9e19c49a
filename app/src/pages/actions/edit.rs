//! Edit status and notes: a plain form post answered by a redirect (so it works with
//! JavaScript off), its checks, and undo.

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use score::Status;
use serde::{Deserialize, Serialize};

pub const MAX_NOTE_CHARS: usize = 4_000;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_TAGS: usize = 20;
pub const MAX_ASSIGNEE_CHARS: usize = 200;

/// A status change as the form sends it, not yet checked. Every field but the status may be
/// left out (the undo form and scripts send only what they change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditInput {
    pub status: String,
    pub note: String,
    pub due_date: String,
    pub assignee: String,
    pub tags: String,
}

/// A checked status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEdit {
    pub status: Status,
    pub note: String,
    pub due_date: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
}

/// Why a form was refused: the code travels in the URL (`?error=…`), the message names the field.
pub fn error_message(code: &str) -> &'static str {
    match code {
        "status" => {
            "Status: choose one of To address, Planned, Risk accepted, Resolved through third party or \
                     Resolved through alternate mitigation."
        }
        "locked" => {
            "Status: this action is Completed (derived from its measurement), so its status is locked."
        }
        "due_date" => "Due date: enter a date as YYYY-MM-DD, for example 2026-06-30.",
        "note" => "Notes: at most 4,000 characters, without control characters.",
        "note_required" => "Notes: risk accepting an action needs a note saying why.",
        "assignee" => "Assignee: at most 200 characters, without control characters.",
        "tags" => {
            "Tags: separate tags with commas; each tag is 1–40 characters without control characters, \
                   at most 20 tags."
        }
        _ => "The change was refused.",
    }
}

fn strict_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

/// Comma-separated tags, trimmed; empty pieces (a trailing comma) are skipped, duplicates merged.
pub fn parse_tags(s: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = Vec::new();
    for t in s.split(',') {
        if t.chars().any(char::is_control) {
            return Err("tags");
        }
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > MAX_TAG_CHARS {
            return Err("tags");
        }
        if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            tags.push(t.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err("tags");
    }
    Ok(tags)
}

/// Checks a form; `Err` is the error code for the URL.
pub fn validate(input: &EditInput) -> Result<ValidEdit, &'static str> {
    let status = Status::parse(input.status.trim()).ok_or("status")?;
    let note = input.note.replace("\r\n", "\n");
    if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("note");
    }
    let note = note.trim().to_owned();
    if status == Status::RiskAccepted && note.is_empty() {
        return Err("note_required");
    }
    // A due date and an assignee belong to a plan; other statuses drop them.
    let (due_date, assignee) = if status == Status::Planned {
        let due = input.due_date.trim();
        let due = if due.is_empty() { None } else { Some(strict_date(due).ok_or("due_date")?) };
        let who = input.assignee.trim();
        if who.chars().count() > MAX_ASSIGNEE_CHARS || who.chars().any(char::is_control) {
            return Err("assignee");
        }
        (due, (!who.is_empty()).then(|| who.to_owned()))
    } else {
        (None, None)
    };
    let tags = parse_tags(&input.tags)?;
    Ok(ValidEdit { status, note, due_date, assignee, tags })
}

/// Where to go after the post: the page the form was on, if it is this tenant's actions page.
pub fn back_url(tenant_id: &str, action_id: &str, back: Option<&str>) -> String {
    let prefix = format!("/tenants/{tenant_id}/actions");
    match back {
        // Visible ASCII only: the value becomes a Location header.
        Some(b)
            if b.starts_with(&prefix)
                && b[prefix.len()..].starts_with(['/', '?'])
                && b.bytes().all(|c| c.is_ascii_graphic())
                && !b.contains("//")
                && !b.contains('\\') =>
        {
            b.to_owned()
        }
        _ => format!("{prefix}/{}", super::query::encode(action_id)),
    }
}

pub use crate::pages::refusal::with_param;

#[server(endpoint = "update_action")]
pub async fn update_action(
    tenant_id: String,
    action_id: String,
    #[server(flatten)] input: EditInput,
    back: Option<String>,
) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let state = &access.state;
    let live = crate::live::live_score(state.store.as_ref(), &state.catalog, &access.tenant_id).await?;
    let Some(current) = live.scores.iter().find(|s| s.id == action_id) else {
        return Err(AppError::NotFound("action".into()));
    };
    let back = back_url(&access.tenant_id, &action_id, back.as_deref());
    let checked = validate(&input).and_then(|v| {
        // Completed is derived: the status of a completed action stays what it is.
        let locked = current.effective == score::EffectiveStatus::Completed && v.status != current.status;
        if locked {
            Err("locked")
        } else {
            Ok(v)
        }
    });
    let edit = match checked {
        Ok(v) => v,
        Err(code) => return refuse(&back, code).await,
    };
    let change = store::StatusChange {
        action_id: action_id.clone(),
        status: edit.status,
        note: edit.note,
        assignee: edit.assignee,
        due_date: edit.due_date,
        tags: edit.tags,
        changed_by: access.viewer.email.clone(),
        changed_at: chrono::Utc::now(),
    };
    state.store.set_status(&access.tenant_id, &change).await?;
    tracing::info!(tenant = %access.tenant_id, action = %action_id, status = %change.status, "status set");
    leptos_axum::redirect(&with_param(&back, "saved", "1"));
    Ok(())
}

/// Browsers go back to the form with the error code; other clients get a 400 naming the field.
#[cfg(feature = "ssr")]
async fn refuse(back: &str, code: &'static str) -> Result<(), AppError> {
    let field = match code {
        "locked" => "status",
        "note_required" => "note",
        other => other,
    };
    crate::pages::refusal::refuse(back, code, field, error_message(code)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(status: &str) -> EditInput {
        EditInput { status: status.into(), ..Default::default() }
    }

    #[test]
    fn the_five_statuses_are_accepted_and_nothing_else() {
        for s in Status::ALL {
            let mut i = input(s.as_str());
            i.note = "why".into();
            assert_eq!(validate(&i).map(|v| v.status), Ok(s));
        }
        assert_eq!(validate(&input("Completed")), Err("status"));
        assert_eq!(validate(&input("")), Err("status"));
        assert_eq!(validate(&input("Ignored")), Err("status"));
    }

    #[test]
    fn risk_acceptance_needs_a_note() {
        assert_eq!(validate(&input("RiskAccepted")), Err("note_required"));
        let mut i = input("RiskAccepted");
        i.note = "   \n ".into();
        assert_eq!(validate(&i), Err("note_required"));
        i.note = " Accepted by the CISO ".into();
        assert_eq!(validate(&i).map(|v| v.note), Ok("Accepted by the CISO".to_owned()));
    }

    #[test]
    fn notes_are_bounded_and_free_of_control_characters_but_keep_line_breaks() {
        let mut i = input("ToAddress");
        i.note = "x".repeat(MAX_NOTE_CHARS);
        assert!(validate(&i).is_ok());
        i.note = "é".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(validate(&i), Err("note"));
        i.note = "line one\r\nline two\ttab".into();
        assert_eq!(validate(&i).map(|v| v.note), Ok("line one\nline two\ttab".to_owned()));
        i.note = "bell\u{7}".into();
        assert_eq!(validate(&i), Err("note"));
    }

    #[test]
    fn plans_take_a_strict_date_and_an_assignee_other_statuses_drop_them() {
        let mut i = input("Planned");
        i.due_date = "2026-06-30".into();
        i.assignee = " sam@contoso.example ".into();
        let v = validate(&i).expect("valid plan");
        assert_eq!(v.due_date, NaiveDate::from_ymd_opt(2026, 6, 30));
        assert_eq!(v.assignee.as_deref(), Some("sam@contoso.example"));
        for bad in ["30/06/2026", "2026-6-30", "2026-02-30", "tomorrow", "2026-06-30T00:00"] {
            i.due_date = bad.into();
            assert_eq!(validate(&i), Err("due_date"), "{bad}");
        }
        i.due_date = "".into();
        assert_eq!(validate(&i).map(|v| v.due_date), Ok(None));
        i.status = "ToAddress".into();
        i.due_date = "garbage".into();
        let v = validate(&i).expect("dropped for other statuses");
        assert_eq!((v.due_date, v.assignee), (None, None));
    }

    #[test]
    fn tags_are_comma_separated_bounded_and_deduplicated() {
        assert_eq!(parse_tags(" mfa, Admins ,,mfa, "), Ok(vec!["mfa".to_owned(), "Admins".to_owned()]));
        assert_eq!(parse_tags(""), Ok(vec![]));
        assert_eq!(parse_tags(&"t".repeat(41)), Err("tags"));
        assert_eq!(parse_tags("ok, bad\u{0}tag"), Err("tags"));
        assert_eq!(parse_tags("line\nbreak"), Err("tags"));
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tags(&many.join(",")), Err("tags"));
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
