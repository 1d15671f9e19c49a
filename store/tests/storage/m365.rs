//! Microsoft 365 connections: one per tenant, replaced in place, audited without the
//! secret, and each sync's outcome kept for people to read.

use crate::common::{at, base_catalog, change, day, new_tenant, TestDb};
use score::Status;
use store::{M365Connection, Sent, StoreError};

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

crate::on_both_backends!(a_change_people_make_is_queued_for_write_back_and_its_sending_kept);

async fn a_change_people_make_is_queued_for_write_back_and_its_sending_kept(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let contoso = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let fabrikam = s.create_tenant(new_tenant("Fabrikam"), "setup").await.unwrap();
    // Fabrikam reads from Microsoft but does not write back: its changes stay in Rampart.
    s.save_m365_connection(&connection(&fabrikam.id, "client-f", "v1:f"), "carol").await.unwrap();
    s.set_status(&fabrikam.id, &change("A", Status::ThirdParty, "", "carol", at(2026, 12, 1, 10)))
        .await
        .unwrap();
    assert_eq!(s.write_backs(&fabrikam.id).await.unwrap(), vec![]);
    // Nor does a tenant with no connection at all.
    s.set_status(&contoso.id, &change("B", Status::ThirdParty, "", "bob", at(2026, 12, 1, 10)))
        .await
        .unwrap();
    assert_eq!(s.write_backs(&contoso.id).await.unwrap(), vec![]);

    let mut writes = connection(&contoso.id, "client-c", "v1:c");
    writes.write_back = true;
    s.save_m365_connection(&writes, "alice").await.unwrap();
    let mut planned = change("A", Status::Planned, "roll out to sales", "bob", at(2026, 12, 2, 10));
    planned.due_date = Some(day(2027, 1, 31));
    planned.assignee = Some("dana@contoso.example".into());
    s.set_status(&contoso.id, &planned).await.unwrap();
    let queued = s.write_backs(&contoso.id).await.unwrap();
    assert_eq!(queued.len(), 1);
    let w = &queued[0];
    assert_eq!(
        (w.action_id.as_str(), w.state.as_str(), w.comment.as_str(), w.assigned_to.as_str()),
        ("A", "Default", "Planned in Rampart, due 2027-01-31. roll out to sales", "dana@contoso.example")
    );
    assert_eq!(
        (w.changed_at, w.attempts, w.next_attempt_at, w.sent_at),
        (at(2026, 12, 2, 10), 0, Some(at(2026, 12, 2, 10)), None)
    );
    assert!(s.write_backs(&fabrikam.id).await.unwrap().is_empty(), "one tenant's queue is its own");
    assert_eq!(s.write_back_of(&contoso.id, "A").await.unwrap().as_ref(), Some(w), "one action's row");
    assert_eq!(s.write_back_of(&fabrikam.id, "A").await.unwrap(), None);
    assert!(matches!(s.write_backs("no-such-tenant").await, Err(StoreError::NotFound(_))));

    // Refused for now: kept with the reason, due again later, not before.
    let again = at(2026, 12, 2, 11);
    let why = "Microsoft Graph refused (HTTP 403): add SecurityEvents.ReadWrite.All";
    assert!(s
        .record_write_back(w, at(2026, 12, 2, 10), Sent::No { why, again_at: Some(again) })
        .await
        .unwrap());
    assert!(s.due_write_backs(at(2026, 12, 2, 10), 10).await.unwrap().is_empty());
    let due = s.due_write_backs(again, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].attempts, due[0].last_error.as_deref()), (1, Some(why)));

    // A newer change replaces the one not yet sent; the old one's outcome is not recorded.
    let risk = change("A", Status::RiskAccepted, "the board accepts it", "bob", at(2026, 12, 2, 12));
    s.set_status(&contoso.id, &risk).await.unwrap();
    assert!(!s.record_write_back(w, at(2026, 12, 2, 12), Sent::Yes).await.unwrap(), "stale");
    let now = &s.write_backs(&contoso.id).await.unwrap()[0];
    assert_eq!(
        (
            now.state.as_str(),
            now.comment.as_str(),
            now.assigned_to.as_str(),
            now.attempts,
            now.last_error.as_deref()
        ),
        ("Ignored", "the board accepts it", "", 0, None)
    );
    assert!(s.record_write_back(now, at(2026, 12, 2, 13), Sent::Yes).await.unwrap());
    let sent = &s.write_backs(&contoso.id).await.unwrap()[0];
    assert_eq!((sent.sent_at, sent.next_attempt_at, sent.attempts), (Some(at(2026, 12, 2, 13)), None, 1));
    assert!(s.due_write_backs(at(2027, 1, 1, 0), 10).await.unwrap().is_empty(), "sent is done");

    // Refused for good (Microsoft has no such control): kept, never due again.
    s.set_status(&contoso.id, &change("C", Status::ThirdParty, "", "bob", at(2026, 12, 3, 9))).await.unwrap();
    let c = s.due_write_backs(at(2026, 12, 3, 9), 10).await.unwrap();
    assert_eq!(c.len(), 1);
    assert!(s
        .record_write_back(&c[0], at(2026, 12, 3, 9), Sent::No { why: "no such control", again_at: None })
        .await
        .unwrap());
    assert!(s.due_write_backs(at(2027, 1, 1, 0), 10).await.unwrap().is_empty());
    assert_eq!(s.write_backs(&contoso.id).await.unwrap().len(), 2);

    // Disconnected: nothing more goes to Microsoft.
    assert!(s.delete_m365_connection(&contoso.id, "alice").await.unwrap());
    assert!(s.write_backs(&contoso.id).await.unwrap().is_empty());
}
