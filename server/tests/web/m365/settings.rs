//! Connecting Contoso to Microsoft 365 from the Settings page, over real HTTP to the app
//! and to a loopback stand-in for Microsoft: bad fields are refused naming the field with
//! nothing sent or saved, Entra's refusals read as what to do, read-only roles may not
//! connect, the secret never comes back, Sync now fills the history and a failed sync says
//! why on the page.

use crate::common::{demo_server_configured, TestServer};
use crate::microsoft::{profiles, score_days, FakeMicrosoft, Graph, CLIENT_ID, CLIENT_SECRET, DIRECTORY};
use axum::http::StatusCode;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use server::m365::graph::RetryPolicy;
use server::m365::secret_key::SecretKey;
use server::m365::sync::Microsoft;
use std::sync::Arc;

const ADMIN: &str = "admin@contoso.example";
const READER: &str = "reader@contoso.example";

async fn server_and_microsoft() -> (TestServer, FakeMicrosoft) {
    let ms = FakeMicrosoft::start().await;
    let (base, graph) = (ms.base.clone(), ms.graph.clone());
    let s = demo_server_configured(Default::default(), move |state| {
        let key = SecretKey::from_hex(&"cd".repeat(32)).unwrap();
        let microsoft = Microsoft::new(&base, &graph, Arc::new(key)).with_retry(RetryPolicy {
            attempts: 2,
            first_wait: std::time::Duration::from_millis(5),
            longest_wait: std::time::Duration::from_millis(20),
        });
        state.microsoft = Some(Arc::new(microsoft));
    })
    .await;
    (s, ms)
}

fn connect_form(directory: &str, client: &str, secret: &str) -> String {
    format!(
        "tenant_id={CONTOSO_ID}&directory_id={directory}&client_id={client}&client_secret={}",
        secret.replace('~', "%7E")
    )
}

