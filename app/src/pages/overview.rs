//! The tenant Overview: the score on its zone gauge, points by category and by product,
//! the history against the comparison averages, and what to do next. `?view=projected`
//! shows every number as if the planned actions were done.

use crate::chart::{DrawnChart, HistoryPoint};
use crate::error::AppError;
use crate::format::{points_of, zone};
use crate::pages::metrics::charts::zone_gauge;
use crate::pages::metrics::page::ComparisonTrend;
use crate::pages::metrics::trends::ComparisonLine;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use score::{Breakdown, Category, Percent, Points};
use serde::{Deserialize, Serialize};

/// Days of history the Overview draws.
pub const HISTORY_DAYS: i64 = 180;
/// Ranked actions the Overview lists.
pub const TOP_ACTIONS: usize = 5;

/// Which score the Overview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ScoreView {
    /// The live score.
    #[default]
    Current,
    /// As if every planned action were done.
    Projected,
    /// Only the actions whose licenses the tenant holds.
    Licensed,
}

impl ScoreView {
    pub fn parse(s: Option<&str>) -> ScoreView {
        match s {
            Some(v) if v.eq_ignore_ascii_case("projected") => ScoreView::Projected,
            Some(v) if v.eq_ignore_ascii_case("licensed") => ScoreView::Licensed,
            _ => ScoreView::Current,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewData {
    pub tenant_id: String,
    pub tenant_name: String,
    pub view: ScoreView,
    /// The score of the view (live or projected) and its breakdowns.
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    pub zone_okay_from: u32,
    pub zone_good_from: u32,
    pub categories: Vec<Breakdown>,
    pub products: Vec<Breakdown>,
    /// The live score and the projected one, whichever view is shown.
    pub live: Points,
    pub live_max: Points,
    pub projected: Points,
    /// Licensed view: how many actions were left out for want of a license; `None` in the
    /// other views and when the tenant's licenses are not recorded (nothing is left out).
    pub unlicensed: Option<usize>,
    pub planned: usize,
    pub history: Vec<HistoryPoint>,
    pub comparisons: Vec<ComparisonLine>,
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
pub async fn overview(tenant_id: String, view: Option<String>) -> Result<OverviewData, AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let (state, tenant_id) = (access.state, access.tenant_id);
    let held = crate::benchmarks::held_by(state.store.as_ref(), &access.viewer.user_id).await?;
    let view = ScoreView::parse(view.as_deref());
    let live = service::live::live_score(state.store.as_ref(), &state.catalog, &tenant_id).await?;
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Duration::days(HISTORY_DAYS - 1);
    let snapshots = state.store.snapshots(&tenant_id, from, today).await?;
    let live_today = Some((today, live.score.current, live.score.max));
    let custom = state.store.custom_comparisons(&tenant_id).await?;
    let (history, comparisons) = crate::pages::metrics::trends::score_line(
        state.store.as_ref(),
        &held,
        &live.tenant,
        &custom,
        snapshots,
        live_today,
    )
    .await?;

    // Planned actions counted as done: their remaining points added.
    let planned: Vec<&score::ActionScore> =
        live.scores.iter().filter(|s| service::projection::is_planned(s)).collect();
    let projected = service::projection::projected(&live.scores);
    // Licensed only: actions needing a license the tenant lacks are left out. Worked out
    // for that view alone, so the other views pay nothing for it.
    let held = live.tenant.licenses.as_deref().filter(|_| view == ScoreView::Licensed);
    let licensed_scores: Vec<score::ActionScore> = match held {
        Some(held) => live
            .scores
            .iter()
            .filter(|s| live.action(&s.id).is_none_or(|a| a.licensed_by(held)))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let unlicensed = held.map(|_| {
        let applicable = |scores: &[score::ActionScore]| scores.iter().filter(|s| s.applicable).count();
        applicable(&live.scores) - applicable(&licensed_scores)
    });
    let licensed = held.map(|_| score::SecureScore::from_scores(&licensed_scores));
    let shown = match view {
        ScoreView::Current => &live.score,
        ScoreView::Projected => &projected,
        // Licenses not recorded: nothing is left out.
        ScoreView::Licensed => licensed.as_ref().unwrap_or(&live.score),
    };
    let top_actions = top_actions(&live, TOP_ACTIONS);
    Ok(OverviewData {
        tenant_id: live.tenant.id.clone(),
        tenant_name: live.tenant.name.clone(),
        view,
        current: shown.current,
        max: shown.max,
        percent: shown.percent(),
        zone_okay_from: live.tenant.zone_okay_from,
        zone_good_from: live.tenant.zone_good_from,
        categories: shown.categories.clone(),
        products: shown.products.clone(),
        live: live.score.current,
        live_max: live.score.max,
        projected: projected.current,
        unlicensed,
        planned: planned.len(),
        history,
        comparisons,
        top_actions,
    })
}

/// The first `n` actions of the ranked list, with what each would add and why it ranks.
#[cfg(feature = "ssr")]
pub fn top_actions(live: &service::live::LiveScore, n: usize) -> Vec<TopAction> {
    live.ranking
        .iter()
        .take(n)
        .filter_map(|r| {
            let action = live.action(&r.id)?;
            let s = live.score_of(&r.id)?;
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
        .collect()
}

#[component]
pub fn Overview() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let view = move || query.read().get("view");
    let data = Resource::new(move || (tenant(), view()), |(t, v)| overview(t, v));
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
    let (percent, okay, good) = (o.percent, o.zone_okay_from, o.zone_good_from);
    let projected_view = o.view == ScoreView::Projected;
    let licensed_view = o.view == ScoreView::Licensed;
    let base = format!("/tenants/{}", o.tenant_id);
    let gain = o.projected - o.live;
    view! {
        <Title text=crate::format::rcdata(&format!("{} — Overview", o.tenant_name))/>
        <h1>{o.tenant_name.clone()} <span class="subtle">" · Overview"</span></h1>
        <crate::pages::nav::TenantNav tenant_id=o.tenant_id.clone() current="Overview"/>
        <nav class="range-presets" id="score-views" aria-label="Score view">
            <a href=base.clone() data-view="current" aria-current=(o.view == ScoreView::Current).then_some("page")>"Current score"</a>
            <a href=format!("{base}?view=projected") data-view="projected" aria-current=projected_view.then_some("page")>
                "With planned actions"
            </a>
            <a href=format!("{base}?view=licensed") data-view="licensed" aria-current=licensed_view.then_some("page")>
                "Licensed only"
            </a>
        </nav>
        {licensed_view.then(|| view! {
            <p class="subtle" id="licensed-note">{match o.unlicensed {
                None => "This tenant's licenses are not recorded (Settings → Licenses), so no action is left out.".to_owned(),
                Some(0) => "The tenant holds every license its actions need: nothing is left out.".to_owned(),
                Some(n) => format!("{n} actions need a license this tenant does not hold and are left out of this view."),
            }}</p>
        })}
        <div class="grid">
            <section class="card score" aria-labelledby="score-heading">
                <h2 id="score-heading">{match o.view {
                    ScoreView::Projected => "Projected Secure Score",
                    ScoreView::Licensed => "Secure Score, licensed actions only",
                    ScoreView::Current => "Secure Score",
                }}</h2>
                <DrawnChart id="zone-gauge" class="chart gauge" label=format!("Gauge: {percent}, in the {zone_class} zone")
                    options=move || zone_gauge(percent, okay, good)>
                    <p class=format!("score-percent zone-{zone_class}") id="score-percent" data-zone=zone_class>{o.percent.to_string()}</p>
                </DrawnChart>
                <p class="score-points" id="score-points">{points_of(o.current, o.max)} " points achieved"</p>
                <p class="subtle">
                    "Zone: " <strong class=format!("zone-{zone_class}")>{zone_class}</strong>
                    " (okay from " {o.zone_okay_from} " %, good from " {o.zone_good_from} " %)"
                </p>
                <p class="subtle" id="projection-line">
                    {if o.planned == 0 {
                        "No planned actions.".to_owned()
                    } else {
                        format!("{} planned actions would add {} points ({} → {}).", o.planned, gain,
                            o.live.percent_of(o.live_max), o.projected.percent_of(o.live_max))
                    }}
                </p>
            </section>
            <section class="card" aria-labelledby="categories-heading">
                <h2 id="categories-heading">"Points by category"</h2>
                {breakdown_table("category-breakdown", "data-category", &o.categories)}
                <h2 id="products-heading">"Points by product"</h2>
                {breakdown_table("product-breakdown", "data-product", &o.products)}
            </section>
        </div>
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"Score history (" {HISTORY_DAYS} " days)"</h2>
            <ComparisonTrend id="history-chart" points=o.history.clone() lines=o.comparisons.clone()/>
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

/// Points and score per category or product, with a bar for each.
fn breakdown_table(id: &'static str, key: &'static str, rows: &[Breakdown]) -> impl IntoView {
    view! {
        <table class="breakdown" id=id>
            <thead><tr><th>"Name"</th><th class="num">"Points"</th><th class="num">"Score"</th><th></th></tr></thead>
            <tbody>
                {rows.iter().map(|c| {
                    let pct = c.percent();
                    view! {
                        <tr data-category=(key == "data-category").then(|| c.name.clone())
                            data-product=(key == "data-product").then(|| c.name.clone())>
                            <td>{c.name.clone()}</td>
                            <td class="num">{points_of(c.current, c.max)}</td>
                            <td class="num">{pct.to_string()}</td>
                            <td class="bar-cell"><span class="bar" style=format!("width:{:.2}%", pct.as_f64())></span></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
