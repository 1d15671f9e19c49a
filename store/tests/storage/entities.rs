//! Affected entities and measurement sources: changes only, the newest observation wins,
//! all-or-nothing batches, and nothing of one tenant visible from another.

use crate::common::{at, base_catalog, day, new_tenant, partial, TestDb};
use score::{Entity, EntityKind, MeasurementSource};
use store::{EntityState, StoreError};

crate::on_both_backends!(
    entities_keep_only_their_changes,
    the_newest_observation_wins_whichever_source_sends_it,
    a_bad_entity_rejects_the_whole_batch,
    entities_stay_in_their_tenant,
);

fn user(name: &str, passes: bool) -> Entity {
    Entity {
        id: format!("{name}@contoso.example"),
        display_name: name.into(),
        kind: EntityKind::User,
        passes,
    }
}

async fn entities_keep_only_their_changes(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Entities"), "alice").await.unwrap();
    let record = |hour_day: (u32, u32), count: u32, entities: Vec<Entity>| {
        let (s, id) = (s.clone(), t.id.clone());
        async move {
            let m = partial("A", count, 3, at(2024, 3, hour_day.1, hour_day.0)).with_entities(entities);
            s.record_measurements(&id, &[m], "scan", MeasurementSource::Prowler).await.unwrap()
        }
    };
    record((6, 1), 1, vec![user("alice", false), user("bob", true), user("carol", false)]).await;
    // The same list again the next day is no change at all.
    record((6, 2), 1, vec![user("carol", false), user("alice", false), user("bob", true)]).await;
    // Bob starts failing, Carol recovers, Alice is no longer named, Dave appears failing.
    record((6, 3), 1, vec![user("bob", false), user("carol", true), user("dave", false)]).await;

    let changes = s.entity_changes(&t.id, "A").await.unwrap();
    let mut seen: Vec<(u32, String, EntityState)> =
        changes.iter().map(|c| (chrono::Datelike::day(&c.day), c.display_name.clone(), c.state)).collect();
    seen.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let expect: Vec<(u32, String, EntityState)> = [
        (1, "alice", EntityState::Failing),
        (1, "bob", EntityState::Passing),
        (1, "carol", EntityState::Failing),
        (3, "alice", EntityState::Gone),
        (3, "bob", EntityState::Failing),
        (3, "carol", EntityState::Passing),
        (3, "dave", EntityState::Failing),
    ]
    .into_iter()
    .map(|(d, n, st)| (d, n.to_owned(), st))
    .collect();
    assert_eq!(seen, expect, "day 2 named the same entities and changed nothing");

    let now = s.entity_states(&t.id, "A").await.unwrap();
    let listed: Vec<(&str, bool, u32)> = now
        .iter()
        .map(|r| (r.entity.display_name.as_str(), r.entity.passes, chrono::Datelike::day(&r.since)))
        .collect();
    assert_eq!(listed, [("bob", false, 3), ("dave", false, 3), ("carol", true, 3)], "failing first");

    // A back-filled older measurement does not overwrite what a newer one named.
    record((6, 2), 0, vec![user("zed", false)]).await;
    assert_eq!(s.entity_states(&t.id, "A").await.unwrap().len(), 3);
    assert_eq!(s.entity_changes(&t.id, "A").await.unwrap().len(), changes.len());
    // A measurement without entities leaves them as they are.
    s.record_measurements(&t.id, &[partial("A", 2, 3, at(2024, 3, 4, 6))], "sync", MeasurementSource::Ingest)
        .await
        .unwrap();
    assert_eq!(s.entity_states(&t.id, "A").await.unwrap().len(), 3);
}

async fn the_newest_observation_wins_whichever_source_sends_it(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Sources"), "alice").await.unwrap();
    let send = |m, source| {
        let (s, id) = (s.clone(), t.id.clone());
        async move { s.record_measurements(&id, &[m], "x", source).await.unwrap() }
    };
    assert_eq!(send(partial("A", 30, 60, at(2024, 3, 1, 12)), MeasurementSource::Prowler).await, 1);
    // Maester's run was earlier that day but is imported later: it does not replace it.
    assert_eq!(send(partial("A", 10, 60, at(2024, 3, 1, 8)), MeasurementSource::Maester).await, 0);
    let current = s.control_records(&t.id).await.unwrap();
    assert_eq!(current[0].state.measurement.map(|m| m.count), Some(30));
    assert_eq!(s.measurement_history(&t.id, "A").await.unwrap()[0].count, 30);
    // Both sources' words are kept, newest first, for the flyout to compare.
    let said = s.source_measurements(&t.id, "A").await.unwrap();
    let words: Vec<(MeasurementSource, u32)> = said.iter().map(|w| (w.source, w.measurement.count)).collect();
    assert_eq!(words, [(MeasurementSource::Prowler, 30), (MeasurementSource::Maester, 10)]);
    // A later observation from Maester wins.
    assert_eq!(send(partial("A", 45, 60, at(2024, 3, 1, 18)), MeasurementSource::Maester).await, 1);
    assert_eq!(s.control_records(&t.id).await.unwrap()[0].state.measurement.map(|m| m.count), Some(45));
    assert_eq!(s.source_measurements(&t.id, "A").await.unwrap()[0].source, MeasurementSource::Maester);
    let _ = day(2024, 3, 1);
}

async fn a_bad_entity_rejects_the_whole_batch(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let t = s.create_tenant(new_tenant("Bad entity"), "alice").await.unwrap();
    let when = at(2024, 3, 1, 6);
    let batch = [
        partial("A", 1, 2, when).with_entities(vec![user("alice", true)]),
        partial("B", 0, 1, when).with_entities(vec![Entity {
            id: "evil\r\n=HYPERLINK()".into(),
            display_name: "evil".into(),
            kind: EntityKind::Device,
            passes: false,
        }]),
    ];
    let err = s.record_measurements(&t.id, &batch, "x", MeasurementSource::Ingest).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("items[1]") && m.contains("U+000D")),
        "{err}"
    );
    assert!(s.control_records(&t.id).await.unwrap().is_empty());
    assert!(s.entity_states(&t.id, "A").await.unwrap().is_empty());
    assert!(s.source_measurements(&t.id, "A").await.unwrap().is_empty());
}

async fn entities_stay_in_their_tenant(db: &TestDb) {
    let s = &db.store;
    s.sync_catalog(&base_catalog()).await.unwrap();
    let ours = s.create_tenant(new_tenant("Ours"), "alice").await.unwrap();
    let theirs = s.create_tenant(new_tenant("Theirs"), "bob").await.unwrap();
    let m = partial("A", 0, 1, at(2024, 3, 1, 6)).with_entities(vec![user("secret", false)]);
    s.record_measurements(&theirs.id, &[m], "x", MeasurementSource::Prowler).await.unwrap();
    assert!(s.entity_states(&ours.id, "A").await.unwrap().is_empty());
    assert!(s.entity_changes(&ours.id, "A").await.unwrap().is_empty());
    assert!(s.source_measurements(&ours.id, "A").await.unwrap().is_empty());
    let missing = s.entity_states("00000000-0000-4000-8000-000000000000", "A").await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
}
