//! The readers against sample files of each scanner (in `fixtures/`, written for these tests
//! from the tools' published formats). Expectations are worked out from the files here, with
//! `serde_json::Value`, not taken from the readers.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use scan::{read, ControlResult, Outcome, ScanError, ScanReport, Severity, Tool};
use score::entity::MAX_ENTITIES;
use score::EntityKind;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

const MAESTER: &str = "maester-contoso.json";
const MAESTER_1X: &str = "maester-1x-windows.json";
const SCUBAGEAR: &str = "ScubaResults_3f9a1c2e-7b4d.json";
const PROWLER_M365: &str = "prowler-m365.ocsf.json";
const PROWLER_AZURE_TXT: &str = "prowler-azure-export.txt";

fn bytes(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name].iter().collect();
    std::fs::read(&path).unwrap()
}

fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn json_of(name: &str) -> Value {
    serde_json::from_slice(without_bom(&bytes(name))).unwrap()
}

fn report(name: &str) -> ScanReport {
    read(&bytes(name)[..], None).unwrap()
}

fn refusal(value: &Value, tool: Option<Tool>) -> ScanError {
    read(serde_json::to_vec(value).unwrap().as_slice(), tool).unwrap_err()
}

fn refusal_of_text(text: &str, tool: Option<Tool>) -> ScanError {
    read(text.as_bytes(), tool).unwrap_err()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn control<'a>(report: &'a ScanReport, id: &str) -> &'a ControlResult {
    report.controls.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no control {id}"))
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no string at {pointer}"))
}

/// The data rows of the first markdown table in `markdown`, as trimmed cells.
fn table_rows(markdown: &str) -> Vec<Vec<String>> {
    let rows: Vec<&str> = markdown.lines().map(str::trim).filter(|l| l.starts_with('|')).collect();
    rows[2..]
        .iter()
        .map(|row| row.trim_matches('|').split('|').map(|cell| cell.trim().to_string()).collect())
        .collect()
}

/// The ids at the end of the portal links in `markdown` (`…/policyId/<id>)`).
fn link_ids(markdown: &str) -> Vec<String> {
    markdown
        .split("](")
        .skip(1)
        .map(|rest| rest[..rest.find(')').unwrap()].rsplit('/').next().unwrap().to_string())
        .collect()
}

fn maester_test<'a>(file: &'a Value, id: &str) -> &'a Value {
    file["Tests"].as_array().unwrap().iter().find(|t| t["Id"] == id).unwrap()
}

// ---------------------------------------------------------------------------------------
// Maester

#[test]
fn maester_gives_one_control_per_test_in_file_order_with_its_outcome() {
    let file = json_of(MAESTER);
    let got = report(MAESTER);
    let tests = file["Tests"].as_array().unwrap();
    assert_eq!(got.tool, Tool::Maester);
    assert_eq!(got.controls.len(), tests.len());
    for (i, (test, control)) in tests.iter().zip(&got.controls).enumerate() {
        let result = test["Result"].as_str().unwrap();
        let expected = match result {
            "Passed" => Outcome::Pass,
            "Failed" => Outcome::Fail,
            _ => Outcome::NotMeasured,
        };
        assert_eq!(control.id, test["Id"].as_str().unwrap());
        assert_eq!(control.title, test["Title"].as_str().unwrap());
        assert_eq!((control.outcome, control.raw_result.as_str()), (expected, result), "{}", control.id);
        assert_eq!(control.path, format!("$.Tests[{i}]"));
    }
    let results: HashSet<&str> = tests.iter().map(|t| t["Result"].as_str().unwrap()).collect();
    assert_eq!(results, HashSet::from(["Passed", "Failed", "Skipped", "NotRun", "Error", "Investigate"]));
}

#[test]
fn maester_states_the_run_its_version_and_tenant() {
    let file = json_of(MAESTER);
    let got = report(MAESTER);
    assert_eq!(got.tool_version.as_deref(), file["CurrentVersion"].as_str());
    assert_eq!(got.tenant_id.as_deref(), file["TenantId"].as_str());
    assert_eq!(got.tenant_domain, None);
    assert_eq!(got.executed_at, utc(file["ExecutedAt"].as_str().unwrap()));
}

