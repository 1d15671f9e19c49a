//! The OpenAPI document states what the handlers enforce: each bound and pattern read from
//! the served document is tried against the server, which must accept what the document
//! allows and refuse what it rules out. (`make api-fuzz` runs schemathesis on the same
//! document; this is the part that runs with every test.)

use super::*;
use regex::Regex;

async fn document(s: &TestServer) -> Value {
    serde_json::from_str(&s.get("/api/openapi.json", None).await.body).expect("JSON")
}

/// A query option's schema on a path's `GET`.
fn option<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    let params = doc["paths"][path]["get"]["parameters"].as_array().expect("parameters");
    &params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} documents {name}"))["schema"]
}

fn pattern(schema: &Value) -> Regex {
    Regex::new(schema["pattern"].as_str().expect("a pattern")).expect("a pattern Rust reads as well")
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn status(s: &TestServer, uri: &str, token: &str) -> StatusCode {
    api(s, Method::GET, uri, Some(token), None).await.status
}

#[tokio::test]
async fn paging_and_filter_bounds_are_the_servers() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let doc = document(&s).await;
    for path in [SCORES, PROFILES] {
        for name in ["$top", "$skip"] {
            let max = option(&doc, path, name)["maximum"].as_u64().expect("a maximum");
            assert_eq!(option(&doc, path, name)["minimum"], 0);
            assert_eq!(
                status(&s, &format!("{path}?{name}={max}"), &t).await,
                StatusCode::OK,
                "{path} {name}"
            );
            let over = status(&s, &format!("{path}?{name}={}", max + 1), &t).await;
            assert_eq!(over, StatusCode::BAD_REQUEST, "{path} {name}={}", max + 1);
        }
        // A filter of exactly the longest length is answered, one character more is not.
        let longest = option(&doc, path, "$filter")["maxLength"].as_u64().expect("maxLength") as usize;
        let filter = |len: usize| format!("id eq '{}'", "a".repeat(len - "id eq ''".len()));
        let at = status(&s, &format!("{path}?$filter={}", encode(&filter(longest))), &t).await;
        assert_eq!(at, StatusCode::OK, "{path}");
        let over = status(&s, &format!("{path}?$filter={}", encode(&filter(longest + 1))), &t).await;
        assert_eq!(over, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            pattern(option(&doc, path, "$filter")).is_match(&filter(20)),
            "the pattern allows a plain comparison"
        );
    }
}

#[tokio::test]
async fn select_and_orderby_patterns_allow_exactly_what_the_server_takes() {
    let s = demo_server().await;
    let t = token(&s, "reader@contoso.example", CONTOSO_ID, SCOPE_READ).await;
    let doc = document(&s).await;
    for (path, entity) in [(SCORES, "SecureScore"), (PROFILES, "SecureScoreControlProfile")] {
        let properties = doc["components"]["schemas"][entity]["properties"].as_object().expect("properties");
        assert!(properties.len() > 8, "{entity}");
        let select = pattern(option(&doc, path, "$select"));
        let order = pattern(option(&doc, path, "$orderby"));
        for name in properties.keys().map(String::as_str).chain(["nope", "id,", "*"]) {
            let answer = status(&s, &format!("{path}?$select={}&$top=1", encode(name)), &t).await;
            assert_eq!(select.is_match(name), answer == StatusCode::OK, "{path} $select={name}: {answer}");
            let clause = format!("{name} desc");
            let answer = status(&s, &format!("{path}?$orderby={}&$top=1", encode(&clause)), &t).await;
            assert_eq!(
                order.is_match(&clause),
                answer == StatusCode::OK,
                "{path} $orderby={clause}: {answer}"
            );
        }
    }
}

