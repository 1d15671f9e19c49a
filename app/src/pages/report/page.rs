//! The printable report: laid out for A4 and Letter (the print stylesheet hides the site's
//! chrome), so a manager saves it as a PDF from the browser. The chart is an SVG drawn on
//! the server; its numbers are in the table beside it.

use super::chart::ScoreChart;
use super::summary::ReportSummary;
use super::{report, ReportData};
use crate::error::AppError;
use crate::format::points_of;
use crate::pages::history::page::RangePresets;
use crate::pages::history::query::HistoryQuery;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub fn report_url(tenant_id: &str, q: &HistoryQuery) -> String {
    format!("/tenants/{}/report{}", service::url::encode(tenant_id), q.range_only().to_search())
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let q = crate::pages::metrics::use_range_query();
    let data = Resource::new(move || (tenant(), q.get()), |(t, q)| report(t, q));
    view! {
        <Suspense fallback=|| view! { <p>"Preparing the report…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! { <ReportView r q=q.get()/> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <crate::auth::sign_in::SignInRequired/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportView(r: ReportData, q: HistoryQuery) -> impl IntoView {
    let s = ReportSummary::of(&r);
    let m = &r.metrics;
    let chart = ScoreChart::new(&m.points, m.comparisons.first(), m.zone_okay_from, m.zone_good_from);
    let chart_label = format!("Score from {} to {}: {}, {}", s.from, s.to, s.percent, s.change_sentence());
    let svg = chart.svg(&chart_label);
    let base = format!("/tenants/{}/report", service::url::encode(&m.tenant_id));
    let metrics_url = crate::pages::metrics::view_url(&m.tenant_id, &q);
    view! {
        <Title text=crate::format::rcdata(&format!("{} — Secure Score report", s.tenant_name))/>
        <article class="report" id="report">
            <header class="report-head">
                <h1>{format!("{} — Secure Score report", s.tenant_name)}</h1>
                <p class="subtle" id="report-period">{format!("{} to {} · made on {}", s.from, s.to, r.made_on)}</p>
            </header>
            <div class="no-print report-tools">
                <RangePresets base=base q=q/>
                <p class="subtle">
                    "To keep it as a PDF, print this page (Ctrl+P or ⌘P) and choose “Save as PDF”. "
                    <a href=metrics_url>"Back to Metrics & trends"</a>
                </p>
            </div>
            {m.notices.iter().map(|n| view! { <p class="notice">{n.clone()}</p> }).collect_view()}
            <section class="report-section" aria-labelledby="report-score">
                <h2 id="report-score">"Score"</h2>
                <p class="report-figure">
                    <strong class=format!("zone-{}", s.zone) id="report-percent">{s.percent.to_string()}</strong>
                    <span id="report-points">{format!(" {} points", points_of(s.current, s.max))}</span>
                </p>
                <p id="report-change">{format!("In the {} zone; {}.", s.zone, s.change_sentence())}</p>
                <div class="report-chart-box" inner_html=svg></div>
                <p class="subtle report-legend">
                    "Blue: this tenant's score. "
                    {chart.peer_label.clone().map(|l| format!("Dashed grey: {l}. "))}
                    {format!("Bands: bad below {} %, okay from {} %, good from {} %.", m.zone_okay_from, m.zone_okay_from, m.zone_good_from)}
                </p>
                <details class="no-print">
                    <summary>"The chart's numbers"</summary>
                    <table class="report-table" id="report-days">
                        <thead><tr><th>"Day"</th><th class="num">"Points"</th><th class="num">"Score"</th></tr></thead>
                        <tbody>
                            {m.points.iter().map(|p| view! {
                                <tr><td>{p.day.to_string()}</td><td class="num">{points_of(p.current, p.max)}</td>
                                <td class="num">{p.current.percent_of(p.max).to_string()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            </section>
            <section class="report-section" aria-labelledby="report-peers">
                <h2 id="report-peers">"Compared with peers"</h2>
                {if s.peers.is_empty() {
                    view! { <p>"No comparison can be shown for this tenant yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="report-table" id="report-peer-table">
                            <thead><tr><th>"Group"</th><th class="num">"Average"</th><th class="num">"This tenant"</th></tr></thead>
                            <tbody>
                                {s.peers.iter().map(|(label, avg)| view! {
                                    <tr><td>{label.clone()}</td>
                                    <td class="num">{avg.map_or_else(|| "too few tenants to show".to_owned(), |a| a.to_string())}</td>
                                    <td class="num">{s.percent.to_string()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class="report-section" aria-labelledby="report-points-heading">
                <h2 id="report-points-heading">"Points this period"</h2>
                <table class="report-table" id="report-changes">
                    <tbody>
                        <tr><th scope="row">"Achieved"</th><td class="num">{format!("+{}", s.achieved)}</td></tr>
                        <tr><th scope="row">"Regressed"</th><td class="num">{s.regressed.to_string()}</td></tr>
                    </tbody>
                </table>
            </section>
            <section class="report-section" aria-labelledby="report-next">
                <h2 id="report-next">"Five actions to do next"</h2>
                {if r.next_actions.is_empty() {
                    view! { <p>"Nothing is left to do: every action is done or decided."</p> }.into_any()
                } else {
                    view! {
                        <ol class="report-next" id="report-next-actions">
                            {r.next_actions.iter().map(|a| view! {
                                <li>{format!("{} — +{} points ({})", a.title, a.remaining, a.category.as_str())}</li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
            <section class="report-section" aria-labelledby="report-planned">
                <h2 id="report-planned">"Planned actions coming due"</h2>
                {if s.planned.is_empty() {
                    view! { <p>"No planned action has a due date."</p> }.into_any()
                } else {
                    view! {
                        <table class="report-table" id="report-planned-table">
                            <thead><tr><th>"Action"</th><th>"Due"</th><th class="num">"Adds"</th></tr></thead>
                            <tbody>
                                {s.planned.iter().map(|p| view! {
                                    <tr class:overdue=p.overdue><td>{p.title.clone()}</td>
                                    <td>{if p.overdue { format!("{} (overdue)", p.due) } else { p.due.to_string() }}</td>
                                    <td class="num">{format!("+{}", p.gain)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </article>
    }
}
