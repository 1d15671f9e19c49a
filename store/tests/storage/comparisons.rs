//! Custom comparisons (stored per tenant as whole cells, renamed and deleted, each change
//! audited) and the daily benchmark tallies they are read from.

use crate::common::{day, new_tenant, TestDb};
use chrono::NaiveDate;
use score::benchmark::{Cell, Move};
use score::comparison::{CustomComparison, MAX_CUSTOM_PER_TENANT};
use score::snapshot::ActionPoints;
use score::{Percent, Points};
use store::{BenchmarkEntry, Rename, ScoreSnapshot, Store, StoreError};

crate::on_both_backends!(
    comparisons_are_stored_as_whole_cells,
    comparisons_are_renamed_and_deleted_per_tenant,
    a_tenant_keeps_at_most_ten_comparisons_with_unique_names_even_when_written_at_once,
    a_day_tallies_measured_snapshots_into_cells_and_counts_moves,
);

async fn tenant(s: &dyn Store, name: &str, seats: u32, industry: &str) -> String {
    let mut t = new_tenant(name);
    t.licensed_seats = seats;
    t.industry = industry.into();
    s.create_tenant(t, "alice").await.unwrap().id
}

async fn snapshot(s: &dyn Store, tenant_id: &str, on: NaiveDate, seats: u32, current: i64, max: i64) {
    write(s, tenant_id, on, seats, current, max, false).await;
}

async fn write(
    s: &dyn Store,
    tenant_id: &str,
    on: NaiveDate,
    seats: u32,
    current: i64,
    max: i64,
    imported: bool,
) {
    let snap = ScoreSnapshot {
        imported,
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
        seat_buckets: vec![4, 3, 3],
        industries: vec!["Education".into(), "Retail".into()],
        tenants: vec![],
    }
}

async fn comparisons_are_stored_as_whole_cells(db: &TestDb) {
    let s = db.store.as_ref();
    let owner = tenant(s, "Owner", 500, "Education").await;
    let a = tenant(s, "A", 100, "Education").await;
    let id = s.create_custom_comparison(&comparison(&owner), "alice").await.unwrap();
    let listed = s.custom_comparisons(&owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id.as_str(), listed[0].name.as_str()), (id.as_str(), "Mid-size schools and shops"));
    assert_eq!(listed[0].seat_buckets, [3, 4], "sorted, each once");
    assert_eq!(listed[0].industries, ["Education", "Retail"]);
    assert_eq!(s.all_custom_comparisons().await.unwrap(), listed);
    assert!(s.custom_comparisons(&a).await.unwrap().is_empty(), "another tenant has none");
    let audit = s.audit_trail(&owner, 5).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.kind == "comparison.create" && e.subject == id && e.after.contains("Retail")));

    // A comparison saved with a free seat range before cells reads as the buckets it touched.
    db.raw_execute(&format!(
        "INSERT INTO custom_comparisons (id, tenant_id, name, seats_min, seats_max, industries, tenants, \
         created_by, created_at) VALUES ('old', '{owner}', 'Old range', 60, 120, '[]', '[]', 'alice', {now})",
        now = if db.store.backend() == "sqlite" { "'2024-06-01T00:00:00Z'" } else { "now()" }
    ))
    .await;
    let old = s.custom_comparisons(&owner).await.unwrap().into_iter().find(|c| c.id == "old").unwrap();
    assert_eq!(old.seat_buckets, [2, 3], "51–100 and 101–500");

    let mut bad = comparison(&owner);
    bad.seat_buckets = vec![8];
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

    let wrong = s.rename_custom_comparison(&other, Rename { id: &id, name: "Mine now" }, "mallory").await;
    assert!(matches!(wrong, Err(StoreError::NotFound(_))), "{wrong:?}");
    let wrong = s.delete_custom_comparison(&other, &id, "mallory").await;
    assert!(matches!(wrong, Err(StoreError::NotFound(_))), "{wrong:?}");
    assert!(matches!(
        s.rename_custom_comparison(&owner, Rename { id: &id, name: " " }, "bob").await,
        Err(StoreError::Invalid(_))
    ));

    s.rename_custom_comparison(&owner, Rename { id: &id, name: "  Schools  " }, "bob").await.unwrap();
    assert_eq!(s.custom_comparisons(&owner).await.unwrap()[0].name, "Schools");
    s.delete_custom_comparison(&owner, &id, "bob").await.unwrap();
    assert!(s.custom_comparisons(&owner).await.unwrap().is_empty());
    let again = s.delete_custom_comparison(&owner, &id, "bob").await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");
    let kinds: Vec<String> = s.audit_trail(&owner, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds[..3], ["comparison.delete", "comparison.rename", "comparison.create"]);
    assert!(s.audit_trail(&other, 10).await.unwrap().iter().all(|e| !e.kind.starts_with("comparison.")));
}