#[test]
fn maester_severities_follow_its_scale_and_default_to_medium() {
    let file = json_of(MAESTER);
    let got = report(MAESTER);
    for test in file["Tests"].as_array().unwrap() {
        let expected = match test["Severity"].as_str() {
            Some("Critical") => Severity::Critical,
            Some("High") => Severity::High,
            Some("Medium") | None => Severity::Medium,
            Some("Low") => Severity::Low,
            Some("Info") => Severity::Informational,
            Some(other) => panic!("the fixture has the severity {other}"),
        };
        assert_eq!(control(&got, test["Id"].as_str().unwrap()).severity, expected);
    }
}

#[test]
fn a_failed_maester_test_lists_each_affected_user_as_failing() {
    let file = json_of(MAESTER);
    let markdown = text(maester_test(&file, "MT.1029"), "/ResultDetail/TestResult");
    let upns: Vec<String> = table_rows(markdown).into_iter().map(|row| row[1].clone()).collect();
    assert!(upns.len() >= 15, "the fixture lists {} users", upns.len());
    let got = report(MAESTER);
    let stale = control(&got, "MT.1029");
    assert_eq!(stale.entities.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), upns);
    assert!(stale.entities.iter().all(|e| e.kind == EntityKind::User && !e.passes));
    assert!(stale.entities.iter().all(|e| !e.display_name.contains('@')), "names come from the first column");
}

#[test]
fn maester_rows_marked_pass_or_fail_keep_their_mark() {
    let file = json_of(MAESTER);
    let markdown = text(maester_test(&file, "CIS.M365.1.1.1"), "/ResultDetail/TestResult");
    let marks: Vec<(String, bool)> =
        table_rows(markdown).into_iter().map(|row| (row[0].clone(), row[1].contains('✅'))).collect();
    let got = report(MAESTER);
    let admins = control(&got, "CIS.M365.1.1.1");
    let entities: Vec<(String, bool)> =
        admins.entities.iter().map(|e| (e.display_name.clone(), e.passes)).collect();
    assert_eq!(entities, marks);
    // The table says only "Display Name"; the test's title says they are administrative accounts.
    assert!(admins.entities.iter().all(|e| e.kind == EntityKind::User));
}

#[test]
fn maester_portal_links_give_object_ids_and_kinds() {
    let file = json_of(MAESTER);
    let got = report(MAESTER);
    for (id, passes) in [("MT.1005", false), ("MT.1001", true)] {
        let expected = link_ids(text(maester_test(&file, id), "/ResultDetail/TestResult"));
        let policies = control(&got, id);
        assert_eq!(policies.entities.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), expected, "{id}");
        assert!(policies.entities.iter().all(|e| e.kind == EntityKind::Policy && e.passes == passes), "{id}");
    }
    let groups = control(&got, "MT.1196");
    assert_eq!(groups.outcome, Outcome::NotMeasured);
    assert!(groups.entities.iter().all(|e| e.kind == EntityKind::Group));
    assert_eq!(groups.entities.len(), 2);
    let break_glass = control(&got, "CONTOSO.0001");
    assert_eq!(break_glass.entities.len(), 2);
    assert!(break_glass.entities.iter().all(|e| e.id.starts_with("bg-admin") && e.kind == EntityKind::User));
}

#[test]
fn maester_results_without_objects_list_none() {
    let got = report(MAESTER);
    for id in ["EIDSCA.AF01", "EIDSCA.AP04", "MT.1039", "CISA.MS.AAD.3.1", "MT.1059", "MT.1064"] {
        assert_eq!(control(&got, id).entities, [], "{id}");
    }
}

