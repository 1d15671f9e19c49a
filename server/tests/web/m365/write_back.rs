//! Write-back: a status change made in Rampart reaches the loopback stand-in for Microsoft
//! as the PATCH Graph documents; a refusal is shown on the action and tried again later; a
//! control Microsoft does not have is refused for good; and the next sync does not read
//! Rampart's own change back as a new one.

use crate::common::{demo_server_configured, TestServer};
use crate::microsoft::{profiles, score_days, FakeMicrosoft, Graph, CLIENT_ID, CLIENT_SECRET, DIRECTORY};
use chrono::{Duration, Utc};
use score::Status;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use server::m365::graph::RetryPolicy;
use server::m365::secret_key::SecretKey;
use server::m365::sync::Microsoft;
use std::sync::Arc;

const ADMIN: &str = "admin@contoso.example";

async fn connected_with_write_back() -> (TestServer, FakeMicrosoft, Arc<Microsoft>, String) {
    let ms = FakeMicrosoft::start().await;
    let key = SecretKey::from_hex(&"ef".repeat(32)).unwrap();
    let microsoft = Arc::new(Microsoft::new(&ms.base, &ms.graph, Arc::new(key)).with_retry(RetryPolicy {
        attempts: 2,
        first_wait: std::time::Duration::from_millis(5),
        longest_wait: std::time::Duration::from_millis(20),
    }));
    let shared = microsoft.clone();
    let s = demo_server_configured(Default::default(), move |state| state.microsoft = Some(shared)).await;
    let admin = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let form = format!(
        "tenant_id={CONTOSO_ID}&directory_id={DIRECTORY}&client_id={CLIENT_ID}&client_secret={}&write_back=on",
        CLIENT_SECRET.replace('~', "%7E")
    );
    let r = s.call("/api/connect_m365", &form, Some(&admin)).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    assert!(s.state.store.m365_connection(CONTOSO_ID).await.unwrap().unwrap().write_back);
    (s, ms, microsoft, admin)
}

/// Sets the first of `candidates` whose status may change (not Completed by measurement)
/// with the form the action page posts; its id.
async fn change_first(s: &TestServer, admin: &str, candidates: &[String], fields: &str) -> String {
    for id in candidates {
        let form = format!("tenant_id={CONTOSO_ID}&action_id={id}&{fields}");
        let r = s.call("/api/update_action", &form, Some(admin)).await;
        if r.status.is_success() {
            return id.clone();
        }
    }
    panic!("no action took the change {fields}");
}

async fn action_page(s: &TestServer, admin: &str, id: &str) -> String {
    s.get(&format!("/tenants/{CONTOSO_ID}/actions/{id}"), Some(admin)).await.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_in_rampart_is_written_back_retried_and_not_read_back_as_new() {
    let (s, ms, microsoft, admin) = connected_with_write_back().await;
    let store = s.state.store.as_ref();
    let ids: Vec<String> =
        s.state.catalog.iter().filter(|a| !a.deprecated).take(20).map(|a| a.id.clone()).collect();
    let newest = Utc::now().date_naive() - Duration::days(1);
    ms.set_graph(Graph { items: score_days(&ids, newest, 3), profiles: profiles(&ids), ..Graph::default() });

    // A plan made in Rampart: queued with the change, waiting to be sent.
    let planned = change_first(
        &s,
        &admin,
        &ids[1..],
        "status=Planned&note=Roll+out+to+sales&due_date=2027-01-31&assignee=dana%40contoso.example&tags=",
    )
    .await;
    let page = action_page(&s, &admin, &planned).await;
    assert!(
        page.contains("id=\"action-write-back\"") && page.contains("Waiting to be sent to Microsoft 365")
    );

    // Microsoft refuses for now (no consent to write): the action says why and what to do.
    ms.set_graph(Graph { refuse_patches: 1, profiles: ms.profiles(), ..Graph::default() });
    let run = microsoft.send_write_backs(store, Utc::now()).await.unwrap();
    assert_eq!((run.sent, run.failed), (0, 1));
    let page = action_page(&s, &admin, &planned).await;
    assert!(
        page.contains("SecurityEvents.ReadWrite.All") && page.contains("next try"),
        "the refusal is shown"
    );
    assert_eq!(
        store.status_history(CONTOSO_ID, &planned).await.unwrap().last().unwrap().change.status,
        Status::Planned,
        "the edit in Rampart stands"
    );
    // Not tried again at once; tried again once the wait is over, and sent.
    let run = microsoft.send_write_backs(store, Utc::now()).await.unwrap();
    assert_eq!((run.sent, run.failed), (0, 0));
    let run = microsoft.send_write_backs(store, Utc::now() + Duration::minutes(2)).await.unwrap();
    assert_eq!((run.sent, run.failed), (1, 0));
    let patches = ms.patches();
    assert_eq!(patches.len(), 1);
    let (id, body) = &patches[0];
    assert_eq!(id, &planned);
    assert_eq!(body["state"], "Default", "Microsoft knows a plan as Default");
    assert_eq!(body["comment"], "Planned in Rampart, due 2027-01-31. Roll out to sales");
    assert_eq!(body["assignedTo"], "dana@contoso.example");
    assert_eq!(body["vendorInformation"]["provider"], "SecureScore");
    assert!(action_page(&s, &admin, &planned).await.contains("Sent to Microsoft 365 on"));

    // The sync that follows reads Microsoft's record of that change: not a new change in
    // Rampart, and the plan stays a plan (not To address).
    let before = store.status_history(CONTOSO_ID, &planned).await.unwrap().len();
    let r = s.call("/api/sync_m365", &format!("tenant_id={CONTOSO_ID}"), Some(&admin)).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    let history = store.status_history(CONTOSO_ID, &planned).await.unwrap();
    assert_eq!(history.len(), before, "{history:?}");
    assert_eq!(history.last().unwrap().change.status, Status::Planned);

    // A control Microsoft does not have: refused for good, said so, never tried again.
    let elsewhere: Vec<String> = s
        .state
        .catalog
        .iter()
        .filter(|a| !a.deprecated && !ids.contains(&a.id))
        .map(|a| a.id.clone())
        .collect();
    let accepted = change_first(&s, &admin, &elsewhere, "status=ThirdParty&note=&tags=").await;
    let run = microsoft.send_write_backs(store, Utc::now() + Duration::minutes(3)).await.unwrap();
    assert_eq!((run.sent, run.failed), (0, 1));
    assert!(action_page(&s, &admin, &accepted).await.contains("kept in Rampart only"));
    let run = microsoft.send_write_backs(store, Utc::now() + Duration::days(2)).await.unwrap();
    assert_eq!((run.sent, run.failed), (0, 0));
    assert_eq!(ms.patches().len(), 1, "only the control Microsoft has was changed there");
}