/// The field a 400 names, read from the error body.
fn field_of(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v.pointer("/Invalid/field").and_then(|f| f.as_str()).unwrap_or(body).to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contoso_is_connected_from_settings_and_synced_now() {
    let (s, ms) = server_and_microsoft().await;
    let admin = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let settings = format!("/tenants/{CONTOSO_ID}/settings");

    // Bad fields: a 400 naming each, nothing sent to Entra, nothing saved.
    for (form, field) in [
        (connect_form("not-a-guid", CLIENT_ID, CLIENT_SECRET), "directory_id"),
        (connect_form(DIRECTORY, "0b9e2d4c", CLIENT_SECRET), "client_id"),
        (connect_form(DIRECTORY, CLIENT_ID, "%20%20"), "client_secret"),
    ] {
        let r = s.call("/api/connect_m365", &form, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.body);
        assert_eq!(field_of(&r.body), field, "{}", r.body);
    }
    assert!(ms.token_requests().is_empty(), "nothing was sent for bad fields");

    // Entra refuses a wrong secret: said as what to do, nothing saved.
    let r =
        s.call("/api/connect_m365", &connect_form(DIRECTORY, CLIENT_ID, "wrong-secret"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(field_of(&r.body), "client_secret");
    assert!(r.body.contains("Certificates & secrets"), "{}", r.body);
    assert_eq!(s.state.store.m365_connection(CONTOSO_ID).await.unwrap(), None);

    // A read-only role may not connect, whatever it sends.
    let reader = s.sign_in(READER, DEMO_PASSWORD).await;
    let r =
        s.call("/api/connect_m365", &connect_form(DIRECTORY, CLIENT_ID, CLIENT_SECRET), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // The right app registration: connected, and the page shows it without the secret.
    let r =
        s.call("/api/connect_m365", &connect_form(DIRECTORY, CLIENT_ID, CLIENT_SECRET), Some(&admin)).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    let page = s.get(&settings, Some(&admin)).await.body;
    assert!(page.contains(DIRECTORY) && page.contains(CLIENT_ID), "the connection is shown");
    assert!(!page.contains(CLIENT_SECRET), "the secret never comes back");
    let reader_page = s.get(&settings, Some(&reader)).await.body;
    assert!(reader_page.contains("id=\"m365-status\"") && !reader_page.contains("id=\"m365-form\""));

    // Sync now: Microsoft's 30 days become Contoso's history.
    let ids: Vec<String> =
        s.state.catalog.iter().filter(|a| !a.deprecated).take(20).map(|a| a.id.clone()).collect();
    let newest = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    ms.set_graph(Graph { items: score_days(&ids, newest, 30), profiles: profiles(&ids), ..Graph::default() });
    let r = s.call("/api/sync_m365", &format!("tenant_id={CONTOSO_ID}"), Some(&admin)).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    let synced =
        s.state.store.snapshots(CONTOSO_ID, newest - chrono::Duration::days(29), newest).await.unwrap();
    assert_eq!(synced.len(), 30);
    assert!(synced.iter().all(|d| d.imported), "the synced days are Microsoft's, marked imported");
    let c = s.state.store.m365_connection(CONTOSO_ID).await.unwrap().unwrap();
    assert!(c.last_success_at.is_some());

    // A sync that fails says why on the page, with what to do.
    ms.set_graph(Graph { items: score_days(&ids, newest, 3), forbidden: true, ..Graph::default() });
    let r = s.call("/api/sync_m365", &format!("tenant_id={CONTOSO_ID}"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let page = s.get(&settings, Some(&admin)).await.body;
    assert!(
        page.contains("id=\"m365-error\"") && page.contains("SecurityEvents.Read.All"),
        "the reason is shown"
    );
    // The portfolio marks the tenant whose sync is failing, with a way to mend it.
    let portfolio = s.get("/", Some(&admin)).await.body;
    assert!(
        portfolio.contains("sync failing") && portfolio.contains("SecurityEvents.Read.All"),
        "{portfolio}"
    );
    assert!(portfolio.contains(&format!("href=\"/tenants/{CONTOSO_ID}/settings\"")));

    // Disconnect: the connection and its sealed secret go, the history stays.
    let r = s.call("/api/disconnect_m365", &format!("tenant_id={CONTOSO_ID}"), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s.call("/api/disconnect_m365", &format!("tenant_id={CONTOSO_ID}"), Some(&admin)).await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(s.state.store.m365_connection(CONTOSO_ID).await.unwrap(), None);
    assert_eq!(
        s.state.store.snapshots(CONTOSO_ID, newest - chrono::Duration::days(29), newest).await.unwrap().len(),
        30
    );
    let trail = s.state.store.audit_trail(CONTOSO_ID, 30).await.unwrap();
    let kinds: Vec<&str> = trail.iter().map(|a| a.kind.as_str()).collect();
    assert!(kinds.contains(&"m365.connect") && kinds.contains(&"m365.disconnect"), "{kinds:?}");
    assert!(trail.iter().all(|a| !a.after.contains(CLIENT_SECRET) && !a.before.contains(CLIENT_SECRET)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contoso_is_connected_from_settings_with_a_certificate() {
    let (s, ms) = server_and_microsoft().await;
    let admin = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let pem: String = form_urlencoded::byte_serialize(crate::microsoft::CERTIFICATE_PEM.as_bytes()).collect();
    let base = format!("tenant_id={CONTOSO_ID}&directory_id={DIRECTORY}&client_id={CLIENT_ID}");

    let both = format!("{base}&client_secret=s3cret&certificate={pem}");
    let r = s.call("/api/connect_m365", &both, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(field_of(&r.body), "client_secret");
    assert!(ms.token_requests().is_empty(), "nothing was sent");

    let r =
        s.call("/api/connect_m365", &format!("{base}&client_secret=&certificate={pem}"), Some(&admin)).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    assert!(ms.token_requests()[0].contains_key("client_assertion"));
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&admin)).await.body;
    assert!(page.contains(CLIENT_ID) && !page.contains("PRIVATE KEY"), "connected, the key never shown");
}