#[tokio::test]
async fn the_patch_body_schema_bounds_its_fields_as_the_server_does() {
    let s = demo_server().await;
    let rw = token(&s, "secops@contoso.example", CONTOSO_ID, SCOPE_READ_WRITE).await;
    let uri = format!("{PROFILES}/{}", contoso_open_action(&s).await);
    let doc = document(&s).await;
    let body = &doc["components"]["schemas"]["ControlProfileUpdate"];
    assert_eq!(body["additionalProperties"], false, "unknown fields are refused");
    let fields = &body["properties"];
    let states: Vec<&str> =
        fields["state"]["enum"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(states.len(), 4, "{states:?}");
    for state in states {
        let sent = serde_json::json!({"state": state, "comment": "Reviewed with the CISO"}).to_string();
        let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(&sent)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{state}: {}", r.body);
    }
    for field in ["comment", "assignedTo"] {
        let longest = fields[field]["maxLength"].as_u64().unwrap() as usize;
        let allowed = pattern(&fields[field]);
        for (text, len) in
            [("x", longest), ("x", longest + 1), ("tab\there", 1), ("bell\u{7}", 1), ("line\nbreak", 1)]
        {
            let text = text.repeat(len);
            let documented = text.chars().count() <= longest && allowed.is_match(&text);
            let sent = serde_json::json!({ field: text }).to_string();
            let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(&sent)).await;
            let accepted = r.status == StatusCode::NO_CONTENT;
            assert_eq!(
                documented,
                accepted,
                "{field} {:?}…: {} {}",
                &text[..text.len().min(12)],
                r.status,
                r.body
            );
        }
    }
}

#[tokio::test]
async fn clearing_the_reason_of_a_risk_acceptance_is_a_conflict_and_changes_nothing() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let rw = token(&s, "secops@contoso.example", CONTOSO_ID, SCOPE_READ_WRITE).await;
    let uri = format!("{PROFILES}/{}", contoso_open_action(&s).await);
    let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(r#"{"state":"Ignored","comment":"Kiosks"}"#)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let before = store.tenant_status_history(CONTOSO_ID).await.unwrap().len();

    // The body alone is fine (it would clear a note on any other action)…
    let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(r#"{"comment":"  "}"#)).await;
    let message = graph_error(&r, StatusCode::CONFLICT);
    assert!(message.contains("Ignored") && message.contains("comment"), "{message}");
    assert_eq!(store.tenant_status_history(CONTOSO_ID).await.unwrap().len(), before, "nothing changed");
    // …and with the state changed as well it goes through.
    let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(r#"{"state":"Default","comment":""}"#)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Asking for Ignored without a reason is the request's own fault: 400.
    let r = api(&s, Method::PATCH, &uri, Some(&rw), Some(r#"{"state":"Ignored"}"#)).await;
    graph_error(&r, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn each_kind_of_action_takes_the_measurement_its_schema_names() {
    let s = demo_server().await;
    let rw = token(&s, "secops@contoso.example", CONTOSO_ID, SCOPE_READ_WRITE).await;
    let doc = document(&s).await;
    let kinds = doc["components"]["schemas"]["MeasurementBatch"]["properties"]["measurements"]["items"]
        ["oneOf"]
        .as_array()
        .unwrap()
        .clone();
    let ids_of = |kind: &Value| -> Vec<String> {
        kind["properties"]["actionId"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let (yes_no, counted) = (ids_of(&kinds[0]), ids_of(&kinds[1]));
    // Between them, every action of the catalog, each in the kind its scoring says.
    let mut all: Vec<&String> = yes_no.iter().chain(&counted).collect();
    all.sort();
    let mut catalog: Vec<&String> = s.state.catalog.iter().map(|a| &a.id).collect();
    catalog.sort();
    assert_eq!(all, catalog);
    let now = chrono::Utc::now().to_rfc3339();
    let send = |item: Value| {
        let body = serde_json::json!({ "measurements": [item] }).to_string();
        let (s, rw) = (&s, &rw);
        async move { api(s, Method::POST, "/api/v1/measurements", Some(rw), Some(&body)).await.status }
    };
    let yes = serde_json::json!({"actionId": yes_no[0], "implemented": true, "observedAt": now});
    assert_eq!(send(yes).await, StatusCode::OK);
    // A whole number written as a double is still an integer to JSON Schema.
    let some = serde_json::json!({"actionId": counted[0], "count": 3.0, "total": 40, "observedAt": now});
    assert_eq!(send(some).await, StatusCode::OK);
    let wrong_kind = serde_json::json!({"actionId": counted[0], "implemented": true, "observedAt": now});
    assert_eq!(send(wrong_kind).await, StatusCode::BAD_REQUEST);
}
