//! Tenants, the catalog, custom actions, durability and concurrent writers.

use crate::common::{
    action, at, base_catalog, catalog, change, day, new_tenant, partial, point, points, summary, TestDb,
};
use score::{Category, Measurement, Status};
use store::{ImportedChanges, MeasurementInput, NewTenant, ScoreGoal, StoreError};

crate::on_both_backends!(
    tenants_are_created_listed_and_found,
    catalog_sync_adds_updates_and_retires,
    custom_actions_belong_to_one_tenant,
    data_survives_reopening,
    concurrent_writers_all_succeed,
    the_audit_trail_is_read_back_a_page_at_a_time,
    a_backup_copies_sqlite_and_sends_postgres_to_its_own_tools,
);

async fn tenants_are_created_listed_and_found(db: &TestDb) {
    let s = &db.store;
    let fixed = "C0A7E5F0-0000-4000-8000-000000000001";
    let zeta =
        s.create_tenant(NewTenant { id: Some(fixed.into()), ..new_tenant("Zeta") }, "alice").await.unwrap();
    let alpha = s.create_tenant(new_tenant("Alpha"), "alice").await.unwrap();
    assert_eq!(zeta.id, fixed.to_lowercase(), "ids are stored in lowercase hyphenated form");
    assert_eq!((zeta.zone_okay_from, zeta.zone_good_from), (40, 70));
    assert_eq!(s.tenant(&zeta.id).await.unwrap(), zeta);
    assert_eq!(s.tenants().await.unwrap(), vec![alpha.clone(), zeta.clone()], "listed by name");
    assert_eq!(s.tenant_count().await.unwrap(), 2);

    let unknown = "00000000-0000-4000-8000-00000000dead";
    assert!(matches!(s.tenant(unknown).await, Err(StoreError::NotFound(_))));
    assert!(matches!(s.control_records(unknown).await, Err(StoreError::NotFound(_))));
    let again = s.create_tenant(NewTenant { id: Some(fixed.into()), ..new_tenant("Twin") }, "bob").await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let bad = s.create_tenant(NewTenant { id: Some("not-a-uuid".into()), ..new_tenant("X") }, "bob").await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");

    let trail = s.audit_trail(&alpha.id, 10).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!((trail[0].kind.as_str(), trail[0].actor.as_str()), ("tenant.create", "alice"));
    assert!(trail[0].after.contains("Alpha"), "{}", trail[0].after);

    let zoned = s.set_zones(&alpha.id, 50, 80, "alice").await.unwrap();
    assert_eq!((zoned.zone_okay_from, zoned.zone_good_from), (50, 80));
    assert_eq!(s.tenant(&alpha.id).await.unwrap(), zoned);
    let line = &s.audit_trail(&alpha.id, 1).await.unwrap()[0];
    assert_eq!(line.kind, "tenant.zones");
    assert!(line.before.contains("40") && line.after.contains("80"), "{line:?}");
    let upside_down = s.set_zones(&alpha.id, 80, 50, "alice").await;
    assert!(matches!(upside_down, Err(StoreError::Invalid(_))), "{upside_down:?}");
    assert!(matches!(s.set_zones(unknown, 50, 80, "alice").await, Err(StoreError::NotFound(_))));

    assert_eq!(zoned.goal, None, "no goal until one is set");
    let goal = ScoreGoal { percent: 85, by: day(2027, 3, 31) };
    let aimed = s.set_goal(&alpha.id, Some(goal), "alice").await.unwrap();
    assert_eq!(aimed.goal, Some(goal));
    assert_eq!(s.tenant(&alpha.id).await.unwrap().goal, Some(goal), "read back as stored");
    let line = &s.audit_trail(&alpha.id, 1).await.unwrap()[0];
    assert_eq!(line.kind, "tenant.goal");
    assert!(line.before == "null" && line.after.contains("2027-03-31"), "{line:?}");
    let too_high = s.set_goal(&alpha.id, Some(ScoreGoal { percent: 101, ..goal }), "alice").await;
    assert!(matches!(too_high, Err(StoreError::Invalid(_))), "{too_high:?}");
    assert_eq!(s.set_goal(&alpha.id, None, "bob").await.unwrap().goal, None, "cleared");
    assert!(matches!(s.set_goal(unknown, Some(goal), "alice").await, Err(StoreError::NotFound(_))));

    assert_eq!(aimed.licenses, None, "licenses are not recorded until someone records them");
    let held = vec![
        "Microsoft Entra ID P1".to_owned(),
        "Microsoft 365 E3".to_owned(),
        "Microsoft 365 E3".to_owned(),
    ];
    let licensed = s.set_licenses(&alpha.id, Some(&held), "alice").await.unwrap();
    assert_eq!(
        licensed.licenses.as_deref(),
        Some(&["Microsoft 365 E3".to_owned(), "Microsoft Entra ID P1".to_owned()][..])
    );
    assert_eq!(s.tenant(&alpha.id).await.unwrap().licenses, licensed.licenses, "read back sorted, each once");
    assert_eq!(s.audit_trail(&alpha.id, 1).await.unwrap()[0].kind, "tenant.licenses");
    assert_eq!(
        s.set_licenses(&alpha.id, Some(&[]), "alice").await.unwrap().licenses,
        Some(vec![]),
        "none held"
    );
    assert_eq!(s.set_licenses(&alpha.id, None, "alice").await.unwrap().licenses, None, "not recorded again");
}

