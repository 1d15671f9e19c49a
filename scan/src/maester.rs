//! Maester's test results JSON (`Invoke-Maester -OutputJsonFile`): the run's `ExecutedAt`,
//! `TenantId` and `CurrentVersion`, and one entry of `Tests` per test with its `Result`,
//! `Severity` and, in `ResultDetail.TestResult`, markdown naming the objects it is about.

mod markdown;

use crate::controls::Controls;
use crate::detect::TopObject;
use crate::entities::{check_text, kind_in_words, looks_like_guid, looks_like_upn, too_many, EntitySet};
use crate::json_path::{described, quoted, JsonPath, Object};
use crate::timestamp;
use crate::{ControlResult, Outcome, ScanError, ScanReport, Severity, Tool};
use chrono::{DateTime, Utc};
use score::{Entity, EntityKind};
use serde_json::Value;

pub(crate) fn report(top: &TopObject) -> Result<ScanReport, ScanError> {
    let root = JsonPath::root();
    let executed_at = executed_at(top)?;
    let tests_path = root.key("Tests");
    let tests = match top.get("Tests") {
        Some(Value::Array(tests)) => tests,
        Some(other) => {
            return Err(tests_path.error(format!("should be an array, found {}", described(other))))
        }
        None => return Err(tests_path.error("is missing")),
    };
    let mut controls = Controls::default();
    for (index, test) in tests.iter().enumerate() {
        let path = tests_path.index(index);
        controls.add(read_test(test, &path)?, &path)?;
    }
    Ok(ScanReport {
        tool: Tool::Maester,
        tool_version: top_text(top, "CurrentVersion")?.map(str::to_string),
        // Without a Graph connection Maester writes a sentence here, not an id.
        tenant_id: top_text(top, "TenantId")?.filter(|id| looks_like_guid(id)).map(str::to_string),
        tenant_domain: None,
        executed_at,
        controls: controls.into_vec(),
    })
}

fn top_text<'a>(top: &'a TopObject, key: &str) -> Result<Option<&'a str>, ScanError> {
    match top.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.as_str()).filter(|t| !t.trim().is_empty())),
        Some(other) => {
            Err(JsonPath::root().key(key).error(format!("should be a string, found {}", described(other))))
        }
    }
}

fn executed_at(top: &TopObject) -> Result<DateTime<Utc>, ScanError> {
    let path = JsonPath::root().key("ExecutedAt");
    let text =
        top_text(top, "ExecutedAt")?.ok_or_else(|| path.error("is missing: it says when the tests ran"))?;
    timestamp::parse(text)
        .ok_or_else(|| path.error(format!("the time {} is not an ISO 8601 date and time", quoted(text))))
}

fn read_test(value: &Value, path: &JsonPath) -> Result<ControlResult, ScanError> {
    let test = Object::of(value, path.clone(), "a test")?;
    let name = test.text("Name")?;
    let id = test_id(&test, name)?;
    let title = match test.text("Title")? {
        Some(title) => title.trim().to_string(),
        None => title_from_name(name, &id),
    };
    let raw_result = test.required_text("Result")?;
    let outcome = outcome_of(raw_result, &path.key("Result"))?;
    let severity = severity_of(&test)?;
    let entities = affected(&test, &id, &title, outcome)?;
    Ok(ControlResult {
        id,
        title,
        outcome,
        raw_result: raw_result.to_string(),
        severity,
        entities,
        path: path.to_string(),
    })
}

/// `Id` (2.x), else the id Maester puts before the first `:` of the test's name
/// (`MT.1001: At least one Conditional Access policy…`), as 1.x files have only the name.
fn test_id(test: &Object<'_>, name: Option<&str>) -> Result<String, ScanError> {
    let at = test.path().key("Id");
    if let Some(id) = test.text("Id")? {
        check_text(id.trim(), "the test id", &at)?;
        return Ok(id.trim().to_string());
    }
    let name = name.ok_or_else(|| at.error("is missing, and so is Name"))?;
    let id = name_id(name).ok_or_else(|| {
        at.error(format!(
            "is missing, and the Name {} does not start with a test id (like \"MT.1001: …\")",
            quoted(name)
        ))
    })?;
    check_text(id, "the test id", &test.path().key("Name"))?;
    Ok(id.to_string())
}

fn name_id(name: &str) -> Option<&str> {
    let (id, _) = name.split_once(':')?;
    let id = id.trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id)
}

