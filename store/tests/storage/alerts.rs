//! Alert rules, their states and messages, portfolio rules and report schedules, on both
//! backends: the upserts, the claims that keep two servers from sending twice, and the
//! joins a portfolio rule is found through.

use crate::common::{new_tenant, TestDb};
use chrono::{Duration, NaiveDate, Utc};
use score::alert::{AlertCondition, AlertKind, AlertState, Baseline, Channel, Recipient};
use score::report::Cadence;
use score::roles::Role;
use store::{AlertRule, NewDelivery, PortfolioAlertRule, ReportSchedule, Sent, StoreError};

crate::on_both_backends!(
    states_are_kept_per_rule_and_tenant_and_a_portfolio_rule_is_found_through_its_owner,
    a_message_is_claimed_once_and_its_delivery_audited,
    a_report_period_is_claimed_once_and_sent_once
);

fn webhook() -> Vec<Recipient> {
    vec![Recipient::Webhook { url: "https://hooks.example/x".into(), secret: "a-long-enough-secret".into() }]
}

fn state(firing: bool) -> AlertState {
    AlertState { firing, since: firing.then(Utc::now), baseline: Baseline::Nothing }
}

async fn states_are_kept_per_rule_and_tenant_and_a_portfolio_rule_is_found_through_its_owner(db: &TestDb) {
    let s = &db.store;
    let a = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let b = s.create_tenant(new_tenant("Fabrikam"), "setup").await.unwrap();
    let c = s.create_tenant(new_tenant("Tailspin"), "setup").await.unwrap();
    let msp = s.create_user("msp@provider.example", "MSP", "$argon2id$x", "cli").await.unwrap();
    s.grant_role(&a.id, &msp.id, Role::SecurityAdministrator, "cli").await.unwrap();
    s.grant_role(&b.id, &msp.id, Role::GlobalReader, "cli").await.unwrap();

    let own = AlertRule {
        id: "own".into(),
        tenant_id: a.id.clone(),
        name: "Sync".into(),
        condition: AlertCondition::SyncFailing { hours: 24 },
        recipients: webhook(),
        created_by: "admin@contoso.example".into(),
        created_at: Utc::now(),
    };
    s.add_alert_rule(&own, 50).await.unwrap();
    let portfolio = PortfolioAlertRule {
        id: "portfolio".into(),
        owner_user_id: msp.id.clone(),
        name: "Every client's sync".into(),
        condition: AlertCondition::SyncFailing { hours: 12 },
        recipients: webhook(),
        created_by: msp.email.clone(),
        created_at: Utc::now(),
    };
    s.add_portfolio_alert_rule(&portfolio, std::slice::from_ref(&a.id), 50).await.unwrap();

    // Found through the owner's roles, each with the role held there; none where they hold none.
    let over_b = s.portfolio_alert_rules_over(&b.id).await.unwrap();
    assert_eq!(over_b.len(), 1);
    assert_eq!((over_b[0].0.id.as_str(), over_b[0].1.as_str()), ("portfolio", "GlobalReader"));
    assert!(s.portfolio_alert_rules_over(&c.id).await.unwrap().is_empty());

    // The sweep marks every tenant a sync rule watches: a by both rules, b through its owner.
    let now = Utc::now() + Duration::seconds(1);
    for check in s.due_alert_checks(now, 100).await.unwrap() {
        assert!(s.take_alert_check(&check).await.unwrap());
    }
    s.mark_alert_checks("SyncFailing", now).await.unwrap();
    let marked: Vec<String> =
        s.due_alert_checks(now, 100).await.unwrap().into_iter().map(|c| c.tenant_id).collect();
    assert!(marked.contains(&a.id) && marked.contains(&b.id) && !marked.contains(&c.id), "{marked:?}");

    // One portfolio rule, a state per tenant; writing again replaces it.
    let both = [("own".to_owned(), state(true)), ("portfolio".to_owned(), state(true))];
    s.record_alerts(&a.id, now, "rampart", &both, &[]).await.unwrap();
    s.record_alerts(&b.id, now, "rampart", &[("portfolio".to_owned(), state(false))], &[]).await.unwrap();
    s.record_alerts(&b.id, now, "rampart", &[("portfolio".to_owned(), state(true))], &[]).await.unwrap();
    let in_a = s.alert_states(&a.id).await.unwrap();
    let in_b = s.alert_states(&b.id).await.unwrap();
    assert_eq!(in_a.len(), 2);
    assert_eq!(in_b.len(), 1);
    assert!(in_b["portfolio"].firing);

    // Deleting the portfolio rule takes its states everywhere, and only its owner can.
    assert!(!s.delete_portfolio_alert_rule("someone-else", "portfolio", "x").await.unwrap());
    assert!(s.delete_portfolio_alert_rule(&msp.id, "portfolio", &msp.email).await.unwrap());
    assert_eq!(s.alert_states(&a.id).await.unwrap().len(), 1);
    assert!(s.alert_states(&b.id).await.unwrap().is_empty());
    // A state for a rule that is gone is not written.
    s.record_alerts(&b.id, now, "rampart", &[("portfolio".to_owned(), state(true))], &[]).await.unwrap();
    assert!(s.alert_states(&b.id).await.unwrap().is_empty());
}