async fn a_day_tallies_measured_snapshots_into_cells_and_counts_moves(db: &TestDb) {
    let s = db.store.as_ref();
    let (a, b, c, d) = (
        tenant(s, "A", 500, "Education").await,
        tenant(s, "B", 500, "Education").await,
        tenant(s, "C", 20, "Retail").await,
        tenant(s, "D", 500, "Education").await,
    );
    let (d1, d2) = (day(2024, 6, 1), day(2024, 6, 2));
    for t in [&a, &b, &c] {
        snapshot(s, t, d1, 500, 1, 2).await;
    }
    // D's day came from an export: it never feeds a benchmark.
    write(s, &d, d1, 500, 2, 2, true).await;
    let entry = |t: &str, seats, industry, p| BenchmarkEntry {
        tenant_id: t.to_owned(),
        cell: Cell::of(seats, industry),
        percent: Percent(p),
        // Half of each score in Identity, half in Data.
        shares: [p / 2, p - p / 2, 0, 0, 0],
    };
    let nobody = "00000000-0000-4000-8000-000000000000";
    let day1 = [
        entry(&a, 500, "Education", 5_000),
        entry(&b, 500, "Education", 7_000),
        entry(&c, 20, "Retail", 9_000),
        entry(&d, 500, "Education", 10_000),
        entry(nobody, 500, "Education", 1),
    ];
    assert_eq!(s.write_benchmark_day(d1, &day1).await.unwrap(), 3, "only measured snapshots of that day");
    let got = s.benchmark_days(d1, d1).await.unwrap();
    assert_eq!(got.len(), 1);
    let cells: Vec<(Cell, i64, u32)> =
        got[0].cells.iter().map(|c| (c.cell.clone(), c.sum, c.count)).collect();
    assert_eq!(
        cells,
        [(Cell::of(20, "Retail"), 9_000, 1), (Cell::of(500, "Education"), 12_000, 2)],
        "D and the unknown tenant are left out"
    );
    let shares: Vec<Option<[i64; 5]>> = got[0].cells.iter().map(|c| c.shares).collect();
    assert_eq!(shares, [Some([4_500, 4_500, 0, 0, 0]), Some([6_000, 6_000, 0, 0, 0])], "summed per cell");
    assert!(got[0].moves.iter().all(|m| m.from.is_none()), "nothing the day before");

    // Day 2: A grows into the next bucket, B stays, C has no snapshot.
    snapshot(s, &a, d2, 600, 1, 2).await;
    snapshot(s, &b, d2, 500, 1, 2).await;
    s.write_benchmark_day(d2, &[entry(&a, 600, "Education", 5_500), entry(&b, 500, "Education", 7_000)])
        .await
        .unwrap();
    let mv = |from: Option<Cell>, to: Option<Cell>, count| Move { from, to, count };
    let (edu3, edu4, retail) =
        (Cell::of(500, "Education"), Cell::of(600, "Education"), Cell::of(20, "Retail"));
    let mut moves = s.benchmark_days(d2, d2).await.unwrap()[0].moves.clone();
    moves.sort_by(|x, y| (&x.from, &x.to).cmp(&(&y.from, &y.to)));
    assert_eq!(
        moves,
        [
            mv(Some(retail.clone()), None, 1),
            mv(Some(edu3.clone()), Some(edu3.clone()), 1),
            mv(Some(edu3.clone()), Some(edu4.clone()), 1),
        ]
    );
    let held = s.benchmark_entries(std::slice::from_ref(&a), d1, d2).await.unwrap();
    let seen: Vec<(NaiveDate, Cell, Percent)> =
        held.iter().map(|h| (h.day, h.cell.clone(), h.percent)).collect();
    assert_eq!(seen, [(d1, edu3.clone(), Percent(5_000)), (d2, edu4.clone(), Percent(5_500))]);
    let split: Vec<Option<[i64; 5]>> = held.iter().map(|h| h.shares).collect();
    assert_eq!(split, [Some([2_500, 2_500, 0, 0, 0]), Some([2_750, 2_750, 0, 0, 0])], "kept as tallied");

    // Day 1 tallied again without B: day 2's moves follow.
    s.write_benchmark_day(d1, &day1[..1]).await.unwrap();
    let mut moves = s.benchmark_days(d2, d2).await.unwrap()[0].moves.clone();
    moves.sort_by(|x, y| (&x.from, &x.to).cmp(&(&y.from, &y.to)));
    assert_eq!(moves, [mv(None, Some(edu3.clone()), 1), mv(Some(edu3.clone()), Some(edu4), 1)]);
    assert!(
        s.benchmark_entries(std::slice::from_ref(&b), d1, d1).await.unwrap().is_empty(),
        "B's day-1 tally is gone"
    );
    assert!(s.benchmark_days(day(2024, 6, 3), day(2024, 6, 9)).await.unwrap().is_empty());
}

