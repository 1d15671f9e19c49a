//! Custom comparisons: stored per tenant, their past tallies filled from the snapshots on
//! creation, renamed and deleted with their tallies, each change audited.

use crate::common::{day, new_tenant, TestDb};
use chrono::NaiveDate;
use score::comparison::{CustomComparison, CUSTOM_BASIS};
use score::snapshot::ActionPoints;
use score::Points;
use store::{ScoreSnapshot, Store, StoreError};

crate::on_both_backends!(
    a_new_comparison_gets_its_past_averages_from_the_snapshots,
    comparisons_are_renamed_and_deleted_per_tenant,
);

async fn tenant(s: &dyn Store, name: &str, seats: u32, industry: &str) -> String {
    let mut t = new_tenant(name);
    t.licensed_seats = seats;
    t.industry = industry.into();
    s.create_tenant(t, "alice").await.unwrap().id
}

async fn snapshot(s: &dyn Store, tenant_id: &str, on: NaiveDate, seats: u32, current: i64, max: i64) {
    let snap = ScoreSnapshot {
        tenant_id: tenant_id.into(),
        day: on,
        current: Points(current),
        max: Points(max),
        categories: vec![],
        licensed_seats: seats,
        active_users: seats,
        taken_at: on.and_hms_opt(23, 0, 0).unwrap().and_utc(),
    };
    s.write_snapshot(&snap, &ActionPoints::new()).await.unwrap();
}

fn comparison(owner: &str) -> CustomComparison {
    CustomComparison {
        id: String::new(),
        tenant_id: owner.into(),
        name: "Mid-size schools and shops".into(),
        seats_min: Some(100),
        seats_max: Some(1_000),
        industries: vec!["Education".into(), "Retail".into()],
        tenants: vec![],
    }
}

async fn a_new_comparison_gets_its_past_averages_from_the_snapshots(db: &TestDb) {
    let s = db.store.as_ref();
    let owner = tenant(s, "Owner", 500, "Education").await;
    let a = tenant(s, "A", 100, "Education").await;
    let b = tenant(s, "B", 1_000, "Retail").await;
    let small = tenant(s, "Small", 99, "Retail").await;
    let bank = tenant(s, "Bank", 500, "Finance").await;
    let (d1, d2) = (day(2024, 6, 1), day(2024, 6, 2));
    // (tenant, seats that day, current, max) — percentages rounded half away from zero:
    // 1/20000 is 0.005 % → 0.01 %, 3/8 is 37.5 %.
    let rows = [
        (&owner, d1, 500, 900, 1_000),
        (&a, d1, 100, 1, 20_000),
        (&b, d1, 1_000, 3, 8),
        (&small, d1, 99, 8, 8),
        (&bank, d1, 500, 8, 8),
        (&a, d2, 100, 500, 1_000),
        // B grew out of the range on day 2: that day it does not count.
        (&b, d2, 1_001, 3, 8),
    ];
    for (t, on, seats, current, max) in rows {
        snapshot(s, t, on, seats, current, max).await;
    }
    let id = s.create_custom_comparison(&comparison(&owner), "alice").await.unwrap();
    let tallies = s.comparison_tallies_of(d1, d2, &[(CUSTOM_BASIS.to_owned(), id.clone())]).await.unwrap();
    let got: Vec<(NaiveDate, i64, u32)> = tallies.iter().map(|t| (t.day, t.sum, t.count)).collect();
    let pct = |c, m| Points(c).percent_of(Points(m)).0;
    assert_eq!(got, [(d1, pct(1, 20_000) + pct(3, 8), 2), (d2, pct(500, 1_000), 1)]);
    assert_eq!(pct(1, 20_000), 1, "the half is rounded away from zero, as in the daily run");

    let listed = s.custom_comparisons(&owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id.as_str(), listed[0].name.as_str()), (id.as_str(), "Mid-size schools and shops"));
    assert_eq!(listed[0].industries, ["Education", "Retail"]);
    assert_eq!(s.all_custom_comparisons().await.unwrap(), listed);
    assert!(s.custom_comparisons(&a).await.unwrap().is_empty(), "another tenant has none");
    let audit = s.audit_trail(&owner, 5).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.kind == "comparison.create" && e.subject == id && e.after.contains("Retail")));

    // A chosen list narrows further.
    let mut listed_only = comparison(&owner);
    listed_only.name = "Just A".into();
    listed_only.tenants = vec![a.clone()];
    let just_a = s.create_custom_comparison(&listed_only, "alice").await.unwrap();
    let tallies = s.comparison_tallies_of(d1, d2, &[(CUSTOM_BASIS.to_owned(), just_a)]).await.unwrap();
    assert_eq!(tallies.iter().map(|t| t.count).collect::<Vec<_>>(), [1, 1]);

    let mut bad = comparison(&owner);
    bad.seats_min = Some(2_000);
    assert!(matches!(s.create_custom_comparison(&bad, "alice").await, Err(StoreError::Invalid(_))));
    bad = comparison(&owner);
    bad.name = "  ".into();
    assert!(matches!(s.create_custom_comparison(&bad, "alice").await, Err(StoreError::Invalid(_))));
    let nobody = comparison("00000000-0000-4000-8000-000000000000");
    assert!(matches!(s.create_custom_comparison(&nobody, "alice").await, Err(StoreError::NotFound(_))));
    assert_eq!(s.custom_comparisons(&owner).await.unwrap().len(), 2, "refused comparisons store nothing");
}

async fn comparisons_are_renamed_and_deleted_per_tenant(db: &TestDb) {
    let s = db.store.as_ref();
    let owner = tenant(s, "Owner", 500, "Education").await;
    let other = tenant(s, "Other", 500, "Education").await;
    let peer = tenant(s, "Peer", 500, "Education").await;
    snapshot(s, &peer, day(2024, 6, 1), 500, 1, 2).await;
    let id = s.create_custom_comparison(&comparison(&owner), "alice").await.unwrap();
    let group = [(CUSTOM_BASIS.to_owned(), id.clone())];
    assert_eq!(s.comparison_tallies_of(day(2024, 6, 1), day(2024, 6, 1), &group).await.unwrap().len(), 1);

    let wrong = s.rename_custom_comparison(&other, &id, "Mine now", "mallory").await;
    assert!(matches!(wrong, Err(StoreError::NotFound(_))), "{wrong:?}");
    let wrong = s.delete_custom_comparison(&other, &id, "mallory").await;
    assert!(matches!(wrong, Err(StoreError::NotFound(_))), "{wrong:?}");
    assert!(matches!(s.rename_custom_comparison(&owner, &id, " ", "bob").await, Err(StoreError::Invalid(_))));

    s.rename_custom_comparison(&owner, &id, "  Schools  ", "bob").await.unwrap();
    assert_eq!(s.custom_comparisons(&owner).await.unwrap()[0].name, "Schools");
    s.delete_custom_comparison(&owner, &id, "bob").await.unwrap();
    assert!(s.custom_comparisons(&owner).await.unwrap().is_empty());
    assert!(
        s.comparison_tallies_of(day(2024, 6, 1), day(2024, 6, 1), &group).await.unwrap().is_empty(),
        "its tallies go with it"
    );
    let again = s.delete_custom_comparison(&owner, &id, "bob").await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");
    let kinds: Vec<String> = s.audit_trail(&owner, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds[..3], ["comparison.delete", "comparison.rename", "comparison.create"]);
    assert!(s.audit_trail(&other, 10).await.unwrap().iter().all(|e| !e.kind.starts_with("comparison.")));
}
