//! The portfolio: every tenant the viewer holds a role in, with score, 30-day change,
//! zone and top regression — the service provider's view.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub licensed_seats: u32,
    pub current: Points,
    pub max: Points,
    pub percent: Percent,
    /// Percentage points gained (or lost) since 30 days ago; `None` without history.
    pub change_30d: Option<Percent>,
    pub zone: String,
    /// The action that lost most points through measurements in 30 days, and how many.
    pub top_regression: Option<(String, Points)>,
    /// The Microsoft 365 sync, when the tenant is connected.
    pub sync: Option<SyncState>,
}

/// How a connected tenant's sync stands, as the portfolio shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncState {
    /// The last attempt succeeded (or none has run yet); the day of the last success.
    Fine { last_success: Option<String> },
    /// The last attempt failed, and why.
    Failing { reason: String },
}

/// Days the portfolio looks back for change and regressions.
pub const PORTFOLIO_DAYS: i64 = 30;

#[server(endpoint = "tenants")]
pub async fn list_tenants() -> Result<Vec<TenantSummary>, AppError> {
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let mut out = Vec::new();
    // One read for the page; only the viewer's own tenants are looked up in it.
    let mut connections: std::collections::HashMap<String, store::M365Connection> =
        state.store.m365_connections().await?.into_iter().map(|c| (c.tenant_id.clone(), c)).collect();
    // Only tenants the viewer holds a role in, whatever else the server hosts.
    for m in state.store.memberships_of_user(&viewer.user_id).await? {
        let live = service::live::live_score(state.store.as_ref(), &state.catalog, &m.tenant_id).await?;
        let t = live.tenant.clone();
        let today = chrono::Utc::now().date_naive();
        let since = today - chrono::Duration::days(PORTFOLIO_DAYS);
        let then = state.store.snapshots(&t.id, since, since).await?.into_iter().next();
        let change_30d = then.map(|s| Percent(live.score.percent().0 - s.current.percent_of(s.max).0));
        let top_regression = state
            .store
            .action_changes(&t.id, since + chrono::Duration::days(1), today)
            .await?
            .into_iter()
            .filter(|c| c.change.is_regression())
            .min_by_key(|c| c.change.delta)
            .map(|c| {
                let title = live.action(&c.change.id).map_or(c.change.id.clone(), |a| a.title.clone());
                (title, c.change.delta)
            });
        let zone = crate::format::zone(live.score.percent(), t.zone_okay_from, t.zone_good_from).to_owned();
        let sync = connections.remove(&t.id).map(|c| match c.last_error {
            Some(reason) => SyncState::Failing { reason },
            None => SyncState::Fine { last_success: c.last_success_at.map(|at| at.date_naive().to_string()) },
        });
        out.push(TenantSummary {
            id: t.id,
            name: t.name,
            industry: t.industry,
            licensed_seats: t.licensed_seats,
            current: live.score.current,
            max: live.score.max,
            percent: live.score.percent(),
            change_30d,
            zone,
            top_regression,
            sync,
        });
    }
    Ok(out)
}

/// Portfolio orderings, as they appear in `?sort=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortfolioSort {
    Name,
    Score,
    Change,
    Seats,
}

impl PortfolioSort {
    pub fn parse(s: Option<&str>) -> PortfolioSort {
        match s {
            Some("score") => PortfolioSort::Score,
            Some("change") => PortfolioSort::Change,
            Some("seats") => PortfolioSort::Seats,
            _ => PortfolioSort::Name,
        }
    }
}

/// Sorts tenants for the portfolio: names A–Z, everything else highest first.
pub fn sort_portfolio(list: &mut [TenantSummary], by: PortfolioSort) {
    match by {
        PortfolioSort::Name => list.sort_by_key(|t| t.name.to_lowercase()),
        PortfolioSort::Score => list.sort_by_key(|t| std::cmp::Reverse(t.percent)),
        PortfolioSort::Change => list.sort_by_key(|t| std::cmp::Reverse(t.change_30d)),
        PortfolioSort::Seats => list.sort_by_key(|t| std::cmp::Reverse(t.licensed_seats)),
    }
}

