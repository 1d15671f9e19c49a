//! The portfolio's reads on both backends: kept scores that hold only until the tenant's
//! next write (or under another catalog), the days 7 and 30 back, the week's regressions
//! and the largest measured loss of each tenant.

use crate::common::{base_catalog, change, day, new_tenant, point, points, summary, TestDb};
use chrono::Utc;
use score::roles::Role;
use score::{Points, Status};
use store::{KeptScore, PortfolioTenant, TopRegression};

crate::on_both_backends!(
    a_kept_score_holds_until_the_tenant_is_written,
    the_portfolio_reads_the_days_back_and_the_weeks_regressions
);

fn score(current: i64, max: i64) -> KeptScore {
    KeptScore { current: Points(current), max: Points(max) }
}

fn find<'a>(rows: &'a [PortfolioTenant], id: &str) -> &'a PortfolioTenant {
    rows.iter().find(|r| r.tenant.id == id).unwrap()
}

async fn a_kept_score_holds_until_the_tenant_is_written(db: &TestDb) {
    let s = &db.store;
    let a = s.create_tenant(new_tenant("Alpine"), "setup").await.unwrap();
    let b = s.create_tenant(new_tenant("Bayside"), "setup").await.unwrap();
    let other = s.create_tenant(new_tenant("Coastal"), "setup").await.unwrap();
    let msp = s.create_user("msp@provider.example", "MSP", "$argon2id$x", "cli").await.unwrap();
    s.grant_role(&a.id, &msp.id, Role::SecurityAdministrator, "cli").await.unwrap();
    s.grant_role(&b.id, &msp.id, Role::GlobalReader, "cli").await.unwrap();
    let (week, month) = (day(2026, 11, 24), day(2026, 11, 1));

    // Only the person's tenants, by name, with their roles; nothing kept yet.
    let rows = s.portfolio(&msp.id, "cat-1", week, month).await.unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.tenant.name.as_str()).collect();
    assert_eq!(names, ["Alpine", "Bayside"]);
    assert_eq!((rows[0].role, rows[1].role), (Role::SecurityAdministrator, Role::GlobalReader));
    assert!(rows.iter().all(|r| r.kept.is_none()));

    let revision = find(&rows, &a.id).revision;
    s.keep_score(&a.id, revision, "cat-1", score(500, 1000)).await.unwrap();
    let rows = s.portfolio(&msp.id, "cat-1", week, month).await.unwrap();
    assert_eq!(find(&rows, &a.id).kept, Some(score(500, 1000)));
    assert_eq!(find(&rows, &b.id).kept, None);
    // Under another catalog it is not the live score.
    let under_other = s.portfolio(&msp.id, "cat-2", week, month).await.unwrap();
    assert_eq!(find(&under_other, &a.id).kept, None);
    // A score computed before an earlier revision never replaces a later one.
    s.keep_score(&a.id, revision - 1, "cat-1", score(1, 1000)).await.unwrap();
    let rows = s.portfolio(&msp.id, "cat-1", week, month).await.unwrap();
    assert_eq!(find(&rows, &a.id).kept, Some(score(500, 1000)));

    // Any write to the tenant retires it, and only its own.
    s.keep_score(&b.id, find(&rows, &b.id).revision, "cat-1", score(700, 1000)).await.unwrap();
    assert_eq!(s.role_counts(&msp.id).await.unwrap(), (2, 1), "two tenants, one read-write");
    let mut held = s.roles_held(&msp.id).await.unwrap();
    held.sort();
    let mut expected = vec![(a.id.clone(), Role::SecurityAdministrator), (b.id.clone(), Role::GlobalReader)];
    expected.sort();
    assert_eq!(held, expected);
    let version = s.portfolio_version(&msp.id, week, month).await.unwrap();
    assert_eq!(
        s.portfolio_version(&msp.id, week, month).await.unwrap(),
        version,
        "stable while nothing changes"
    );

    // A write refused whole moves nothing.
    let unknown = change("NoSuchAction", Status::Planned, "", "admin@alpine.example", Utc::now());
    assert!(s.set_status(&a.id, &unknown).await.is_err());
    assert_eq!(
        find(&s.portfolio(&msp.id, "cat-1", week, month).await.unwrap(), &a.id).kept,
        Some(score(500, 1000))
    );
    s.sync_catalog(&base_catalog()).await.unwrap();
    let edit = change("A", Status::Planned, "next sprint", "admin@alpine.example", Utc::now());
    s.set_status(&a.id, &edit).await.unwrap();
    let rows = s.portfolio(&msp.id, "cat-1", week, month).await.unwrap();
    assert_eq!(find(&rows, &a.id).kept, None, "the write moved the tenant on");
    assert_ne!(
        s.portfolio_version(&msp.id, week, month).await.unwrap(),
        version,
        "and the portfolio's version"
    );
    assert!(find(&rows, &a.id).revision > revision);
    assert_eq!(find(&rows, &b.id).kept, Some(score(700, 1000)));
    s.set_zones(&b.id, 30, 60, "admin").await.unwrap();
    assert_eq!(find(&s.portfolio(&msp.id, "cat-1", week, month).await.unwrap(), &b.id).kept, None);

    // Every tenant the server hosts, for the gauges and the startup check.
    let all = s.kept_scores("cat-1").await.unwrap();
    let ids: Vec<&str> = all.iter().map(|t| t.tenant_id.as_str()).collect();
    for t in [&a, &b, &other] {
        assert!(ids.contains(&t.id.as_str()));
    }
    assert!(all.iter().all(|t| t.kept.is_none()));
    // A failed write (unknown tenant) moves nothing and keeps nothing.
    assert!(s.keep_score("00000000-0000-4000-8000-000000000000", 1, "cat-1", score(1, 1)).await.is_err());
}

