//! Measurements and status changes: batches, history, current state and audit.

use crate::common::{at, base_catalog, change, day, new_tenant, partial, TestDb};
use score::{Measurement, Status};
use store::{MeasurementInput, StatusChange, StoreError};

crate::on_both_backends!(
    a_bad_measurement_rejects_the_whole_batch,
    same_day_measurements_replace_and_history_survives,
    status_changes_keep_history_and_audit,
    measurements_as_of_a_day_take_each_actions_latest,
    tenant_status_history_groups_by_action,
);

async fn a_bad_measurement_rejects_the_whole_batch(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Batch"), "alice").await.unwrap();
    let when = at(2024, 3, 1, 6);

    let unknown = [partial("A", 10, 60, when), partial("Nope", 1, 1, when), partial("B", 1, 1, when)];
    let err =
        s.record_measurements(&t.id, &unknown, "sync", score::MeasurementSource::Ingest).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("items[1]") && m.contains("Nope")),
        "{err}"
    );
    let over = [partial("A", 10, 60, when), partial("C", 2, 1, when)];
    let err =
        s.record_measurements(&t.id, &over, "sync", score::MeasurementSource::Ingest).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("items[1]") && m.contains("`C`")),
        "{err}"
    );
    assert!(s.control_records(&t.id).await.unwrap().is_empty(), "nothing of a rejected batch is stored");
    assert!(s.measurement_history(&t.id, "A").await.unwrap().is_empty());
    assert!(s.audit_trail(&t.id, 10).await.unwrap().iter().all(|e| e.kind != "measurement.record"));

    let good = [partial("A", 45, 60, when), partial("B", 0, 1, when)];
    assert_eq!(
        s.record_measurements(&t.id, &good, "sync", score::MeasurementSource::Ingest).await.unwrap(),
        2
    );
    let records = s.control_records(&t.id).await.unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].state.measurement, Some(Measurement::partial(45, 60, when)));
    assert_eq!(records[0].state.status, Status::ToAddress);

    let missing = s
        .record_measurements(
            "00000000-0000-4000-8000-000000000000",
            &good,
            "sync",
            score::MeasurementSource::Ingest,
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}

async fn same_day_measurements_replace_and_history_survives(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Daily"), "alice").await.unwrap();

    let ingest = |m: MeasurementInput| {
        let (s, id) = (s.clone(), t.id.clone());
        async move { s.record_measurements(&id, &[m], "sync", score::MeasurementSource::Ingest).await.unwrap() }
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
    s.record_measurements(
        &t.id,
        &[partial("A", 10, 60, at(2024, 3, 1, 6))],
        "sync",
        score::MeasurementSource::Ingest,
    )
    .await
    .unwrap();

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

    let history = s.status_history(&t.id, "A").await.unwrap();
    assert!(history[0].id < history[1].id, "each change has its own id, in order");
    let changes: Vec<StatusChange> = history.into_iter().map(|c| c.change).collect();
    assert_eq!(changes, vec![planned.clone(), accepted.clone()]);
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

async fn measurements_as_of_a_day_take_each_actions_latest(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("AsOf"), "alice").await.unwrap();
    let other = s.create_tenant(new_tenant("Other"), "alice").await.unwrap();
    for m in [
        partial("A", 10, 60, at(2024, 3, 1, 6)),
        partial("A", 30, 60, at(2024, 3, 3, 6)),
        partial("B", 1, 1, at(2024, 3, 2, 6)),
    ] {
        s.record_measurements(&t.id, &[m], "sync", score::MeasurementSource::Ingest).await.unwrap();
    }
    s.record_measurements(
        &other.id,
        &[partial("A", 60, 60, at(2024, 3, 1, 6))],
        "sync",
        score::MeasurementSource::Ingest,
    )
    .await
    .unwrap();

    assert!(s.measurements_on(&t.id, day(2024, 2, 29)).await.unwrap().is_empty(), "before any");
    let first = s.measurements_on(&t.id, day(2024, 3, 1)).await.unwrap();
    assert_eq!(
        first.into_iter().collect::<Vec<_>>(),
        [("A".to_owned(), Measurement::partial(10, 60, at(2024, 3, 1, 6)))]
    );
    let second = s.measurements_on(&t.id, day(2024, 3, 2)).await.unwrap();
    assert_eq!(second.get("A").map(|m| m.count), Some(10), "the 3rd is not yet in effect");
    assert_eq!(second.get("B").map(|m| m.count), Some(1));
    let later = s.measurements_on(&t.id, day(2024, 9, 1)).await.unwrap();
    assert_eq!(later.get("A").map(|m| m.count), Some(30));

    // The range's observations, by action and day, of this tenant only.
    let observed = s.measurements_observed(&t.id, day(2024, 3, 2), day(2024, 3, 31)).await.unwrap();
    let seen: Vec<(&str, chrono::NaiveDate, u32)> =
        observed.iter().map(|m| (m.action_id.as_str(), m.day, m.measurement.count)).collect();
    assert_eq!(seen, [("A", day(2024, 3, 3), 30), ("B", day(2024, 3, 2), 1)]);
    let missing = s.measurements_on("00000000-0000-4000-8000-000000000000", day(2024, 3, 1)).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}

async fn tenant_status_history_groups_by_action(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Statuses"), "alice").await.unwrap();
    let other = s.create_tenant(new_tenant("Elsewhere"), "alice").await.unwrap();
    let b1 = change("B", Status::Planned, "next sprint", "alice", at(2024, 3, 1, 9));
    let a1 = change("A", Status::ThirdParty, "vendor covers it", "bob", at(2024, 3, 2, 9));
    let b2 = change("B", Status::ToAddress, "", "carol", at(2024, 3, 3, 9));
    for c in [&b1, &a1, &b2] {
        s.set_status(&t.id, c).await.unwrap();
    }
    s.set_status(&other.id, &change("A", Status::RiskAccepted, "not ours", "dave", at(2024, 3, 1, 9)))
        .await
        .unwrap();
    assert_eq!(s.tenant_status_history(&t.id).await.unwrap(), vec![a1, b1, b2]);
    assert!(s.tenant_status_history(&other.id).await.unwrap().iter().all(|c| c.changed_by == "dave"));
    let missing = s.tenant_status_history("00000000-0000-4000-8000-000000000000").await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}
