//! Importing Graph exports: every day becomes history, the newest day the live score,
//! state updates become status changes, and importing the same files again changes nothing.

use crate::common::{demo_server, TestServer};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use server::import::{import_graph, ImportError, ImportFile, ImportReport};
use std::path::PathBuf;
use std::sync::Mutex;
use store::NewTenant;

const FABRIKAM: &str = "7e1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
const SCORES: &str = "graph-secure-scores.json";
const PROFILES: &str = "graph-control-profiles.json";

fn fixture(name: &str) -> ImportFile {
    ImportFile::from_bytes(name, fixture_bytes(name))
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(path).expect("fixture")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("day")
}

async fn add_fabrikam(s: &TestServer) {
    let t = NewTenant {
        id: Some(FABRIKAM.into()),
        name: "Fabrikam".into(),
        licensed_seats: 60,
        active_users: 55,
        industry: "Retail".into(),
        enabled_services: vec![],
        created_at: chrono::Utc::now(),
    };
    s.state.store.create_tenant(t, "test").await.expect("tenant");
}

async fn import(
    s: &TestServer,
    tenant: Option<&str>,
    files: &[ImportFile],
) -> Result<ImportReport, ImportError> {
    import_graph(
        s.state.store.as_ref(),
        &s.state.catalog,
        tenant,
        files,
        "test import",
        score::MeasurementSource::Import,
        &|_, _| {},
    )
    .await
}

/// Everything an import may write, for before/after comparisons.
async fn everything(s: &TestServer, tenant: &str) -> String {
    let store = s.state.store.as_ref();
    let wide = (day(1) - chrono::Duration::days(400), day(31));
    let snapshots = store.snapshots(tenant, wide.0, wide.1).await.expect("snapshots");
    let changes = store.action_changes(tenant, wide.0, wide.1).await.expect("changes");
    let statuses = store.tenant_status_history(tenant).await.expect("statuses");
    let audit = store.audit_trail(tenant, 1_000_000).await.expect("audit");
    let custom = store.custom_actions(tenant).await.expect("custom");
    let records = store.control_records(tenant).await.expect("records");
    let measured = store.measurements_on(tenant, day(31)).await.expect("measurements");
    format!(
        "{} snapshots {snapshots:?}\n{} changes {changes:?}\n{} statuses {statuses:?}\n{} audit\n{custom:?}\n{records:?}\n{measured:?}",
        snapshots.len(),
        changes.len(),
        statuses.len(),
        audit.len()
    )
}

