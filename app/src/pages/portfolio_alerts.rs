//! Portfolio alerts, on the portfolio page: a service provider's rules over every tenant
//! where they hold a read-write role — those of today and those granted later. Each tenant
//! is checked and told about on its own, as if the rule were its own; the messages show in
//! each tenant's Settings.

use crate::error::AppError;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use crate::pages::settings::alerts::RuleFields;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Most portfolio rules one person keeps.
pub const MAX_PORTFOLIO_RULES: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioRuleRow {
    pub id: String,
    pub name: String,
    pub condition: String,
    pub recipients: Vec<String>,
    /// Tenants it watches now, and of those where the condition holds.
    pub watching: usize,
    pub holding: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioAlertsCard {
    pub rules: Vec<PortfolioRuleRow>,
    /// Tenants where the viewer may change things, which the rules watch.
    pub writable: usize,
    pub email: bool,
    /// The catalog's actions (custom actions belong to one tenant).
    pub actions: Vec<(String, String)>,
}

/// The card, for a viewer with a portfolio (roles in several tenants, read-write in one at
/// least); `None` otherwise.
#[server(endpoint = "portfolio_alerts")]
pub async fn portfolio_alerts() -> Result<Option<PortfolioAlertsCard>, AppError> {
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    let Some(writable) = portfolio_shown(store, &viewer.user_id).await? else {
        return Ok(None);
    };
    let title = |id: &str| state.catalog.iter().find(|a| a.id == id).map(|a| a.title.clone());
    let mut rules = Vec::new();
    let firing = store.portfolio_alerts_firing(&viewer.user_id).await?;
    for r in store.portfolio_alert_rules(&viewer.user_id).await? {
        let holding = firing.get(&r.id).map_or(0, |n| usize::try_from(*n).unwrap_or(usize::MAX));
        rules.push(PortfolioRuleRow {
            condition: service::alert::describe(&r.condition, &title),
            recipients: r
                .recipients
                .iter()
                .map(|x| format!("{}: {}", x.channel().label(), x.shown()))
                .collect(),
            watching: writable,
            holding,
            id: r.id,
            name: r.name,
        });
    }
    let mut actions: Vec<(String, String)> =
        state.catalog.iter().filter(|a| !a.deprecated).map(|a| (a.id.clone(), a.title.clone())).collect();
    actions.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Some(PortfolioAlertsCard { rules, writable, email: state.alert_channels.email, actions }))
}

/// The tenants where `user_id` holds a read-write role: what a portfolio rule watches.
#[cfg(feature = "ssr")]
pub async fn writable_tenants(store: &dyn store::Store, user_id: &str) -> Result<Vec<String>, AppError> {
    Ok(store
        .roles_held(user_id)
        .await?
        .into_iter()
        .filter(|(_, role)| role.can_write())
        .map(|(t, _)| t)
        .collect())
}

/// Whether the portfolio cards are shown — the viewer holds roles in several tenants, and a
/// read-write role in one at least (someone who holds one tenant has its Settings) — and
/// then in how many tenants the viewer may write. Counted, not listed: a provider holds
/// thousands.
#[cfg(feature = "ssr")]
pub async fn portfolio_shown(store: &dyn store::Store, user_id: &str) -> Result<Option<usize>, AppError> {
    let (held, writable) = store.role_counts(user_id).await?;
    let writable = usize::try_from(writable).unwrap_or(usize::MAX);
    Ok((held >= 2 && writable > 0).then_some(writable))
}

/// Adds a portfolio rule; every tenant it watches is checked at once.
#[server(endpoint = "add_portfolio_alert_rule")]
pub async fn add_portfolio_alert_rule(
    #[server(flatten)] form: service::alert::RuleForm,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::alert::{validate, REFUSALS};
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    let writable = writable_tenants(store, &viewer.user_id).await?;
    if writable.is_empty() {
        return Err(AppError::Forbidden(
            "a portfolio rule needs a read-write role in at least one tenant".into(),
        ));
    }
    let page = "/#portfolio-alerts";
    // Only the catalog's actions: a custom action is one tenant's.
    let known = |id: &str| state.catalog.iter().any(|a| a.id == id && !a.deprecated);
    let rule = match validate(&form, state.alert_channels, &known) {
        Ok(r) => r,
        Err(r) => return refuse(page, r).await,
    };
    let stored = store::PortfolioAlertRule {
        id: crate::auth::secrets::new_secret().map_err(|_| AppError::Internal)?[..32].to_owned(),
        owner_user_id: viewer.user_id.clone(),
        name: rule.name,
        condition: rule.condition,
        recipients: rule.recipients,
        created_by: viewer.email.clone(),
        created_at: chrono::Utc::now(),
    };
    match store.add_portfolio_alert_rule(&stored, &writable, MAX_PORTFOLIO_RULES).await {
        Ok(()) => done("/?done=portfolio_alert_added#portfolio-alerts"),
        Err(store::StoreError::Conflict(_)) => refuse(page, REFUSALS.of("alert_too_many")).await,
        Err(e) => Err(e.into()),
    }
}