#[test]
fn maester_1x_from_windows_powershell_reads_ids_from_names_despite_the_bom() {
    let raw = bytes(MAESTER_1X);
    assert!(raw.starts_with(b"\xEF\xBB\xBF"), "the fixture is written as Windows PowerShell 5.1 writes it");
    let file = json_of(MAESTER_1X);
    let got = report(MAESTER_1X);
    for (test, control) in file["Tests"].as_array().unwrap().iter().zip(&got.controls) {
        let name = test["Name"].as_str().unwrap();
        let (id, rest) = name.split_once(':').unwrap();
        assert_eq!(control.id, id);
        assert_eq!(control.title, rest[..rest.find(" See https").unwrap()].trim());
        assert_eq!(control.severity, Severity::Medium);
    }
    assert_eq!(got.executed_at, utc(file["ExecutedAt"].as_str().unwrap()));
    assert_eq!(got.tool_version.as_deref(), Some("1.0.0"));
}

#[test]
fn a_truncated_maester_file_is_refused_with_the_line_and_column() {
    let err = read(&bytes("maester-truncated.json")[..], None).unwrap_err();
    assert_eq!(err.path, "$.Tests");
    assert!(err.message.contains("not valid JSON") && err.message.contains("line"), "{}", err.message);
    assert!(err.message.contains("column"), "{}", err.message);
}

#[test]
fn maester_values_it_does_not_write_are_refused_at_their_place() {
    let file = json_of(MAESTER);
    let mut unknown_result = file.clone();
    unknown_result["Tests"][2]["Result"] = json!("Flaky");
    let err = refusal(&unknown_result, None);
    assert_eq!(err.path, "$.Tests[2].Result");
    assert!(err.message.contains("\"Flaky\""), "{}", err.message);

    let mut unknown_severity = file.clone();
    unknown_severity["Tests"][4]["Severity"] = json!("Severe");
    let err = refusal(&unknown_severity, None);
    assert_eq!(err.path, "$.Tests[4].Severity");
    assert!(err.message.contains("\"Severe\""), "{}", err.message);

    let mut bad_time = file.clone();
    bad_time["ExecutedAt"] = json!("last Tuesday");
    let err = refusal(&bad_time, None);
    assert_eq!((err.path.as_str(), err.message.contains("\"last Tuesday\"")), ("$.ExecutedAt", true));

    let mut no_time = file.clone();
    no_time.as_object_mut().unwrap().remove("ExecutedAt");
    assert_eq!(refusal(&no_time, None).path, "$.ExecutedAt");

    let mut wrong_type = file;
    wrong_type["Tests"][1]["Result"] = json!(1);
    let err = refusal(&wrong_type, None);
    assert_eq!(err.path, "$.Tests[1].Result");
    assert!(err.message.contains("number 1"), "{}", err.message);
}

#[test]
fn a_maester_test_with_neither_id_nor_an_id_in_its_name_is_refused() {
    let mut file = json_of(MAESTER);
    let test = file["Tests"][0].as_object_mut().unwrap();
    test.remove("Id");
    test.insert("Name".into(), json!("Some test without an id"));
    let err = refusal(&file, None);
    assert_eq!(err.path, "$.Tests[0].Id");
    assert!(err.message.contains("\"Some test without an id\""), "{}", err.message);
}

#[test]
fn a_control_character_in_a_maester_object_is_refused() {
    let mut file = json_of(MAESTER);
    let at = file["Tests"].as_array().unwrap().iter().position(|t| t["Id"] == "MT.1029").unwrap();
    let markdown =
        file["Tests"][at]["ResultDetail"]["TestResult"].as_str().unwrap().replace("Lee Gu", "Lee\u{7}Gu");
    file["Tests"][at]["ResultDetail"]["TestResult"] = json!(markdown);
    let err = refusal(&file, None);
    assert_eq!(err.path, format!("$.Tests[{at}].ResultDetail.TestResult"));
    assert!(err.message.contains("U+0007"), "{}", err.message);
}

#[test]
fn a_maester_test_naming_more_objects_than_one_control_keeps_is_refused() {
    let mut file = json_of(MAESTER);
    let list: String = (0..=MAX_ENTITIES).map(|i| format!("- user{i}@contosopharma.com\n")).collect();
    file["Tests"][3]["ResultDetail"]["TestResult"] = json!(list);
    let err = refusal(&file, None);
    assert_eq!(err.path, "$.Tests[3].ResultDetail.TestResult");
    assert!(err.message.contains(&MAX_ENTITIES.to_string()), "{}", err.message);
}

