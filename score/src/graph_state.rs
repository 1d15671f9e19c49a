//! Microsoft Graph's control states (SPEC §7) for Rampart's statuses: how the Graph API
//! shows a status, how an imported or synced state update reads, and what a write-back
//! sends to Microsoft 365.

use crate::Status;
use chrono::NaiveDate;

/// Graph's four states for Rampart's five statuses. Planned has no Graph state of its own:
/// it is still to be done, so it reads as `Default`.
pub fn graph_state(status: Status) -> &'static str {
    match status {
        Status::ToAddress | Status::Planned => "Default",
        Status::RiskAccepted => "Ignored",
        Status::ThirdParty => "ThirdParty",
        Status::AlternateMitigation => "Reviewed",
    }
}

/// A Graph state in any letter case, as SPEC §7 maps it.
pub fn status_of_graph_state(state: &str) -> Option<Status> {
    match state.trim().to_ascii_lowercase().as_str() {
        "default" => Some(Status::ToAddress),
        "ignored" => Some(Status::RiskAccepted),
        "thirdparty" => Some(Status::ThirdParty),
        "reviewed" => Some(Status::AlternateMitigation),
        _ => None,
    }
}

/// The comment a write-back sends with the state: the note, and for Planned — which
/// Microsoft only knows as `Default` — the plan itself, so nothing of it is lost there.
pub fn graph_comment(status: Status, note: &str, due: Option<NaiveDate>) -> String {
    let note = note.trim();
    if status != Status::Planned {
        return note.to_owned();
    }
    let plan = match due {
        Some(d) => format!("Planned in Rampart, due {d}."),
        None => "Planned in Rampart.".to_owned(),
    };
    if note.is_empty() {
        plan
    } else {
        format!("{plan} {note}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_states_map_both_ways_in_any_case() {
        for (state, status) in [
            ("Default", Status::ToAddress),
            ("IGNORED", Status::RiskAccepted),
            ("thirdparty", Status::ThirdParty),
            ("Reviewed", Status::AlternateMitigation),
        ] {
            assert_eq!(status_of_graph_state(state), Some(status));
            assert!(graph_state(status).eq_ignore_ascii_case(state));
        }
        assert_eq!(graph_state(Status::Planned), "Default");
        assert_eq!(status_of_graph_state("Planned"), None);
        assert_eq!(status_of_graph_state(""), None);
    }

    #[test]
    fn a_plan_travels_in_the_comment() {
        let due = NaiveDate::from_ymd_opt(2027, 1, 31);
        assert_eq!(
            graph_comment(Status::Planned, " roll out to sales ", due),
            "Planned in Rampart, due 2027-01-31. roll out to sales"
        );
        assert_eq!(graph_comment(Status::Planned, "", None), "Planned in Rampart.");
        assert_eq!(graph_comment(Status::RiskAccepted, "board said so", due), "board said so");
        assert_eq!(graph_comment(Status::ToAddress, "", None), "");
    }
}
