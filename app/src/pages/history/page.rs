//! The History page: range presets, the filter form, the chart with its data table, and the
//! paged, sortable list of events with its CSV link. The whole view is the URL query, and
//! every control is a link or a GET form, so it works without JavaScript too.

use super::data::{score_history, HistoryData};
use super::events::HistoryEvent;
use super::query::{EventSort, HistoryQuery, RangePreset};
use crate::chart::HistoryChart;
use crate::error::AppError;
use crate::pages::actions::query::encode;
use crate::pages::nav::{set_status_of, TenantNav};
use crate::pages::pager::Pager;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use score::{Category, Points};

#[component]
pub fn HistoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let q = Memo::new(move |_| {
        let m = query.read();
        HistoryQuery::from_lookup(|k| m.get(k))
    });
    let data = Resource::new(move || (tenant(), q.get()), |(t, q)| score_history(t, q));
    view! {
        <Suspense fallback=|| view! { <p>"Loading the history…"</p> }>
            {move || Suspend::new(async move {
                let result = data.await;
                let q = q.get();
                match result {
                    Ok(d) => view! { <HistoryView d q/> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(AppError::Unauthorized) => {
                        view! { <crate::auth::sign_in::SignInRequired/> }.into_any()
                    }
                    Err(e) => view! { <HistoryRefused tenant_id=tenant() q error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn base_of(tenant_id: &str) -> String {
    format!("/tenants/{}/history", encode(tenant_id))
}

/// The page when the query cannot be answered: the message, and the controls to fix it.
#[component]
fn HistoryRefused(tenant_id: String, q: HistoryQuery, error: AppError) -> impl IntoView {
    set_status_of(&error);
    view! {
        <Title text="History"/>
        <h1>"History"</h1>
        <TenantNav tenant_id=tenant_id.clone() current="History"/>
        <RangePresets base=base_of(&tenant_id) q=q.clone()/>
        <FilterForm base=base_of(&tenant_id) q/>
        <p class="error card" role="alert" id="history-error">{error.to_string()}</p>
    }
}

#[component]
fn HistoryView(d: HistoryData, q: HistoryQuery) -> impl IntoView {
    let base = base_of(&d.tenant_id);
    let subject = d.category.map(Category::as_str);
    let csv = format!("/tenants/{}/history.csv{}", encode(&d.tenant_id), q.on_page(1).to_search());
    let chart_heading = match subject {
        Some(c) => format!("{c} points"),
        None => "Secure Score".to_owned(),
    };
    let net = if d.net > Points::ZERO { format!("+{}", d.net) } else { d.net.to_string() };
    let snapshots = d.points.len();
    view! {
        <Title text=crate::format::rcdata(&format!("{} — History", d.tenant_name))/>
        <h1>{d.tenant_name.clone()} <span class="subtle">" · History"</span></h1>
        <TenantNav tenant_id=d.tenant_id.clone() current="History"/>
        <RangePresets base=base.clone() q=q.clone()/>
        <FilterForm base=base.clone() q=q.clone()/>
        <p class="score-line" id="history-range">
            "From " <strong id="history-from-day">{d.from.to_string()}</strong>
            " to " <strong id="history-to-day">{d.to.to_string()}</strong>
            <span class="subtle">" · " {snapshots} " daily snapshots"</span>
        </p>
        {d.notices.iter().map(|n| view! { <p class="subtle history-notice">{n.clone()}</p> }).collect_view()}
        <section class="card" aria-labelledby="history-chart-heading">
            <h2 id="history-chart-heading">{chart_heading}</h2>
            <HistoryChart id="history-chart" points=d.points.clone() subject=subject.unwrap_or("Secure Score")/>
        </section>
        <section class="card" aria-labelledby="history-events-heading">
            <h2 id="history-events-heading">"Events"</h2>
            <p class="list-summary">
                <span id="history-count" data-total=d.page.total data-page=d.page.page data-pages=d.page.pages>
                    {d.page.total} " events · net " {net} " points · page " {d.page.page} " of " {d.page.pages}
                </span>
                " · " <a href=csv download="history.csv" rel="external" id="history-csv">"Export CSV"</a>
            </p>
            {events_table(&d.events, &d.tenant_id, &q, &base)}
            <Pager id="history-pager" label="Pages of events" page=d.page link=move |n| format!("{base}{}", q.on_page(n).to_search())/>
        </section>
    }
}

/// The presets as links that keep the category and sort and drop any custom dates.
#[component]
pub fn RangePresets(base: String, q: HistoryQuery) -> impl IntoView {
    view! {
        <nav class="range-presets" id="range-presets" aria-label="Date range">
            {RangePreset::ALL.into_iter().map(|p| {
                let current = !q.is_custom() && q.range == p;
                let href = format!("{base}{}", q.with_preset(p).to_search());
                view! {
                    <a href=href data-range=p.as_str() aria-current=current.then_some("page")>{p.label()}</a>
                }
            }).collect_view()}
            {q.is_custom().then(|| view! { <span class="current-range" aria-current="page">"Custom range"</span> })}
        </nav>
    }
}

/// Custom dates, category and sort as a plain GET form. A preset in use rides along as a
/// hidden field, so changing the category keeps the range; dates typed in take over.
#[component]
fn FilterForm(base: String, q: HistoryQuery) -> impl IntoView {
    let reset = base.clone();
    let keep_preset = (!q.is_custom()).then(|| q.range.as_str());
    view! {
        <form method="get" action=base class="card action-filters" id="history-filters" role="search" data-live="">
            {keep_preset.map(|r| view! { <input type="hidden" name="range" value=r/> })}
            <label>"From"
                <input type="date" name="from" id="history-from" value=q.from.clone().unwrap_or_default()/>
            </label>
            <label>"To"
                <input type="date" name="to" id="history-to" value=q.to.clone().unwrap_or_default()/>
            </label>
            <label>"Category"
                <select name="category" id="history-category">
                    <option value="" selected=q.category.is_none()>"Any"</option>
                    {Category::ALL.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=q.category == Some(c)>{c.as_str()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Sort by"
                <select name="sort" id="history-sort">
                    {EventSort::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=q.sort == s>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" id="apply-history">"Apply"</button>
            <a href=reset id="reset-history">"Reset"</a>
        </form>
    }
}

/// A sortable column header: `first` on a first click, `second` when `first` is in use.
fn sort_header(
    label: &'static str,
    first: EventSort,
    second: EventSort,
    q: &HistoryQuery,
    base: &str,
) -> AnyView {
    let aria = if q.sort == first || q.sort == second {
        match q.sort {
            EventSort::DateAsc | EventSort::PointsAsc | EventSort::Action => "ascending",
            EventSort::DateDesc | EventSort::PointsDesc => "descending",
        }
    } else {
        "none"
    };
    let next = if q.sort == first { second } else { first };
    let arrow = match aria {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    let href = format!("{base}{}", q.sorted(next).to_search());
    view! {
        <th scope="col" aria-sort=aria>
            <a href=href class="sort" data-sort=next.as_str()>{label}{arrow}</a>
        </th>
    }
    .into_any()
}

fn events_table(events: &[HistoryEvent], tenant_id: &str, q: &HistoryQuery, base: &str) -> AnyView {
    if events.is_empty() {
        return view! { <p class="empty" id="history-empty">"No events in this range."</p> }.into_any();
    }
    let t = encode(tenant_id);
    view! {
        <table class="list actions-table history-table" id="history-events">
            <thead>
                <tr>
                    {sort_header("Date", EventSort::DateDesc, EventSort::DateAsc, q, base)}
                    {sort_header("Action", EventSort::Action, EventSort::Action, q, base)}
                    <th scope="col">"Category"</th>
                    <th scope="col">"Change"</th>
                    {sort_header("Points", EventSort::PointsDesc, EventSort::PointsAsc, q, base)}
                    <th scope="col">"Resulting score"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Note"</th>
                </tr>
            </thead>
            <tbody>
                {events.iter().map(|e| {
                    let action = match e.category {
                        Some(_) => {
                            let href = format!("/tenants/{t}/actions/{}", encode(&e.action_id));
                            view! { <a href=href class="action-link">{e.action.clone()}</a> }.into_any()
                        }
                        None => view! { <span>{e.action.clone()}</span> }.into_any(),
                    };
                    view! {
                        <tr class=format!("event-{}", e.kind.as_str()) data-day=e.day.to_string()
                            data-action=e.action_id.clone() data-category=e.category_label()
                            data-kind=e.kind.as_str() data-delta=e.delta.centi().to_string()>
                            <td class="num">{e.day.to_string()}</td>
                            <td>{action}</td>
                            <td>{e.category_label()}</td>
                            <td>{e.change.clone()}</td>
                            <td class="num delta">{e.delta_label()}</td>
                            <td class="num">
                                {e.percent().to_string()}
                                <span class="subtle">" (" {e.score.to_string()} " / " {e.max.to_string()} ")"</span>
                            </td>
                            <td>{e.who.clone()}</td>
                            <td class="note">{e.note.clone()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
