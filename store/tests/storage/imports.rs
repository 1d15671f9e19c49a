//! An import or a sync is written all at once: a batch that fails at its last step leaves
//! the tenant exactly as it was, and a whole batch lands with one audit line per source.

use crate::common::{
    action, at, base_catalog, change, day, new_tenant, partial, point, points, summary, TestDb,
};
use score::{Category, Status};
use store::{ImportBatch, ImportedChanges, StoreError};

crate::on_both_backends!(a_batch_is_written_whole_or_not_at_all);

fn batch(tenant_id: &str) -> ImportBatch {
    let p1 = points(&[("A", point(5, 10, Status::ToAddress)), ("B", point(8, 8, Status::ToAddress))]);
    let p2 = points(&[("A", point(7, 10, Status::ToAddress)), ("B", point(0, 8, Status::RiskAccepted))]);
    ImportBatch {
        tenant_id: tenant_id.into(),
        actor: "importer@contoso.example".into(),
        restored: vec![],
        added: vec![action("Custom.Firewall", Category::Infrastructure, 6, None)],
        status_changes: vec![change("B", Status::RiskAccepted, "accepted", "importer", at(2026, 11, 2, 8))],
        days: vec![
            (summary(tenant_id, day(2026, 11, 1), &p1), p1),
            (summary(tenant_id, day(2026, 11, 2), &p2), p2),
        ],
        measurements: vec![partial("A", 70, 100, at(2026, 11, 2, 6))],
        source: score::MeasurementSource::Import,
        scan_directory: None,
        sources: vec![(
            "secureScores.json".into(),
            ImportedChanges {
                days: 2,
                measurements: 1,
                status_changes: 1,
                custom_actions_added: 1,
                ..Default::default()
            },
        )],
    }
}

async fn a_batch_is_written_whole_or_not_at_all(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Contoso"), "setup").await.unwrap();
    let audit_before = db.raw_audit_log().await.len();
    let no_progress = |_: usize, _: usize| {};

    // The last step fails (a measurement of an action nobody knows): nothing of the batch
    // stays, not the custom action, the status, the days or any audit line.
    let mut failing = batch(&t.id);
    failing.measurements.push(partial("No.Such.Action", 1, 2, at(2026, 11, 2, 6)));
    let err = s.apply_import(&failing, &no_progress).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(s.custom_actions(&t.id).await.unwrap().is_empty());
    assert!(s.tenant_status_history(&t.id).await.unwrap().is_empty());
    assert!(s.snapshots(&t.id, day(2026, 1, 1), day(2026, 12, 31)).await.unwrap().is_empty());
    assert!(s.measurements_on(&t.id, day(2026, 11, 2)).await.unwrap().is_empty());
    assert_eq!(db.raw_audit_log().await.len(), audit_before, "no audit line of a batch that failed");

    // A day for another tenant in the batch is refused the same way.
    let other = s.create_tenant(new_tenant("Fabrikam"), "setup").await.unwrap();
    let mut foreign = batch(&t.id);
    foreign.days[1].0.tenant_id = other.id.clone();
    assert!(s.apply_import(&foreign, &no_progress).await.is_err());
    assert!(s.snapshots(&other.id, day(2026, 1, 1), day(2026, 12, 31)).await.unwrap().is_empty());
    assert!(s.custom_actions(&t.id).await.unwrap().is_empty());

    // The whole batch: every part lands, with progress after each day.
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| seen.lock().unwrap().push((done, total));
    s.apply_import(&batch(&t.id), &progress).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![(1, 2), (2, 2)]);
    let custom: Vec<String> = s.custom_actions(&t.id).await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(custom, vec!["Custom.Firewall".to_owned()]);
    let statuses = s.tenant_status_history(&t.id).await.unwrap();
    assert_eq!((statuses.len(), statuses[0].status), (1, Status::RiskAccepted));
    let days: Vec<_> = s.snapshots(&t.id, day(2026, 1, 1), day(2026, 12, 31)).await.unwrap();
    assert_eq!(
        days.iter().map(|d| (d.day, d.current.0)).collect::<Vec<_>>(),
        vec![(day(2026, 11, 1), 13), (day(2026, 11, 2), 7)]
    );
    assert_eq!(s.measurements_on(&t.id, day(2026, 11, 2)).await.unwrap()["A"].count, 70);
    let trail = s.audit_trail(&t.id, 20).await.unwrap();
    let imports: Vec<_> = trail.iter().filter(|a| a.kind == "import.file").collect();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].subject, "secureScores.json");
    assert_eq!(imports[0].actor, "importer@contoso.example");

    // An empty batch writes nothing at all, not even an audit line.
    let lines = db.raw_audit_log().await.len();
    let empty = ImportBatch {
        sources: batch(&t.id).sources,
        ..ImportBatch { tenant_id: t.id.clone(), ..Default::default() }
    };
    s.apply_import(&empty, &no_progress).await.unwrap();
    assert_eq!(db.raw_audit_log().await.len(), lines);
}
