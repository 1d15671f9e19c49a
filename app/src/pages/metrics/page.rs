//! The Metrics & trends page: one date range for the whole page (the History page's presets
//! or custom dates, in the URL), the zone gauge with its editor, and the trend charts, each
//! with its numbers server-rendered beside it so the page reads well without JavaScript.

use super::charts::{
    changes_chart, changes_rows, comparison_chart, projection_chart, regression_chart, risk_chart,
    zone_gauge, ZONE_COLOURS,
};
use super::comparison_card::CustomComparisonsCard;
use super::comparisons;
use super::data::{metrics, MetricsData};
use super::goal;
use super::sync::SyncNow;
use super::trends::ComparisonLine;
use super::zones::{self, SetZones};
use crate::chart::HistoryPoint;
use crate::chart::{ChartData, DrawnChart};
use crate::error::AppError;
use crate::format::{points_of, zone};
use crate::pages::actions::query::encode;
use crate::pages::card::Card;
use crate::pages::forms::{posts_to, Notice, Outcome};
use crate::pages::history::page::RangePresets;
use crate::pages::history::query::HistoryQuery;
use crate::pages::nav::{set_status_of, TenantNav};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use score::Points;

fn base_of(tenant_id: &str) -> String {
    format!("/tenants/{}/metrics", encode(tenant_id))
}

fn signed(p: Points) -> String {
    if p > Points::ZERO {
        format!("+{p}")
    } else {
        p.to_string()
    }
}

