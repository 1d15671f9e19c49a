//! The Improvement actions page: the ranked list with search, filters, grouping and sort
//! (all in the URL query), the flyout of the open action, and the CSV link.

use super::data::{improvement_actions, ActionsData};
use super::detail::improvement_action;
use super::filter::{apply, ActionView};
use super::flyout::{error_view, ActionFlyout};
use super::query::{ActionQuery, GroupBy, RemainingFilter, SortKey, StatusFilter};
use crate::format::points_of;
use crate::pages::forms::{page_action, Notice, Outcome, PageForms};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use score::{Category, Level};
use std::sync::Arc;

/// The columns, and the sort each header sets (tags do not sort).
const COLUMNS: [(&str, Option<SortKey>); 10] = [
    ("Rank", Some(SortKey::Rank)),
    ("Improvement action", Some(SortKey::Title)),
    ("Points", Some(SortKey::Points)),
    ("Status", Some(SortKey::Status)),
    ("Category", Some(SortKey::Category)),
    ("Product", Some(SortKey::Product)),
    ("Cost", Some(SortKey::Cost)),
    ("User impact", Some(SortKey::Impact)),
    ("Tags", None),
    ("Last change", Some(SortKey::LastChange)),
];

#[component]
pub fn ActionsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    // A saved change moves the forms' version: the list, score and ranks are read again in place.
    let forms = super::form::provide_action_forms();
    let data = Resource::new(move || (tenant(), forms.version()), |(t, _)| improvement_actions(t));
    // The open action is not read again after its delete: the redirect closes it.
    let delete = page_action::<super::custom_edit::DeleteCustomAction>();
    let open = move || {
        let m = query.read();
        (tenant(), ActionQuery::from_lookup(|k| m.get(k)).action, forms.version_where(|i| !delete.is(i)))
    };
    let detail = Resource::new(open, |(t, a, _)| async move {
        match a {
            Some(a) => improvement_action(t, a).await.map(Some),
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
    let rows = Arc::new(d.rows);
    let shown = Memo::new(move |_| apply(&rows, &q.get()));
    let csv = {
        let t = d.tenant_id.clone();
        move || format!("/tenants/{t}/actions.csv{}", q.get().with_action(None).to_search())
    };
    let (b1, b2) = (base.clone(), base.clone());
    // This notice speaks for the add form; the open action has its own.
    let custom_refusal = Signal::derive(move || {
        let code = query.read().get("error")?;
        let r = super::custom::REFUSALS.get(&code)?;
        Some(Outcome { ok: false, message: r.message.to_owned() })
    });
    let add = page_action::<super::custom::AddCustomAction>();
    let forms = use_context::<PageForms>();
    let add_refused = Signal::derive(move || forms.and_then(|f| f.refusal(|i| add.is(i))));
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
        <Notice id="actions-notice" url=custom_refusal refused=add_refused/>
        <FilterForm base=base.clone() q products tags/>
        {d.can_write.then(|| view! { <super::custom::AddCustomActionForm tenant_id=d.tenant_id.clone()/> })}
        <super::custom_edit::DeletedCustomActions tenant_id=d.tenant_id.clone() deleted=d.deleted.clone()
            just_deleted=query.read_untracked().get("deleted")/>
        {move || q.with(|q| ignored_note(&q.ignored))}
        <p class="list-summary">
            <span id="actions-count">{move || shown.with(|v| format!("{} of {} actions", v.shown, v.total))}</span>
            " · " <a href=csv download="improvement-actions.csv" rel="external" id="export-csv">"Export CSV"</a>
        </p>
        <div class="actions-layout">
            <div class="actions-main">{move || shown.with(|v| table(v, &q.get(), &b1))}</div>
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

/// Sorted, case-insensitively distinct values for a filter's choices.
fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for s in values {
        if !v.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
            v.push(s);
        }
    }
    v.sort_by_key(|s| s.to_lowercase());
    v
}

/// A `<select>` whose choices are (value, label); the empty value means "any".
fn choice(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    current: Memo<String>,
) -> impl IntoView {
    view! {
        <label>{label}
            <select name=name id=format!("filter-{name}")>
                {options.into_iter().map(|(value, text)| {
                    let v = value.clone();
                    view! { <option value=value selected=move || current.get() == v>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

fn any_and(values: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Any".to_owned())).chain(values).collect()
}

/// The view controls as a plain GET form, so the view works without JavaScript and its URL
/// is the shareable link.
#[component]
fn FilterForm(base: String, q: Memo<ActionQuery>, products: Vec<String>, tags: Vec<String>) -> impl IntoView {
    let pick = move |f: fn(&ActionQuery) -> String| Memo::new(move |_| f(&q.get()));
    let levels = || {
        any_and([Level::Low, Level::Moderate, Level::High].map(|l| (l.as_str().into(), l.as_str().into())))
    };
    let same = |v: Vec<String>| any_and(v.into_iter().map(|s| (s.clone(), s)));
    let reset = base.clone();
    let search = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    super::live_filter::keep_search_in_step(search, q);
    // Once hydrated the list answers each change in place; the form posts nowhere.
    #[cfg(feature = "hydrate")]
    let (on_input, on_submit) = {
        let (b1, b2) = (base.clone(), base.clone());
        // Taken here, where the router is in context, not in the handlers.
        let (n1, n2) = (leptos_router::hooks::use_navigate(), leptos_router::hooks::use_navigate());
        (
            move |e: leptos::ev::Event| super::live_filter::follow(&e, &b1, true, &n1),
            move |e: leptos::ev::SubmitEvent| {
                e.prevent_default();
                super::live_filter::follow(&e, &b2, false, &n2);
            },
        )
    };
    #[cfg(not(feature = "hydrate"))]
    let (on_input, on_submit) = (|_: leptos::ev::Event| {}, |_: leptos::ev::SubmitEvent| {});
    view! {
        <form method="get" action=base class="card action-filters" id="action-filters" role="search"
            on:input=on_input on:submit=on_submit>
            <label>"Search"
                <input type="search" name="q" id="filter-q" placeholder="Title, description or threat"
                    node_ref=search value=q.get_untracked().q maxlength="200"/>
            </label>
            {choice("category", "Category",
                any_and(Category::ALL.map(|c| (c.as_str().into(), c.as_str().into()))),
                pick(|q| q.category.map(|c| c.as_str().to_owned()).unwrap_or_default()))}
            {choice("product", "Product", same(products), pick(|q| q.product.clone().unwrap_or_default()))}
            {choice("status", "Status",
                StatusFilter::choices().into_iter().map(|(s, l)| (s.as_str().to_owned(), l.to_owned())).collect(),
                pick(|q| q.status.as_str().to_owned()))}
            {choice("tag", "Tag", same(tags), pick(|q| q.tag.clone().unwrap_or_default()))}
            {choice("cost", "Cost", levels(), pick(|q| q.cost.map(|l| l.as_str().to_owned()).unwrap_or_default()))}
            {choice("impact", "User impact", levels(), pick(|q| q.impact.map(|l| l.as_str().to_owned()).unwrap_or_default()))}
            {choice("remaining", "Points remaining",
                RemainingFilter::CHOICES.into_iter().map(|r| (r.as_str(), r.label())).collect(),
                pick(|q| q.remaining.as_str()))}
            {choice("group", "Group by",
                GroupBy::ALL.into_iter().map(|g| (g.as_str().to_owned(), g.label().to_owned())).collect(),
                pick(|q| q.group.as_str().to_owned()))}
            {choice("sort", "Sort by",
                SortKey::ALL.into_iter().map(|k| (k.as_str().to_owned(), k.label().to_owned())).collect(),
                pick(|q| q.sort.as_str().to_owned()))}
            {choice("dir", "Order",
                vec![(String::new(), "Ascending".to_owned()), ("desc".to_owned(), "Descending".to_owned())],
                pick(|q| if q.desc { "desc".to_owned() } else { String::new() }))}
            <button type="submit" id="apply-filters">"Apply"</button>
            <a href=reset id="reset-filters">"Reset"</a>
        </form>
    }
}

fn table(v: &ActionView, q: &ActionQuery, base: &str) -> AnyView {
    if v.groups.is_empty() {
        return view! { <p class="empty card" id="actions-empty">"No actions match these filters."</p> }
            .into_any();
    }
    let grouped = q.group != GroupBy::None;
    view! {
        <table class="list actions-table" id="actions-table">
            <thead>
                <tr>
                    {COLUMNS.iter().map(|(label, key)| header(label, *key, q, base)).collect_view()}
                </tr>
            </thead>
            {v.groups.iter().map(|g| view! {
                <tbody class="action-group" data-group=g.label.clone()>
                    {grouped.then(|| view! {
                        <tr class="group-head">
                            <th colspan="10" scope="rowgroup">
                                <span class="group-label">{g.label.clone()}</span>
                                <span class="group-sum">
                                    {points_of(g.points, g.max)} " points · " {g.rows.len()} " actions"
                                </span>
                            </th>
                        </tr>
                    })}
                    {g.rows.iter().map(|r| {
                        let open = q.action.as_deref() == Some(r.id.as_str());
                        let href = format!("{base}{}", q.with_action(Some(&r.id)).to_search());
                        view! {
                            <tr data-action=r.id.clone() class:selected=open>
                                <td class="num rank">{r.rank_label()}</td>
                                <td><a href=href class="action-link" data-action=r.id.clone()>{r.title.clone()}</a></td>
                                <td class="num">{points_of(r.points, r.max)}</td>
                                <td class="status">{r.effective.label()}</td>
                                <td>{r.category.as_str()}</td>
                                <td>{r.product.clone()}</td>
                                <td>{r.cost.as_str()}</td>
                                <td>{r.impact.as_str()}</td>
                                <td class="tags">{r.tags.join(", ")}</td>
                                <td class="num">{r.last_change_label()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            }).collect_view()}
        </table>
    }
    .into_any()
}

fn header(label: &'static str, key: Option<SortKey>, q: &ActionQuery, base: &str) -> AnyView {
    let Some(key) = key else { return view! { <th scope="col">{label}</th> }.into_any() };
    let current = q.sort == key;
    let sort = match (current, q.desc) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = match sort {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    let href = format!("{base}{}", q.sorted_by(key).to_search());
    view! {
        <th scope="col" aria-sort=sort>
            <a href=href class="sort" data-sort=key.as_str()>{label}{arrow}</a>
        </th>
    }
    .into_any()
}

/// Names the values of the link that are not choices of their filter, so nobody reads the
/// whole list as the filtered one. Shown as text, whatever they hold.
fn ignored_note(ignored: &[(&'static str, String)]) -> Option<impl IntoView> {
    if ignored.is_empty() {
        return None;
    }
    let named: Vec<String> = ignored.iter().map(|(k, v)| format!("{k} “{v}”")).collect();
    Some(view! {
        <p class="ignored-filters" id="ignored-filters" role="status">
            "Not among the choices, so left out: " {named.join(", ")} ". Showing the list without them."
        </p>
    })
}
