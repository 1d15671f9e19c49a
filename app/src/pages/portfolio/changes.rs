//! Changes across tenants, as the portfolio offers them: the form that sets one status (or
//! applies a baseline) in the tenants ticked in the list, and the viewer's baselines. The
//! forms post to plain handlers that answer with what happened in each tenant.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The id of the form the list's tick boxes belong to.
pub const FORM_ID: &str = "bulk-change";

/// One saved baseline as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineCard {
    pub id: String,
    pub name: String,
    /// Its lines as they would be typed (`ActionId, Status, note`).
    pub lines: Vec<String>,
}

/// What the forms need: the catalog's actions to choose from and the viewer's baselines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeTools {
    /// (id, title) of every action of the catalog still in use, by title.
    pub actions: Vec<(String, String)>,
    pub baselines: Vec<BaselineCard>,
}

/// The tools, for a viewer with a portfolio and a read-write role somewhere; `None` otherwise.
#[server(endpoint = "portfolio_tools")]
pub async fn portfolio_tools() -> Result<Option<ChangeTools>, AppError> {
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    if crate::pages::portfolio_alerts::portfolio_shown(store, &viewer.user_id).await?.is_none() {
        return Ok(None);
    }
    let mut actions: Vec<(String, String)> =
        state.catalog.iter().filter(|a| !a.deprecated).map(|a| (a.id.clone(), a.title.clone())).collect();
    actions.sort_by_key(|(_, title)| title.to_lowercase());
    let baselines = store
        .baselines(&viewer.user_id)
        .await?
        .into_iter()
        .map(|b| BaselineCard {
            lines: b
                .entries
                .iter()
                .map(|e| {
                    if e.note.is_empty() {
                        format!("{}, {}", e.action_id, e.status.as_str())
                    } else {
                        format!("{}, {}, {}", e.action_id, e.status.as_str(), e.note.replace('\n', " "))
                    }
                })
                .collect(),
            id: b.id,
            name: b.name,
        })
        .collect();
    Ok(Some(ChangeTools { actions, baselines }))
}

/// The form the ticked tenants are sent with: one status for one action, or a baseline.
#[component]
pub fn ChangeForm(tools: ChangeTools) -> impl IntoView {
    let has_baselines = !tools.baselines.is_empty();
    view! {
        <section class="card" aria-labelledby="bulk-heading" id="bulk">
            <h2 id="bulk-heading">"Change the ticked tenants"</h2>
            <p class="subtle">
                "Tick tenants in the list (only those where you hold a read-write role can be ticked), then set one status, or apply a baseline. Each tenant is changed on its own and audited there; you get a line per tenant saying what happened."
            </p>
            <form method="post" action="/portfolio/status" id=FORM_ID class="row-form">
                <fieldset>
                    <legend>"Set a status"</legend>
                    <label>"Improvement action"
                        <select name="action_id" id="bulk-action">
                            <option value="">"Choose an action"</option>
                            {tools.actions.into_iter().map(|(id, title)| view! { <option value=id>{title}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"Status"
                        <select name="status" id="bulk-status">
                            {score::Status::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"Notes" <textarea name="note" id="bulk-note" rows="2" maxlength="4000"></textarea></label>
                    <label>"Assignee (a plan only)" <input type="text" name="assignee" id="bulk-assignee" maxlength="200"/></label>
                    <label>"Due date (a plan only)" <input type="date" name="due_date" id="bulk-due"/></label>
                    <button type="submit" id="bulk-set">"Set in the ticked tenants"</button>
                </fieldset>
                {has_baselines.then(|| view! {
                    <fieldset>
                        <legend>"Apply a baseline"</legend>
                        <label>"Baseline"
                            <select name="baseline_id" id="bulk-baseline">
                                {tools.baselines.iter().map(|b| view! { <option value=b.id.clone()>{b.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" formaction="/portfolio/baselines/apply" id="bulk-apply">"Apply to the ticked tenants"</button>
                    </fieldset>
                })}
            </form>
        </section>
        <BaselinesSection baselines=tools.baselines/>
    }
}

#[component]
fn BaselinesSection(baselines: Vec<BaselineCard>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="baselines-heading" id="baselines">
            <h2 id="baselines-heading">"Baselines"</h2>
            <p class="subtle">
                "A baseline is a named set of statuses you apply to a tenant in one step — say, every action covered by the third-party products you run for all your clients. A tenant gets all of it or none; actions completed by their measurement keep their status."
            </p>
            {if baselines.is_empty() {
                view! { <p class="empty" id="baselines-none">"You keep no baselines yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="baselines" id="baseline-list">
                        {baselines.into_iter().map(|b| view! {
                            <li data-baseline=b.id.clone()>
                                <details>
                                    <summary>{format!("{} ({} actions)", b.name, b.lines.len())}</summary>
                                    <pre>{b.lines.join("\n")}</pre>
                                </details>
                                <form method="post" action="/portfolio/baselines/delete" class="inline">
                                    <input type="hidden" name="baseline_id" value=b.id.clone()/>
                                    <button type="submit" class="danger">{format!("Delete {}", b.name)}</button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form method="post" action="/portfolio/baselines" id="baseline-form" class="row-form">
                <label>"Name" <input type="text" name="name" id="baseline-name" maxlength="100" required/></label>
                <label>"Statuses, one action a line: ActionId, Status, note"
                    <textarea name="entries" id="baseline-entries" rows="5" required
                        placeholder="AdminMFAV2, ThirdParty, Covered by our managed MFA service"></textarea>
                </label>
                <button type="submit" id="baseline-save">"Save baseline"</button>
            </form>
        </section>
    }
}