/// Queues a test message to each recipient of the owner's rule, about the first tenant it
/// watches (a message belongs to one tenant's log; that tenant's Settings lists it).
#[server(endpoint = "test_portfolio_alert_rule")]
pub async fn test_portfolio_alert_rule(rule_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::alert::message::About;
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    let unknown = || refuse("/#portfolio-alerts", service::alert::REFUSALS.of("alert_unknown"));
    let Some(rule) =
        store.portfolio_alert_rules(&viewer.user_id).await?.into_iter().find(|r| r.id == rule_id)
    else {
        return unknown().await;
    };
    let Some(tenant_id) = writable_tenants(store, &viewer.user_id).await?.into_iter().next() else {
        return unknown().await;
    };
    let live = service::live_score(store, &state.catalog, &tenant_id).await?;
    let now = chrono::Utc::now();
    let about = About {
        rule_id: &rule.id,
        rule_name: &rule.name,
        tenant_id: &tenant_id,
        tenant_name: &live.tenant.name,
        current: live.score.current,
        max: live.score.max,
        base_url: state.public_url.as_deref(),
        at: now,
    };
    let message = service::alert::AlertMessage::test(&about, &viewer.email);
    let deliveries = message.deliveries(&rule.for_tenant(&tenant_id), score::alert::AlertKind::Test);
    store.record_alerts(&tenant_id, now, &viewer.email, &[], &deliveries).await?;
    done("/?done=portfolio_alert_test#portfolio-alerts")
}

#[server(endpoint = "delete_portfolio_alert_rule")]
pub async fn delete_portfolio_alert_rule(rule_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    if state.store.delete_portfolio_alert_rule(&viewer.user_id, &rule_id, &viewer.email).await? {
        done("/?done=portfolio_alert_deleted#portfolio-alerts")
    } else {
        refuse("/#portfolio-alerts", service::alert::REFUSALS.of("alert_unknown")).await
    }
}

#[component]
pub fn PortfolioAlertsSection(card: PortfolioAlertsCard) -> impl IntoView {
    let PortfolioAlertsCard { rules, writable, email, actions } = card;
    let rows = rules
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td>{r.name}</td>
                    <td>{r.condition}</td>
                    <td>{r.recipients.join("; ")}</td>
                    <td>{format!("{} of {} tenants", r.holding, r.watching)}</td>
                    <td>
                        <form method="post" action={posts_to::<TestPortfolioAlertRule>()} class="inline">
                            <input type="hidden" name="rule_id" value=r.id.clone()/>
                            <button type="submit" class="link">"Send a test"</button>
                        </form>
                        " "
                        <form method="post" action={posts_to::<DeletePortfolioAlertRule>()} class="inline">
                            <input type="hidden" name="rule_id" value=r.id/>
                            <button type="submit" class="link">"Delete"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let has_rules = !rows.is_empty();
    view! {
        <Card id="portfolio-alerts" title="Portfolio alerts">
            <p class="subtle">{format!(
                "A portfolio rule watches every tenant where you hold a read-write role ({writable} now, and any you are granted later); each tenant is checked after its own changes and alerts on its own. The messages are listed in each tenant's Settings."
            )}</p>
            {if has_rules {
                view! {
                    <table class="list" id="portfolio-alert-rules">
                        <thead><tr><th>"Rule"</th><th>"When"</th><th>"To"</th><th>"Holds in"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p id="portfolio-alert-rules-empty">"No portfolio alert rules yet."</p> }.into_any()
            }}
            <form method="post" action={posts_to::<AddPortfolioAlertRule>()} class="row-form" id="portfolio-alert-form">
                <RuleFields actions=actions email/>
                <button type="submit">"Add portfolio rule"</button>
            </form>
        </Card>
    }
}