#[tokio::test]
async fn every_day_becomes_history_and_importing_again_changes_nothing() {
    let s = demo_server().await;
    add_fabrikam(&s).await;
    let store = s.state.store.as_ref();
    let progress = Mutex::new(Vec::new());
    let report = import_graph(
        store,
        &s.state.catalog,
        None,
        &[fixture(SCORES), fixture(PROFILES)],
        "test import",
        score::MeasurementSource::Import,
        &|done, total| progress.lock().expect("lock").push((done, total)),
    )
    .await
    .expect("the export imports");
    assert_eq!(report.tenant_id, FABRIKAM, "the tenant comes from azureTenantId");
    assert_eq!((report.days, report.first_day, report.last_day), (4, Some(day(1)), Some(day(4))));
    assert_eq!(report.custom_actions_added, ["dlp_print_labelled_documents"]);
    assert_eq!(report.status_changes, 5);
    assert_eq!(*progress.lock().expect("lock"), [(4, 4)]);

    // A snapshot for each day, scored from that day's controls.
    let snapshots = store.snapshots(FABRIKAM, day(1), day(4)).await.expect("snapshots");
    assert_eq!(snapshots.iter().map(|s| s.day).collect::<Vec<_>>(), [day(1), day(2), day(3), day(4)]);
    assert_eq!(snapshots[0].licensed_seats, 60);
    assert!(snapshots.iter().all(|s| s.imported), "imported days are marked, so they feed no benchmark");
    // Tallying those days leaves them out: another tenant's averages never see them.
    let entry = store::BenchmarkEntry {
        tenant_id: FABRIKAM.into(),
        cell: score::benchmark::Cell::of(60, "Retail"),
        percent: score::Percent(10_000),
        shares: [10_000, 0, 0, 0, 0],
    };
    assert_eq!(store.write_benchmark_day(day(2), &[entry]).await.expect("tally"), 0);
    let mfa_points = |d| async move {
        let points = store.action_points_on(FABRIKAM, d).await.expect("points");
        points.get("MFARegistrationV2").map(|p| p.points.to_string())
    };
    assert_eq!(mfa_points(day(1)).await.as_deref(), Some("4.50"), "30 of 60 users on a 9-point action");
    assert_eq!(mfa_points(day(2)).await.as_deref(), Some("6.75"));

    // The newest day is the live state.
    let live = service::live::live_score(store, &s.state.catalog, FABRIKAM).await.expect("live");
    let measured =
        |id: &str| live.records.get(id).and_then(|r| r.state.measurement).map(|m| (m.count, m.total));
    assert_eq!(measured("MFARegistrationV2"), Some((52, 60)));
    assert_eq!(measured("AdminMFAV2"), Some((1, 1)), "4 of 4 admins on a yes/no action: implemented");
    assert_eq!(measured("dlp_print_labelled_documents"), Some((10, 20)));
    assert_eq!(measured("BlockLegacyAuthentication"), Some((0, 1)), "-1 counts fall back to the percentage");
    assert_eq!(live.score.current, snapshots[3].current, "the newest day matches the live score");

    // The unknown control is a custom action: capped at 10 points, text without markup.
    let custom = store.custom_actions(FABRIKAM).await.expect("custom");
    let dlp = custom.iter().find(|a| a.id == "dlp_print_labelled_documents").expect("custom action");
    assert_eq!((dlp.max_points, dlp.category), (10, score::Category::Data));
    assert_eq!(dlp.title, "Block printing of labelled documents");
    assert_eq!(dlp.description, "Block printing of labelled documents on unmanaged devices. alert('x')");
    assert_eq!(dlp.remediation, "Open the compliance portal Create a DLP policy");
    assert_eq!((dlp.product.as_str(), dlp.tier), ("Information Protection", score::Tier::DefenseInDepth));
    assert_eq!(dlp.unit(), Some("units"));

    // State updates in any case became status changes, oldest first.
    let statuses = store.tenant_status_history(FABRIKAM).await.expect("statuses");
    let of = |id: &str| statuses.iter().filter(|c| c.action_id == id).map(|c| c.status).collect::<Vec<_>>();
    use score::Status::*;
    assert_eq!(of("BlockLegacyAuthentication"), [RiskAccepted]);
    assert_eq!(of("dlp_print_labelled_documents"), [ThirdParty, ToAddress]);
    assert_eq!(of("SigninRiskPolicy"), [AlternateMitigation]);
    // Made by whoever imported them; who the export says made them is kept in the note.
    let third = statuses.iter().find(|c| c.status == ThirdParty).expect("third party");
    assert_eq!(
        (third.changed_by.as_str(), third.assignee.as_deref()),
        ("test import", Some("dana@fabrikam.example"))
    );
    assert_eq!(
        third.note,
        "Imported: updated by admin@fabrikam.example in Microsoft 365.\nPrint server vendor enforces this"
    );
    assert!(statuses.iter().all(|c| c.changed_by == "test import"), "{statuses:?}");
    // One audit line per file, in the importer's name, saying what the file changed.
    let lines: Vec<(String, String, serde_json::Value)> = store
        .audit_trail(FABRIKAM, 1_000)
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.kind == "import.file")
        .map(|a| (a.actor, a.subject, serde_json::from_str(&a.after).expect("json")))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let of_file = |name: &str| lines.iter().find(|l| l.1 == name).expect("line of the file").clone();
    let (actor, _, scores_line) = of_file(SCORES);
    assert_eq!(actor, "test import");
    assert_eq!((scores_line["days"].as_u64(), scores_line["statusChanges"].as_u64()), (Some(4), Some(0)));
    assert_eq!(scores_line["measurements"].as_u64(), Some(report.measurements as u64));
    assert_eq!(
        scores_line["customActionsAdded"].as_u64(),
        Some(1),
        "the unknown control is named there first"
    );
    let (_, _, profiles_line) = of_file(PROFILES);
    assert_eq!((profiles_line["days"].as_u64(), profiles_line["statusChanges"].as_u64()), (Some(0), Some(5)));
    // The day the third party took over, the action counted in full.
    let on_day_3 = store.action_points_on(FABRIKAM, day(3)).await.expect("points");
    assert_eq!(
        on_day_3.get("dlp_print_labelled_documents").map(|p| p.points.to_string()).as_deref(),
        Some("10.00")
    );

    // Importing again, in either order, writes nothing at all.
    let before = everything(&s, FABRIKAM).await;
    let again = import(&s, None, &[fixture(PROFILES), fixture(SCORES)]).await.expect("re-import");
    assert_eq!(
        (again.measurements, again.status_changes, again.custom_actions_added.len()),
        (0, 0, 0),
        "{again:?}"
    );
    assert_eq!(everything(&s, FABRIKAM).await, before);
    let again = import(&s, Some(FABRIKAM), &[fixture(SCORES)]).await.expect("re-import scores");
    assert_eq!(again.summary(), "4 days of history (2026-03-01 to 2026-03-04), 0 measurements changed, 0 custom actions added, 0 status changes");
    assert_eq!(everything(&s, FABRIKAM).await, before);
}