// ---------------------------------------------------------------------------------------
// ScubaGear

/// (path, control) for every control of the file, in its order.
fn scuba_controls(file: &Value) -> Vec<(String, &Value)> {
    let mut all = Vec::new();
    for (product, groups) in file["Results"].as_object().unwrap() {
        for (g, group) in groups.as_array().unwrap().iter().enumerate() {
            for (c, control) in group["Controls"].as_array().unwrap().iter().enumerate() {
                all.push((format!("$.Results.{product}[{g}].Controls[{c}]"), control));
            }
        }
    }
    all
}

#[test]
fn scubagear_gives_every_control_without_its_version_and_with_its_outcome() {
    let file = json_of(SCUBAGEAR);
    let got = report(SCUBAGEAR);
    let expected = scuba_controls(&file);
    assert_eq!(got.tool, Tool::ScubaGear);
    assert_eq!(got.controls.len(), expected.len());
    for ((path, control), got) in expected.iter().zip(&got.controls) {
        let id = control["Control ID"].as_str().unwrap();
        let result = control["Result"].as_str().unwrap();
        let outcome = match result {
            "Pass" => Outcome::Pass,
            "Fail" | "Warning" => Outcome::Fail,
            _ => Outcome::NotMeasured,
        };
        let severity = match control["Criticality"].as_str().unwrap().split('/').next().unwrap() {
            "Shall" => Severity::High,
            "Should" => Severity::Medium,
            _ => Severity::Informational,
        };
        assert_eq!(got.id, id[..id.rfind('v').unwrap()], "{path}");
        assert_eq!(
            (got.outcome, got.raw_result.as_str(), got.severity),
            (outcome, result, severity),
            "{path}"
        );
        assert_eq!(&got.path, path);
        assert!(got.entities.is_empty());
        assert!(!got.title.contains('<') && got.title.ends_with('.'), "{}", got.title);
    }
    let results: HashSet<&str> = expected.iter().map(|(_, c)| c["Result"].as_str().unwrap()).collect();
    let every = [
        "Pass",
        "Fail",
        "Warning",
        "N/A",
        "Omitted",
        "Incorrect result",
        "Error",
        "Error - Test results missing",
        "-",
    ];
    assert_eq!(results, HashSet::from(every));
}

#[test]
fn scubagear_states_the_tenant_version_and_time_from_its_metadata() {
    assert!(bytes(SCUBAGEAR).starts_with(b"\xEF\xBB\xBF"));
    let file = json_of(SCUBAGEAR);
    let got = report(SCUBAGEAR);
    assert_eq!(got.tenant_id.as_deref(), file["MetaData"]["TenantId"].as_str());
    assert_eq!(got.tenant_domain.as_deref(), file["MetaData"]["DomainName"].as_str());
    assert_eq!(got.tool_version.as_deref(), file["MetaData"]["ToolVersion"].as_str());
    assert_eq!(got.executed_at, utc(file["MetaData"]["TimestampZulu"].as_str().unwrap()));
}

#[test]
fn scubagear_products_keep_the_order_of_the_file() {
    let text = r#"{"MetaData": {"Tool": "ScubaGear", "TimestampZulu": "2026-03-09T07:52:04.918Z"},
        "Summary": {},
        "Results": {
          "Teams": [{"GroupName": "Meeting Policies", "GroupNumber": "1", "Controls": [
            {"Control ID": "MS.TEAMS.1.1v1", "Requirement": "External meeting participants SHOULD NOT be enabled to request control.", "Result": "Pass", "Criticality": "Should", "Details": "Requirement met"}]}],
          "AAD": [{"GroupName": "Legacy Authentication", "GroupNumber": "1", "Controls": [
            {"Control ID": "MS.AAD.1.1v1", "Requirement": "Legacy authentication SHALL be blocked.", "Result": "Fail", "Criticality": "Shall", "Details": "0 policies"}]}]
        }}"#;
    let got = read(text.as_bytes(), Some(Tool::ScubaGear)).unwrap();
    let ids: Vec<&str> = got.controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["MS.TEAMS.1.1", "MS.AAD.1.1"]);
    assert_eq!(got.controls[1].path, "$.Results.AAD[0].Controls[0]");
    assert_eq!((got.tenant_id.as_deref(), got.tenant_domain.as_deref()), (None, None));
}