async fn the_portfolio_reads_the_days_back_and_the_weeks_regressions(db: &TestDb) {
    let s = &db.store;
    let t = s.create_tenant(new_tenant("Alpine"), "setup").await.unwrap();
    let quiet = s.create_tenant(new_tenant("Bayside"), "setup").await.unwrap();
    let user = s.create_user("msp@provider.example", "MSP", "$argon2id$x", "cli").await.unwrap();
    s.grant_role(&t.id, &user.id, Role::GlobalReader, "cli").await.unwrap();
    s.grant_role(&quiet.id, &user.id, Role::GlobalReader, "cli").await.unwrap();
    let (month, week, today) = (day(2026, 11, 1), day(2026, 11, 24), day(2026, 12, 1));
    let before =
        points(&[("A", point(800, 1000, Status::ToAddress)), ("B", point(500, 500, Status::ToAddress))]);
    // The week's first day loses 300 points of A through a measurement, the next 200 of B.
    let lost_a =
        points(&[("A", point(500, 1000, Status::ToAddress)), ("B", point(500, 500, Status::ToAddress))]);
    let lost_b =
        points(&[("A", point(500, 1000, Status::ToAddress)), ("B", point(300, 500, Status::ToAddress))]);
    // A status change is not a regression, however many points it moves.
    let status =
        points(&[("A", point(0, 1000, Status::RiskAccepted)), ("B", point(300, 500, Status::ToAddress))]);
    let days = [
        (month, &before),
        (week, &before),
        (day(2026, 11, 25), &lost_a),
        (day(2026, 11, 26), &lost_b),
        (today, &status),
    ];
    for (on, p) in days {
        s.write_snapshot(&summary(&t.id, on, p), p).await.unwrap();
    }
    let rows = s.portfolio(&user.id, "cat", week, month).await.unwrap();
    let row = find(&rows, &t.id);
    assert_eq!(row.month_ago, Some(score(1300, 1500)));
    assert_eq!(row.week_ago, Some(score(1300, 1500)));
    assert_eq!(row.regressed_since_week_ago, Points(-500));
    let calm = find(&rows, &quiet.id);
    assert_eq!((calm.week_ago, calm.month_ago, calm.regressed_since_week_ago), (None, None, Points(0)));

    let tops = s.top_regressions(&[t.id.clone(), quiet.id.clone()], month, today).await.unwrap();
    assert_eq!(tops.len(), 1);
    assert_eq!(tops[&t.id], TopRegression { action_id: "A".into(), delta: Points(-300) });
    // The period starts after its first day: a loss on that day is not counted.
    assert!(s
        .top_regressions(std::slice::from_ref(&t.id), day(2026, 11, 26), today)
        .await
        .unwrap()
        .is_empty());
    assert!(s.top_regressions(&[], month, today).await.unwrap().is_empty());
}