/// A control profiles export with one state update of the given fields.
fn one_update(state: &str, comment: &str, updated_by: &str) -> ImportFile {
    let json = serde_json::json!({"value": [{
        "id": "AdminMFAV2", "azureTenantId": FABRIKAM, "title": "MFA for admins",
        "controlStateUpdates": [{
            "assignedTo": "", "comment": comment, "state": state,
            "updatedBy": updated_by, "updatedDateTime": "2026-03-02T10:00:00Z"
        }]
    }]});
    ImportFile::from_bytes("forged.json", json.to_string())
}

#[tokio::test]
async fn an_export_cannot_put_words_in_someone_elses_mouth() {
    let s = demo_server().await;
    add_fabrikam(&s).await;
    let store = s.state.store.as_ref();
    let ciso = "=HYPERLINK(\"http://evil.example\",\"ciso@fabrikam.example\")";
    let report = import(&s, Some(FABRIKAM), &[one_update("Ignored", "", ciso)]).await.expect("imports");
    assert_eq!(report.status_changes, 1);
    let statuses = store.tenant_status_history(FABRIKAM).await.expect("statuses");
    let mfa = statuses.iter().find(|c| c.action_id == "AdminMFAV2").expect("imported");
    assert_eq!(mfa.status, score::Status::RiskAccepted);
    assert_eq!(mfa.changed_by, "test import", "the importer made the change, not the file's updatedBy");
    assert_eq!(mfa.note, format!("Imported: updated by {ciso} in Microsoft 365.\nimported without a note"));
    let trail = store.audit_trail(FABRIKAM, 100).await.expect("audit");
    assert!(
        trail.iter().all(|a| !a.actor.contains("ciso")),
        "no audit line names the file's author as actor"
    );
    assert!(trail
        .iter()
        .any(|a| a.kind == "import.file" && a.actor == "test import" && a.subject == "forged.json"));

    // Text the edit form would refuse is refused here too, naming the place, and nothing changes.
    let before = everything(&s, FABRIKAM).await;
    let long = "x".repeat(201);
    let bad = [
        (one_update("Default", "fine", "bad\u{7}name"), "controlStateUpdates[0].updatedBy"),
        (one_update("Default", "fine", &long), "controlStateUpdates[0].updatedBy"),
        (one_update("Default", "line\u{1b}[31m", "a@b.example"), "controlStateUpdates[0].comment"),
        (one_update("Default", &"y".repeat(4_000), "a@b.example"), "controlStateUpdates[0].comment"),
    ];
    for (file, place) in bad {
        let err = import(&s, Some(FABRIKAM), &[file]).await.expect_err("refused");
        assert!(err.to_string().contains(place), "{err}");
    }
    assert_eq!(everything(&s, FABRIKAM).await, before);
}

#[tokio::test]
async fn a_newer_status_set_in_rampart_is_not_undone_by_an_old_export() {
    let s = demo_server().await;
    add_fabrikam(&s).await;
    let store = s.state.store.as_ref();
    let change = store::StatusChange {
        action_id: "BlockLegacyAuthentication".into(),
        status: score::Status::Planned,
        note: "Warehouse clients replaced in April".into(),
        assignee: None,
        due_date: None,
        tags: vec![],
        changed_by: "admin@fabrikam.example".into(),
        changed_at: chrono::Utc::now(),
    };
    store.set_status(FABRIKAM, &change).await.expect("status");
    import(&s, None, &[fixture(PROFILES)]).await.expect("import");
    let live = service::live::live_score(store, &s.state.catalog, FABRIKAM).await.expect("live");
    assert_eq!(live.records["BlockLegacyAuthentication"].state.status, score::Status::Planned);
}