#[test]
fn a_scubagear_result_it_does_not_write_is_refused_naming_it() {
    let file = json_of("scubagear-unknown-result.json");
    let (path, _) = scuba_controls(&file).into_iter().find(|(_, c)| c["Result"] == "Partially met").unwrap();
    let err = read(&bytes("scubagear-unknown-result.json")[..], None).unwrap_err();
    assert_eq!(err.path, format!("{path}.Result"));
    assert!(err.message.contains("\"Partially met\"") && err.message.contains("Warning"), "{}", err.message);
}

#[test]
fn scubagear_fields_are_checked_at_their_paths() {
    let file = json_of(SCUBAGEAR);
    let mut criticality = file.clone();
    criticality["Results"]["EXO"][0]["Controls"][0]["Criticality"] = json!("Must");
    let err = refusal(&criticality, None);
    assert_eq!(err.path, "$.Results.EXO[0].Controls[0].Criticality");
    assert!(err.message.contains("\"Must\""), "{}", err.message);

    let mut no_id = file.clone();
    no_id["Results"]["AAD"][0]["Controls"][0].as_object_mut().unwrap().remove("Control ID");
    let err = refusal(&no_id, None);
    assert_eq!(err.path, r#"$.Results.AAD[0].Controls[0]["Control ID"]"#);
    assert_eq!(err.message, "is missing");

    let mut stamp = file.clone();
    stamp["MetaData"]["TimestampZulu"] = json!("2026-03-09 late");
    let err = refusal(&stamp, None);
    assert_eq!(err.path, "$.MetaData.TimestampZulu");
    assert!(err.message.contains("\"2026-03-09 late\""), "{}", err.message);

    let mut goggles = file.clone();
    goggles["MetaData"]["Tool"] = json!("ScubaGoggles");
    assert_eq!(refusal(&goggles, None).path, "$.MetaData.Tool");

    let mut no_controls = file;
    no_controls["Results"]["Teams"][0].as_object_mut().unwrap().remove("Controls");
    assert_eq!(refusal(&no_controls, None).path, "$.Results.Teams[0].Controls");
}

// ---------------------------------------------------------------------------------------
// Prowler

struct ExpectedCheck {
    title: String,
    severity: String,
    /// Counted resources (not muted, PASS or FAIL): uid → passes.
    resources: BTreeMap<String, bool>,
    manual: usize,
    first_index: usize,
}

/// Per check, what its findings say, in order of first appearance.
fn prowler_checks(file: &Value) -> Vec<(String, ExpectedCheck)> {
    let mut order: Vec<String> = Vec::new();
    let mut checks: HashMap<String, ExpectedCheck> = HashMap::new();
    for (i, finding) in file.as_array().unwrap().iter().enumerate() {
        let id = text(finding, "/metadata/event_code").to_string();
        let check = checks.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            ExpectedCheck {
                title: text(finding, "/finding_info/title").into(),
                severity: text(finding, "/severity").into(),
                resources: BTreeMap::new(),
                manual: 0,
                first_index: i,
            }
        });
        let muted = finding["status"] == "Suppressed";
        match (muted, text(finding, "/status_code")) {
            (true, _) => {}
            (false, "MANUAL") => check.manual += 1,
            (false, status) => {
                let uid = text(finding, "/resources/0/uid").to_string();
                let passes = status == "PASS";
                let entry = check.resources.entry(uid).or_insert(passes);
                *entry &= passes;
            }
        }
    }
    order.into_iter().map(|id| (id.clone(), checks.remove(&id).unwrap())).collect()
}

