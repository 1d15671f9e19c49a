//! Shares: each one audited, the change tickets it opened kept per tenant and action.

use crate::common::{at, new_tenant, TestDb};
use store::{ActionShare, ActionTicket, StoreError};

crate::on_both_backends!(
    shares_are_audited_and_tickets_kept_per_tenant,
    shares_are_counted_per_person_and_window
);

fn share(tenant_id: &str, target: &str, recipients: &[&str]) -> ActionShare {
    ActionShare {
        tenant_id: tenant_id.into(),
        action_id: "AdminMFAV2".into(),
        target: target.into(),
        recipients: recipients.iter().map(|r| (*r).to_owned()).collect(),
        actor: "alice@contoso.example".into(),
    }
}

fn ticket(tenant_id: &str, number: &str, hour: u32) -> ActionTicket {
    ActionTicket {
        tenant_id: tenant_id.into(),
        action_id: "AdminMFAV2".into(),
        number: number.into(),
        url: format!("https://contoso.service-now.com/nav_to.do?uri=change_request.do?sys_id={number}"),
        created_by: "alice@contoso.example".into(),
        created_at: at(2026, 3, 7, hour),
    }
}

async fn shares_are_audited_and_tickets_kept_per_tenant(db: &TestDb) {
    let s = &db.store;
    let contoso = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let fabrikam = s.create_tenant(new_tenant("Fabrikam"), "setup").await.unwrap();

    s.record_share(&share(&contoso.id, "email", &["sam@contoso.example"]), None).await.unwrap();
    let first = ticket(&contoso.id, "CHG0030001", 9);
    let second = ticket(&contoso.id, "CHG0030002", 10);
    s.record_share(&share(&contoso.id, "servicenow", &[]), Some(&first)).await.unwrap();
    s.record_share(&share(&contoso.id, "servicenow", &[]), Some(&second)).await.unwrap();

    assert_eq!(
        s.action_tickets(&contoso.id, "AdminMFAV2").await.unwrap(),
        vec![second, first],
        "newest first"
    );
    assert!(s.action_tickets(&contoso.id, "OtherAction").await.unwrap().is_empty());
    assert!(s.action_tickets(&fabrikam.id, "AdminMFAV2").await.unwrap().is_empty(), "per tenant");

    let trail = s.audit_trail(&contoso.id, 3).await.unwrap();
    assert!(trail.iter().all(|a| a.kind == "action.share" && a.subject == "AdminMFAV2"), "{trail:?}");
    assert!(
        trail[0].after.contains("CHG0030002") && trail[0].after.contains("servicenow"),
        "{}",
        trail[0].after
    );
    assert!(trail[2].after.contains("sam@contoso.example"), "{}", trail[2].after);

    let unknown = "00000000-0000-4000-8000-00000000dead";
    let orphan = s.record_share(&share(unknown, "servicenow", &[]), Some(&ticket(unknown, "CHG1", 9))).await;
    assert!(matches!(orphan, Err(StoreError::NotFound(_))), "{orphan:?}");
    assert!(matches!(s.action_tickets(unknown, "AdminMFAV2").await, Err(StoreError::NotFound(_))));
}

async fn shares_are_counted_per_person_and_window(db: &TestDb) {
    let s = &db.store;
    let contoso = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let fabrikam = s.create_tenant(new_tenant("Fabrikam"), "setup").await.unwrap();
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    s.record_share(&share(&contoso.id, "email", &["sam@contoso.example"]), None).await.unwrap();
    s.record_share(&share(&fabrikam.id, "webhook", &[]), None).await.unwrap();
    let mut bob = share(&contoso.id, "webhook", &[]);
    bob.actor = "bob@contoso.example".into();
    s.record_share(&bob, None).await.unwrap();

    let alice = s.shares_since("alice@contoso.example", before).await.unwrap();
    assert_eq!(alice.count, 2, "both tenants count");
    let oldest = alice.oldest.expect("the oldest share's time");
    assert!(oldest >= before && oldest <= chrono::Utc::now(), "{oldest}");
    assert_eq!(s.shares_since("bob@contoso.example", before).await.unwrap().count, 1);
    let later = s.shares_since("alice@contoso.example", chrono::Utc::now() + chrono::Duration::minutes(1));
    assert_eq!(later.await.unwrap(), store::SharesSince { count: 0, oldest: None });
}
