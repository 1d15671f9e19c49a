//! The Improvement actions page: the ranked list with search, filters, grouping and sort
//! (all in the URL query), the flyout of the open action, and the CSV link.

use super::browser::{distinct, ActionBrowser, VIEW_KEYS};
use super::data::{improvement_actions, ActionsData};
use super::detail::improvement_action;
use super::entities::EntityQuery;
use super::flyout::{error_view, ActionFlyout};
use super::query::ActionQuery;
use crate::format::points_of;
use crate::pages::forms::{Notice, Outcome};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ActionsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let data = Resource::new(tenant, improvement_actions);
    let open = move || {
        let m = query.read();
        (tenant(), ActionQuery::from_lookup(|k| m.get(k)).action, EntityQuery::from_lookup(|k| m.get(k)))
    };
    let detail = Resource::new(open, |(t, a, e)| async move {
        match a {
            Some(a) => improvement_action(t, a, Some(e)).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading improvement actions…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <ActionsView d detail/> }.into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
}

type DetailResource = Resource<Result<Option<super::detail::ActionDetail>, crate::error::AppError>>;

#[component]
fn ActionsView(d: ActionsData, detail: DetailResource) -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| {
        let m = query.read();
        ActionQuery::from_lookup(|k| m.get(k))
    });
    let base = format!("/tenants/{}/actions", d.tenant_id);
    let products = distinct(d.rows.iter().map(|r| r.product.clone()));
    let tags = distinct(d.rows.iter().flat_map(|r| r.tags.clone()));
    let view_query: Vec<(String, String)> = {
        let m = query.read_untracked();
        VIEW_KEYS.iter().filter_map(|k| m.get(k).map(|v| ((*k).to_owned(), v))).collect()
    };
    let csv = format!("/tenants/{}/actions.csv", d.tenant_id);
    let b2 = base.clone();
    // This notice speaks for the add form; the open action has its own.
    let custom_refusal = Signal::derive(move || {
        let code = query.read().get("error")?;
        let r = super::custom::REFUSALS.get(&code)?;
        Some(Outcome { ok: false, message: r.message.to_owned() })
    });
    view! {
        <Title text=super::rcdata(&format!("{} — Improvement actions", d.tenant_name))/>
        <h1>{d.tenant_name.clone()} <span class="subtle">" · Improvement actions"</span></h1>
        <crate::pages::nav::TenantNav tenant_id=d.tenant_id.clone() current="Improvement actions"/>
        <p class="score-line" id="actions-score">
            "Secure Score: " <strong id="actions-percent">{d.percent.to_string()}</strong>
            " · " <span id="actions-points">{points_of(d.current, d.max)}</span> " points"
            <span class="subtle">" · you are " {d.role_label.clone()}
                {(!d.can_write).then_some(" (read-only)")}</span>
        </p>
        <Notice id="actions-notice" url=custom_refusal/>
        {d.can_write.then(|| view! { <super::custom::AddCustomActionForm tenant_id=d.tenant_id.clone()/> })}
        <super::custom_edit::DeletedCustomActions tenant_id=d.tenant_id.clone() deleted=d.deleted.clone()
            just_deleted=query.read_untracked().get("deleted")/>
        <div class="actions-layout">
            <div class="actions-main">
                <ActionBrowser base=base.clone() csv rows=d.rows products tags query=view_query/>
            </div>
            <Suspense fallback=|| ()>
                {move || {
                    let base = b2.clone();
                    Suspend::new(async move {
                        match detail.await {
                            Ok(Some(dd)) => {
                                let q = q.get();
                                let back = format!("{base}{}", q.to_search());
                                let close = format!("{base}{}", q.with_action(None).to_search());
                                view! { <ActionFlyout d=dd back close/> }.into_any()
                            }
                            Ok(None) => ().into_any(),
                            Err(e) => error_view(e),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}