async fn a_message_is_claimed_once_and_its_delivery_audited(db: &TestDb) {
    let s = &db.store;
    let a = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let rule = AlertRule {
        id: "r1".into(),
        tenant_id: a.id.clone(),
        name: "Below half".into(),
        condition: AlertCondition::ScoreBelow { percent: score::Percent(5000) },
        recipients: webhook(),
        created_by: "admin@contoso.example".into(),
        created_at: Utc::now(),
    };
    s.add_alert_rule(&rule, 50).await.unwrap();
    let message = NewDelivery {
        rule_id: "r1".into(),
        rule_name: "Below half".into(),
        kind: AlertKind::Fired,
        channel: Channel::Webhook,
        target: "https://hooks.example/x".into(),
        message: "{}".into(),
    };
    let now = Utc::now();
    s.record_alerts(&a.id, now, "rampart", &[("r1".to_owned(), state(true))], &[message]).await.unwrap();
    let due = s.due_alert_deliveries(now + Duration::seconds(1), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert!(s.claim_alert_delivery(&due[0], now + Duration::minutes(2)).await.unwrap());
    assert!(
        !s.claim_alert_delivery(&due[0], now + Duration::minutes(2)).await.unwrap(),
        "a second server leaves it"
    );
    s.record_alert_delivery(&due[0], now, Sent::Yes).await.unwrap();
    let kept = s.alert_deliveries(&a.id, 10).await.unwrap();
    assert!(kept[0].sent_at.is_some() && kept[0].next_attempt_at.is_none());
    let trail = s.audit_trail(&a.id, 10).await.unwrap();
    assert!(trail.iter().any(|l| l.kind == "alert.sent" && !l.after.contains("/x")), "{trail:?}");
}

async fn a_report_period_is_claimed_once_and_sent_once(db: &TestDb) {
    let s = &db.store;
    let a = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let schedule = ReportSchedule {
        id: "weekly".into(),
        tenant_id: Some(a.id.clone()),
        cadence: Cadence::Weekly,
        recipients: vec!["ciso@contoso.example".into()],
        created_by: "admin@contoso.example".into(),
        created_by_user: "u1".into(),
        created_at: Utc::now(),
        last_period_end: None,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
    };
    s.add_report_schedule(&schedule, 10).await.unwrap();
    let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let now = Utc::now();
    let until = now + Duration::minutes(10);
    assert!(s.claim_report(&schedule, sunday, now, until).await.unwrap());
    assert!(!s.claim_report(&schedule, sunday, now, until).await.unwrap(), "claimed by the first server");
    s.record_report(&schedule, sunday, Sent::No { why: "SMTP: refused", again_at: Some(until) })
        .await
        .unwrap();
    let kept = s.report_schedules(&a.id).await.unwrap().remove(0);
    assert_eq!((kept.attempts, kept.last_error.as_deref()), (1, Some("SMTP: refused")));
    assert!(!s.claim_report(&kept, sunday, now, until).await.unwrap(), "it waits");
    assert!(s.claim_report(&kept, sunday, until, until + Duration::minutes(10)).await.unwrap());
    s.record_report(&kept, sunday, Sent::Yes).await.unwrap();
    let kept = s.report_schedules(&a.id).await.unwrap().remove(0);
    assert_eq!(kept.last_period_end, Some(sunday));
    let later = until + Duration::hours(1);
    assert!(!s.claim_report(&kept, sunday, later, later).await.unwrap(), "a period goes once");
    let next = sunday + Duration::days(7);
    assert!(s.claim_report(&kept, next, later, later).await.unwrap(), "the next period is due");
    let trail = s.audit_trail(&a.id, 10).await.unwrap();
    let kinds: Vec<&str> = trail.iter().map(|l| l.kind.as_str()).collect();
    assert!(
        kinds.contains(&"report.sent")
            && kinds.contains(&"report.failed")
            && kinds.contains(&"report.schedule.add")
    );
    let second = ReportSchedule { id: "w2".into(), ..schedule.clone() };
    assert!(
        matches!(s.add_report_schedule(&second, 1).await, Err(StoreError::Conflict(_))),
        "at most one here"
    );
}
