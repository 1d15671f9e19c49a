//! Job leases on both backends: one holder at a time, renewed by its holder, taken over
//! once it runs out, and a finished day recorded once.

use crate::common::{day, TestDb};
use chrono::{Duration, Utc};

crate::on_both_backends!(a_lease_has_one_holder_until_it_runs_out);

async fn a_lease_has_one_holder_until_it_runs_out(db: &TestDb) {
    let s = &db.store;
    let now = Utc::now();
    let soon = now + Duration::seconds(60);
    assert!(s.take_lease("daily_snapshot", "a", now, soon).await.unwrap());
    assert!(!s.take_lease("daily_snapshot", "b", now, soon).await.unwrap(), "held by a");
    assert!(s.take_lease("other_job", "b", now, soon).await.unwrap(), "each job its own lease");
    assert!(s.take_lease("daily_snapshot", "a", now, soon).await.unwrap(), "a renews its own");
    // Once it has run out, another takes it, and the old holder cannot renew.
    let later = soon + Duration::seconds(1);
    assert!(s.take_lease("daily_snapshot", "b", later, later + Duration::seconds(60)).await.unwrap());
    assert!(!s.take_lease("daily_snapshot", "a", later, later + Duration::seconds(60)).await.unwrap());
    // Given back by its holder only.
    s.release_lease("daily_snapshot", "a").await.unwrap();
    assert!(!s.take_lease("daily_snapshot", "c", later, later).await.unwrap());
    s.release_lease("daily_snapshot", "b").await.unwrap();
    assert!(s.take_lease("daily_snapshot", "c", later, later).await.unwrap());

    let d = day(2026, 12, 1);
    assert!(!s.job_finished("daily_snapshot", d).await.unwrap());
    s.finish_job("daily_snapshot", d, "c", later).await.unwrap();
    s.finish_job("daily_snapshot", d, "b", later).await.unwrap();
    assert!(s.job_finished("daily_snapshot", d).await.unwrap());
    assert!(!s.job_finished("daily_snapshot", d + Duration::days(1)).await.unwrap());
    assert!(!s.job_finished("other_job", d).await.unwrap());
}
