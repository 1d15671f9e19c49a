//! Syncing a connected tenant from a loopback stand-in for Microsoft: 90 days of
//! `secureScores` and the control profiles become the tenant's history, measurements,
//! statuses and custom actions in one transaction; a second sync writes nothing; a sync
//! that fails (a cut-off page, missing consent, an expired secret, data Microsoft does not
//! document) stores nothing and says why on the connection.

use crate::microsoft::{
    counts, profiles, score_days, FakeMicrosoft, Graph, Identity, CLIENT_ID, CLIENT_SECRET, DIRECTORY,
};
use chrono::{Duration, NaiveDate};
use score::{ImprovementAction, Scoring, Status};
use server::m365::graph::RetryPolicy;
use server::m365::secret_key::SecretKey;
use server::m365::sync::{Microsoft, SyncError, SYNC_ACTOR};
use service::m365::ConnectionForm;
use std::sync::Arc;
use store::{DynStore, NewTenant};

const DAYS: usize = 90;
const CONTROLS: usize = 80;
/// Of the controls, this many are not in Rampart's catalog: they become custom actions.
const UNKNOWN: usize = 6;
const NEWEST: (i32, u32, u32) = (2026, 11, 30);

struct Setup {
    ms: FakeMicrosoft,
    microsoft: Microsoft,
    store: DynStore,
    catalog: Vec<ImprovementAction>,
    tenant: String,
    _dir: tempfile::TempDir,
}

fn newest() -> NaiveDate {
    NaiveDate::from_ymd_opt(NEWEST.0, NEWEST.1, NEWEST.2).unwrap()
}

/// The controls the stand-in reports: the catalog's first ones, then a few of its own.
fn control_ids(catalog: &[ImprovementAction]) -> Vec<String> {
    let known = catalog.iter().filter(|a| !a.deprecated).take(CONTROLS - UNKNOWN).map(|a| a.id.clone());
    known.chain((0..UNKNOWN).map(|j| format!("Vendor.Unlisted{j}"))).collect()
}

async fn setup(name: &str) -> Setup {
    let ms = FakeMicrosoft::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store =
        store::open(&format!("sqlite://{}", dir.path().join(format!("{name}.db")).display())).await.unwrap();
    store.sync_catalog(&server::catalog_file::load(None).unwrap()).await.unwrap();
    let catalog = store.catalog_actions().await.unwrap();
    let tenant = store
        .create_tenant(
            NewTenant {
                id: None,
                name: "Contoso".into(),
                licensed_seats: 60,
                active_users: 58,
                industry: "Technology".into(),
                enabled_services: vec![],
                created_at: chrono::Utc::now(),
            },
            "setup",
        )
        .await
        .unwrap()
        .id;
    let key = SecretKey::from_hex(&"ab".repeat(32)).unwrap();
    let microsoft = Microsoft::new(&ms.base, &ms.graph, Arc::new(key)).with_retry(RetryPolicy {
        attempts: 4,
        first_wait: std::time::Duration::from_millis(5),
        longest_wait: std::time::Duration::from_millis(20),
    });
    let form = ConnectionForm {
        directory_id: DIRECTORY.into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        certificate: String::new(),
        write_back: false,
    };
    microsoft.connect_tenant(store.as_ref(), &tenant, &form, "alice@contoso.example").await.unwrap();
    Setup { ms, microsoft, store, catalog, tenant, _dir: dir }
}

impl Setup {
    async fn sync(&self) -> Result<server::import::ImportReport, SyncError> {
        self.microsoft.sync(self.store.as_ref(), &self.catalog, &self.tenant).await
    }

    async fn history_days(&self) -> Vec<NaiveDate> {
        self.history_days_through(newest()).await
    }

