//! What the list page loads: every action of the tenant with the live score.

use super::custom_edit::DeletedAction;
use super::row::ActionRow;
use crate::error::AppError;
use leptos::prelude::*;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionsData {
    pub tenant_id: String,
    pub tenant_name: String,
    /// Whether the viewer's role may change status, notes and custom actions.
    pub can_write: bool,
    pub role_label: String,
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    /// Every action, filtered in the page (so a new filter needs no round trip).
    pub rows: Vec<ActionRow>,
    /// The tenant's deleted custom actions, for read-write users to restore (empty otherwise).
    pub deleted: Vec<DeletedAction>,
}

#[server(endpoint = "improvement_actions")]
pub async fn improvement_actions(tenant_id: String) -> Result<ActionsData, AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let state = &access.state;
    let live = service::live::live_score(state.store.as_ref(), &state.catalog, &access.tenant_id).await?;
    let deleted = if access.role.can_write() {
        let deleted = state.store.deleted_custom_actions(&access.tenant_id).await?;
        deleted.into_iter().map(|a| DeletedAction { id: a.id, title: a.title }).collect()
    } else {
        Vec::new()
    };
    Ok(ActionsData {
        tenant_id: live.tenant.id.clone(),
        tenant_name: live.tenant.name.clone(),
        can_write: access.role.can_write(),
        role_label: access.role.label().to_owned(),
        current: live.score.current,
        max: live.score.max,
        percent: live.score.percent(),
        rows: super::row::rows_of(&live),
        deleted,
    })
}
