//! Editing, deleting and restoring a tenant's custom actions, checked like the add form;
//! forms of the one convention in `pages::forms`.
//!
//! A delete takes the action out of the live score and the lists but rewrites no history:
//! past snapshots keep its points and the next one records it leaving. Restore undoes it.

use super::custom::{fields, CustomActionInput};
use crate::error::AppError;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A deleted custom action, for its notice and its Restore button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedAction {
    pub id: String,
    pub title: String,
}

/// Refuses built-in ids before anything is read: the shipped catalog is not the tenant's.
#[cfg(feature = "ssr")]
fn not_built_in(catalog: &[score::ImprovementAction], action_id: &str) -> Result<(), AppError> {
    if catalog.iter().any(|a| a.id == action_id) {
        let r = super::custom::REFUSALS.of("custom_built_in");
        return Err(AppError::invalid(r.field, r.message));
    }
    Ok(())
}

#[server(endpoint = "edit_custom_action")]
pub async fn edit_custom_action(
    tenant_id: String,
    action_id: String,
    #[server(flatten)] input: CustomActionInput,
    back: Option<String>,
) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    not_built_in(&access.state.catalog, &action_id)?;
    let store = access.state.store.as_ref();
    let back = super::edit::back_url(&access.tenant_id, &action_id, back.as_deref());
    let live = store.custom_actions(&access.tenant_id).await?;
    let Some(current) = live.iter().find(|a| a.id == action_id) else {
        return Err(AppError::NotFound("action".into()));
    };
    let action = match super::custom::edited(current, &input) {
        Ok(a) => a,
        Err(code) => return super::custom::refuse(&back, code).await,
    };
    if live.iter().any(|a| a.id != action.id && a.title.eq_ignore_ascii_case(&action.title)) {
        return super::custom::refuse(&back, "custom_exists").await;
    }
    store.update_custom_action(&access.tenant_id, &action, &access.viewer.email).await?;
    tracing::info!(tenant = %access.tenant_id, action = %action.id, "custom action edited");
    crate::pages::forms::done(&crate::pages::forms::with_param(&back, "saved", "1"))
}

#[server(endpoint = "delete_custom_action")]
pub async fn delete_custom_action(tenant_id: String, action_id: String) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    not_built_in(&access.state.catalog, &action_id)?;
    let store = access.state.store.as_ref();
    if store.delete_custom_action(&access.tenant_id, &action_id, &access.viewer.email).await? {
        tracing::info!(tenant = %access.tenant_id, action = %action_id, "custom action deleted");
    }
    crate::pages::forms::done(&format!(
        "/tenants/{}/actions?deleted={}",
        access.tenant_id,
        super::query::encode(&action_id)
    ))
}

#[server(endpoint = "restore_custom_action")]
pub async fn restore_custom_action(tenant_id: String, action_id: String) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    not_built_in(&access.state.catalog, &action_id)?;
    let store = access.state.store.as_ref();
    if store.restore_custom_action(&access.tenant_id, &action_id, &access.viewer.email).await? {
        tracing::info!(tenant = %access.tenant_id, action = %action_id, "custom action restored");
    }
    crate::pages::forms::done(&format!(
        "/tenants/{}/actions/{}?restored=1",
        access.tenant_id,
        super::query::encode(&action_id)
    ))
}

/// The edit form and the delete button of a custom action, for read-write users.
#[component]
pub fn EditCustomAction(
    tenant_id: String,
    action_id: String,
    values: CustomActionInput,
    back: String,
) -> impl IntoView {
    let (t2, a2) = (tenant_id.clone(), action_id.clone());
    view! {
        <section aria-labelledby="custom-edit-heading" id="custom-action-edit">
            <h3 id="custom-edit-heading">"Edit this custom action"</h3>
            <form method="post" action={posts_to::<EditCustomAction>()} class="row-form" id="edit-custom-action">
                <input type="hidden" name="tenant_id" value=tenant_id/>
                <input type="hidden" name="action_id" value=action_id/>
                <input type="hidden" name="back" value=back/>
                {fields(&values, "edit")}
                <button type="submit" id="save-custom-action">"Save action"</button>
            </form>
            // Opening the details is the confirm step, and it needs no JavaScript.
            <details class="danger" id="delete-custom-action">
                <summary>"Delete this action…"</summary>
                <p>
                    "It leaves the live score, the list and the export at once. Past days keep the points \
                     it earned, and the next snapshot records it leaving. You can restore it from the \
                     Improvement actions page."
                </p>
                <form method="post" action={posts_to::<DeleteCustomAction>()} class="inline">
                    <input type="hidden" name="tenant_id" value=t2/>
                    <input type="hidden" name="action_id" value=a2/>
                    <button type="submit" class="danger" id="confirm-delete">"Delete the action"</button>
                </form>
            </details>
        </section>
    }
}

/// A Restore button: the undo of a delete.
#[component]
pub fn RestoreButton(tenant_id: String, action: DeletedAction) -> impl IntoView {
    view! {
        <form method="post" action={posts_to::<RestoreCustomAction>()} class="inline restore-form">
            <input type="hidden" name="tenant_id" value=tenant_id/>
            <input type="hidden" name="action_id" value=action.id.clone()/>
            <button type="submit" class="secondary" data-restore=action.id>
                {format!("Restore “{}”", action.title)}
            </button>
        </form>
    }
}

/// The list's notice after a delete (`?deleted=…`) with its undo, and the tenant's deleted
/// custom actions, each with Restore.
#[component]
pub fn DeletedCustomActions(
    tenant_id: String,
    deleted: Vec<DeletedAction>,
    just_deleted: Option<String>,
) -> impl IntoView {
    let just = just_deleted.and_then(|id| deleted.iter().find(|d| d.id == id).cloned());
    let notice = just.map(|d| {
        let t = tenant_id.clone();
        view! {
            <div class="notice" role="status" id="deleted-notice">
                {format!(
                    "Deleted “{}”. It has left the live score and this list; past days keep its points. ",
                    d.title,
                )}
                <RestoreButton tenant_id=t action=d/>
            </div>
        }
    });
    let list = (!deleted.is_empty()).then(|| {
        let count = deleted.len();
        view! {
            <details class="card" id="deleted-custom-actions">
                <summary>{format!("Deleted custom actions ({count})")}</summary>
                <ul>
                    {deleted.into_iter().map(|d| {
                        let t = tenant_id.clone();
                        view! {
                            <li>
                                {d.title.clone()} " " <span class="subtle">{d.id.clone()}</span> " "
                                <RestoreButton tenant_id=t action=d/>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        }
    });
    view! { {notice} {list} }
}