/// Creates comparisons named `names` for `owner` all at once, each from its own task, and
/// returns each one's result in order.
async fn create_at_once(db: &TestDb, owner: &str, names: &[String]) -> Vec<Result<String, StoreError>> {
    let tasks: Vec<_> = names
        .iter()
        .map(|name| {
            let (store, mut c) = (db.store.clone(), comparison(owner));
            c.name = name.clone();
            tokio::spawn(async move { store.create_custom_comparison(&c, "alice").await })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    results
}

/// The limit and the unique names are held inside the store's transaction: writes racing
/// each other cannot get past either.
async fn a_tenant_keeps_at_most_ten_comparisons_with_unique_names_even_when_written_at_once(db: &TestDb) {
    let s = db.store.as_ref();
    let owner = tenant(s, "Owner", 500, "Education").await;
    let other = tenant(s, "Other", 500, "Education").await;
    let names: Vec<String> = (0..MAX_CUSTOM_PER_TENANT + 3).map(|i| format!("Group {i}")).collect();
    let results = create_at_once(db, &owner, &names).await;
    let made = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(made, MAX_CUSTOM_PER_TENANT, "{results:?}");
    assert!(
        results.iter().filter_map(|r| r.as_ref().err()).all(|e| matches!(e, StoreError::Full(_))),
        "{results:?}"
    );
    assert_eq!(s.custom_comparisons(&owner).await.unwrap().len(), MAX_CUSTOM_PER_TENANT);

    // Room for one more, asked for twice at once under one name in two letter cases.
    let kept = s.custom_comparisons(&owner).await.unwrap();
    s.delete_custom_comparison(&owner, &kept[0].id, "alice").await.unwrap();
    s.delete_custom_comparison(&owner, &kept[1].id, "alice").await.unwrap();
    let results = create_at_once(db, &owner, &["Same peers".into(), "SAME PEERS".into()]).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().any(|r| matches!(r, Err(StoreError::Conflict(_)))), "{results:?}");

    // Renames are held to the same rule; a comparison may change its own name's case.
    let same = s
        .custom_comparisons(&owner)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name.eq_ignore_ascii_case("same peers"))
        .unwrap();
    let another = s.custom_comparisons(&owner).await.unwrap().into_iter().find(|c| c.id != same.id).unwrap();
    let taken =
        s.rename_custom_comparison(&owner, Rename { id: &another.id, name: "same Peers" }, "bob").await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    s.rename_custom_comparison(&owner, Rename { id: &same.id, name: "Same Peers" }, "bob").await.unwrap();
    // Another tenant's names are its own.
    assert!(create_at_once(db, &other, &["same peers".into()]).await[0].is_ok());
    let names: Vec<String> =
        s.custom_comparisons(&owner).await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names.len(), MAX_CUSTOM_PER_TENANT - 1, "{names:?}");
    assert!(names.contains(&"Same Peers".to_owned()) && names.contains(&another.name), "{names:?}");
}
