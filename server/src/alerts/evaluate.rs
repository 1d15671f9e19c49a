//! Checking one tenant's rules against its facts, and queuing what they say.

use app::state::AppState;
use chrono::{DateTime, Utc};
use service::alert::message::About;
use service::alert::{check, AlertMessage};

/// Checks every rule of the tenant at `now`; their new states and the messages to send are
/// written together. Returns how many messages were queued.
pub async fn check_tenant(state: &AppState, tenant_id: &str, now: DateTime<Utc>) -> store::Result<u32> {
    let store = state.store.as_ref();
    let rules = rules_over(store, tenant_id).await?;
    if rules.is_empty() {
        return Ok(0);
    }
    let states = store.alert_states(tenant_id).await?;
    let (facts, live) = service::alert::facts::gather(store, &state.catalog, tenant_id, now).await?;
    let mut new_states = Vec::new();
    let mut deliveries = Vec::new();
    for rule in &rules {
        let was = states.get(&rule.id);
        let outcome = check(&rule.condition, was, &facts, &live.tenant.name);
        if was != Some(&outcome.state) {
            new_states.push((rule.id.clone(), outcome.state.clone()));
        }
        if let Some(said) = &outcome.said {
            let about = About {
                rule_id: &rule.id,
                rule_name: &rule.name,
                tenant_id,
                tenant_name: &live.tenant.name,
                current: facts.current,
                max: facts.max,
                base_url: state.public_url.as_deref(),
                at: now,
            };
            deliveries.extend(AlertMessage::new(&about, said).deliveries(rule, said.kind));
        }
    }
    if new_states.is_empty() && deliveries.is_empty() {
        return Ok(0);
    }
    store.record_alerts(tenant_id, now, "rampart", &new_states, &deliveries).await?;
    Ok(u32::try_from(deliveries.len()).unwrap_or(u32::MAX))
}

/// The tenant's own rules, and the portfolio rules of people who may change it now (a
/// portfolio rule watches only tenants where its owner holds a read-write role).
pub async fn rules_over(store: &dyn store::Store, tenant_id: &str) -> store::Result<Vec<store::AlertRule>> {
    let mut rules = store.alert_rules(tenant_id).await?;
    for (rule, role) in store.portfolio_alert_rules_over(tenant_id).await? {
        if score::roles::Role::parse(&role).is_some_and(score::roles::Role::can_write) {
            rules.push(rule.for_tenant(tenant_id));
        }
    }
    Ok(rules)
}