fn assert_prowler_report_matches(file: &Value, got: &ScanReport) {
    let expected = prowler_checks(file);
    assert_eq!(
        got.controls.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        expected.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>()
    );
    for ((id, check), control) in expected.iter().zip(&got.controls) {
        let (outcome, raw) = if check.resources.values().any(|passes| !passes) {
            (Outcome::Fail, "FAIL")
        } else if !check.resources.is_empty() {
            (Outcome::Pass, "PASS")
        } else if check.manual > 0 {
            (Outcome::NotMeasured, "MANUAL")
        } else {
            (Outcome::NotMeasured, "MUTED")
        };
        assert_eq!((control.outcome, control.raw_result.as_str()), (outcome, raw), "{id}");
        assert_eq!(control.title, check.title);
        assert_eq!(format!("{:?}", control.severity), check.severity, "{id}");
        assert_eq!(control.path, format!("$[{}]", check.first_index));
        let entities: BTreeMap<String, bool> =
            control.entities.iter().map(|e| (e.id.clone(), e.passes)).collect();
        assert_eq!(entities, check.resources, "{id}");
    }
    let latest = file.as_array().unwrap().iter().map(|f| f["time"].as_i64().unwrap()).max().unwrap();
    assert_eq!(got.executed_at, DateTime::from_timestamp(latest, 0).unwrap());
}

#[test]
fn prowler_findings_gather_into_one_control_per_check() {
    let file = json_of(PROWLER_M365);
    let got = report(PROWLER_M365);
    assert_eq!(got.tool, Tool::Prowler);
    assert_prowler_report_matches(&file, &got);
    let users = control(&got, "entra_users_mfa_capable");
    let findings = file
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["metadata"]["event_code"] == "entra_users_mfa_capable")
        .count();
    assert!(findings >= 40, "the fixture has {findings} users");
    assert!(users.entities.iter().all(|e| e.kind == EntityKind::User));
    let names: HashSet<&str> = users.entities.iter().map(|e| e.display_name.as_str()).collect();
    assert!(!names.contains("Zanele Dlamini"), "a muted finding is left out");
}

#[test]
fn prowler_muted_and_manual_checks_decide_nothing() {
    let got = report(PROWLER_M365);
    let muted = control(&got, "exchange_transport_rules_mail_forwarding_disabled");
    assert_eq!(
        (muted.outcome, muted.raw_result.as_str(), muted.entities.len()),
        (Outcome::NotMeasured, "MUTED", 0)
    );
    let manual = control(&got, "teams_meeting_recording_disabled");
    assert_eq!((manual.outcome, manual.raw_result.as_str()), (Outcome::NotMeasured, "MANUAL"));
}

#[test]
fn prowler_m365_states_the_tenant_and_version() {
    let file = json_of(PROWLER_M365);
    let got = report(PROWLER_M365);
    assert_eq!(got.tenant_id.as_deref(), file[0]["cloud"]["org"]["uid"].as_str());
    assert_eq!(got.tenant_domain.as_deref(), file[0]["cloud"]["account"]["uid"].as_str());
    assert_eq!(got.tool_version.as_deref(), file[0]["metadata"]["product"]["version"].as_str());
    assert_eq!(control(&got, "exchange_user_mailbox_auditing_enabled").entities[0].kind, EntityKind::Mailbox);
}

#[test]
fn a_prowler_azure_file_named_txt_is_recognised_by_its_content() {
    let file = json_of(PROWLER_AZURE_TXT);
    let got = report(PROWLER_AZURE_TXT);
    assert_eq!(got.tool, Tool::Prowler);
    assert_prowler_report_matches(&file, &got);
    assert_eq!(got.tenant_id.as_deref(), file[0]["cloud"]["org"]["uid"].as_str());
    assert_eq!(got.tenant_domain.as_deref(), file[0]["cloud"]["org"]["name"].as_str());
    assert!(control(&got, "storage_secure_transfer_required_is_enabled")
        .entities
        .iter()
        .all(|e| e.kind == EntityKind::Resource));
    let subscriptions = &control(&got, "iam_subscription_roles_owner_custom_not_created").entities;
    assert!(subscriptions.iter().all(|e| e.kind == EntityKind::Subscription));
    assert_eq!(scan::detect(&bytes(PROWLER_AZURE_TXT)[..4096]), Some(Tool::Prowler));
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    let plain = bytes(PROWLER_M365);
    let mut marked = b"\xEF\xBB\xBF".to_vec();
    marked.extend_from_slice(&plain);
    assert_eq!(read(&marked[..], None).unwrap(), read(&plain[..], None).unwrap());
    let scuba = bytes(SCUBAGEAR);
    assert_eq!(read(without_bom(&scuba), None).unwrap(), read(&scuba[..], None).unwrap());
}

