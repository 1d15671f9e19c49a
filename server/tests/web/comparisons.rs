//! Custom comparisons over real HTTP against the demo data: created, drawn, renamed and
//! deleted on the Metrics & trends page by read-write roles, refused with a message naming
//! the field (or "too small"), never showing a viewer the tenants they cannot read, never
//! reaching another tenant.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, TestServer};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use score::comparison::CUSTOM_BASIS;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};

const PAGE: &str = "/tenants/c0a7e5f0-0000-4000-8000-000000000001/metrics";

/// The tenants the service-provider account holds a role in, besides Contoso.
async fn msp_peers(s: &TestServer) -> Vec<String> {
    let store = s.state.store.as_ref();
    let msp = store.user_by_email("msp@provider.example").await.unwrap();
    let mut peers: Vec<String> = store
        .memberships_of_user(&msp.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.tenant_id)
        .filter(|t| t != CONTOSO_ID)
        .collect();
    peers.sort();
    peers
}

fn tenants_form(ids: &[String]) -> String {
    ids.iter().map(|id| format!("&tenants%5B%5D={id}")).collect()
}

async fn names(s: &TestServer) -> Vec<String> {
    s.state.store.custom_comparisons(CONTOSO_ID).await.unwrap().into_iter().map(|c| c.name).collect()
}

