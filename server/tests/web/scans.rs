//! Scanner reports: imported over the API, from Settings and on the command line through one
//! code path; the score, the flyout's failing entities and their CSV follow; the same file
//! twice changes nothing; a bad file or another directory's report is refused whole.

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, TestServer};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use std::path::PathBuf;

const PROWLER: &str = "prowler-m365.ocsf.json";

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scan/tests/fixtures").join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

async fn post_scan(s: &TestServer, token: &str, query: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::post(format!("/api/v1/scans{query}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let r = s.send(req).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

/// Prowler's findings of one check, counted as the reader's documentation says: muted ones
/// (`status` Suppressed) left out, the rest passing or failing.
fn prowler_counts(findings: &Value, check: &str) -> (Vec<String>, Vec<String>) {
    let (mut pass, mut fail) = (Vec::new(), Vec::new());
    for f in findings.as_array().unwrap() {
        if f["metadata"]["event_code"] != check || f["status"] == "Suppressed" {
            continue;
        }
        let name = f["resources"][0]["name"].as_str().unwrap().to_owned();
        match f["status_code"].as_str().unwrap() {
            "PASS" => pass.push(name),
            "FAIL" => fail.push(name),
            _ => {}
        }
    }
    (pass, fail)
}

/// The check mapped by resource counts in `catalog/mappings/prowler.toml` to an action.
fn mapped_by_resources(action: &str) -> String {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog/mappings/prowler.toml"),
    )
    .unwrap();
    let file: Value = toml::from_str::<toml::Value>(&text).map(|v| serde_json::to_value(v).unwrap()).unwrap();
    file["control"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == action && c["measure"] == "resources")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .unwrap()
}

async fn measurement_of(s: &TestServer, tenant: &str, action: &str) -> Option<(u32, u32)> {
    let records = s.state.store.control_records(tenant).await.unwrap();
    records
        .into_iter()
        .find(|r| r.action_id == action)
        .and_then(|r| r.state.measurement)
        .map(|m| (m.count, m.total))
}

/// A tenant with nothing measured yet (the demo's are measured up to today, and a report
/// of an earlier day does not replace a newer value), run by Contoso's admin.
async fn fresh_tenant(s: &TestServer) -> String {
    let store = s.state.store.as_ref();
    let new = store::NewTenant {
        id: None,
        name: "Contoso Pharma".into(),
        licensed_seats: 60,
        active_users: 60,
        industry: "Healthcare".into(),
        enabled_services: vec![],
        created_at: chrono::Utc::now(),
    };
    let t = store.create_tenant(new, "test").await.unwrap();
    let admin = store.user_by_email("admin@contoso.example").await.unwrap();
    store.grant_role(&t.id, &admin.id, score::roles::Role::GlobalAdministrator, "test").await.unwrap();
    t.id
}

#[tokio::test]
async fn a_prowler_report_scores_its_actions_and_lists_the_failing_resources() {
    let s = demo_server().await;
    let tenant = fresh_tenant(&s).await;
    let tenant = tenant.as_str();
    let (token, _) = s.api_token("admin@contoso.example", tenant, "SecurityEvents.ReadWrite.All").await;
    let findings: Value = serde_json::from_slice(&fixture(PROWLER)).unwrap();
    let check = mapped_by_resources("MFARegistrationV2");
    let (pass, fail) = prowler_counts(&findings, &check);
    assert!(!fail.is_empty() && !pass.is_empty(), "the fixture has both");

    let (status, v) = post_scan(&s, &token, &format!("?name={PROWLER}"), fixture(PROWLER)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["tool"], "prowler");
    assert!(v["measurementsWritten"].as_u64().unwrap() > 0, "{v}");
    let total = (pass.len() + fail.len()) as u32;
    assert_eq!(measurement_of(&s, tenant, "MFARegistrationV2").await, Some((pass.len() as u32, total)));

    // The flyout names the source and lists the failing users; its history says who started failing.
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(&format!("/tenants/{tenant}/actions/MFARegistrationV2"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page.body.find("action-source").unwrap_or(0);
    assert!(
        page.body.contains("Value from Prowler"),
        "source shown: {}",
        &page.body[at..(at + 400).min(page.body.len())]
    );
    assert!(page.body.contains(&format!("<strong>{}</strong> of {total} failing", fail.len())), "summary");
    for name in &fail {
        assert!(page.body.contains(&format!("<td>{name}</td>")), "{name} listed");
    }
    for name in &pass {
        assert!(!page.body.contains(&format!("<td>{name}</td>")), "{name} passes and is not listed");
    }
    assert!(page.body.contains(&format!("+{} failing: ", fail.len())), "the history line");

    // A search is literal and keeps the page.
    let first = &fail[0];
    let q = first.split_whitespace().next().unwrap();
    let searched = s
        .get(
            &format!("/tenants/{tenant}/actions/MFARegistrationV2?entity_q={}", q.replace(' ', "+")),
            Some(&cookie),
        )
        .await;
    assert!(searched.body.contains(&format!("<td>{first}</td>")));
    let nothing = s
        .get(&format!("/tenants/{tenant}/actions/MFARegistrationV2?entity_q=%3Cb%3E.*"), Some(&cookie))
        .await;
    assert!(nothing.body.contains("No failing entity matches “&lt;b&gt;.*”"), "literal, shown as text");

    // The CSV has every entity, failing first.
    let csv =
        s.get(&format!("/tenants/{tenant}/actions/MFARegistrationV2/entities.csv"), Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 1 + total as usize, "{}", csv.body);
    assert!(lines[1..=fail.len()].iter().all(|l| l.contains(",No,")), "failing first");

    // The same file again writes nothing, not even an audit line.
    let audit_before = s.state.store.audit_trail(tenant, 10_000).await.unwrap().len();
    let (status, v) = post_scan(&s, &token, "", fixture(PROWLER)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["measurementsWritten"], 0, "{v}");
    assert_eq!(v["customActionsAdded"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(s.state.store.audit_trail(tenant, 10_000).await.unwrap().len(), audit_before);
}

#[tokio::test]
async fn bad_reports_and_other_directories_are_refused_whole() {
    let s = demo_server().await;
    let (token, _) = s.api_token("admin@contoso.example", CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let (read_token, _) = s.api_token("admin@contoso.example", CONTOSO_ID, "SecurityEvents.Read.All").await;
    let before = s.state.store.control_records(CONTOSO_ID).await.unwrap();

    let (status, _) = post_scan(&s, &read_token, "", fixture(PROWLER)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a read token imports nothing");
    let cases: [(&str, Vec<u8>, &[&str]); 5] = [
        (
            "prowler-truncated.ocsf.json",
            fixture("prowler-truncated.ocsf.json"),
            &["prowler-truncated.ocsf.json", "line"],
        ),
        ("prowler-control-character.ocsf.json", fixture("prowler-control-character.ocsf.json"), &["U+00"]),
        ("scubagear-unknown-result.json", fixture("scubagear-unknown-result.json"), &["$.Results", "Result"]),
        ("hello.json", br#"{"hello": "world"}"#.to_vec(), &["Maester", "ScubaGear", "Prowler"]),
        ("forced.json", fixture(PROWLER), &["Maester"]),
    ];
    for (name, body, words) in cases {
        let query = if name == "forced.json" {
            format!("?name={name}&tool=maester")
        } else {
            format!("?name={name}")
        };
        let (status, v) = post_scan(&s, &token, &query, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        for w in words {
            assert!(message.contains(w), "{name}: `{w}` in {message}");
        }
    }
    let (status, v) = post_scan(&s, &token, "?unmapped=sometimes", fixture(PROWLER)).await;
    assert!(
        status == StatusCode::BAD_REQUEST && v["error"]["message"].as_str().unwrap().contains("unmapped"),
        "{v}"
    );
    assert_eq!(s.state.store.control_records(CONTOSO_ID).await.unwrap(), before, "nothing stored");

    // The first report makes its directory the tenant's; another directory's is refused
    // unless the tenant is named.
    let (status, v) = post_scan(&s, &token, "", fixture(PROWLER)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let findings: Value = serde_json::from_slice(&fixture(PROWLER)).unwrap();
    let ours = findings[0]["cloud"]["org"]["uid"].as_str().unwrap().to_owned();
    let theirs = "0badc0de-0000-4000-8000-000000000001";
    let other = String::from_utf8(fixture(PROWLER)).unwrap().replace(&ours, theirs).into_bytes();
    let after_first = s.state.store.control_records(CONTOSO_ID).await.unwrap();
    let (status, v) = post_scan(&s, &token, "", other.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains(theirs), "{v}");
    assert_eq!(s.state.store.control_records(CONTOSO_ID).await.unwrap(), after_first);
    let (status, v) = post_scan(&s, &token, &format!("?tenant={CONTOSO_ID}"), other).await;
    assert_eq!(status, StatusCode::OK, "named explicitly: {v}");
}

/// The Settings form as a browser sends it.
fn scan_upload(files: &[(&str, Vec<u8>)], fields: &[(&str, &str)], cookie: &str) -> Request<Body> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let path = format!("/tenants/{CONTOSO_ID}/import-scan");
    crate::common::multipart_post(&path, fields, &files, cookie, "http://rampart.test")
}

#[tokio::test]
async fn settings_imports_a_maester_report_for_read_write_roles_only() {
    let s = demo_server().await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&admin)).await;
    assert!(page.body.contains("id=\"scan-import-form\""));
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&reader)).await;
    assert!(!page.body.contains("id=\"scan-import-form\""));

    let maester = fixture("maester-contoso.json");
    let r = s.send(scan_upload(&[("maester-contoso.json", maester.clone())], &[], &reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s
        .send(scan_upload(&[("maester-contoso.json", maester.clone())], &[("unmapped", "skip")], &admin))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"import-result\""), "{}", r.body);
    assert!(r.body.contains("maester-contoso.json: Maester"), "{}", r.body);
    assert!(r.body.contains("0 custom actions added"), "skipped, not added: {}", r.body);
    // Maester's tests are recorded under their source.
    let said = s.state.store.said_by(CONTOSO_ID, score::MeasurementSource::Maester).await.unwrap();
    assert!(!said.is_empty());
    // Unmapped controls become custom actions tagged with the tool when asked to.
    let r =
        s.send(scan_upload(&[("maester-contoso.json", maester)], &[("unmapped", "custom")], &admin)).await;
    assert!(r.body.contains("id=\"import-result\""), "{}", r.body);
    let custom = s.state.store.custom_actions(CONTOSO_ID).await.unwrap();
    assert!(custom.iter().any(|a| a.tags.iter().any(|t| t == "maester")), "tagged custom actions");
    let r = s.send(scan_upload(&[("x.json", b"{".to_vec())], &[("tool", "nmap")], &admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Tool: `nmap`"), "{}", r.body);
}

#[test]
fn the_command_line_imports_by_directory_once_it_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let rampart = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let file = fixture_path(PROWLER).display().to_string();
    let (ok, id, err) =
        rampart(&["tenant", "add", "Contoso Pharma", "--seats", "50", "--industry", "Healthcare"]);
    assert!(ok, "{err}");
    let (ok, _, err) = rampart(&["import-scan", &file]);
    assert!(!ok && err.contains("no tenant here is known by") && err.contains("--tenant"), "{err}");
    let (ok, _, err) = rampart(&["import-scan", "--tool", "scubagear", "--tenant", id.trim(), &file]);
    assert!(!ok && err.contains("ScubaGear"), "{err}");
    let (ok, out, err) = rampart(&["import-scan", "--tenant", id.trim(), &file]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("imported into tenant {}", id.trim())) && out.contains("Prowler"), "{out}");
    // Known by its directory now: no --tenant needed, and nothing changes the second time.
    let (ok, out, err) = rampart(&["import-scan", &file]);
    assert!(ok, "{err}");
    assert!(out.contains("nothing changed"), "{out}");
    let (ok, _, err) = rampart(&["import-scan", "--unmapped", "maybe", &file]);
    assert!(!ok && err.contains("--unmapped"), "{err}");
}

#[tokio::test]
async fn ingest_carries_entities_and_refuses_bad_ones_by_name() {
    let s = demo_server().await;
    let tenant = fresh_tenant(&s).await;
    let (token, _) = s.api_token("admin@contoso.example", &tenant, "SecurityEvents.ReadWrite.All").await;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let send = |entities: Value| {
        let body = serde_json::json!({"measurements": [
            {"actionId": "MFARegistrationV2", "count": 1, "total": 2, "observedAt": now, "entities": entities}
        ]});
        let req = Request::post("/api/v1/measurements")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        async { s.send(req).await }
    };
    let bad = send(serde_json::json!([
        {"id": "alice@contoso.example", "kind": "user", "passes": true},
        {"id": "bob@contoso.example", "kind": "person", "passes": false},
        {"id": "eve\u{1b}[2J", "kind": "user", "passes": false},
    ]))
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let v: Value = serde_json::from_str(&bad.body).unwrap();
    let targets: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["measurements[0].entities[1].kind", "measurements[0].entities[2].id"], "{v}");
    assert!(s.state.store.entity_states(&tenant, "MFARegistrationV2").await.unwrap().is_empty());

    let ok = send(serde_json::json!([
        {"id": "alice@contoso.example", "displayName": "Alice", "kind": "user", "passes": true},
        {"id": "bob@contoso.example", "displayName": "Bob <script>", "kind": "user", "passes": false},
    ]))
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(&format!("/tenants/{tenant}/actions/MFARegistrationV2"), Some(&cookie)).await;
    assert!(page.body.contains("<td>Bob &lt;script&gt;</td>"), "escaped and listed");
    assert!(!page.body.contains("<td>Alice</td>"), "passing entities are not listed");
    assert!(page.body.contains("Value from Ingest API"));
}
