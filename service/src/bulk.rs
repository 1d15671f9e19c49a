//! Changes across many tenants at once, from the portfolio: one status for one improvement
//! action in each chosen tenant, and a provider's baseline (a named set of statuses)
//! applied to a tenant in one step. Each tenant's change is its own audited write; a
//! tenant the person cannot write is skipped with the reason, never changed.

use crate::status_change::{change_status, ChangeError, WhenCompleted};
use crate::status_edit::{Refusal, StatusEdit};
use score::roles::Role;
use score::ImprovementAction;
use std::collections::{BTreeMap, BTreeSet};
use store::{Store, StoreError};

/// The most tenants one request may change.
pub const MAX_TENANTS: usize = 5_000;

/// Why a whole bulk change was refused before any tenant was touched.
#[derive(Debug)]
pub enum BulkError {
    /// No tenant chosen, or more than [`MAX_TENANTS`].
    Tenants(usize),
    /// The action is not in the catalog.
    UnknownAction(String),
    /// The status edit itself breaks a rule (names its field).
    Refused(Refusal),
    Store(StoreError),
}

impl From<StoreError> for BulkError {
    fn from(e: StoreError) -> Self {
        BulkError::Store(e)
    }
}

/// What happened in one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    /// Left as it was, and why (in words for the person).
    Skipped(&'static str),
    /// The write failed and the tenant is as it was; the detail is for the log only.
    Failed(String),
}

/// One tenant's line of the report: its id as sent, its name where the person may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantOutcome {
    pub tenant_id: String,
    pub name: Option<String>,
    pub outcome: Outcome,
}

/// What the report says of a tenant the person holds no role in — and of one that does
/// not exist, in the same words, so nobody learns which ids exist.
pub const NOT_YOURS: &str = "not found, or you hold no role there";
pub const READ_ONLY: &str = "your role there is read-only";
pub const LOCKED: &str = "completed by its measurement, so its status stays";

/// The tenants asked for, each once, in the order first given (ids compared as stored).
fn distinct(tenant_ids: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    tenant_ids
        .iter()
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty() && seen.insert(t.clone()))
        .collect()
}

/// The person's roles, by tenant id, and the names of those tenants among `wanted`.
async fn roles_of(
    store: &dyn Store,
    user_id: &str,
    wanted: &[String],
) -> Result<BTreeMap<String, (Role, String)>, StoreError> {
    let held: BTreeMap<String, Role> = store.roles_held(user_id).await?.into_iter().collect();
    let mut out = BTreeMap::new();
    for id in wanted {
        if let Some(role) = held.get(id) {
            out.insert(id.clone(), (*role, store.tenant(id).await?.name));
        }
    }
    Ok(out)
}

/// Sets `edit` on `action_id` in every tenant of `tenant_ids` where `user_id` holds a
/// read-write role, recorded under `who`; the rest are skipped with the reason.
pub async fn apply_status(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    user_id: &str,
    who: &str,
    tenant_ids: &[String],
    action_id: &str,
    edit: StatusEdit,
) -> Result<Vec<TenantOutcome>, BulkError> {
    let wanted = distinct(tenant_ids);
    if wanted.is_empty() || wanted.len() > MAX_TENANTS {
        return Err(BulkError::Tenants(wanted.len()));
    }
    if !catalog.iter().any(|a| a.id == action_id && !a.deprecated) {
        return Err(BulkError::UnknownAction(action_id.to_owned()));
    }
    let edit = edit.checked().map_err(BulkError::Refused)?;
    let roles = roles_of(store, user_id, &wanted).await?;
    let mut out = Vec::with_capacity(wanted.len());
    for tenant_id in wanted {
        let Some((role, name)) = roles.get(&tenant_id).cloned() else {
            out.push(TenantOutcome { tenant_id, name: None, outcome: Outcome::Skipped(NOT_YOURS) });
            continue;
        };
        let outcome = if !role.can_write() {
            Outcome::Skipped(READ_ONLY)
        } else {
            let wanted = edit.clone();
            let changed =
                change_status(store, catalog, &tenant_id, action_id, who, WhenCompleted::Refuse, |_| {
                    Ok(wanted)
                });
            match changed.await {
                Ok(_) => Outcome::Changed,
                Err(ChangeError::Refused(_)) => Outcome::Skipped(LOCKED),
                Err(ChangeError::NoSuchAction) => Outcome::Skipped("the action does not apply there"),
                Err(ChangeError::Store(e)) => Outcome::Failed(e.to_string()),
            }
        };
        out.push(TenantOutcome { tenant_id, name: Some(name), outcome });
    }
    Ok(out)
}

/// The most baselines one person keeps, and the most lines one holds.
pub const MAX_BASELINES: usize = 50;
pub const MAX_ENTRIES: usize = 500;
pub const MAX_NAME_CHARS: usize = 100;

/// Why a baseline was refused: the field to fix and what to fix, naming the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRefusal {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> BaselineRefusal {
    BaselineRefusal { field, message: message.into() }
}

/// A baseline's name, checked.
pub fn baseline_name(name: &str) -> Result<String, BaselineRefusal> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(refuse("name", "Name: 1–100 characters, without control characters."));
    }
    Ok(name.to_owned())
}

