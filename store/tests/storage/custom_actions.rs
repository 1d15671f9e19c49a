//! Editing, deleting and restoring custom actions: tenant-bound, audited, and never
//! rewriting what past snapshots recorded.

use crate::common::{action, at, base_catalog, change, day, new_tenant, point, points, summary, TestDb};
use score::{Category, ImprovementAction, Measurement, Status};
use store::{MeasurementInput, Store, StoreError, Tenant};

crate::on_both_backends!(
    an_edit_rewrites_the_action_under_its_id_and_is_audited,
    edits_are_refused_for_built_in_other_tenants_and_invalid_actions,
    a_delete_leaves_the_live_lists_but_not_the_past,
    a_restore_undoes_a_delete,
);

fn measured(id: &str, implemented: bool) -> Vec<MeasurementInput> {
    vec![MeasurementInput {
        action_id: id.into(),
        measurement: Measurement::binary(implemented, at(2024, 3, 1, 6)),
        entities: None,
    }]
}

async fn an_edit_rewrites_the_action_under_its_id_and_is_audited(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("One"), "alice").await.unwrap();
    let original = action("Custom.Vpn", Category::Infrastructure, 4, None);
    s.add_custom_action(&t.id, &original, "alice").await.unwrap();

    let mut edited = original.clone();
    edited.title = "Rotate the VPN keys yearly".into();
    edited.category = Category::Apps;
    edited.max_points = 9;
    edited.scoring = score::Scoring::Partial { unit: "gateways".into() };
    edited.description = "Keys older than a year are stale.".into();
    s.update_custom_action(&t.id, &edited, "bob").await.unwrap();
    assert_eq!(s.custom_actions(&t.id).await.unwrap(), vec![edited.clone()], "one action, rewritten");

    let line = &s.audit_trail(&t.id, 1).await.unwrap()[0];
    assert_eq!(
        (line.kind.as_str(), line.actor.as_str(), line.subject.as_str()),
        ("custom_action.edit", "bob", "Custom.Vpn")
    );
    assert!(
        line.before.contains("Do Custom.Vpn") && line.after.contains("Rotate the VPN keys yearly"),
        "{line:?}"
    );

    // Saving the same values again changes nothing and adds no audit line.
    let lines = s.audit_trail(&t.id, 100).await.unwrap().len();
    s.update_custom_action(&t.id, &edited, "bob").await.unwrap();
    assert_eq!(s.audit_trail(&t.id, 100).await.unwrap().len(), lines);
}

async fn edits_are_refused_for_built_in_other_tenants_and_invalid_actions(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t1 = s.create_tenant(new_tenant("One"), "alice").await.unwrap();
    let t2 = s.create_tenant(new_tenant("Two"), "alice").await.unwrap();
    let ours = action("Custom.Vpn", Category::Infrastructure, 4, None);
    s.add_custom_action(&t1.id, &ours, "alice").await.unwrap();
    let lines = s.audit_trail(&t1.id, 100).await.unwrap().len();

    let mut built_in = base_catalog().actions[1].clone();
    built_in.title = "Renamed".into();
    let err = s.update_custom_action(&t1.id, &built_in, "bob").await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("built-in actions cannot be edited")),
        "{err}"
    );
    let err = s.delete_custom_action(&t1.id, "B", "bob").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref m) if m.contains("built-in")), "{err}");

    let mut theirs = ours.clone();
    theirs.title = "Taken over".into();
    assert!(matches!(s.update_custom_action(&t2.id, &theirs, "eve").await, Err(StoreError::NotFound(_))));
    assert!(matches!(s.delete_custom_action(&t2.id, &ours.id, "eve").await, Err(StoreError::NotFound(_))));

    let mut too_big = ours.clone();
    too_big.max_points = 11;
    let err = s.update_custom_action(&t1.id, &too_big, "bob").await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref m) if m.contains("max_points")), "{err}");
    let mut untitled = ours.clone();
    untitled.title = " ".into();
    assert!(matches!(s.update_custom_action(&t1.id, &untitled, "bob").await, Err(StoreError::Invalid(_))));

    assert_eq!(s.custom_actions(&t1.id).await.unwrap(), vec![ours], "nothing changed");
    assert_eq!(s.audit_trail(&t1.id, 100).await.unwrap().len(), lines, "nothing audited");
    assert_eq!(s.catalog_actions().await.unwrap(), base_catalog().actions);
}