async fn catalog_sync_adds_updates_and_retires(db: &TestDb) {
    let s = &db.store;
    let first = s.sync_catalog(&base_catalog()).await.unwrap();
    assert_eq!(first.added, ["A", "B", "C"]);
    assert!(first.updated.is_empty() && first.retired.is_empty());
    assert_eq!(s.catalog_actions().await.unwrap(), base_catalog().actions, "stored exactly");
    assert_eq!(s.sync_catalog(&base_catalog()).await.unwrap(), Default::default(), "no-op resync");

    let mut renamed = action("A", Category::Identity, 10, Some("users"));
    renamed.title = "Require MFA for everyone".into();
    let v2 = catalog(
        "2",
        vec![renamed.clone(), action("B", Category::Data, 8, None), action("D", Category::Apps, 3, None)],
    );
    let second = s.sync_catalog(&v2).await.unwrap();
    assert_eq!(
        (second.added, second.updated, second.retired),
        (vec!["D".into()], vec!["A".into()], vec!["C".into()])
    );

    let stored = s.catalog_actions().await.unwrap();
    let ids: Vec<&str> = stored.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "D"], "retired actions stay listed");
    assert_eq!(stored[0].title, renamed.title);
    assert!(stored[2].deprecated, "a retired action is deprecated");
    assert!(!stored[3].deprecated);
    assert!(s.sync_catalog(&v2).await.unwrap().retired.is_empty(), "retired once, not on every sync");

    let back = s.sync_catalog(&base_catalog()).await.unwrap();
    assert!(back.updated.contains(&"C".to_string()) && back.retired == ["D"], "{back:?}");
    assert!(!s.catalog_actions().await.unwrap()[2].deprecated, "C is back in the catalog");

    let mut broken = base_catalog();
    broken.actions[1].max_points = 11;
    let err = s.sync_catalog(&broken).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref m) if m.contains("max_points")), "{err}");
}