/// A baseline's lines as typed, one per action: `ActionId, Status, note` — the note may
/// hold commas, and may be left out unless the status is Risk accepted. Blank lines and
/// lines starting with `#` are skipped. Each refusal names its line.
pub fn baseline_entries(
    text: &str,
    catalog: &[ImprovementAction],
) -> Result<Vec<store::BaselineEntry>, BaselineRefusal> {
    let mut out: Vec<store::BaselineEntry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ',').map(str::trim);
        let action_id = parts.next().unwrap_or_default();
        let status_text = parts.next().unwrap_or_default();
        let note = parts.next().unwrap_or_default();
        if !catalog.iter().any(|a| a.id == action_id && !a.deprecated) {
            return Err(refuse(
                "entries",
                format!("Line {n}: “{action_id}” is not an action of the catalog."),
            ));
        }
        let Some(status) = score::Status::parse(status_text) else {
            return Err(refuse(
                "entries",
                format!(
                    "Line {n}: “{status_text}” is not a status; write ToAddress, Planned, RiskAccepted, \
                     ThirdParty or \
                     AlternateMitigation."
                ),
            ));
        };
        let edit = StatusEdit { status, note: note.to_owned(), ..StatusEdit::default() };
        let edit = edit.checked().map_err(|r| refuse("entries", format!("Line {n}: {}", r.message)))?;
        if out.iter().any(|e| e.action_id == action_id) {
            return Err(refuse(
                "entries",
                format!("Line {n}: {action_id} is already set on an earlier line."),
            ));
        }
        out.push(store::BaselineEntry {
            action_id: action_id.to_owned(),
            status: edit.status,
            note: edit.note,
        });
    }
    if out.is_empty() {
        return Err(refuse("entries", "Entries: write at least one line, such as “AdminMFAV2, ThirdParty, Covered by our MFA provider”."));
    }
    if out.len() > MAX_ENTRIES {
        return Err(refuse("entries", format!("Entries: at most {MAX_ENTRIES} lines.")));
    }
    Ok(out)
}

/// What applying a baseline did to the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineReport {
    pub tenant_name: String,
    /// Actions whose status was set.
    pub applied: Vec<String>,
    /// Actions left as they were, with the reason.
    pub skipped: Vec<(String, &'static str)>,
}

/// Why a baseline could not be applied to a tenant at all.
#[derive(Debug)]
pub enum ApplyError {
    /// The person cannot see the tenant (or it does not exist: the same answer).
    NotYours,
    ReadOnly,
    Store(StoreError),
}

impl From<StoreError> for ApplyError {
    fn from(e: StoreError) -> Self {
        ApplyError::Store(e)
    }
}

/// Applies `entries` to one tenant where `user_id` holds a read-write role, as `who`: every
/// status in one write (all or none). Actions completed by their measurement, deprecated or
/// already exactly as the baseline says are skipped and listed.
pub async fn apply_baseline(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    user_id: &str,
    who: &str,
    entries: &[store::BaselineEntry],
    tenant_id: &str,
) -> Result<BaselineReport, ApplyError> {
    let tenant_id = tenant_id.trim().to_ascii_lowercase();
    let role = store.role_in(user_id, &tenant_id).await?.ok_or(ApplyError::NotYours)?;
    if !role.can_write() {
        return Err(ApplyError::ReadOnly);
    }
    let live = crate::live::live_score(store, catalog, &tenant_id).await?;
    let now = chrono::Utc::now();
    let (mut changes, mut skipped) = (Vec::new(), Vec::new());
    for e in entries {
        let Some(current) =
            live.score_of(&e.action_id).filter(|_| live.action(&e.action_id).is_some_and(|a| !a.deprecated))
        else {
            skipped.push((e.action_id.clone(), "no longer in the catalog"));
            continue;
        };
        if current.effective == score::EffectiveStatus::Completed {
            skipped.push((e.action_id.clone(), LOCKED));
            continue;
        }
        let record = live.records.get(&e.action_id);
        if current.status == e.status && record.map(|r| r.note.as_str()).unwrap_or_default() == e.note {
            skipped.push((e.action_id.clone(), "already so"));
            continue;
        }
        changes.push(store::StatusChange {
            action_id: e.action_id.clone(),
            status: e.status,
            note: e.note.clone(),
            // The rest of the action's details stay as they were.
            assignee: record.and_then(|r| r.assignee.clone()),
            due_date: record.and_then(|r| r.due_date).filter(|_| e.status == score::Status::Planned),
            tags: record.map(|r| r.tags.clone()).unwrap_or_default(),
            changed_by: who.to_owned(),
            changed_at: now,
        });
    }
    store.set_statuses(&tenant_id, &changes).await?;
    Ok(BaselineReport {
        tenant_name: live.tenant.name.clone(),
        applied: changes.into_iter().map(|c| c.action_id).collect(),
        skipped,
    })
}

/// Applies `entries` to each of `tenant_ids` (each tenant all or none), as
/// [`apply_baseline`] does for one; a tenant that fails does not stop the others.
pub async fn apply_baseline_to(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    user_id: &str,
    who: &str,
    entries: &[store::BaselineEntry],
    tenant_ids: &[String],
) -> Result<Vec<(String, Result<BaselineReport, ApplyError>)>, BulkError> {
    let wanted = distinct(tenant_ids);
    if wanted.is_empty() || wanted.len() > MAX_TENANTS {
        return Err(BulkError::Tenants(wanted.len()));
    }
    let mut out = Vec::with_capacity(wanted.len());
    for tenant_id in wanted {
        let report = apply_baseline(store, catalog, user_id, who, entries, &tenant_id).await;
        out.push((tenant_id, report));
    }
    Ok(out)
}
