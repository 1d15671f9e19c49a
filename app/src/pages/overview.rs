//! The tenant Overview: score, category breakdown, history, and what to do next.

use crate::chart::{HistoryChart, HistoryPoint};
use crate::error::AppError;
use crate::format::{points_of, zone};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use score::{Breakdown, Category, Percent, Points};
use serde::{Deserialize, Serialize};

/// Days of history the Overview draws.
pub const HISTORY_DAYS: i64 = 180;
/// Ranked actions the Overview lists.
pub const TOP_ACTIONS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewData {
    pub tenant_id: String,
    pub tenant_name: String,
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    pub zone_okay_from: u32,
    pub zone_good_from: u32,
    pub categories: Vec<Breakdown>,
    pub history: Vec<HistoryPoint>,
    pub top_actions: Vec<TopAction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopAction {
    pub rank: u32,
    pub id: String,
    pub title: String,
    pub category: Category,
    pub points: Points,
    pub max: Points,
    pub remaining: Points,
    pub why: String,
}

#[server(endpoint = "overview")]
pub async fn overview(tenant_id: String) -> Result<OverviewData, AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let (state, tenant_id) = (access.state, access.tenant_id);
    let live = crate::live::live_score(state.store.as_ref(), &state.catalog, &tenant_id).await?;
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(HISTORY_DAYS - 1);
    let mut history: Vec<HistoryPoint> = state
        .store
        .snapshots(&tenant_id, from, today)
        .await?
        .into_iter()
        .map(|s| HistoryPoint { day: s.day, current: s.current, max: s.max })
        .collect();
    // Today's point is the live score, so the line ends where the headline number is.
    history.retain(|p| p.day != today);
    history.push(HistoryPoint { day: today, current: live.score.current, max: live.score.max });
    let top_actions = live
        .ranking
        .iter()
        .take(TOP_ACTIONS)
        .filter_map(|r| {
            let action = live.action(&r.id)?;
            let s = live.scores.iter().find(|s| s.id == r.id)?;
            Some(TopAction {
                rank: r.rank,
                id: r.id.clone(),
                title: action.title.clone(),
                category: action.category,
                points: s.points,
                max: s.max,
                remaining: s.remaining,
                why: score::ranking::explain(s),
            })
        })
        .collect();
    Ok(OverviewData {
        tenant_id: live.tenant.id.clone(),
        tenant_name: live.tenant.name.clone(),
        current: live.score.current,
        max: live.score.max,
        percent: live.score.percent(),
        zone_okay_from: live.tenant.zone_okay_from,
        zone_good_from: live.tenant.zone_good_from,
        categories: live.score.categories.clone(),
        history,
        top_actions,
    })
}

#[component]
pub fn Overview() -> impl IntoView {
    let params = use_params_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let data = Resource::new(tenant, overview);
    view! {
        <Suspense fallback=|| view! { <p>"Loading the overview…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <OverviewView o/> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <crate::auth::sign_in::SignInRequired/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(o: OverviewData) -> impl IntoView {
    let zone_class = zone(o.percent, o.zone_okay_from, o.zone_good_from);
    view! {
        <Title text=crate::format::rcdata(&format!("{} — Overview", o.tenant_name))/>
        <h1>{o.tenant_name.clone()} <span class="subtle">" · Overview"</span></h1>
        <nav class="tenant-nav" aria-label="Tenant pages">
            <a href=format!("/tenants/{}/actions", o.tenant_id)>"Improvement actions"</a>
            <a href=format!("/tenants/{}/history", o.tenant_id)>"History"</a>
            <a href=format!("/tenants/{}/metrics", o.tenant_id)>"Metrics & trends"</a>
            <a href=format!("/tenants/{}/settings", o.tenant_id)>"Settings"</a>
        </nav>
        <div class="grid">
            <section class="card score" aria-labelledby="score-heading">
                <h2 id="score-heading">"Secure Score"</h2>
                <p class=format!("score-percent zone-{zone_class}") id="score-percent">{o.percent.to_string()}</p>
                <p class="score-points" id="score-points">{points_of(o.current, o.max)} " points achieved"</p>
                <p class="subtle">
                    "Zone: " <strong class=format!("zone-{zone_class}")>{zone_class}</strong>
                    " (okay from " {o.zone_okay_from} " %, good from " {o.zone_good_from} " %)"
                </p>
            </section>
            <section class="card" aria-labelledby="categories-heading">
                <h2 id="categories-heading">"Points by category"</h2>
                <table class="breakdown" id="category-breakdown">
                    <thead><tr><th>"Category"</th><th class="num">"Points"</th><th class="num">"Score"</th><th></th></tr></thead>
                    <tbody>
                        {o.categories.iter().map(|c| {
                            let pct = c.percent();
                            view! {
                                <tr data-category=c.name.clone()>
                                    <td>{c.name.clone()}</td>
                                    <td class="num">{points_of(c.current, c.max)}</td>
                                    <td class="num">{pct.to_string()}</td>
                                    <td class="bar-cell"><span class="bar" style=format!("width:{:.2}%", pct.as_f64())></span></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </div>
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"Score history (" {HISTORY_DAYS} " days)"</h2>
            <HistoryChart id="history-chart" points=o.history.clone()/>
        </section>
        <section class="card" aria-labelledby="top-heading">
            <h2 id="top-heading">"Top improvement actions"</h2>
            <ol class="top-actions" id="top-actions">
                {o.top_actions.iter().map(|a| view! {
                    <li>
                        <span class="rank">"#" {a.rank}</span>
                        <span class="title">{a.title.clone()}</span>
                        <span class="subtle">{a.category.as_str()}</span>
                        <span class="num">"+" {a.remaining.to_string()} " points available (" {points_of(a.points, a.max)} ")"</span>
                        <details class="why"><summary>"Why this rank?"</summary><p>{a.why.clone()}</p></details>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