#[tokio::test]
async fn a_custom_comparison_is_added_drawn_renamed_and_deleted() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let msp = s.sign_in("msp@provider.example", DEMO_PASSWORD).await;
    let peers = msp_peers(&s).await;
    assert_eq!(peers.len(), 5);

    let page = s.get(&format!("{PAGE}?range=30d"), Some(&msp)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mid-size organisations"), "the demo's own custom comparison is listed");
    assert_eq!(
        page.body.matches("name=\"tenants[]\"").count(),
        5,
        "only the tenants the viewer holds a role in"
    );

    let form = format!("tenant_id={CONTOSO_ID}&range=90d&name=My+five{}", tenants_form(&peers));
    let r = s.post_form("/api/add_comparison", &form, Some(&msp)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?range=90d&done=comparison_added").as_str()));
    let mine = store
        .custom_comparisons(CONTOSO_ID)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "My five")
        .unwrap();
    assert_eq!(mine.tenants, peers);

    // Its line: yesterday's value is the mean of those five tenants' snapshots that day, to
    // a tenth of a percent — the viewer holds a role in each of them.
    let line_of = |body: &str| -> serde_json::Value {
        let d: serde_json::Value = serde_json::from_str(body).unwrap();
        d["comparisons"].as_array().unwrap().iter().find(|c| c["label"] == "My five").unwrap().clone()
    };
    let r = s.call("/api/metrics", &format!("tenant_id={CONTOSO_ID}&range=7d"), Some(&msp)).await;
    let line = line_of(&r.body);
    assert_eq!(line["basis"], format!("{CUSTOM_BASIS}:{}", mine.id));
    let yesterday = Utc::now().date_naive() - Duration::days(1);
    let mut sum = 0i64;
    for t in &peers {
        let snap = store.snapshots(t, yesterday, yesterday).await.unwrap().pop().unwrap();
        sum += snap.current.percent_of(snap.max).0;
    }
    let tenth = (sum * 2 + 50) / 100 * 10;
    let values = line["values"].as_array().unwrap();
    assert_eq!(values[values.len() - 2].as_i64(), Some(tenth), "{yesterday}: sum {sum}");
    assert!(values.iter().filter(|v| !v.is_null()).count() >= 6, "past days are there at once");
    let page = s.get(&format!("{PAGE}?range=7d"), Some(&msp)).await;
    assert!(page.body.contains(&format!("data-basis=\"Custom:{}\"", mine.id)), "a column in the data table");

    // A reader of Contoso alone holds no role in those five: the line is empty for them.
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = s.call("/api/metrics", &format!("tenant_id={CONTOSO_ID}&range=7d"), Some(&reader)).await;
    assert!(line_of(&r.body)["values"].as_array().unwrap().iter().all(|v| v.is_null()), "{}", r.body);

    let rename = format!("tenant_id={CONTOSO_ID}&comparison_id={}&name=Managed+peers", mine.id);
    let r = s.post_form("/api/rename_comparison", &rename, Some(&msp)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?done=comparison_renamed").as_str()));
    let page = s.get(&r.location.unwrap(), Some(&msp)).await;
    assert!(
        page.body.contains("Managed peers") && !page.body.contains("My five"),
        "renamed in the list and the chart"
    );

    let delete = format!("tenant_id={CONTOSO_ID}&comparison_id={}&range=90d", mine.id);
    let r = s.post_form("/api/delete_comparison", &delete, Some(&msp)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?range=90d&done=comparison_deleted").as_str()));
    assert_eq!(names(&s).await, ["Mid-size organisations"]);
    let kinds: Vec<(String, String)> =
        store.audit_trail(CONTOSO_ID, 5).await.unwrap().into_iter().map(|a| (a.kind, a.actor)).collect();
    for kind in ["comparison.create", "comparison.rename", "comparison.delete"] {
        assert!(kinds.contains(&(kind.to_owned(), "msp@provider.example".to_owned())), "{kind}: {kinds:?}");
    }
}

#[tokio::test]
async fn bad_comparisons_are_refused_naming_the_field_and_store_nothing() {
    let s = demo_server().await;
    let msp = s.sign_in("msp@provider.example", DEMO_PASSWORD).await;
    let before = names(&s).await;
    let base = format!("tenant_id={CONTOSO_ID}");
    let bucket = "seat_buckets%5B%5D";
    let cases = [
        (format!("{base}&name=&{bucket}=3"), "comparison_name", "Name"),
        (format!("{base}&name=%07bell&{bucket}=3"), "comparison_name", "Name"),
        (format!("{base}&name=Mid-size+organisations&{bucket}=3"), "comparison_name_taken", "Name"),
        (format!("{base}&name=X&{bucket}=many"), "seat_buckets", "Seat counts"),
        (format!("{base}&name=X&{bucket}=8"), "seat_buckets", "Seat counts"),
        (format!("{base}&name=X&{bucket}=-1"), "seat_buckets", "Seat counts"),
        (format!("{base}&name=X&industries%5B%5D=Mining"), "industries", "Industries"),
        (format!("{base}&name=X&tenants%5B%5D=00000000-0000-4000-8000-000000000000"), "tenants", "Tenants"),
        (format!("{base}&name=X"), "comparison_empty", "seat range"),
        // One industry within the largest bucket: its demo tenants are one to a cell, so no
        // average of it may be shown. The refusal says so and no more.
        (format!("{base}&name=X&{bucket}=7&industries%5B%5D=Retail"), "comparison_too_few", "too small"),
    ];
    for (form, code, says) in &cases {
        let r = s.post_form("/api/add_comparison", form, Some(&msp)).await;
        let expected = format!("{PAGE}?error={code}");
        assert_eq!(r.location.as_deref(), Some(expected.as_str()), "{form}");
        let page = s.get(&expected, Some(&msp)).await;
        let at = page.body.find("id=\"metrics-notice\"").unwrap_or_else(|| panic!("notice for {code}"));
        assert!(page.body[at..at + 400].contains(says), "{code}: {}", &page.body[at..at + 400]);
    }
    // Scripts get a 400 naming the field.
    let r = s.call("/api/add_comparison", &format!("{base}&name=X&{bucket}=many"), Some(&msp)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("seat_buckets"), "{}", r.body);
    assert_eq!(names(&s).await, before, "nothing stored from a refused form");
}

#[tokio::test]
async fn readers_and_other_tenants_cannot_change_comparisons() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let demo = store.custom_comparisons(CONTOSO_ID).await.unwrap().pop().unwrap();
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(PAGE, Some(&reader)).await;
    assert!(page.body.contains("Mid-size organisations"), "readers see the comparisons");
    assert!(!page.body.contains("add-comparison-form") && !page.body.contains("delete-comparison"));
    let r = s
        .call(
            "/api/delete_comparison",
            &format!("tenant_id={CONTOSO_ID}&comparison_id={}", demo.id),
            Some(&reader),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The service provider writes in a peer tenant, but Contoso's comparison is not the peer's.
    let msp = s.sign_in("msp@provider.example", DEMO_PASSWORD).await;
    let peer = msp_peers(&s).await.remove(0);
    let r = s
        .call(
            "/api/rename_comparison",
            &format!("tenant_id={peer}&comparison_id={}&name=Taken", demo.id),
            Some(&msp),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("comparison_id"), "{}", r.body);
    let r = s
        .call("/api/delete_comparison", &format!("tenant_id={peer}&comparison_id={}", demo.id), Some(&msp))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(names(&s).await, ["Mid-size organisations"], "untouched");
    let peer_page = s.get(&format!("/tenants/{peer}/metrics"), Some(&msp)).await;
    assert!(!peer_page.body.contains("Mid-size organisations"), "a comparison shows on its own tenant only");
}