async fn custom_actions_belong_to_one_tenant(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t1 = s.create_tenant(new_tenant("One"), "alice").await.unwrap();
    let t2 = s.create_tenant(new_tenant("Two"), "alice").await.unwrap();
    let custom = action("OurVpnPolicy", Category::Infrastructure, 4, None);
    s.add_custom_action(&t1.id, &custom, "alice").await.unwrap();
    assert_eq!(s.custom_actions(&t1.id).await.unwrap(), vec![custom.clone()]);
    assert!(s.custom_actions(&t2.id).await.unwrap().is_empty());

    let dup = s.add_custom_action(&t1.id, &custom, "alice").await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let built_in = s.add_custom_action(&t1.id, &action("B", Category::Data, 2, None), "alice").await;
    assert!(matches!(built_in, Err(StoreError::Conflict(_))), "{built_in:?}");
    let too_big = s.add_custom_action(&t1.id, &action("Big", Category::Data, 11, None), "alice").await;
    assert!(matches!(too_big, Err(StoreError::Invalid(ref m)) if m.contains("max_points")), "{too_big:?}");
    let nobody = s.add_custom_action("00000000-0000-4000-8000-000000000000", &custom, "alice").await;
    assert!(matches!(nobody, Err(StoreError::NotFound(_))), "{nobody:?}");

    // Measurements of the custom action are accepted in its tenant only.
    let m = vec![MeasurementInput {
        action_id: custom.id.clone(),
        measurement: Measurement::binary(true, at(2024, 3, 1, 6)),
        entities: None,
    }];
    assert_eq!(s.record_measurements(&t1.id, &m, "sync", score::MeasurementSource::Ingest).await.unwrap(), 1);
    assert!(matches!(
        s.record_measurements(&t2.id, &m, "sync", score::MeasurementSource::Ingest).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.audit_trail(&t1.id, 10).await.unwrap()[1].kind, "custom_action.add");
}

async fn data_survives_reopening(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Durable"), "alice").await.unwrap();
    s.record_measurements(
        &t.id,
        &[partial("A", 45, 60, at(2024, 3, 1, 6))],
        "sync",
        score::MeasurementSource::Ingest,
    )
    .await
    .unwrap();
    s.set_status(&t.id, &change("B", Status::ThirdParty, "Handled by our MSP", "alice", at(2024, 3, 1, 7)))
        .await
        .unwrap();
    let p = points(&[("A", point(750, 1000, Status::ToAddress))]);
    s.write_snapshot(&summary(&t.id, day(2024, 3, 1), &p), &p).await.unwrap();

    let reopened = db.reopen().await;
    assert_eq!(reopened.tenant(&t.id).await.unwrap(), t);
    assert_eq!(reopened.control_records(&t.id).await.unwrap(), s.control_records(&t.id).await.unwrap());
    assert_eq!(reopened.action_points_on(&t.id, day(2024, 3, 1)).await.unwrap(), p);
    assert_eq!(reopened.catalog_actions().await.unwrap().len(), 3);
    assert!(reopened.size_bytes().await.unwrap() > 0);
}

async fn concurrent_writers_all_succeed(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Busy"), "alice").await.unwrap();
    // Readers-then-writers racing each other: none may fail with "database is locked".
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24u32 {
        let (s, id) = (s.clone(), t.id.clone());
        tasks.spawn(async move {
            let when = at(2024, 3, 1, 0) + chrono::Duration::minutes(i64::from(i));
            match i % 3 {
                0 => {
                    s.set_status(&id, &change("A", Status::Planned, &format!("note {i}"), "alice", when))
                        .await
                }
                1 => s
                    .record_measurements(
                        &id,
                        &[partial("B", i % 2, 1, when)],
                        "sync",
                        score::MeasurementSource::Ingest,
                    )
                    .await
                    .map(drop),
                _ => s.create_tenant(new_tenant(&format!("Extra {i}")), "alice").await.map(drop),
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(s.status_history(&t.id, "A").await.unwrap().len(), 8);
    assert_eq!(s.tenant_count().await.unwrap(), 9);
}

/// The audit export reads the trail in pages, newest first: every line once, in order, and
/// only the tenant's own.
async fn the_audit_trail_is_read_back_a_page_at_a_time(db: &TestDb) {
    let s = &db.store;
    let ours = s.create_tenant(new_tenant("Paged"), "alice").await.unwrap();
    let theirs = s.create_tenant(new_tenant("Other"), "bob").await.unwrap();
    // One imported day each, which writes one audit line: the file's.
    let import = |tenant: &str, who: &str, file: String, i: u32| {
        let empty = crate::common::points(&[]);
        store::ImportBatch {
            tenant_id: tenant.to_owned(),
            actor: who.to_owned(),
            days: vec![(crate::common::summary(tenant, crate::common::day(2026, 1, i + 1), &empty), empty)],
            sources: vec![(file, ImportedChanges { days: 1, ..ImportedChanges::default() })],
            ..store::ImportBatch::default()
        }
    };
    for i in 0..7 {
        s.apply_import(&import(&ours.id, "alice", format!("ours-{i}.json"), i), &|_, _| {}).await.unwrap();
        if i % 3 == 0 {
            s.apply_import(&import(&theirs.id, "bob", format!("theirs-{i}.json"), i), &|_, _| {})
                .await
                .unwrap();
        }
    }
    // What was written, newest first: the seven files, then the tenant's creation.
    let mut expected: Vec<String> = (0..7).rev().map(|i| format!("ours-{i}.json")).collect();
    expected.push(ours.id.clone());

    let (mut read, mut before, mut pages) = (Vec::new(), None, 0);
    loop {
        let page = s.audit_page(&ours.id, before, 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        assert!(pages < 10, "the pages do not move on");
        assert!(page.iter().all(|e| e.tenant_id.as_deref() == Some(ours.id.as_str())));
        before = page.last().map(|e| e.id);
        read.extend(page);
        pages += 1;
    }
    assert_eq!(pages, 3, "8 lines in pages of 3");
    let subjects: Vec<String> = read.iter().map(|e| e.subject.clone()).collect();
    assert_eq!(subjects, expected);
    assert_eq!(read, s.audit_trail(&ours.id, 100).await.unwrap(), "the pages are the whole trail");
}

async fn a_backup_copies_sqlite_and_sends_postgres_to_its_own_tools(db: &TestDb) {
    let s = &db.store;
    s.create_tenant(new_tenant("Northwind"), "setup").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.db");
    match s.backend() {
        "sqlite" => {
            let bytes = s.backup_to(&path).await.unwrap();
            assert!(bytes > 0 && path.exists());
            let copy = store::open(&format!("sqlite://{}", path.display())).await.unwrap();
            let names: Vec<String> = copy.tenants().await.unwrap().into_iter().map(|t| t.name).collect();
            assert_eq!(names, vec!["Northwind".to_owned()]);
            assert!(matches!(s.backup_to(&path).await, Err(StoreError::Invalid(_))), "never over a file");
        }
        _ => {
            let refused = s.backup_to(&path).await;
            assert!(matches!(&refused, Err(StoreError::Invalid(m)) if m.contains("pg_dump")), "{refused:?}");
            assert!(!path.exists());
        }
    }
}
