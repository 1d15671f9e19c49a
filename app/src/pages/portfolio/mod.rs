//! The portfolio: every tenant the viewer holds a role in — searched, filtered, ordered
//! and paged by the URL, summed up at the top, and exported as CSV — with the service
//! provider's portfolio alerts and reports below.

pub mod changes;
pub mod data;
pub mod query;
pub mod view;

use crate::error::AppError;
use crate::pages::pager::Pager;
use data::{portfolio, PortfolioPage};
use leptos::prelude::*;
use leptos_meta::Title;
use query::{seats_key, seats_label, PortfolioQuery, PortfolioSort, SyncFilter, ZONES};
use score::comparison::SEAT_BUCKETS;
use score::Percent;
use view::SyncState;

fn signed(p: Percent) -> String {
    if p.0 > 0 {
        format!("+{p}")
    } else {
        p.to_string()
    }
}

#[component]
pub fn Portfolio() -> impl IntoView {
    let url = leptos_router::hooks::use_query_map();
    let q = Memo::new(move |_| PortfolioQuery::from_lookup(|k| url.read().get(k)));
    let tenants = Resource::new(move || q.get(), portfolio);
    let alerts = Resource::new(|| (), |_| crate::pages::portfolio_alerts::portfolio_alerts());
    let reports = Resource::new(|| (), |_| crate::pages::portfolio_reports::portfolio_reports());
    let tools = Resource::new(|| (), |_| changes::portfolio_tools());
    let notice = Signal::derive(move || {
        crate::pages::forms::Outcome::from_url(
            &url.read(),
            &[service::alert::REFUSALS, service::report::REFUSALS],
            done,
        )
    });
    view! {
        <Title text="Your tenants"/>
        <h1>"Your tenants"</h1>
        <Suspense fallback=|| view! { <p>"Loading tenants…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Ok(p) if p.of == 0 => view! {
                        <p class="empty">"You hold no role in any tenant yet. An administrator of a tenant can grant you one."</p>
                    }.into_any(),
                    Ok(p) => view! { <PortfolioView p q=q.get_untracked()/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <crate::auth::sign_in::SignInRequired/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <crate::pages::forms::Notice id="portfolio-notice" url=notice/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                tools.await.ok().flatten().map(|tools| view! { <changes::ChangeForm tools/> })
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                alerts.await.ok().flatten().map(|card| view! {
                    <crate::pages::portfolio_alerts::PortfolioAlertsSection card/>
                })
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                reports.await.ok().flatten().map(|card| view! {
                    <crate::pages::portfolio_reports::PortfolioReportsSection card/>
                })
            })}
        </Suspense>
    }
}

#[component]
fn PortfolioView(p: PortfolioPage, q: PortfolioQuery) -> impl IntoView {
    let mut ignored: Vec<(String, String)> = q.ignored.clone();
    ignored.extend(p.ignored_industry.clone().map(|i| ("industry".to_owned(), i)));
    let shown = p.page.total;
    let (start, len) = p.page.window();
    let range = if len == 0 { "none".to_owned() } else { format!("{}–{}", start + 1, start + len) };
    let csv = format!("/portfolio.csv{}", PortfolioQuery { page: 1, ..q.clone() }.to_search());
    let pager_q = q.clone();
    view! {
        <SummaryCards p=p.clone() q=q.clone()/>
        <FilterForm q=q.clone() industries=p.industries.clone()/>
        {ignored.into_iter().map(|(k, v)| view! {
            <p class="subtle portfolio-ignored" role="status">
                {format!("Ignored {k} “{v}”: not one of its choices, so the list is not narrowed by it.")}
            </p>
        }).collect_view()}
        <p class="list-summary">
            <span id="portfolio-count" data-total=shown data-of=p.of data-page=p.page.page data-pages=p.page.pages>
                {format!("{range} of {shown} tenants")}
                {(shown != p.of).then(|| format!(" (of {} in your portfolio)", p.of))}
            </span>
            " · " <a href=csv download="portfolio.csv" rel="external" id="portfolio-csv">"Export CSV"</a>
        </p>
        {if p.tenants.is_empty() {
            view! { <p class="empty" id="portfolio-none">"No tenant matches these filters. " <a href="/">"Show every tenant"</a></p> }.into_any()
        } else {
            tenant_table(p.tenants, &q, p.of >= 2).into_any()
        }}
        <Pager id="portfolio-pager" label="Pages of tenants" page=p.page link=move |n| format!("/{}", pager_q.on_page(n).to_search())/>
    }
}