#[tokio::test]
async fn a_deleted_custom_action_named_by_an_export_comes_back() {
    const CUSTOM: &str = "dlp_print_labelled_documents";
    let s = demo_server().await;
    add_fabrikam(&s).await;
    let store = s.state.store.as_ref();
    let files = [fixture(SCORES), fixture(PROFILES)];
    import(&s, None, &files).await.expect("first import");
    assert!(store.delete_custom_action(FABRIKAM, CUSTOM, "admin@fabrikam.example").await.expect("delete"));

    let again = import(&s, None, &files).await.expect("the export imports again");
    assert_eq!(again.custom_actions_restored, [CUSTOM]);
    assert!(again.custom_actions_added.is_empty());
    assert!(
        again.summary().contains("0 custom actions added, 1 custom actions restored"),
        "{}",
        again.summary()
    );
    let custom = store.custom_actions(FABRIKAM).await.expect("custom actions");
    assert!(custom.iter().any(|a| a.id == CUSTOM), "listed again");
    let points = store.action_points_on(FABRIKAM, day(4)).await.expect("points");
    assert!(points.contains_key(CUSTOM), "and scored in the imported history");
}

#[tokio::test]
async fn bad_files_name_the_file_and_the_place_and_change_nothing() {
    let s = demo_server().await;
    add_fabrikam(&s).await;
    let before = everything(&s, FABRIKAM).await;
    let bad = |name: &str, json: &str| ImportFile::from_bytes(name, json);

    let cases = [
        (bad("broken.json", "{\"value\": [ {"), "broken.json: $: not valid JSON"),
        (
            bad("other.json", "{\"value\": [{\"displayName\": \"x\"}]}"),
            "other.json: $: neither a secureScores",
        ),
        (
            bad(
                "states.json",
                r#"{"value":[{"id":"AdminMFAV2","controlStateUpdates":[
                    {"state":"Default","updatedDateTime":"2026-01-01T00:00:00Z"},
                    {"state":"Sometimes","updatedDateTime":"2026-01-02T00:00:00Z"}]}]}"#,
            ),
            "states.json: $.value[0].controlStateUpdates[1].state: `Sometimes` is not a control state",
        ),
        (
            bad(
                "dates.json",
                r#"{"value":[{"azureTenantId":"x","createdDateTime":"yesterday","controlScores":[]}]}"#,
            ),
            "dates.json: $.value[0].createdDateTime: `yesterday` is not a date and time",
        ),
        (
            bad(
                "category.json",
                r#"{"value":[{"createdDateTime":"2026-01-01T00:00:00Z","controlScores":[
                    {"controlName":"MFARegistrationV2","controlCategory":"Identity"},
                    {"controlName":"NewThing","controlCategory":"Weather"}]}]}"#,
            ),
            "category.json: $.value[0].controlScores[1].controlCategory: `Weather` is not a category",
        ),
    ];
    for (file, expected) in cases {
        let err = import(&s, Some(FABRIKAM), &[fixture(SCORES), file]).await.expect_err(expected);
        assert!(err.to_string().starts_with(expected), "{err}");
    }
    assert_eq!(everything(&s, FABRIKAM).await, before, "a bad file in the set stops the whole import");

    let err = import(&s, Some("00000000-0000-4000-8000-00000000dead"), &[fixture(SCORES)])
        .await
        .expect_err("no tenant");
    assert!(err.to_string().contains("rampart tenant add"), "{err}");
}

#[test]
fn the_command_line_imports_into_a_tenant_it_is_told_to_create_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let server = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .output()
            .expect("server runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let scores = fixtures.join(SCORES).display().to_string();
    let profiles = fixtures.join(PROFILES).display().to_string();

    let (ok, _, err) = server(&["import-graph", &scores]);
    assert!(!ok && err.contains(FABRIKAM) && err.contains("rampart tenant add"), "{err}");

    let (ok, id, err) = server(&["tenant", "add", "Fabrikam", "--seats", "60", "--industry", "Retail"]);
    assert!(ok, "{err}");
    let (ok, out, err) = server(&["import-graph", "--tenant", id.trim(), &scores, &profiles]);
    assert!(ok, "{err}");
    assert!(out.contains("4 days of history (2026-03-01 to 2026-03-04)"), "{out}");
    assert!(err.contains("imported 4/4 days"), "{err}");
    let (ok, out, _) = server(&["import-graph", "--tenant", id.trim(), &scores, &profiles]);
    assert!(ok && out.contains("0 measurements changed, 0 custom actions added, 0 status changes"), "{out}");
}

