//! What a status edit may be: the bounds of its fields, which fields belong to which
//! status, and the refusal that names the field at fault. Every way in — the Actions page,
//! the Graph API's PATCH, undo — builds a [`StatusEdit`] and has it checked here.

use chrono::NaiveDate;
use score::Status;

pub const MAX_NOTE_CHARS: usize = 4_000;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_TAGS: usize = 20;
pub const MAX_ASSIGNEE_CHARS: usize = 200;

/// An action's status details as someone wants them to be, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusEdit {
    pub status: Status,
    pub note: String,
    /// Kept for a plan only: other statuses drop it.
    pub due_date: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
}

pub use crate::refusal::Refusal;
use crate::refusal::Refusals;

/// Why an edit is refused: the codes are stable (pages carry them in the URL, `?error=note`).
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new(
        "status",
        "status",
        "Status: choose one of To address, Planned, Risk accepted, Resolved through third party or \
         Resolved through alternate mitigation.",
    ),
    Refusal::new(
        "locked",
        "status",
        "Status: this action is Completed (derived from its measurement), so its status is locked.",
    ),
    Refusal::new("due_date", "due_date", "Due date: enter a date as YYYY-MM-DD, for example 2026-06-30."),
    Refusal::new("note", "note", "Notes: at most 4,000 characters, without control characters."),
    Refusal::new("note_required", "note", "Notes: risk accepting an action needs a note saying why."),
    Refusal::new("assignee", "assignee", "Assignee: at most 200 characters, without control characters."),
    Refusal::new(
        "tags",
        "tags",
        "Tags: separate tags with commas; each tag is 1–40 characters without control characters, \
         at most 20 tags.",
    ),
    Refusal::new(
        "undo_stale",
        "change",
        "Undo: the action changed after this page was drawn, so nothing was undone. Look at its \
         history and try again.",
    ),
]);

/// The refusal a code stands for.
fn refusal(code: &str) -> Refusal {
    REFUSALS.of(code)
}

impl StatusEdit {
    /// The edit checked and put in its stored form: the note's line breaks as `\n` and its
    /// ends trimmed, a due date only on a plan, the assignee trimmed (empty is none), tags
    /// trimmed with empty ones skipped and repeats (in any letter case) merged.
    pub fn checked(self) -> Result<StatusEdit, Refusal> {
        let note = self.note.replace("\r\n", "\n");
        if note.chars().count() > MAX_NOTE_CHARS
            || note.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(refusal("note"));
        }
        let note = note.trim().to_owned();
        if self.status == Status::RiskAccepted && note.is_empty() {
            return Err(refusal("note_required"));
        }
        let assignee = match self.assignee.as_deref().map(str::trim) {
            Some(who) if who.chars().count() > MAX_ASSIGNEE_CHARS || who.chars().any(char::is_control) => {
                return Err(refusal("assignee"))
            }
            Some(who) if !who.is_empty() => Some(who.to_owned()),
            _ => None,
        };
        let mut tags: Vec<String> = Vec::new();
        for t in &self.tags {
            // Checked before trimming: a line break at either end is still refused.
            if t.chars().any(char::is_control) {
                return Err(refusal("tags"));
            }
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            if t.chars().count() > MAX_TAG_CHARS {
                return Err(refusal("tags"));
            }
            if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                tags.push(t.to_owned());
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(refusal("tags"));
        }
        // A due date belongs to a plan.
        let due_date = if self.status == Status::Planned { self.due_date } else { None };
        Ok(StatusEdit { status: self.status, note, due_date, assignee, tags })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(status: Status) -> StatusEdit {
        StatusEdit { status, ..StatusEdit::default() }
    }

    fn tags(t: &[&str]) -> StatusEdit {
        StatusEdit { tags: t.iter().map(|s| (*s).to_owned()).collect(), ..edit(Status::ToAddress) }
    }

    #[test]
    fn risk_acceptance_needs_a_note() {
        assert_eq!(edit(Status::RiskAccepted).checked(), Err(refusal("note_required")));
        let mut e = edit(Status::RiskAccepted);
        e.note = "   \n ".into();
        assert_eq!(e.clone().checked().map_err(|r| r.field), Err("note"));
        e.note = " Accepted by the CISO ".into();
        assert_eq!(e.checked().map(|v| v.note), Ok("Accepted by the CISO".to_owned()));
    }

    #[test]
    fn notes_are_bounded_and_free_of_control_characters_but_keep_line_breaks() {
        let mut e = edit(Status::ToAddress);
        e.note = "x".repeat(MAX_NOTE_CHARS);
        assert!(e.clone().checked().is_ok());
        e.note = "é".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(e.clone().checked().map_err(|r| r.code), Err("note"));
        e.note = "line one\r\nline two\ttab".into();
        assert_eq!(e.clone().checked().map(|v| v.note), Ok("line one\nline two\ttab".to_owned()));
        e.note = "bell\u{7}".into();
        assert_eq!(e.checked().map_err(|r| r.code), Err("note"));
    }

    #[test]
    fn a_due_date_is_kept_on_a_plan_only_and_the_assignee_is_trimmed() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 30);
        let mut e = edit(Status::Planned);
        e.due_date = day;
        e.assignee = Some(" sam@contoso.example ".into());
        let v = e.clone().checked().expect("a valid plan");
        assert_eq!((v.due_date, v.assignee.as_deref()), (day, Some("sam@contoso.example")));
        e.status = Status::ThirdParty;
        assert_eq!(e.clone().checked().map(|v| v.due_date), Ok(None));
        e.assignee = Some("   ".into());
        assert_eq!(e.clone().checked().map(|v| v.assignee), Ok(None));
        e.assignee = Some("a".repeat(MAX_ASSIGNEE_CHARS + 1));
        assert_eq!(e.clone().checked().map_err(|r| r.field), Err("assignee"));
        e.assignee = Some("tab\tinside".into());
        assert_eq!(e.checked().map_err(|r| r.field), Err("assignee"));
    }

    #[test]
    fn tags_are_trimmed_bounded_and_deduplicated() {
        let v = tags(&[" mfa", " Admins ", "", "MFA", " "]).checked().expect("valid tags");
        assert_eq!(v.tags, ["mfa", "Admins"]);
        assert_eq!(tags(&[&"t".repeat(MAX_TAG_CHARS + 1)]).checked().map_err(|r| r.code), Err("tags"));
        assert_eq!(tags(&["ok", "bad\u{0}tag"]).checked().map_err(|r| r.code), Err("tags"));
        assert_eq!(tags(&["tail\n"]).checked().map_err(|r| r.code), Err("tags"));
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(tags(&many).checked().map_err(|r| r.code), Err("tags"));
        assert_eq!(tags(&many[..MAX_TAGS]).checked().map(|v| v.tags.len()), Ok(MAX_TAGS));
    }

    #[test]
    fn every_refusal_names_its_field_and_unknown_codes_read_plainly() {
        for (code, field) in
            [("status", "status"), ("locked", "status"), ("note_required", "note"), ("due_date", "due_date")]
        {
            let r = refusal(code);
            assert_eq!((r.code, r.field), (code, field));
            assert!(!r.message.is_empty());
        }
        assert_eq!(REFUSALS.of("nonsense").message, "The change was refused.");
    }
}