#[test]
fn a_truncated_prowler_file_is_refused_in_the_finding_it_ends_in() {
    let raw = bytes("prowler-truncated.ocsf.json");
    let complete = String::from_utf8_lossy(&raw).matches("},{").count();
    let err = read(&raw[..], None).unwrap_err();
    assert_eq!(err.path, format!("$[{complete}]"));
    assert!(err.message.contains("not valid JSON") && err.message.contains("line"), "{}", err.message);
}

#[test]
fn a_control_character_in_a_prowler_resource_is_refused() {
    let file = json_of("prowler-control-character.ocsf.json");
    let at = file
        .as_array()
        .unwrap()
        .iter()
        .position(|f| text(f, "/resources/0/name").contains('\u{1b}'))
        .unwrap();
    let err = read(&bytes("prowler-control-character.ocsf.json")[..], None).unwrap_err();
    assert_eq!(err.path, format!("$[{at}].resources[0].name"));
    assert!(err.message.contains("U+001B") && err.message.contains("Allan"), "{}", err.message);
}

#[test]
fn prowler_values_it_does_not_write_are_refused_at_their_place() {
    let file = json_of(PROWLER_M365);
    let cases: [(&str, Value, &str, &str); 5] = [
        ("/0/status_code", json!("WARN"), "$[0].status_code", "\"WARN\""),
        ("/3/severity", json!("Severe"), "$[3].severity", "\"Severe\""),
        ("/5/status", json!("Resolved"), "$[5].status", "\"Resolved\""),
        ("/7/time_dt", json!("yesterday"), "$[7].time_dt", "\"yesterday\""),
        ("/9/metadata/event_code", Value::Null, "$[9].metadata.event_code", "missing"),
    ];
    for (pointer, value, path, named) in cases {
        let mut changed = file.clone();
        *changed.pointer_mut(pointer).unwrap() = value;
        let err = refusal(&changed, None);
        assert_eq!(err.path, path);
        assert!(err.message.contains(named), "{path}: {}", err.message);
    }
    let mut timeless = file.clone();
    let finding = timeless[2].as_object_mut().unwrap();
    finding.remove("time");
    finding.remove("time_dt");
    assert_eq!(refusal(&timeless, None).path, "$[2].time");

    let mut wrong_type = file;
    wrong_type[1]["status_code"] = json!(1);
    let err = refusal(&wrong_type, None);
    assert_eq!(err.path, "$[1]");
    assert!(err.message.contains("wrong type") && err.message.contains("column"), "{}", err.message);
}

#[test]
fn prowler_findings_of_two_tenants_are_refused() {
    let mut file = json_of(PROWLER_M365);
    file[6]["cloud"]["org"]["uid"] = json!("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a");
    let err = refusal(&file, None);
    assert_eq!(err.path, "$[6].cloud");
    assert!(err.message.contains("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"), "{}", err.message);
}

#[test]
fn a_prowler_check_with_more_resources_than_one_control_keeps_is_refused() {
    let finding = |i: usize| {
        json!({
            "metadata": {"event_code": "entra_users_mfa_capable", "product": {"name": "Prowler", "version": "5.20.0"}},
            "class_uid": 2004, "finding_info": {"title": "User is MFA capable"},
            "status_code": "FAIL", "status": "New", "severity": "High", "time": 1773037852,
            "resources": [{"uid": format!("user-{i}"), "name": format!("User {i}"), "type": "NotDefined"}],
            "cloud": {"provider": "m365", "account": {"uid": "contosopharma.onmicrosoft.com"}, "org": {"uid": "4a7c2d1e-8b3f-4e6a-9c5d-1f2e3a4b5c6d"}}
        })
    };
    let many: Vec<Value> = (0..=MAX_ENTITIES).map(finding).collect();
    let err = refusal(&Value::Array(many), None);
    assert_eq!(err.path, format!("$[{MAX_ENTITIES}]"));
    assert!(err.message.contains("entra_users_mfa_capable"), "{}", err.message);
}

