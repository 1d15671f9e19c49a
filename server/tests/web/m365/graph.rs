//! Reading Graph's Secure Score collections as a connected app, against a loopback
//! stand-in for Microsoft: every page, and each fault Graph documents.

use crate::microsoft::{FakeMicrosoft, Graph, CLIENT_ID, CLIENT_SECRET, DIRECTORY};
use server::m365::graph::{GraphClient, GraphError, RetryPolicy};
use server::m365::token::{AppRegistration, TokenSource};
use std::time::Duration;

const SCORES: &str = "/v1.0/security/secureScores";

fn days(n: usize) -> Vec<serde_json::Value> {
    (0..n).map(|i| serde_json::json!({ "id": format!("{DIRECTORY}_day{i:03}"), "currentScore": i })).collect()
}

/// Waits capped at 20 ms, so `Retry-After: 1` costs the test nothing.
fn client(ms: &FakeMicrosoft, attempts: u32) -> GraphClient {
    let app = AppRegistration {
        directory: DIRECTORY.into(),
        client_id: CLIENT_ID.into(),
        credential: CLIENT_SECRET.into(),
    };
    let http = server::m365::graph::http_client();
    let tokens = TokenSource::new(http.clone(), &ms.base, app);
    let retry = RetryPolicy {
        attempts,
        first_wait: Duration::from_millis(5),
        longest_wait: Duration::from_millis(20),
    };
    GraphClient::new(http, &ms.graph, tokens, retry)
}

fn ids(items: &[serde_json::Value]) -> Vec<String> {
    items.iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_page_is_read_in_order_with_one_token() {
    let ms = FakeMicrosoft::start().await;
    ms.set_graph(Graph { items: days(95), page_size: 10, ..Graph::default() });
    let items = client(&ms, 3).collection(SCORES).await.unwrap();
    assert_eq!(ids(&items), ids(&days(95)));
    assert_eq!(ms.graph_requests().len(), 10, "ten pages");
    assert_eq!(ms.token_requests().len(), 1, "one token for the whole read");
}

#[tokio::test]
async fn busy_answers_are_waited_out_and_an_expired_token_is_renewed_once() {
    let ms = FakeMicrosoft::start().await;
    ms.set_graph(Graph { items: days(30), page_size: 10, busy: 2, ..Graph::default() });
    let items = client(&ms, 3).collection(SCORES).await.unwrap();
    assert_eq!(items.len(), 30);
    assert_eq!(ms.graph_requests().len(), 3 + 2, "two 429s, then the three pages");

    ms.set_graph(Graph { items: days(30), page_size: 10, busy: 5, ..Graph::default() });
    assert_eq!(client(&ms, 3).collection(SCORES).await.unwrap_err(), GraphError::Busy { tries: 3 });

    // The token stops working after the first page: one new token, and the read goes on.
    ms.set_graph(Graph {
        items: days(30),
        page_size: 10,
        expire_tokens_after_pages: Some(1),
        ..Graph::default()
    });
    let before = ms.token_requests().len();
    let items = client(&ms, 3).collection(SCORES).await.unwrap();
    assert_eq!(ids(&items), ids(&days(30)));
    assert_eq!(ms.token_requests().len() - before, 2, "the first token, then one fresh one");
}

#[tokio::test]
async fn refusals_and_undocumented_answers_end_the_read_with_a_reason() {
    let ms = FakeMicrosoft::start().await;
    ms.set_graph(Graph { items: days(5), forbidden: true, ..Graph::default() });
    let GraphError::Refused { status, reason } = client(&ms, 3).collection(SCORES).await.unwrap_err() else {
        panic!("refused")
    };
    assert_eq!(status, 403);
    assert!(reason.contains("SecurityEvents.Read.All") && reason.contains("admin consent"), "{reason}");

    ms.set_graph(Graph { items: days(20), page_size: 10, truncated: true, ..Graph::default() });
    let err = client(&ms, 3).collection(SCORES).await.unwrap_err();
    assert!(matches!(&err, GraphError::Malformed { path, .. } if path == "$"), "{err:?}");

    // A next link to another host is not followed: the token would go with it.
    ms.set_graph(Graph { items: days(20), page_size: 10, foreign_next_link: true, ..Graph::default() });
    let before = ms.graph_requests().len();
    let err = client(&ms, 3).collection(SCORES).await.unwrap_err();
    assert!(matches!(&err, GraphError::Malformed { path, .. } if path.contains("nextLink")), "{err:?}");
    assert_eq!(ms.graph_requests().len() - before, 1, "only the first page was asked for");
}