/// A tenant with one custom action, added by alice and measured as done.
async fn tenant_with_a_measured_custom_action(s: &dyn Store) -> (Tenant, ImprovementAction) {
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("One"), "alice").await.unwrap();
    let custom = action("Custom.Vpn", Category::Infrastructure, 4, None);
    s.add_custom_action(&t.id, &custom, "alice").await.unwrap();
    s.record_measurements(&t.id, &measured(&custom.id, true), "sync", score::MeasurementSource::Ingest)
        .await
        .unwrap();
    (t, custom)
}

async fn a_delete_leaves_the_live_lists_but_not_the_past(db: &TestDb) {
    let s = &db.store;
    let (t, custom) = tenant_with_a_measured_custom_action(s.as_ref()).await;
    let before = points(&[("Custom.Vpn", point(400, 400, Status::ToAddress))]);
    s.write_snapshot(&summary(&t.id, day(2024, 3, 1), &before), &before).await.unwrap();

    assert!(s.delete_custom_action(&t.id, &custom.id, "bob").await.unwrap());
    assert!(s.custom_actions(&t.id).await.unwrap().is_empty(), "gone from the live list");
    assert_eq!(s.deleted_custom_actions(&t.id).await.unwrap(), vec![custom.clone()], "kept for history");
    assert!(!s.delete_custom_action(&t.id, &custom.id, "bob").await.unwrap(), "a second delete is a no-op");
    let line = &s.audit_trail(&t.id, 1).await.unwrap()[0];
    assert_eq!((line.kind.as_str(), line.actor.as_str()), ("custom_action.delete", "bob"));
    assert!(line.before.contains("Do Custom.Vpn"), "{line:?}");
    assert_eq!(
        s.audit_trail(&t.id, 100).await.unwrap().iter().filter(|l| l.kind == "custom_action.delete").count(),
        1
    );

    // The past keeps its points; new measurements and status changes no longer apply.
    assert_eq!(s.action_points_on(&t.id, day(2024, 3, 1)).await.unwrap(), before);
    assert!(matches!(
        s.record_measurements(&t.id, &measured(&custom.id, false), "sync", score::MeasurementSource::Ingest)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let status = change(&custom.id, Status::Planned, "", "bob", at(2024, 3, 2, 9));
    assert!(s.set_status(&t.id, &status).await.is_err(), "a deleted action takes no status");
    let mut edited = custom.clone();
    edited.title = "Edited after delete".into();
    assert!(matches!(s.update_custom_action(&t.id, &edited, "bob").await, Err(StoreError::NotFound(_))));

    // Its id stays taken, so a new action never inherits the deleted one's history.
    let again = s.add_custom_action(&t.id, &custom, "alice").await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert!(matches!(
        s.delete_custom_action(&t.id, "Custom.Nothing", "bob").await,
        Err(StoreError::NotFound(_))
    ));
}

async fn a_restore_undoes_a_delete(db: &TestDb) {
    let s = &db.store;
    let (t, custom) = tenant_with_a_measured_custom_action(s.as_ref()).await;
    let records = s.control_records(&t.id).await.unwrap();

    s.delete_custom_action(&t.id, &custom.id, "bob").await.unwrap();
    assert!(s.restore_custom_action(&t.id, &custom.id, "bob").await.unwrap());
    assert!(!s.restore_custom_action(&t.id, &custom.id, "bob").await.unwrap(), "restoring twice is a no-op");
    assert_eq!(s.custom_actions(&t.id).await.unwrap(), vec![custom.clone()]);
    assert!(s.deleted_custom_actions(&t.id).await.unwrap().is_empty());
    assert_eq!(s.control_records(&t.id).await.unwrap(), records, "its measurement comes back with it");
    assert_eq!(s.audit_trail(&t.id, 1).await.unwrap()[0].kind, "custom_action.restore");
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert!(matches!(
        s.restore_custom_action(unknown, &custom.id, "bob").await,
        Err(StoreError::NotFound(_))
    ));
}
