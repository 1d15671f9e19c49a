//! Changing an action's status details in one tenant: the edit is checked, a Completed
//! action keeps its status, and the change is recorded under the person who made it.

use crate::live::live_score;
use crate::status_edit::{Refusal, StatusEdit, REFUSALS};
use score::{EffectiveStatus, ImprovementAction};
use store::{ControlRecord, StatusChange, Store, StoreError};

#[derive(Debug)]
pub enum ChangeError {
    /// The tenant has no such action.
    NoSuchAction,
    /// The edit breaks a rule; nothing was written.
    Refused(Refusal),
    Store(StoreError),
}

impl From<StoreError> for ChangeError {
    fn from(e: StoreError) -> Self {
        ChangeError::Store(e)
    }
}

impl From<Refusal> for ChangeError {
    fn from(r: Refusal) -> Self {
        ChangeError::Refused(r)
    }
}

/// What a change of status does to an action that is Completed by its measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenCompleted {
    /// Refuses it: the pages show the status as locked, and a person sees why.
    Refuse,
    /// Records it underneath: it takes effect if the measurement stops completing the
    /// action. Graph accepts a state on any control, and scripts written for it expect that.
    Record,
}

/// An action's details as they stand, as the edit that would change nothing.
pub fn current_edit(status: score::Status, record: Option<&ControlRecord>) -> StatusEdit {
    StatusEdit {
        status,
        note: record.map(|r| r.note.clone()).unwrap_or_default(),
        due_date: record.and_then(|r| r.due_date),
        assignee: record.and_then(|r| r.assignee.clone()),
        tags: record.map(|r| r.tags.clone()).unwrap_or_default(),
    }
}

/// Changes one action's status details for `who`. `edit` is handed the details as they
/// stand and returns what they should become (a form replaces them all; a Graph PATCH
/// changes only what it names); its answer is checked before anything is written.
pub async fn change_status(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    action_id: &str,
    who: &str,
    completed: WhenCompleted,
    edit: impl FnOnce(StatusEdit) -> Result<StatusEdit, Refusal>,
) -> Result<StatusChange, ChangeError> {
    let live = live_score(store, catalog, tenant_id).await?;
    let current = live.score_of(action_id).ok_or(ChangeError::NoSuchAction)?;
    let wanted = edit(current_edit(current.status, live.records.get(action_id)))?.checked()?;
    // Completed is derived from the measurement: the status underneath stays what it is.
    if completed == WhenCompleted::Refuse
        && current.effective == EffectiveStatus::Completed
        && wanted.status != current.status
    {
        return Err(REFUSALS.of("locked").into());
    }
    let change = StatusChange {
        action_id: action_id.to_owned(),
        status: wanted.status,
        note: wanted.note,
        assignee: wanted.assignee,
        due_date: wanted.due_date,
        tags: wanted.tags,
        changed_by: who.to_owned(),
        changed_at: chrono::Utc::now(),
    };
    store.set_status(tenant_id, &change).await?;
    Ok(change)
}

/// Undoes the latest status change of an action, named by its id: the details go back to
/// what the change before it set (To address with nothing set, before the first change).
/// An id that is not the latest — the page was drawn before someone changed the action
/// again — is refused, so nobody undoes a change they never saw.
pub async fn undo_change(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
    action_id: &str,
    change_id: i64,
    who: &str,
) -> Result<StatusChange, ChangeError> {
    let history = store.status_history(tenant_id, action_id).await?;
    let before = match history.split_last() {
        Some((latest, earlier)) if latest.id == change_id => {
            Ok(earlier.last().map_or_else(StatusEdit::default, |c| {
                let c = &c.change;
                StatusEdit {
                    status: c.status,
                    note: c.note.clone(),
                    due_date: c.due_date,
                    assignee: c.assignee.clone(),
                    tags: c.tags.clone(),
                }
            }))
        }
        _ => Err(REFUSALS.of("undo_stale")),
    };
    change_status(store, catalog, tenant_id, action_id, who, WhenCompleted::Refuse, |_| before).await
}