    async fn audit_lines(&self) -> usize {
        self.store.audit_trail(&self.tenant, 10_000).await.unwrap().len()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_brings_every_day_and_a_second_changes_nothing() {
    let s = setup("first").await;
    let ids = control_ids(&s.catalog);
    s.ms.set_graph(Graph {
        items: score_days(&ids, newest(), DAYS),
        profiles: profiles(&ids),
        page_size: 25,
        ..Graph::default()
    });

    let report = s.sync().await.unwrap();
    assert_eq!(report.days, DAYS);
    assert_eq!(report.custom_actions_added.len(), UNKNOWN);
    assert_eq!(report.status_changes, 1);
    // Every page of both collections was read: 90 days at 25 a page, 80 profiles likewise.
    let pages = s.ms.graph_requests();
    assert_eq!(pages.iter().filter(|(p, _)| p.contains("/secureScores?")).count(), DAYS.div_ceil(25));
    assert_eq!(
        pages.iter().filter(|(p, _)| p.contains("/secureScoreControlProfiles?")).count(),
        CONTROLS.div_ceil(25)
    );

    // Every day Microsoft held is history now, under its own date.
    let days = s.history_days().await;
    let expected: Vec<NaiveDate> = (0..DAYS).rev().map(|n| newest() - Duration::days(n as i64)).collect();
    assert_eq!(days, expected);
    // The newest day's counts are the live measurements of partial actions.
    let measured = s.store.measurements_on(&s.tenant, newest()).await.unwrap();
    let by_id: std::collections::HashMap<&str, &ImprovementAction> =
        s.catalog.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut partial_checked = 0;
    for (j, id) in ids.iter().enumerate().take(CONTROLS - UNKNOWN) {
        if matches!(by_id[id.as_str()].scoring, Scoring::Partial { .. }) {
            let m = &measured[id.as_str()];
            assert_eq!((m.count, m.total), counts(j, newest()), "{id}");
            partial_checked += 1;
        }
    }
    assert!(partial_checked > 5, "the catalog's first controls include partial ones");
    // The unknown controls are custom actions; the risk acceptance is the first action's status.
    let custom: Vec<String> =
        s.store.custom_actions(&s.tenant).await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(custom.len(), UNKNOWN, "{custom:?}");
    let statuses = s.store.tenant_status_history(&s.tenant).await.unwrap();
    assert_eq!(statuses.len(), 1);
    assert_eq!((statuses[0].action_id.as_str(), statuses[0].status), (ids[0].as_str(), Status::RiskAccepted));
    assert!(statuses[0].note.contains("ciso@contoso.example") && statuses[0].note.contains("change board"));
    // The audit trail says the sync made the changes; the connection says it succeeded.
    let trail = s.store.audit_trail(&s.tenant, 50).await.unwrap();
    assert!(trail.iter().any(|a| a.kind == "import.file" && a.actor == SYNC_ACTOR), "{trail:?}");
    let c = s.store.m365_connection(&s.tenant).await.unwrap().unwrap();
    assert!(c.last_success_at.is_some() && c.last_error.is_none(), "{c:?}");

    // The same data again: nothing is written, not even an audit line.
    let lines = s.audit_lines().await;
    let again = s.sync().await.unwrap();
    assert_eq!(
        (again.measurements, again.status_changes, again.custom_actions_added.len()),
        (0, 0, 0),
        "{again:?}"
    );
    assert_eq!(s.audit_lines().await, lines);
    assert_eq!(s.history_days().await, expected);

    // A new day at Microsoft: the next sync adds just that day.
    let mut items = vec![crate::microsoft::score_day(&ids, newest() + Duration::days(1))];
    items.extend(score_days(&ids, newest(), DAYS));
    s.ms.set_graph(Graph { items, profiles: profiles(&ids), page_size: 25, ..Graph::default() });
    s.sync().await.unwrap();
    let days = s.history_days_through(newest() + Duration::days(1)).await;
    assert_eq!(days.len(), DAYS + 1);
    let trail = s.store.audit_trail(&s.tenant, 5).await.unwrap();
    assert!(trail[0].after.contains("\"days\":1"), "{:?}", trail[0]);
}

impl Setup {
    async fn history_days_through(&self, to: NaiveDate) -> Vec<NaiveDate> {
        let from = to - Duration::days(400);
        self.store.snapshots(&self.tenant, from, to).await.unwrap().into_iter().map(|s| s.day).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_mid_sync_and_a_busy_graph_are_ridden_out() {
    let s = setup("faults").await;
    let ids = control_ids(&s.catalog);
    s.ms.set_graph(Graph {
        items: score_days(&ids, newest(), DAYS),
        profiles: profiles(&ids),
        page_size: 30,
        busy: 2,
        expire_tokens_after_pages: Some(2),
        ..Graph::default()
    });
    let before = s.ms.token_requests().len();
    let report = s.sync().await.unwrap();
    assert_eq!(report.days, DAYS);
    assert_eq!(s.history_days().await.len(), DAYS);
    assert_eq!(s.ms.token_requests().len() - before, 2, "one token, then one fresh one after the 401");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_stores_nothing_and_says_why_on_the_connection() {
    let s = setup("failures").await;
    let ids = control_ids(&s.catalog);
    let lines = s.audit_lines().await;
    let last_error = || async {
        s.store.m365_connection(&s.tenant).await.unwrap().unwrap().last_error.unwrap_or_default()
    };

    // A page cut off mid-body.
    s.ms.set_graph(Graph {
        items: score_days(&ids, newest(), DAYS),
        profiles: profiles(&ids),
        page_size: 30,
        truncated: true,
        ..Graph::default()
    });
    assert!(matches!(s.sync().await, Err(SyncError::Graph(_))));
    assert!(last_error().await.contains("does not document"), "{}", last_error().await);

    // Data Microsoft does not document, on the last page: refused with its JSON path.
    let mut items = score_days(&ids, newest(), DAYS);
    items[DAYS - 1]["controlScores"][3]["controlName"] = serde_json::Value::Null;
    s.ms.set_graph(Graph { items, profiles: profiles(&ids), page_size: 30, ..Graph::default() });
    let err = s.sync().await.unwrap_err();
    assert!(matches!(err, SyncError::Data(_)), "{err}");
    let said = last_error().await;
    assert!(said.contains(&format!("$.value[{}].controlScores[3].controlName", DAYS - 1)), "{said}");

    // The app lacks consent.
    s.ms.set_graph(Graph { items: score_days(&ids, newest(), 3), forbidden: true, ..Graph::default() });
    s.sync().await.unwrap_err();
    assert!(last_error().await.contains("SecurityEvents.Read.All"), "{}", last_error().await);

    // The secret expired in Entra.
    s.ms.set_identity(Identity { secret_expired: true, ..Identity::default() });
    s.ms.set_graph(Graph { items: score_days(&ids, newest(), 3), ..Graph::default() });
    s.sync().await.unwrap_err();
    let said = last_error().await;
    assert!(said.contains("expired") && said.contains("create a new one"), "{said}");

    // None of it wrote anything: no day, no custom action, no audit line.
    assert!(s.history_days().await.is_empty());
    assert!(s.store.custom_actions(&s.tenant).await.unwrap().is_empty());
    assert_eq!(s.audit_lines().await, lines);
    let c = s.store.m365_connection(&s.tenant).await.unwrap().unwrap();
    assert!(c.last_success_at.is_none() && c.last_attempt_at.is_some(), "{c:?}");

    // Mended: the next sync succeeds and the reason is cleared.
    s.ms.set_identity(Identity::default());
    s.sync().await.unwrap();
    let c = s.store.m365_connection(&s.tenant).await.unwrap().unwrap();
    assert!(c.last_error.is_none() && c.last_success_at.is_some());
    assert_eq!(s.history_days().await.len(), 3);
}
