//! Measurements and status changes: batches, history, current state and audit.

use crate::common::{at, base_catalog, change, day, new_tenant, partial, TestDb};
use score::{Measurement, Status};
use store::{MeasurementInput, StatusChange, StoreError};

crate::on_both_backends!(
    a_bad_measurement_rejects_the_whole_batch,
    same_day_measurements_replace_and_history_survives,
    status_changes_keep_history_and_audit,
);

async fn a_bad_measurement_rejects_the_whole_batch(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Batch"), "alice").await.unwrap();
    let when = at(2024, 3, 1, 6);

    let unknown = [partial("A", 10, 60, when), partial("Nope", 1, 1, when), partial("B", 1, 1, when)];
    let err = s.record_measurements(&t.id, &unknown, "sync").await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("items[1]") && m.contains("Nope")),
        "{err}"
    );
    let over = [partial("A", 10, 60, when), partial("C", 2, 1, when)];
    let err = s.record_measurements(&t.id, &over, "sync").await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("items[1]") && m.contains("`C`")),
        "{err}"
    );
    assert!(s.control_records(&t.id).await.unwrap().is_empty(), "nothing of a rejected batch is stored");
    assert!(s.measurement_history(&t.id, "A").await.unwrap().is_empty());
    assert!(s.audit_trail(&t.id, 10).await.unwrap().iter().all(|e| e.kind != "measurement.record"));

    let good = [partial("A", 45, 60, when), partial("B", 0, 1, when)];
    assert_eq!(s.record_measurements(&t.id, &good, "sync").await.unwrap(), 2);
    let records = s.control_records(&t.id).await.unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].state.measurement, Some(Measurement::partial(45, 60, when)));
    assert_eq!(records[0].state.status, Status::ToAddress);

    let missing = s.record_measurements("00000000-0000-4000-8000-000000000000", &good, "sync").await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}

async fn same_day_measurements_replace_and_history_survives(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Daily"), "alice").await.unwrap();

    let ingest = |m: MeasurementInput| {
        let (s, id) = (s.clone(), t.id.clone());
        async move { s.record_measurements(&id, &[m], "sync").await.unwrap() }
    };
    assert_eq!(ingest(partial("A", 10, 60, at(2024, 3, 1, 6))).await, 1);
    // The same values again later that day change nothing a user sees.
    assert_eq!(ingest(partial("A", 10, 60, at(2024, 3, 1, 12))).await, 0);
    assert_eq!(ingest(partial("A", 30, 60, at(2024, 3, 1, 18))).await, 1, "replaces the day's value");
    assert_eq!(ingest(partial("A", 45, 60, at(2024, 3, 2, 6))).await, 1);
    assert_eq!(ingest(partial("A", 45, 60, at(2024, 3, 3, 6))).await, 0, "same as yesterday");
    // An import of an older day fills history without replacing the current measurement.
    assert_eq!(ingest(partial("A", 5, 60, at(2024, 2, 28, 6))).await, 1);

    let history = s.measurement_history(&t.id, "A").await.unwrap();
    let counts: Vec<(u32, chrono::NaiveDate)> =
        history.iter().map(|m| (m.count, m.observed_at.date_naive())).collect();
    assert_eq!(
        counts,
        [(5, day(2024, 2, 28)), (30, day(2024, 3, 1)), (45, day(2024, 3, 2)), (45, day(2024, 3, 3))]
    );
    let current = s.control_records(&t.id).await.unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].state.measurement, Some(Measurement::partial(45, 60, at(2024, 3, 3, 6))));
    let ingests = s.audit_trail(&t.id, 50).await.unwrap();
    assert_eq!(ingests.iter().filter(|e| e.kind == "measurement.record").count(), 6, "one line per batch");
}

async fn status_changes_keep_history_and_audit(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Status"), "alice").await.unwrap();
    s.record_measurements(&t.id, &[partial("A", 10, 60, at(2024, 3, 1, 6))], "sync").await.unwrap();

    let planned = StatusChange {
        assignee: Some("bob@contoso.example".into()),
        due_date: Some(day(2024, 4, 1)),
        tags: vec!["q2".into()],
        ..change("A", Status::Planned, "Roll out in April", "alice", at(2024, 3, 2, 10))
    };
    s.set_status(&t.id, &planned).await.unwrap();
    let accepted =
        change("A", Status::RiskAccepted, "Legacy kiosks cannot do MFA", "carol", at(2024, 3, 5, 9));
    s.set_status(&t.id, &accepted).await.unwrap();

    assert_eq!(s.status_history(&t.id, "A").await.unwrap(), vec![planned.clone(), accepted.clone()]);
    let records = s.control_records(&t.id).await.unwrap();
    let a = &records[0];
    assert_eq!(a.state.status, Status::RiskAccepted);
    assert_eq!(a.state.measurement.map(|m| m.count), Some(10), "the measurement is kept");
    assert_eq!((a.note.as_str(), a.assignee.as_deref()), ("Legacy kiosks cannot do MFA", None));
    assert_eq!((a.updated_by.as_deref(), a.updated_at), (Some("carol"), Some(at(2024, 3, 5, 9))));

    let trail = s.audit_trail(&t.id, 10).await.unwrap();
    let sets: Vec<_> = trail.iter().filter(|e| e.kind == "status.set").collect();
    assert_eq!(sets.len(), 2);
    assert_eq!((sets[0].actor.as_str(), sets[0].subject.as_str()), ("carol", "A"), "newest first");
    assert!(sets[0].before.contains("Planned") && sets[0].before.contains("q2"), "{}", sets[0].before);
    assert!(sets[0].after.contains("RiskAccepted"), "{}", sets[0].after);
    assert!(sets[1].before.contains("ToAddress"), "before the first change: {}", sets[1].before);

    let unknown = s.set_status(&t.id, &change("Nope", Status::Planned, "", "alice", at(2024, 3, 6, 9))).await;
    assert!(matches!(unknown, Err(StoreError::Invalid(ref m)) if m.contains("Nope")), "{unknown:?}");
    let nobody = s.set_status("00000000-0000-4000-8000-000000000000", &planned).await;
    assert!(matches!(nobody, Err(StoreError::NotFound(_))), "{nobody:?}");
    assert_eq!(s.status_history(&t.id, "A").await.unwrap().len(), 2, "failed changes leave no trace");
}