fn signed(p: Percent) -> String {
    if p.0 > 0 {
        format!("+{p}")
    } else {
        p.to_string()
    }
}

#[component]
pub fn TenantList() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let sort = move || PortfolioSort::parse(query.read().get("sort").as_deref());
    let tenants = Resource::new(|| (), |_| list_tenants());
    let alerts = Resource::new(|| (), |_| crate::pages::portfolio_alerts::portfolio_alerts());
    let reports = Resource::new(|| (), |_| crate::pages::portfolio_reports::portfolio_reports());
    let notice = Signal::derive(move || {
        crate::pages::forms::Outcome::from_url(
            &query.read(),
            &[service::alert::REFUSALS, service::report::REFUSALS],
            done,
        )
    });
    let header = |label: &'static str, key: &'static str, class: &'static str| {
        view! { <th class=class><a href=format!("/?sort={key}")>{label}</a></th> }
    };
    view! {
        <Title text="Your tenants"/>
        <h1>"Your tenants"</h1>
        <Suspense fallback=|| view! { <p>"Loading tenants…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"You hold no role in any tenant yet. An administrator of a tenant can grant you one."</p>
                    }.into_any(),
                    Ok(mut list) => {
                        sort_portfolio(&mut list, sort());
                        view! {
                            <table class="list" id="tenant-list">
                                <thead><tr>
                                    {header("Tenant", "name", "")}
                                    <th>"Industry"</th>
                                    {header("Seats", "seats", "num")}
                                    <th class="num">"Points"</th>
                                    {header("Score", "score", "num")}
                                    {header("30-day change", "change", "num")}
                                    <th>"Zone"</th>
                                    <th>"Top regression (30 days)"</th>
                                    <th>"Microsoft 365"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr>
                                            <td><a href=format!("/tenants/{}", t.id)>{t.name}</a></td>
                                            <td>{t.industry}</td>
                                            <td class="num">{t.licensed_seats}</td>
                                            <td class="num">{crate::format::points_of(t.current, t.max)}</td>
                                            <td class="num">{t.percent.to_string()}</td>
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
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <crate::auth::sign_in::SignInRequired/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <crate::pages::forms::Notice id="portfolio-notice" url=notice/>
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

/// What a saved portfolio form says once the page is back.
fn done(query: &leptos_router::params::ParamsMap) -> Option<&'static str> {
    Some(match query.get("done")?.as_str() {
        "portfolio_alert_added" => "Portfolio rule added: every tenant it watches is checked now.",
        "portfolio_alert_deleted" => {
            "Portfolio rule deleted; messages already sent stay in each tenant's list."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, percent: i64, change: Option<i64>, seats: u32) -> TenantSummary {
        TenantSummary {
            id: name.into(),
            name: name.into(),
            industry: String::new(),
            licensed_seats: seats,
            current: Points(0),
            max: Points(0),
            percent: Percent(percent),
            change_30d: change.map(Percent),
            zone: "okay".into(),
            top_regression: None,
            sync: None,
        }
    }

    #[test]
    fn portfolio_sorts_by_each_column() {
        let mut l = vec![t("b", 5000, Some(-100), 10), t("a", 7000, None, 5), t("C", 6000, Some(300), 50)];
        sort_portfolio(&mut l, PortfolioSort::Name);
        assert_eq!(l.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), ["a", "b", "C"]);
        sort_portfolio(&mut l, PortfolioSort::Score);
        assert_eq!(l[0].name, "a");
        sort_portfolio(&mut l, PortfolioSort::Change);
        assert_eq!(l.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), ["C", "b", "a"]);
        sort_portfolio(&mut l, PortfolioSort::Seats);
        assert_eq!(l[0].name, "C");
        assert_eq!(PortfolioSort::parse(Some("nonsense")), PortfolioSort::Name);
    }
}
