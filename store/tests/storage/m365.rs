//! Microsoft 365 connections: one per tenant, replaced in place, audited without the
//! secret, and each sync's outcome kept for people to read.

use crate::common::{at, new_tenant, TestDb};
use store::{M365Connection, StoreError};

crate::on_both_backends!(a_connection_is_kept_replaced_and_audited_without_its_secret);

fn connection(tenant_id: &str, client_id: &str, sealed: &str) -> M365Connection {
    M365Connection {
        tenant_id: tenant_id.into(),
        directory_id: "6f1c3f0a-1c2b-4d3e-9f40-5a6b7c8d9e01".into(),
        client_id: client_id.into(),
        sealed_secret: sealed.into(),
        write_back: false,
        connected_by: "alice@contoso.example".into(),
        connected_at: at(2026, 12, 1, 9),
        secret_set_at: at(2026, 12, 1, 9),
        last_attempt_at: None,
        last_success_at: None,
        last_error: None,
    }
}

async fn a_connection_is_kept_replaced_and_audited_without_its_secret(db: &TestDb) {
    let s = &db.store;
    let contoso = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let fabrikam = s.create_tenant(new_tenant("Fabrikam"), "setup").await.unwrap();
    assert_eq!(s.m365_connection(&contoso.id).await.unwrap(), None);
    assert!(matches!(s.m365_connection("no-such-tenant").await, Err(StoreError::NotFound(_))));

    let first = connection(&contoso.id, "client-1", "v1:sealed-one");
    s.save_m365_connection(&first, "alice@contoso.example").await.unwrap();
    assert_eq!(s.m365_connection(&contoso.id).await.unwrap(), Some(first.clone()));
    assert_eq!(s.m365_connection(&fabrikam.id).await.unwrap(), None, "another tenant's is its own");

    // A rotated secret replaces the row; the first connection's time stays.
    let mut rotated = connection(&contoso.id, "client-1", "v1:sealed-two");
    rotated.secret_set_at = at(2026, 12, 2, 9);
    rotated.connected_at = at(2026, 12, 2, 9);
    s.save_m365_connection(&rotated, "bob@contoso.example").await.unwrap();
    let kept = s.m365_connection(&contoso.id).await.unwrap().unwrap();
    assert_eq!((kept.sealed_secret.as_str(), kept.secret_set_at), ("v1:sealed-two", at(2026, 12, 2, 9)));
    assert_eq!(
        (kept.connected_at, kept.connected_by.as_str()),
        (at(2026, 12, 1, 9), "alice@contoso.example")
    );

    let trail = s.audit_trail(&contoso.id, 10).await.unwrap();
    let connects: Vec<_> = trail.iter().filter(|a| a.kind == "m365.connect").collect();
    assert_eq!(connects.len(), 2);
    assert_eq!(connects[0].actor, "bob@contoso.example");
    assert!(
        connects[0].before.contains("client-1") && connects[0].after.contains("2026-12-02"),
        "{:?}",
        connects[0]
    );
    assert!(
        trail.iter().all(|a| !a.before.contains("sealed") && !a.after.contains("sealed")),
        "no secret in the trail"
    );

    // Each sync's outcome: a failure keeps the last success; a success clears the error.
    s.record_m365_sync(&contoso.id, at(2026, 12, 3, 1), Ok(())).await.unwrap();
    s.record_m365_sync(&contoso.id, at(2026, 12, 4, 1), Err("the client secret has expired")).await.unwrap();
    let c = s.m365_connection(&contoso.id).await.unwrap().unwrap();
    assert_eq!(
        (c.last_attempt_at, c.last_success_at, c.last_error.as_deref()),
        (Some(at(2026, 12, 4, 1)), Some(at(2026, 12, 3, 1)), Some("the client secret has expired"))
    );
    s.record_m365_sync(&contoso.id, at(2026, 12, 5, 1), Ok(())).await.unwrap();
    let c = s.m365_connection(&contoso.id).await.unwrap().unwrap();
    assert_eq!((c.last_success_at, c.last_error), (Some(at(2026, 12, 5, 1)), None));
    assert!(matches!(
        s.record_m365_sync(&fabrikam.id, at(2026, 12, 5, 1), Ok(())).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.save_m365_connection(&connection("no-such-tenant", "c", "v1:x"), "alice").await,
        Err(StoreError::NotFound(_))
    ));

    s.save_m365_connection(&connection(&fabrikam.id, "client-2", "v1:f"), "carol").await.unwrap();
    let all: Vec<String> = s.m365_connections().await.unwrap().into_iter().map(|c| c.client_id).collect();
    assert_eq!(all.len(), 2);
    assert!(all.contains(&"client-1".to_owned()) && all.contains(&"client-2".to_owned()));

    assert!(s.delete_m365_connection(&contoso.id, "bob@contoso.example").await.unwrap());
    assert!(!s.delete_m365_connection(&contoso.id, "bob@contoso.example").await.unwrap(), "already gone");
    assert_eq!(s.m365_connection(&contoso.id).await.unwrap(), None);
    let last = &s.audit_trail(&contoso.id, 1).await.unwrap()[0];
    assert_eq!((last.kind.as_str(), last.actor.as_str()), ("m365.disconnect", "bob@contoso.example"));
}