#[component]
pub fn MetricsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let q = super::use_range_query();
    let data = Resource::new(move || (tenant(), q.get()), |(t, q)| metrics(t, q));
    let notice = Signal::derive(move || {
        Outcome::from_url(
            &query.read(),
            &[comparisons::REFUSALS, goal::REFUSALS, zones::REFUSALS, service::m365::REFUSALS],
            done,
        )
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading metrics and trends…"</p> }>
            {move || Suspend::new(async move {
                let result = data.await;
                let q = q.get();
                match result {
                    Ok(d) => view! { <MetricsView d q notice/> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <crate::auth::sign_in::SignInRequired/> }.into_any(),
                    Err(e) => view! { <MetricsRefused tenant_id=tenant() q error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a saved form says once the page is back.
fn done(query: &ParamsMap) -> Option<&'static str> {
    Some(match query.get("done")?.as_str() {
        "zones" => "Zones saved.",
        "goal" => "Goal saved: it is drawn on the projection.",
        "goal_cleared" => "Goal cleared.",
        "comparison_added" => "Custom comparison added: its line is in the comparison trend.",
        "comparison_renamed" => "Custom comparison renamed.",
        "comparison_deleted" => "Custom comparison deleted.",
        "synced" => "Today's snapshot was taken: today's changes are in the trends and the History.",
        "synced_m365" => {
            "Synced from Microsoft 365 and today's snapshot taken: the trends and the History show both."
        }
        _ => return None,
    })
}

/// Custom dates as a plain GET form (a preset link drops them again).
#[component]
fn RangeForm(base: String, q: HistoryQuery) -> impl IntoView {
    let reset = base.clone();
    view! {
        <form method="get" action=base class="card action-filters" id="metrics-range" role="search">
            <label>"From" <input type="date" name="from" id="metrics-from" value=q.from.clone().unwrap_or_default()/></label>
            <label>"To" <input type="date" name="to" id="metrics-to" value=q.to.clone().unwrap_or_default()/></label>
            <button type="submit" id="apply-range">"Apply"</button>
            <a href=reset>"Reset"</a>
        </form>
    }
}

/// The page when the range cannot be answered: the message, and the controls to fix it.
#[component]
fn MetricsRefused(tenant_id: String, q: HistoryQuery, error: AppError) -> impl IntoView {
    set_status_of(&error);
    view! {
        <Title text="Metrics & trends"/>
        <h1>"Metrics & trends"</h1>
        <TenantNav tenant_id=tenant_id.clone() current="Metrics & trends"/>
        <RangePresets base=base_of(&tenant_id) q=q.clone()/>
        <RangeForm base=base_of(&tenant_id) q/>
        <p class="error card" role="alert" id="metrics-error">{error.to_string()}</p>
    }
}

#[component]
fn MetricsView(d: MetricsData, q: HistoryQuery, notice: Signal<Option<Outcome>>) -> impl IntoView {
    let base = base_of(&d.tenant_id);
    view! {
        <Title text=crate::format::rcdata(&format!("{} — Metrics & trends", d.tenant_name))/>
        <h1>{d.tenant_name.clone()} <span class="subtle">" · Metrics & trends"</span></h1>
        <TenantNav tenant_id=d.tenant_id.clone() current="Metrics & trends"/>
        <RangePresets base=base.clone() q=q.clone()/>
        <RangeForm base q=q.clone()/>
        <p class="score-line" id="metrics-range-days">
            "From " <strong id="metrics-from-day">{d.from.to_string()}</strong>
            " to " <strong id="metrics-to-day">{d.to.to_string()}</strong>
            <span class="subtle">" · " {d.points.len()} " days"</span>
            " · " <a id="report-link" href=crate::pages::report::page::report_url(&d.tenant_id, &q)>"Printable report of this range"</a>
        </p>
        {d.can_write.then(|| view! { <SyncNow tenant_id=d.tenant_id.clone() q=q.clone()/> })}
        <Notice id="metrics-notice" url=notice/>
        {d.notices.iter().map(|n| view! { <p class="subtle history-notice">{n.clone()}</p> }).collect_view()}
        <div class="grid">
            <ZoneCard d=d.clone() q=q.clone()/>
            <ChangesCard d=d.clone()/>
        </div>
        <ComparisonCard d=d.clone()/>
        <CustomComparisonsCard d=d.clone() q=q.clone()/>
        <RegressionCard d=d.clone()/>
        <RiskCard d=d.clone()/>
        <ProjectionCard d q/>
    }
}

/// The range of the view as hidden fields, so a form post comes back to the same view.
#[component]
pub fn ViewFields(q: HistoryQuery) -> impl IntoView {
    view! {
        {(!q.is_custom()).then(|| view! { <input type="hidden" name="range" value=q.range.as_str()/> })}
        {q.from.clone().map(|f| view! { <input type="hidden" name="from" value=f/> })}
        {q.to.clone().map(|t| view! { <input type="hidden" name="to" value=t/> })}
    }
}

#[component]
fn SyncNow(tenant_id: String, q: HistoryQuery) -> impl IntoView {
    view! {
        <form method="post" action={posts_to::<SyncNow>()} class="inline" id="sync-form">
            <input type="hidden" name="tenant_id" value=tenant_id/>
            <ViewFields q/>
            <button type="submit" class="secondary" id="sync-now">"Sync now"</button>
            <span class="subtle">" Takes today's snapshot now instead of at the daily run."</span>
        </form>
    }
}

#[component]
fn ZoneCard(d: MetricsData, q: HistoryQuery) -> impl IntoView {
    let zone_name = zone(d.percent, d.zone_okay_from, d.zone_good_from);
    let (percent, okay, good) = (d.percent, d.zone_okay_from, d.zone_good_from);
    view! {
        <Card id="zone" title="Your Secure Score zone" class="score">
            <DrawnChart id="zone-gauge" class="chart gauge" label=format!("Gauge: {percent}, in the {zone_name} zone")
                options=move || zone_gauge(percent, okay, good)>
                <p class=format!("score-percent zone-{zone_name}") id="zone-score" data-zone=zone_name>
                    {percent.to_string()}
                </p>
            </DrawnChart>
            <p class="subtle" id="zone-bands">
                {ZONE_COLOURS.iter().map(|(name, _)| view! { <span class=format!("zone-{name}")>{*name}</span> " " }).collect_view()}
                "· bad below " {okay} " %, okay from " {okay} " %, good from " {good} " %"
            </p>
            {d.can_write.then(|| view! {
                <form method="post" action={posts_to::<SetZones>()} class="row-form" id="zones-form">
                    <input type="hidden" name="tenant_id" value=d.tenant_id.clone()/>
                    <ViewFields q=q.clone()/>
                    <label>"Okay from (%)" <input type="number" name="okay_from" min="1" max="99" value=okay required/></label>
                    <label>"Good from (%)" <input type="number" name="good_from" min="2" max="100" value=good required/></label>
                    <button type="submit">"Save zones"</button>
                </form>
            })}
        </Card>
    }
}

#[component]
fn ChangesCard(d: MetricsData) -> impl IntoView {
    let c = d.changes;
    view! {
        <Card id="changes" title="Score changes">
            <table class="breakdown" id="score-changes">
                <tbody>
                    {changes_rows(&c).into_iter().map(|(label, p)| view! {
                        <tr><th scope="row">{label}</th><td class="num" data-centi=p.centi()>{signed(p)}</td></tr>
                    }).collect_view()}
                    <tr><th scope="row">"Maximum added by new actions"</th><td class="num">{signed(c.max_added)}</td></tr>
                </tbody>
            </table>
            <DrawnChart id="changes-chart" class="chart small" label="Score changes by cause; the table above has the numbers".into()
                options=move || changes_chart(&c)>
                ""
            </DrawnChart>
        </Card>
    }
}

#[component]
fn ComparisonCard(d: MetricsData) -> impl IntoView {
    view! {
        <Card id="comparison" title="Comparison trend">
            <ComparisonTrend id="comparison-chart" points=d.points lines=d.comparisons/>
        </Card>
    }
}

/// The score line with the comparison lines, and its data table.
#[component]
pub fn ComparisonTrend(
    id: &'static str,
    points: Vec<HistoryPoint>,
    lines: Vec<ComparisonLine>,
) -> impl IntoView {
    let rows = points
        .iter()
        .enumerate()
        .rev()
        .map(|(i, p)| {
            let cells = lines
                .iter()
                .map(|l| {
                    let v = l.values.get(i).copied().flatten();
                    view! { <td class="num">{v.map_or_else(|| "—".to_owned(), |v| v.to_string())}</td> }
                })
                .collect_view();
            view! { <tr><td>{p.day.to_string()}</td><td class="num">{p.current.percent_of(p.max).to_string()}</td>{cells}</tr> }
        })
        .collect_view();
    let heads =
        lines.iter().map(|l| view! { <th data-basis=l.basis.clone()>{l.label.clone()}</th> }).collect_view();
    let days = points.len();
    if let Some(said) = crate::chart::too_few_days(id, days) {
        return said;
    }
    view! {
        <p class="subtle">"Averages over other tenants on this server, leaving out every tenant you hold a role in, and shown only where no single tenant's score can be read from them (a gap means too small that day). Click a legend entry to hide or show its line."</p>
        <DrawnChart id label="Your score against comparison averages; the data table below has the numbers".into()
            options=move || comparison_chart(&points, &lines)>
            <ChartData days>
                <table id=format!("{id}-table") class="comparison-table">
                    <thead><tr><th>"Day"</th><th>"Your score"</th>{heads}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ChartData>
        </DrawnChart>
    }
    .into_any()
}

#[component]
fn RegressionCard(d: MetricsData) -> impl IntoView {
    let days = d.regressions.clone();
    let total: Points = d.regressions.iter().map(|r| r.lost).sum();
    view! {
        <Card id="regression" title="Regression trend">
            <p id="regression-summary">
                {d.regressions.len()} " days with regressions · " {signed(total)} " points lost through configuration, user or device changes"
            </p>
            {(!d.regressions.is_empty()).then(|| view! {
                <DrawnChart id="regression-chart" label="Points lost per day by action; the table below has the numbers".into()
                    options=move || regression_chart(&days)>
                    <table class="list" id="regression-table">
                        <thead><tr><th>"Day"</th><th class="num">"Points lost"</th><th>"Actions"</th></tr></thead>
                        <tbody>
                            {d.regressions.iter().rev().map(|r| view! {
                                <tr data-day=r.day.to_string()>
                                    <td>{r.day.to_string()}</td>
                                    <td class="num">{r.lost.to_string()}</td>
                                    <td>
                                        {r.actions.iter().map(|(t, p)| format!("{t} ({p})")).collect::<Vec<_>>().join("; ")}
                                        {(r.more > 0).then(|| format!("; and {} more actions ({})", r.more, r.more_points))}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </DrawnChart>
            })}
        </Card>
    }
}

#[component]
fn RiskCard(d: MetricsData) -> impl IntoView {
    let days = d.risk.clone();
    let last = d.risk.last().copied();
    view! {
        <Card id="risk" title="Risk acceptance trend">
            <p id="risk-summary">{match last {
                Some(r) => format!("{} actions risk accepted on {}, worth {} points", r.actions, r.day, r.points),
                None => "No snapshot in this range.".to_owned(),
            }}</p>
            // Without a day there is nothing to draw: the summary above says so.
            {(!d.risk.is_empty()).then(|| view! {
            <DrawnChart id="risk-chart" label="Risk-accepted actions and points over time; the data table below has the numbers".into()
                options=move || risk_chart(&days)>
                <ChartData days=d.risk.len()>
                    <table id="risk-table">
                        <thead><tr><th>"Day"</th><th class="num">"Actions"</th><th class="num">"Points"</th></tr></thead>
                        <tbody>
                            {d.risk.iter().rev().map(|r| view! {
                                <tr><td>{r.day.to_string()}</td><td class="num">{r.actions}</td><td class="num">{r.points.to_string()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </ChartData>
            </DrawnChart>
            })}
        </Card>
    }
}

#[component]
fn ProjectionCard(d: MetricsData, q: HistoryQuery) -> impl IntoView {
    let projected = d.projected();
    let chart_data = d.clone();
    view! {
        <Card id="projection" title="Projection">
            <p id="projection-summary">
                "Now " <strong id="projection-now">{d.percent.to_string()}</strong>
                " → with every planned action done " <strong id="projection-projected">{projected.percent_of(d.max).to_string()}</strong>
                <span class="subtle">" (" {points_of(projected, d.max)} " points, " {d.projection.len()} " planned actions)"</span>
            </p>
            <goal::GoalLine d=d.clone()/>
            {d.can_write.then(|| view! { <goal::GoalForm d=d.clone() q=q.clone()/> })}
            {(!d.projection.is_empty() || d.goal.is_some()).then(|| view! {
                <DrawnChart id="projection-chart" class="chart small" label="Projected score as planned actions fall due; the table below has the numbers".into()
                    options=move || projection_chart(&chart_data)>
                    <table class="list" id="projection-table">
                        <thead><tr><th>"Due"</th><th>"Planned action"</th><th class="num">"Gain"</th><th class="num">"Score after"</th></tr></thead>
                        <tbody>
                            {d.projection.iter().map(|s| view! {
                                <tr data-action=s.action_id.clone()>
                                    <td>{s.due.map_or_else(|| "—".to_owned(), |d| d.to_string())}</td>
                                    <td><a href=format!("/tenants/{}/actions/{}", encode(&d.tenant_id), encode(&s.action_id))>{s.title.clone()}</a></td>
                                    <td class="num">{signed(s.gain)}</td>
                                    <td class="num">{s.score_after.percent_of(d.max).to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </DrawnChart>
            })}
        </Card>
    }
}