/// A multipart form as a browser sends it, with each file in the `files` field.
fn upload_request(tenant: &str, files: &[(&str, &[u8])], cookie: &str, origin: &str) -> Request<Body> {
    crate::common::multipart_post(&format!("/tenants/{tenant}/import"), &[], files, cookie, origin)
}

#[tokio::test]
async fn the_settings_upload_imports_once_for_read_write_roles_only() {
    let s = demo_server().await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let (scores, profiles) = (fixture_bytes(SCORES), fixture_bytes(PROFILES));
    let both: [(&str, &[u8]); 2] = [(SCORES, &scores), (PROFILES, &profiles)];
    let origin = "http://rampart.test";

    // Settings offers the form to read-write roles only.
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&admin)).await;
    assert!(page.body.contains("id=\"import-form\""), "{}", page.body);
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&reader)).await;
    assert!(!page.body.contains("id=\"import-form\""));

    let before = everything(&s, CONTOSO_ID).await;
    let refused = [
        (upload_request(CONTOSO_ID, &both, &reader, origin), StatusCode::FORBIDDEN, "read-only"),
        (
            upload_request(CONTOSO_ID, &both, &admin, "http://evil.example"),
            StatusCode::FORBIDDEN,
            "Cross-site",
        ),
        (upload_request(FABRIKAM, &both, &admin, origin), StatusCode::NOT_FOUND, "not found"),
        (upload_request(CONTOSO_ID, &[], &admin, origin), StatusCode::BAD_REQUEST, "choose at least one"),
        (
            upload_request(
                CONTOSO_ID,
                &[(SCORES, &scores), ("broken.json", b"{\"value\": [")],
                &admin,
                origin,
            ),
            StatusCode::BAD_REQUEST,
            "broken.json: $: not valid JSON",
        ),
        (
            s.request_from_page(axum::http::Method::POST, &format!("/tenants/{CONTOSO_ID}/import"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &admin)
                .body(Body::from("files=x"))
                .expect("request"),
            StatusCode::BAD_REQUEST,
            "multipart/form-data",
        ),
    ];
    for (req, status, says) in refused {
        let r = s.send(req).await;
        assert_eq!(r.status, status, "{says}: {}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    let huge = s
        .request_from_page(axum::http::Method::POST, &format!("/tenants/{CONTOSO_ID}/import"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .header(header::CONTENT_LENGTH, (65 * 1024 * 1024).to_string())
        .header(header::COOKIE, &admin)
        .body(Body::empty())
        .expect("request");
    assert_eq!(s.send(huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(everything(&s, CONTOSO_ID).await, before, "refused uploads change nothing");

    // Larger than the server's 1 MiB default for forms: the upload route takes it.
    let mut padded = scores.clone();
    padded.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let r =
        s.send(upload_request(CONTOSO_ID, &[(SCORES, &padded), (PROFILES, &profiles)], &admin, origin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Imported 4 of 4 days"), "progress is shown: {}", r.body);
    assert!(
        r.body.contains("id=\"import-result\"")
            && r.body.contains("4 days of history (2026-03-01 to 2026-03-04)"),
        "{}",
        r.body
    );
    let store = s.state.store.as_ref();
    let snapshots = store.snapshots(CONTOSO_ID, day(1), day(4)).await.expect("snapshots");
    assert_eq!(snapshots.len(), 4, "the URL's tenant gets the history, whatever the files name");
    let audit = store.audit_trail(CONTOSO_ID, 50).await.expect("audit");
    assert!(
        audit.iter().any(|a| a.actor == "admin@contoso.example"),
        "the import is audited as its uploader"
    );

    // The same files again: the page says nothing changed, and nothing did.
    let after_first = everything(&s, CONTOSO_ID).await;
    let r = s.send(upload_request(CONTOSO_ID, &both, &admin, origin)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("0 measurements changed, 0 custom actions added, 0 status changes"),
        "{}",
        r.body
    );
    assert_eq!(everything(&s, CONTOSO_ID).await, after_first);

    // A browser asks for a compressed answer: the streamed page still ends cleanly.
    let mut gzip = upload_request(CONTOSO_ID, &both, &admin, origin);
    gzip.headers_mut().insert(header::ACCEPT_ENCODING, "gzip".parse().expect("header"));
    let r = s.send(gzip).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.is_empty());
    assert_eq!(everything(&s, CONTOSO_ID).await, after_first);
}
