//! What the flyout and the action page load: one action with its numbers, status details,
//! "Why this rank?" and its own history.

use super::entities::{EntityList, EntityQuery, SourceLines};
use super::history::HistoryEntry;
use super::row::ActionRow;
use super::share::{ShareTargets, TicketLink};
use crate::error::AppError;
use leptos::prelude::*;
use score::Status;
use serde::{Deserialize, Serialize};

/// What undo offers: the latest status change, named by its id, and the status undoing it
/// goes back to (the one before it, or To address before the first change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoTarget {
    pub change_id: i64,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDetail {
    pub tenant_id: String,
    pub tenant_name: String,
    pub can_write: bool,
    pub row: ActionRow,
    /// "45 of 60 users", "Implemented", or "Not measured yet".
    pub measured: String,
    pub tier: String,
    pub complexity: String,
    pub licenses: Vec<String>,
    /// Earlier actions to complete first, as (id, title).
    pub prerequisite_actions: Vec<(String, String)>,
    pub remediation: String,
    pub manage_url: String,
    pub note: String,
    pub assignee: Option<String>,
    pub due_date: Option<String>,
    /// The tenant's own tags (the catalog's are in `row.tags` too).
    pub tenant_tags: Vec<String>,
    /// "alex@contoso.example on 2026-03-07 12:00 UTC"
    pub updated: Option<String>,
    pub why: String,
    pub history: Vec<HistoryEntry>,
    pub undo: Option<UndoTarget>,
    /// The address of the action's own page, to copy and share.
    pub link: String,
    /// Which share targets the operator configured.
    pub share: ShareTargets,
    /// Change tickets opened for this action, newest first.
    pub tickets: Vec<TicketLink>,
    /// How the latest change stands with Microsoft 365, for a tenant that writes back.
    pub write_back: Option<String>,
    /// A custom action's fields as its edit form shows them; `None` for built-in actions.
    pub custom_fields: Option<super::custom::CustomActionInput>,
    /// The failing users, devices or resources, a page of them.
    pub entities: EntityList,
    /// Where the value in effect came from, and sources that say otherwise.
    pub sources: SourceLines,
}

impl ActionDetail {
    /// "45 of 60 users — 7.50 of 10.00 points"
    pub fn points_line(&self) -> String {
        format!("{} — {} of {} points", self.measured, self.row.points, self.row.max)
    }
}

#[server(endpoint = "improvement_action")]
pub async fn improvement_action(
    tenant_id: String,
    action_id: String,
    // Left out by callers that do not page through entities: the first page.
    entity_query: Option<EntityQuery>,
) -> Result<ActionDetail, AppError> {
    let entity_query = entity_query.unwrap_or_default();
    use super::history::{measurement_text, replay, ActionEvent};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let (state, tenant_id) = (&access.state, access.tenant_id.as_str());
    let live = service::live::live_score(state.store.as_ref(), &state.catalog, tenant_id).await?;
    let Some(action) = live.action(&action_id).cloned() else {
        return Err(AppError::NotFound("action".into()));
    };
    let rows = super::row::rows_of(&live);
    let (Some(row), Some(score)) =
        (rows.into_iter().find(|r| r.id == action_id), live.scores.iter().find(|s| s.id == action_id))
    else {
        return Err(AppError::NotFound("action".into()));
    };
    let record = live.records.get(&action_id);
    let measured = record
        .and_then(|r| r.state.measurement)
        .map_or_else(|| "Not measured yet".to_owned(), |m| measurement_text(&action, &m));
    let changes = state.store.status_history(tenant_id, &action_id).await?;
    let measurements = state.store.measurement_history(tenant_id, &action_id).await?;
    let undo = changes.last().map(|latest| UndoTarget {
        change_id: latest.id,
        status: changes.iter().rev().nth(1).map_or(Status::ToAddress, |c| c.change.status),
    });
    let mut events: Vec<ActionEvent> = changes
        .into_iter()
        .map(|c| c.change)
        .map(|c| ActionEvent::Status {
            status: c.status,
            note: c.note,
            who: c.changed_by,
            assignee: c.assignee,
            due_date: c.due_date,
            at: c.changed_at,
        })
        .collect();
    let entity_records = state.store.entity_states(tenant_id, &action_id).await?;
    let entity_changes = state.store.entity_changes(tenant_id, &action_id).await?;
    let sources = state.store.source_measurements(tenant_id, &action_id).await?;
    // A day's entity changes come with that day's measurement.
    let measured_at: std::collections::HashMap<chrono::NaiveDate, chrono::DateTime<chrono::Utc>> =
        measurements.iter().map(|m| (m.observed_at.date_naive(), m.observed_at)).collect();
    let mut by_day: std::collections::BTreeMap<chrono::NaiveDate, Vec<&store::EntityChange>> =
        Default::default();
    for c in &entity_changes {
        by_day.entry(c.day).or_default().push(c);
    }
    events.extend(measurements.into_iter().map(ActionEvent::Measured));
    events.extend(by_day.into_iter().map(|(day, changes)| ActionEvent::Entities {
        at: measured_at.get(&day).copied().unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc()),
        what: super::entities::day_of_changes(&changes),
    }));
    let tickets = state
        .store
        .action_tickets(tenant_id, &action_id)
        .await?
        .into_iter()
        .map(|t| TicketLink {
            number: t.number,
            url: t.url,
            created: format!("{} on {}", t.created_by, t.created_at.format("%Y-%m-%d %H:%M UTC")),
        })
        .collect();
    let write_back = state.store.write_back_of(tenant_id, &action_id).await?;
    let prerequisite_actions = action
        .prerequisites
        .actions
        .iter()
        .map(|id| (id.clone(), live.action(id).map_or_else(|| id.clone(), |a| a.title.clone())))
        .collect();
    Ok(ActionDetail {
        tenant_id: live.tenant.id.clone(),
        tenant_name: live.tenant.name.clone(),
        can_write: access.role.can_write(),
        measured,
        tier: action.tier.as_str().to_owned(),
        complexity: action.complexity.as_str().to_owned(),
        licenses: action.prerequisites.licenses.clone(),
        prerequisite_actions,
        remediation: action.remediation.clone(),
        manage_url: action.manage_url.clone(),
        note: record.map(|r| r.note.clone()).unwrap_or_default(),
        assignee: record.and_then(|r| r.assignee.clone()),
        due_date: record.and_then(|r| r.due_date).map(|d| d.format("%Y-%m-%d").to_string()),
        tenant_tags: record.map(|r| r.tags.clone()).unwrap_or_default(),
        updated: record.and_then(|r| {
            let (by, at) = (r.updated_by.as_ref()?, r.updated_at?);
            Some(format!("{by} on {}", at.format("%Y-%m-%d %H:%M UTC")))
        }),
        why: score::ranking::explain(score),
        history: replay(&action, events),
        undo,
        link: super::share::action_link(
            crate::links::link_base(state.public_url.as_deref()),
            &live.tenant.id,
            &action_id,
        ),
        // The server layers the targets onto every request; none when it did not.
        share: leptos_axum::extract::<axum::Extension<ShareTargets>>().await.map(|e| e.0).unwrap_or_default(),
        tickets,
        write_back: write_back.as_ref().map(service::m365::write_back_line),
        custom_fields: row.custom.then(|| super::custom::CustomActionInput::from_action(&action)),
        entities: super::entities::entity_list(&entity_records, entity_query),
        sources: super::entities::source_lines(&action, &sources),
        row,
    })
}