#[component]
fn SummaryCards(p: PortfolioPage, q: PortfolioQuery) -> impl IntoView {
    let zone_link = move |z: &'static str| {
        format!("/{}", PortfolioQuery { zone: Some(z.to_owned()), page: 1, ..q.clone() }.to_search())
    };
    view! {
        <section class="card portfolio-summary" aria-labelledby="portfolio-summary-heading" id="portfolio-summary">
            <h2 id="portfolio-summary-heading">"At a glance"</h2>
            <dl class="portfolio-figures">
                <div><dt>"Average score"</dt>
                    <dd id="portfolio-average">{p.summary.average.map_or("—".to_owned(), |a| a.to_string())}</dd></div>
                {p.summary.zones.iter().filter_map(|(z, n)| {
                    let z = ZONES.into_iter().find(|known| known == z)?;
                    Some(view! {
                        <div><dt>{format!("Zone {z}")}</dt>
                            <dd><a href=zone_link(z) class=format!("zone-{z}") data-zone=z>{format!("{n} tenants")}</a></dd></div>
                    })
                }).collect_view()}
            </dl>
            <h3>"Largest 7-day drops"</h3>
            {if p.summary.drops.is_empty() {
                view! { <p class="subtle" id="portfolio-drops-none">"No tenant's score fell over the last 7 days."</p> }.into_any()
            } else {
                view! {
                    <ol id="portfolio-drops">
                        {p.summary.drops.iter().map(|(id, name, change)| view! {
                            <li><a href=format!("/tenants/{id}/history?range=7d")>{name.clone()}</a> {format!(" {}", signed(*change))}</li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn FilterForm(q: PortfolioQuery, industries: Vec<String>) -> impl IntoView {
    let sorted = q.sort != PortfolioSort::default() || q.desc != q.sort.descending_by_default();
    let dir = if q.desc { "desc" } else { "asc" };
    view! {
        <form method="get" action="/" class="card action-filters" id="portfolio-filters" role="search">
            {sorted.then(|| view! {
                <input type="hidden" name="sort" value=q.sort.as_str()/>
                <input type="hidden" name="dir" value=dir/>
            })}
            <label>"Tenant name"
                <input type="search" name="q" id="portfolio-search" value=q.q.clone() maxlength="200"/>
            </label>
            <label>"Zone"
                <select name="zone" id="portfolio-zone">
                    <option value="" selected=q.zone.is_none()>"Any"</option>
                    {ZONES.into_iter().map(|z| view! { <option value=z selected=q.zone.as_deref() == Some(z)>{z}</option> }).collect_view()}
                </select>
            </label>
            <label>"Industry"
                <select name="industry" id="portfolio-industry">
                    <option value="" selected=q.industry.is_none()>"Any"</option>
                    {industries.into_iter().map(|i| {
                        let selected = q.industry.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(&i));
                        view! { <option value=i.clone() selected=selected>{i.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Seats"
                <select name="seats" id="portfolio-seats">
                    <option value="" selected=q.seats.is_none()>"Any"</option>
                    {(0..SEAT_BUCKETS.len()).filter_map(|b| u8::try_from(b).ok()).map(|b| view! {
                        <option value=seats_key(b) selected=q.seats == Some(b)>{seats_label(b)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Score from (%)"
                <input type="number" name="min" id="portfolio-min" min="0" max="100" step="1"
                    value=q.min.map(|m| m.to_string()).unwrap_or_default()/>
            </label>
            <label>"to (%)"
                <input type="number" name="max" id="portfolio-max" min="0" max="100" step="1"
                    value=q.max.map(|m| m.to_string()).unwrap_or_default()/>
            </label>
            <label>"Microsoft 365"
                <select name="sync" id="portfolio-sync">
                    <option value="" selected=q.sync.is_none()>"Any"</option>
                    {SyncFilter::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=q.sync == Some(s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" name="regressed" value="7d" id="portfolio-regressed" checked=q.regressed/>
                "Regressed in the last 7 days"
            </label>
            <button type="submit" id="apply-portfolio">"Apply"</button>
            <a href="/" id="reset-portfolio">"Reset"</a>
        </form>
    }
}

/// The list; with `tickable`, a tick box on each tenant the viewer may change, for the form
/// that changes many at once.
fn tenant_table(tenants: Vec<view::TenantSummary>, q: &PortfolioQuery, tickable: bool) -> impl IntoView {
    let header = |label: &'static str, sort: PortfolioSort, class: &'static str| {
        let aria = match (q.sort == sort, q.desc) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        let arrow = match aria {
            "ascending" => " ▲",
            "descending" => " ▼",
            _ => "",
        };
        let href = format!("/{}", q.sorted_by(sort).to_search());
        view! {
            <th scope="col" class=class aria-sort=aria>
                <a href=href class="sort" data-sort=sort.as_str()>{label}{arrow}</a>
            </th>
        }
    };
    view! {
        <div class="table-scroll">
            <table class="list" id="tenant-list">
                <thead><tr>
                    {tickable.then(|| view! { <th scope="col"><span class="visually-hidden">"Change"</span></th> })}
                    {header("Tenant", PortfolioSort::Name, "")}
                    {header("Industry", PortfolioSort::Industry, "")}
                    {header("Seats", PortfolioSort::Seats, "num")}
                    {header("Points", PortfolioSort::Points, "num")}
                    {header("Score", PortfolioSort::Score, "num")}
                    {header("7-day change", PortfolioSort::Week, "num")}
                    {header("30-day change", PortfolioSort::Change, "num")}
                    {header("Zone", PortfolioSort::Zone, "")}
                    <th scope="col">"Top regression (30 days)"</th>
                    {header("Microsoft 365", PortfolioSort::Sync, "")}
                </tr></thead>
                <tbody>
                    {tenants.into_iter().map(|t| view! {
                        <tr data-tenant=t.id.clone()>
                            {tickable.then(|| view! {
                                <td>{t.role.can_write().then(|| view! {
                                    <input type="checkbox" name="tenant" value=t.id.clone() form=changes::FORM_ID
                                        aria-label=format!("Change {}", t.name)/>
                                })}</td>
                            })}
                            <td><a href=format!("/tenants/{}", t.id)>{t.name.clone()}</a></td>
                            <td>{t.industry}</td>
                            <td class="num">{t.licensed_seats}</td>
                            <td class="num">{crate::format::points_of(t.current, t.max)}</td>
                            <td class="num">{t.percent.to_string()}</td>
                            <td class="num">{t.change_7d.map_or("—".to_string(), signed)}</td>
                            <td class="num">{t.change_30d.map_or("—".to_string(), signed)}</td>
                            <td><span class=format!("zone-{}", t.zone)>{t.zone.clone()}</span></td>
                            <td>{t.top_regression.map_or("—".to_string(), |(title, d)| format!("{title} ({d})"))}</td>
                            <td>{match t.sync {
                                None => view! { <span class="subtle">"not connected"</span> }.into_any(),
                                Some(SyncState::Fine { last_success }) => {
                                    last_success.map_or("connected".to_owned(), |d| format!("synced {d}")).into_any()
                                }
                                Some(SyncState::Failing { reason }) => view! {
                                    <a class="sync-failing" title=reason href=format!("/tenants/{}/settings", t.id)>"sync failing"</a>
                                }.into_any(),
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a saved portfolio form says once the page is back.
fn done(query: &leptos_router::params::ParamsMap) -> Option<&'static str> {
    Some(match query.get("done")?.as_str() {
        "portfolio_alert_added" => "Portfolio rule added: every tenant it watches is checked now.",
        "portfolio_alert_deleted" => {
            "Portfolio rule deleted; messages already sent stay in each tenant's list."
        }
        "baseline_added" => "Baseline saved: tick tenants in the list and apply it.",
        "baseline_deleted" => "Baseline deleted; the statuses it set stay as they are.",
        _ => return None,
    })
}