/// The name after its id, without the `See https://maester.dev/…` that 1.x left on it.
fn title_from_name(name: Option<&str>, id: &str) -> String {
    let Some(name) = name else { return id.to_string() };
    let title = name.split_once(':').map_or(name, |(_, rest)| rest);
    let title = title.find("See https").map_or(title, |at| &title[..at]).trim();
    if title.is_empty() {
        id.to_string()
    } else {
        title.to_string()
    }
}

/// Passed and Failed decide; Skipped, NotRun (filtered out), Error, Investigate (needs a
/// person) and Inconclusive (Pester 5.6 and later, for a custom test's `Set-ItResult
/// -Inconclusive`) do not.
fn outcome_of(result: &str, path: &JsonPath) -> Result<Outcome, ScanError> {
    match result.to_ascii_lowercase().as_str() {
        "passed" => Ok(Outcome::Pass),
        "failed" => Ok(Outcome::Fail),
        "skipped" | "notrun" | "error" | "investigate" | "inconclusive" => Ok(Outcome::NotMeasured),
        _ => Err(path.error(format!(
            "the result {} is not one Maester writes \
             (Passed, Failed, Skipped, NotRun, Error, Investigate, Inconclusive)",
            quoted(result)
        ))),
    }
}

/// The test's `Severity`, else its result detail's; a test without one (1.x, or a test that
/// sets none) is Medium, the middle of Maester's scale.
fn severity_of(test: &Object<'_>) -> Result<Severity, ScanError> {
    if let Some(text) = test.text("Severity")? {
        return parse_severity(text, &test.path().key("Severity"));
    }
    if let Some(detail) = result_detail(test)? {
        if let Some(text) = detail.text("Severity")? {
            return parse_severity(text, &detail.path().key("Severity"));
        }
    }
    Ok(Severity::Medium)
}

fn parse_severity(text: &str, path: &JsonPath) -> Result<Severity, ScanError> {
    match text.to_ascii_lowercase().as_str() {
        "critical" => Ok(Severity::Critical),
        "high" => Ok(Severity::High),
        "medium" => Ok(Severity::Medium),
        "low" => Ok(Severity::Low),
        "info" | "informational" => Ok(Severity::Informational),
        _ => Err(path.error(format!(
            "the severity {} is not one Maester writes (Critical, High, Medium, Low, Info)",
            quoted(text)
        ))),
    }
}

/// `ResultDetail` when it is an object (tests that never report detail have none).
fn result_detail<'a>(test: &Object<'a>) -> Result<Option<Object<'a>>, ScanError> {
    match test.get("ResultDetail") {
        None | Some(Value::String(_)) => Ok(None),
        Some(value) => Object::of(value, test.path().key("ResultDetail"), "ResultDetail").map(Some),
    }
}

/// The objects the test's result names. A row marked `✅` or `❌` passes or fails as
/// marked; an unmarked object fails in a failed test (it is what failed it) and passes in a
/// passed one (Maester lists the policies that satisfy a test).
fn affected(test: &Object<'_>, id: &str, title: &str, outcome: Outcome) -> Result<Vec<Entity>, ScanError> {
    let Some((markdown, path)) = result_markdown(test)? else { return Ok(Vec::new()) };
    let title_words: Vec<&str> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let title_kind = kind_in_words(&title_words);
    let mut set = EntitySet::default();
    for found in markdown::affected_objects(markdown) {
        check_text(&found.id, "the affected object id", &path)?;
        check_text(&found.name, "the affected object name", &path)?;
        let kind = found
            .kind
            .or_else(|| looks_like_upn(&found.id).then_some(EntityKind::User))
            .or(title_kind)
            .unwrap_or(EntityKind::Resource);
        let passes = found.passes.unwrap_or(outcome == Outcome::Pass);
        set.add(Entity { id: found.id, display_name: found.name, kind, passes })
            .map_err(|_| too_many(&path, id))?;
    }
    Ok(set.into_vec())
}

/// `ResultDetail.TestResult`, or `ResultDetail` itself where an early version wrote the
/// markdown there.
fn result_markdown<'a>(test: &Object<'a>) -> Result<Option<(&'a str, JsonPath)>, ScanError> {
    if let Some(Value::String(text)) = test.get("ResultDetail") {
        return Ok(Some((text.as_str(), test.path().key("ResultDetail"))));
    }
    let Some(detail) = result_detail(test)? else { return Ok(None) };
    Ok(detail.text("TestResult")?.map(|text| (text, detail.path().key("TestResult"))))
}
