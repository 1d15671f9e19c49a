//! One action in full: the flyout beside the list (`?action=…`) and the page of its own
//! (`/tenants/:tenant/actions/:action_id`) render the same view.

use super::custom;
use super::custom_edit::EditCustomAction;
use super::detail::{improvement_action, ActionDetail};
use super::entities::{EntitiesSection, EntityQuery, SourcesLine};
use super::form::EditStatusForm;
use super::query::encode;
use super::share::{self, ShareSection};
use crate::auth::sign_in::SignInRequired;
use crate::error::AppError;
use crate::pages::forms::{Notice, Outcome};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use service::status_edit;

/// The outcome of the last post, from `?error=…`, `?saved=1`, `?restored=1` or `?done=shared_…`.
fn notice(query: &ParamsMap) -> Option<Outcome> {
    let done = |q: &ParamsMap| {
        if let Some(done) = q.get("done").and_then(|c| share::done_message(&c)) {
            return Some(done);
        }
        if q.get("restored").is_some() {
            return Some("Restored. The action is back in the live score and the list.");
        }
        q.get("saved").map(|_| "Saved. The score and rank below include the change.")
    };
    Outcome::from_url(query, &[status_edit::REFUSALS, custom::REFUSALS, share::REFUSALS], done)
}

/// The action page of its own: a deep link that needs no list around it.
#[component]
pub fn ActionPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        let q = query.read();
        (
            p.get("tenant").unwrap_or_default(),
            p.get("action_id").unwrap_or_default(),
            EntityQuery::from_lookup(|k| q.get(k)),
        )
    };
    let data = Resource::new(key, |(t, a, e)| improvement_action(t, a, Some(e)));
    view! {
        <Suspense fallback=|| view! { <p>"Loading the action…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let list = format!("/tenants/{}/actions", d.tenant_id);
                        let back = format!("{list}/{}", encode(&d.row.id));
                        view! {
                            <Title text=super::rcdata(&format!("{} — {}", d.row.title, d.tenant_name))/>
                            <h1>{d.tenant_name.clone()} <span class="subtle">" · Improvement actions"</span></h1>
                            <crate::pages::nav::TenantNav tenant_id=d.tenant_id.clone() current="Improvement actions"/>
                            <p><a href=list>"← All improvement actions"</a></p>
                            <article class="card action-detail" id="action-detail">
                                <ActionDetailView d back notice=Signal::derive(move || notice(&query.read()))/>
                            </article>
                        }
                        .into_any()
                    }
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
}

