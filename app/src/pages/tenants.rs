//! The list of tenants with their live scores.

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
}

#[server(endpoint = "tenants")]
pub async fn list_tenants() -> Result<Vec<TenantSummary>, AppError> {
    let state = crate::state::app_state()?;
    let mut out = Vec::new();
    for t in state.store.tenants().await? {
        let live = crate::live::live_score(state.store.as_ref(), &state.catalog, &t.id).await?;
        out.push(TenantSummary {
            id: t.id,
            name: t.name,
            industry: t.industry,
            licensed_seats: t.licensed_seats,
            current: live.score.current,
            max: live.score.max,
            percent: live.score.percent(),
        });
    }
    Ok(out)
}

#[component]
pub fn TenantList() -> impl IntoView {
    let tenants = Resource::new(|| (), |_| list_tenants());
    view! {
        <Title text="Tenants"/>
        <h1>"Tenants"</h1>
        <Suspense fallback=|| view! { <p>"Loading tenants…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No tenants yet. Load the demo with " <code>"server seed-demo"</code> "."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="list" id="tenant-list">
                            <thead><tr><th>"Tenant"</th><th>"Industry"</th><th class="num">"Seats"</th><th class="num">"Points"</th><th class="num">"Score"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| view! {
                                    <tr>
                                        <td><a href=format!("/tenants/{}", t.id)>{t.name}</a></td>
                                        <td>{t.industry}</td>
                                        <td class="num">{t.licensed_seats}</td>
                                        <td class="num">{crate::format::points_of(t.current, t.max)}</td>
                                        <td class="num">{t.percent.to_string()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