#[test]
fn an_empty_prowler_array_says_nothing_and_is_refused() {
    assert_eq!(refusal_of_text("[]", None).path, "$");
    assert!(refusal_of_text("[]", Some(Tool::Maester)).message.contains("empty JSON array"));
}

// ---------------------------------------------------------------------------------------
// Detection

#[test]
fn a_tool_asked_for_must_be_the_tool_that_wrote_the_file() {
    let prowler = read(&bytes(PROWLER_M365)[..], Some(Tool::Maester)).unwrap_err();
    assert_eq!(prowler.path, "$");
    assert!(
        prowler.message.contains("Maester") && prowler.message.contains("Prowler OCSF"),
        "{}",
        prowler.message
    );
    let maester = read(&bytes(MAESTER)[..], Some(Tool::ScubaGear)).unwrap_err();
    assert!(
        maester.message.starts_with("should be ScubaGear") && maester.message.contains("but is Maester"),
        "{}",
        maester.message
    );
    let scuba = read(&bytes(SCUBAGEAR)[..], Some(Tool::Prowler)).unwrap_err();
    assert!(
        scuba.message.starts_with("should be Prowler") && scuba.message.contains("but is ScubaGear"),
        "{}",
        scuba.message
    );
    for (name, tool) in
        [(MAESTER, Tool::Maester), (SCUBAGEAR, Tool::ScubaGear), (PROWLER_AZURE_TXT, Tool::Prowler)]
    {
        assert_eq!(read(&bytes(name)[..], Some(tool)).unwrap().tool, tool);
    }
}

#[test]
fn a_file_of_no_format_is_refused_listing_the_three() {
    let formats = ["Maester", "ScubaGear", "Prowler OCSF"];
    for (text, says) in [
        (r#"{"name": "rampart", "version": "1.0.0"}"#, "\"name\", \"version\""),
        ("Provider;CheckID;Status\nm365;entra_users_mfa_capable;FAIL\n", "not JSON"),
        (
            r#"[{"SchemaVersion": "2018-10-08", "ProductArn": "arn:aws:securityhub:eu-west-1::product/prowler/prowler"}]"#,
            "json-asff",
        ),
        (
            r#"[{"metadata": {"event_code": "x", "product": {"name": "Other Scanner"}}, "class_uid": 2004}]"#,
            "\"Other Scanner\"",
        ),
        ("\"just a string\"", "a JSON string"),
    ] {
        let err = refusal_of_text(text, None);
        assert_eq!(err.path, "$", "{text}");
        assert!(err.message.contains(says), "{text}: {}", err.message);
        assert!(formats.iter().all(|f| err.message.contains(f)), "{text}: {}", err.message);
    }
    let forced = refusal_of_text(r#"{"name": "rampart"}"#, Some(Tool::ScubaGear));
    assert!(
        forced.message.starts_with("should be ScubaGear") && forced.message.contains("none of the formats"),
        "{}",
        forced.message
    );
    assert!(refusal_of_text("", None).message.contains("empty"));
    assert!(read(&b"\xFF\xFE{\x00}\x00"[..], None).unwrap_err().message.contains("UTF-16"));
}

#[test]
fn the_start_of_each_file_is_enough_to_guess_its_tool() {
    for (name, tool) in [
        (MAESTER, Tool::Maester),
        (MAESTER_1X, Tool::Maester),
        (SCUBAGEAR, Tool::ScubaGear),
        (PROWLER_M365, Tool::Prowler),
        (PROWLER_AZURE_TXT, Tool::Prowler),
    ] {
        let raw = bytes(name);
        assert_eq!(scan::detect(&raw[..raw.len().min(2048)]), Some(tool), "{name}");
    }
}
