//! Settings → Alerts, for read-write roles: the tenant's alert rules with where each
//! stands, the form for a new one, "Send a test", and the last messages sent with how
//! their delivery went. The rules themselves (what a form may ask for, when a condition
//! holds) are `service::alert`'s; the server's alert worker sends.

#[cfg(feature = "ssr")]
use super::page_of;
use crate::error::AppError;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Messages the card lists.
#[cfg(feature = "ssr")]
pub const DELIVERIES_SHOWN: u32 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub condition: String,
    pub recipients: Vec<String>,
    /// "Holds since …" while the condition holds.
    pub firing_since: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub at: String,
    pub rule: String,
    pub kind: String,
    pub channel: String,
    pub to: String,
    /// "Sent", "Waiting", "Failed".
    pub status: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsCard {
    pub rules: Vec<RuleRow>,
    pub deliveries: Vec<DeliveryRow>,
    /// The operator set up email.
    pub email: bool,
    /// The tenant's actions (id, title) for the action condition.
    pub actions: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
pub async fn card(state: &crate::state::AppState, tenant_id: &str) -> Result<AlertsCard, AppError> {
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let store = state.store.as_ref();
    let live = service::live_score(store, &state.catalog, tenant_id).await?;
    let title = |id: &str| live.action(id).map(|a| a.title.clone());
    let states = store.alert_states(tenant_id).await?;
    let rules = store
        .alert_rules(tenant_id)
        .await?
        .into_iter()
        .map(|r| RuleRow {
            condition: service::alert::describe(&r.condition, &title),
            recipients: r
                .recipients
                .iter()
                .map(|x| format!("{}: {}", x.channel().label(), x.shown()))
                .collect(),
            firing_since: states.get(&r.id).filter(|s| s.firing).and_then(|s| s.since).map(when),
            id: r.id,
            name: r.name,
        })
        .collect();
    let deliveries = store
        .alert_deliveries(tenant_id, DELIVERIES_SHOWN)
        .await?
        .into_iter()
        .map(|d| {
            let (status, detail) = if let Some(sent) = d.sent_at {
                ("Sent", format!("{} (attempt {})", when(sent), d.attempts))
            } else if d.failed() {
                (
                    "Failed",
                    format!("given up after {} attempts: {}", d.attempts, d.last_error.unwrap_or_default()),
                )
            } else {
                let next = d.next_attempt_at.map(when).unwrap_or_default();
                match d.last_error {
                    Some(e) => ("Waiting", format!("attempt {} failed: {e}; next try {next}", d.attempts)),
                    None => ("Waiting", "queued".to_owned()),
                }
            };
            let to = match d.channel {
                score::alert::Channel::Email => d.target.clone(),
                _ => score::alert::Recipient::Chat { url: d.target.clone() }.shown(),
            };
            DeliveryRow {
                at: when(d.created_at),
                rule: d.rule_name,
                kind: d.kind.as_str().to_owned(),
                channel: d.channel.label().to_owned(),
                to,
                status: status.to_owned(),
                detail,
            }
        })
        .collect();
    let mut actions: Vec<(String, String)> =
        live.actions.iter().filter(|a| !a.deprecated).map(|a| (a.id.clone(), a.title.clone())).collect();
    actions.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(AlertsCard { rules, deliveries, email: state.alert_channels.email, actions })
}

/// Adds an alert rule; it is checked at once, so a condition that already holds alerts.
#[server(endpoint = "add_alert_rule")]
pub async fn add_alert_rule(
    tenant_id: String,
    #[server(flatten)] form: service::alert::RuleForm,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::alert::rule::MAX_RULES_PER_TENANT;
    use service::alert::{validate, REFUSALS};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = format!("{}#alerts", page_of(&access.tenant_id));
    let state = &access.state;
    let custom = state.store.custom_actions(&access.tenant_id).await?;
    let known = |id: &str| state.catalog.iter().chain(custom.iter()).any(|a| a.id == id && !a.deprecated);
    let rule = match validate(&form, state.alert_channels, &known) {
        Ok(r) => r,
        Err(r) => return refuse(&page, r).await,
    };
    let stored = store::AlertRule {
        id: crate::auth::secrets::new_secret().map_err(|_| AppError::Internal)?[..32].to_owned(),
        tenant_id: access.tenant_id.clone(),
        name: rule.name,
        condition: rule.condition,
        recipients: rule.recipients,
        created_by: access.viewer.email.clone(),
        created_at: chrono::Utc::now(),
    };
    match state.store.add_alert_rule(&stored, MAX_RULES_PER_TENANT).await {
        Ok(()) => done(&format!("{}?done=alert_added#alerts", page_of(&access.tenant_id))),
        Err(store::StoreError::Conflict(_)) => refuse(&page, REFUSALS.of("alert_too_many")).await,
        Err(e) => Err(e.into()),
    }
}

#[server(endpoint = "delete_alert_rule")]
pub async fn delete_alert_rule(tenant_id: String, rule_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = page_of(&access.tenant_id);
    if access.state.store.delete_alert_rule(&access.tenant_id, &rule_id, &access.viewer.email).await? {
        done(&format!("{page}?done=alert_deleted#alerts"))
    } else {
        refuse(&page, service::alert::REFUSALS.of("alert_unknown")).await
    }
}

/// Queues a test message to each recipient of the rule; the list below shows how it went.
#[server(endpoint = "test_alert_rule")]
pub async fn test_alert_rule(tenant_id: String, rule_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::alert::message::About;
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = page_of(&access.tenant_id);
    let state = &access.state;
    let Some(rule) = state.store.alert_rule(&access.tenant_id, &rule_id).await? else {
        return refuse(&page, service::alert::REFUSALS.of("alert_unknown")).await;
    };
    let live = service::live_score(state.store.as_ref(), &state.catalog, &access.tenant_id).await?;
    let now = chrono::Utc::now();
    let about = About {
        rule_id: &rule.id,
        rule_name: &rule.name,
        tenant_id: &access.tenant_id,
        tenant_name: &live.tenant.name,
        current: live.score.current,
        max: live.score.max,
        base_url: state.public_url.as_deref(),
        at: now,
    };
    let message = service::alert::AlertMessage::test(&about, &access.viewer.email);
    let deliveries = message.deliveries(&rule, score::alert::AlertKind::Test);
    state.store.record_alerts(&access.tenant_id, now, &access.viewer.email, &[], &deliveries).await?;
    done(&format!("{page}?done=alert_test#alerts"))
}

#[component]
pub fn AlertsSection(card: AlertsCard, tenant_id: String) -> impl IntoView {
    let AlertsCard { rules, deliveries, email, actions } = card;
    let rows = rules
        .into_iter()
        .map(|r| {
            let (t1, t2) = (tenant_id.clone(), tenant_id.clone());
            let (id1, id2) = (r.id.clone(), r.id.clone());
            let state = r.firing_since.map_or_else(|| "Quiet".to_owned(), |s| format!("Holds since {s}"));
            view! {
                <tr>
                    <td>{r.name}</td>
                    <td>{r.condition}</td>
                    <td>{r.recipients.join("; ")}</td>
                    <td>{state}</td>
                    <td>
                        <form method="post" action={posts_to::<TestAlertRule>()} class="inline">
                            <input type="hidden" name="tenant_id" value=t1/>
                            <input type="hidden" name="rule_id" value=id1/>
                            <button type="submit" class="link">"Send a test"</button>
                        </form>
                        " "
                        <form method="post" action={posts_to::<DeleteAlertRule>()} class="inline">
                            <input type="hidden" name="tenant_id" value=t2/>
                            <input type="hidden" name="rule_id" value=id2/>
                            <button type="submit" class="link">"Delete"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let has_rules = !rows.is_empty();
    let log = deliveries
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <td>{d.at}</td><td>{d.rule}</td><td>{d.kind}</td><td>{d.channel}</td><td>{d.to}</td>
                    <td>{d.status}</td><td>{d.detail}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let has_log = !log.is_empty();
    view! {
        <Card id="alerts" title="Alerts">
            <p class="subtle">
                "Rampart checks these rules after every change to this tenant (a sync, an import, ingest, a status change) and after each daily snapshot. A condition alerts once, and once more when it clears."
            </p>
            {if has_rules {
                view! {
                    <table class="list" id="alert-rules">
                        <thead><tr><th>"Rule"</th><th>"When"</th><th>"To"</th><th>"Now"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p id="alert-rules-empty">"No alert rules yet."</p> }.into_any()
            }}
            <form method="post" action={posts_to::<AddAlertRule>()} class="row-form" id="alert-form">
                <input type="hidden" name="tenant_id" value=tenant_id.clone()/>
                <RuleFields actions=actions email/>
                <button type="submit">"Add rule"</button>
            </form>
            <h3 id="alert-log-heading">"Last messages"</h3>
            {if has_log {
                view! {
                    <table class="list" id="alert-log" aria-labelledby="alert-log-heading">
                        <thead><tr><th>"Queued"</th><th>"Rule"</th><th>"Event"</th><th>"Channel"</th><th>"To"</th><th>"Delivery"</th><th>"Detail"</th></tr></thead>
                        <tbody>{log}</tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p id="alert-log-empty">"No alert has been sent yet."</p> }.into_any()
            }}
        </Card>
    }
}

/// The fields of a new rule, the same for a tenant's rules and a portfolio's.
#[component]
pub fn RuleFields(actions: Vec<(String, String)>, email: bool) -> impl IntoView {
    let categories = score::Category::ALL.map(|c| view! { <option value=c.as_str()>{c.as_str()}</option> });
    let action_options =
        actions.into_iter().map(|(id, title)| view! { <option value=id>{title}</option> }).collect_view();
    view! {
        <label>"Name" <input type="text" name="name" required maxlength="80" placeholder="Score below half"/></label>
        <label>"When"
            <select name="condition">
                <option value="score_below">"the score is below a percentage"</option>
                <option value="leaves_zone">"the score leaves a zone"</option>
                <option value="drops_points">"the score falls by N points"</option>
                <option value="drops_percent">"the score falls by N percentage points"</option>
                <option value="action_regresses">"an action regresses"</option>
                <option value="category_regresses">"any action of a category regresses"</option>
                <option value="new_action">"a new action worth N points enters the catalog"</option>
                <option value="sync_failing">"the Microsoft 365 sync fails for N hours"</option>
            </select>
        </label>
        <label>"Threshold (%, points or hours)" <input type="text" name="threshold" inputmode="decimal" maxlength="12"/></label>
        <label>"Over"
            <select name="window">
                <option value="day">"a day"</option>
                <option value="week">"7 days"</option>
            </select>
        </label>
        <label>"Zone"
            <select name="zone">
                <option value="good">"good"</option>
                <option value="okay">"okay"</option>
            </select>
        </label>
        <label>"Action" <select name="action_id">{action_options}</select></label>
        <label>"Category" <select name="category">{categories}</select></label>
        <label>{if email { "Email addresses (comma-separated)" } else { "Email addresses (the operator has not set up email)" }}
            <input type="text" name="emails" maxlength="2000" disabled=!email placeholder="ciso@contoso.example"/></label>
        <label>"Teams or Slack incoming webhook URL" <input type="url" name="chat_url" maxlength="2000" autocomplete="off"/></label>
        <label>"Webhook URL (JSON, signed)" <input type="url" name="webhook_url" maxlength="2000" autocomplete="off"/></label>
        <label>"Webhook signing secret (16+ characters)" <input type="password" name="webhook_secret" maxlength="200" autocomplete="off"/></label>
    }
}