/// Not found and not signed in look the same as on every other page.
pub fn error_view(e: AppError) -> AnyView {
    match e {
        AppError::NotFound(_) => view! { <NotFound/> }.into_any(),
        AppError::Unauthorized => view! { <SignInRequired/> }.into_any(),
        e => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

/// The flyout beside the list; `close` is the list without the open action.
#[component]
pub fn ActionFlyout(d: ActionDetail, back: String, close: String) -> impl IntoView {
    let query = use_query_map();
    let page = format!("/tenants/{}/actions/{}", d.tenant_id, encode(&d.row.id));
    view! {
        <aside class="card flyout" id="action-flyout" aria-label="Improvement action">
            <p class="flyout-bar">
                <a href=close id="close-flyout">"Close ✕"</a>
                <a href=page id="action-permalink">"Open as a page"</a>
            </p>
            {view! { <ActionDetailView d back notice=Signal::derive(move || notice(&query.read()))/> }.into_any()}
        </aside>
    }
}

#[component]
pub fn ActionDetailView(
    d: ActionDetail,
    back: String,
    // What the URL says of the last post (`?saved=1`, `?error=code`).
    notice: Signal<Option<Outcome>>,
) -> impl IntoView {
    let r = d.row.clone();
    let manage = d.manage_url.starts_with("https://").then(|| d.manage_url.clone());
    let list = format!("/tenants/{}/actions", d.tenant_id);
    let head = view! {
        <h2 id="action-title" tabindex="-1">{r.title.clone()}</h2>
        <p class="subtle">{r.id.clone()} {r.custom.then_some(" · custom action")}</p>
        <Notice id="action-notice" url=notice/>
        <p class="points-line" id="action-points">{d.points_line()}</p>
        <SourcesLine sources=d.sources.clone()/>
        <p>"Status: " <strong id="action-status">{r.effective.label()}</strong>
            " · Rank: " <strong id="action-rank">{r.rank_label()}</strong>
            {d.updated.clone().map(|u| view! { <span class="subtle">" · last changed by " {u}</span> })}
        </p>
        {d.write_back.clone().map(|w| view! { <p class="subtle" id="action-write-back">{w}</p> })}
    }
    .into_any();
    let glance = view! {
        <section aria-labelledby="glance-heading">
            <h3 id="glance-heading">"At a glance"</h3>
            <dl class="glance" id="at-a-glance">
                <dt>"Category"</dt><dd>{r.category.as_str()}</dd>
                <dt>"Product"</dt><dd>{r.product.clone()}</dd>
                <dt>"Threats"</dt><dd>{if r.threats.is_empty() { "—".to_owned() } else { r.threats.join(", ") }}</dd>
                <dt>"User impact"</dt><dd>{r.impact.as_str()}</dd>
                <dt>"Implementation cost"</dt><dd>{r.cost.as_str()}</dd>
                <dt>"Complexity"</dt><dd>{d.complexity.clone()}</dd>
                <dt>"Tier"</dt><dd>{d.tier.clone()}</dd>
                <dt>"Tags"</dt><dd>{r.tags.join(", ")}</dd>
            </dl>
        </section>
        {(!r.description.is_empty()).then(|| view! { <p class="description">{r.description.clone()}</p> })}
    }
    .into_any();
    let how = view! {
        <section aria-labelledby="prereq-heading">
            <h3 id="prereq-heading">"Prerequisites"</h3>
            {if d.licenses.is_empty() && d.prerequisite_actions.is_empty() {
                view! { <p class="empty">"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="prerequisites">
                        {d.licenses.iter().map(|l| view! { <li>"Licence: " {l.clone()}</li> }).collect_view()}
                        {d.prerequisite_actions.iter().map(|(id, title)| view! {
                            <li>"First: " <a href=format!("{list}/{}", encode(id))>{title.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
        <section aria-labelledby="remediation-heading">
            <h3 id="remediation-heading">"Implementation"</h3>
            <p>"Status of the implementation: " <span id="implementation-status">{d.measured.clone()}</span></p>
            <pre class="remediation" id="remediation">{d.remediation.clone()}</pre>
            {manage.map(|url| view! {
                <p><a href=url target="_blank" rel="noopener noreferrer" id="manage-link">"Manage ↗"</a></p>
            })}
        </section>
    }
    .into_any();
    let affected = view! {
        <EntitiesSection list=d.entities.clone() tenant_id=d.tenant_id.clone() action_id=d.row.id.clone()
            path=back.split('?').next().unwrap_or_default().to_owned()/>
    }
    .into_any();
    let why = view! {
        <section aria-labelledby="why-heading">
            <h3 id="why-heading">"Why this rank?"</h3>
            <p id="why-rank">{d.why.clone()}</p>
            <p class="subtle">
                "Rank orders actions by remaining points × a weight for each of implementation cost, user impact \
                 and complexity (Low 1.0, Moderate 0.75, High 0.5), highest first; ties go to the larger maximum, \
                 then the id. Completed, resolved and risk-accepted actions have nothing remaining and come last."
            </p>
        </section>
        <section aria-labelledby="notes-heading">
            <h3 id="notes-heading">"Notes"</h3>
            {if d.note.is_empty() {
                view! { <p class="empty" id="action-note">"No notes yet."</p> }.into_any()
            } else {
                view! { <p class="note" id="action-note">{d.note.clone()}</p> }.into_any()
            }}
            {d.assignee.clone().map(|a| view! { <p>"Assignee: " <span id="action-assignee">{a}</span></p> })}
            {d.due_date.clone().map(|due| view! { <p>"Due: " <span id="action-due">{due}</span></p> })}
        </section>
    }
    .into_any();
    let rest = view! {
        {d.can_write.then(|| view! {
            <section aria-labelledby="edit-heading">
                <h3 id="edit-heading">"Edit status and notes"</h3>
                <EditStatusForm d=d.clone() back=back.clone()/>
            </section>
        })}
        {d.custom_fields.clone().filter(|_| d.can_write).map(|values| view! {
            <EditCustomAction tenant_id=d.tenant_id.clone() action_id=d.row.id.clone() values back=back.clone()/>
        })}
        <ShareSection d=d.clone() back=back.clone()/>
        <section aria-labelledby="history-heading">
            <h3 id="history-heading">"History of this action"</h3>
            <HistoryTable d=d.clone()/>
        </section>
    }
    .into_any();
    view! { {head} {glance} {how} {affected} {why} {rest} }
}

#[component]
fn HistoryTable(d: ActionDetail) -> impl IntoView {
    if d.history.is_empty() {
        return view! { <p class="empty">"No status changes or measurements yet."</p> }.into_any();
    }
    view! {
        <table class="list" id="action-history">
            <thead><tr><th>"When"</th><th>"What"</th><th class="num">"Points"</th><th>"Who"</th><th>"Note"</th></tr></thead>
            <tbody>
                {d.history.into_iter().map(|h| {
                    let delta = if h.delta.centi() > 0 { format!("+{}", h.delta) } else { h.delta.to_string() };
                    view! {
                        <tr data-kind=h.kind>
                            <td>{h.at}</td><td>{h.what}</td><td class="num">{delta}</td><td>{h.who}</td>
                            <td class="note">{h.note}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
