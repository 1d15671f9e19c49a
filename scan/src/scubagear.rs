//! ScubaGear's results JSON (`ScubaResults_<uuid>.json`): `MetaData` about the run and, in
//! `Results`, per product (AAD, Defender, EXO…) the baseline's groups of controls, each
//! with its `Control ID`, `Requirement`, `Result` and `Criticality`.
//!
//! Only `MetaData` and `Results` are read: `Summary` is counted from `Results` by the tool
//! itself (and its keys are not the ones its schema document gives), and `Raw` is the
//! provider export the results were computed from.

use crate::controls::Controls;
use crate::detect::{Ordered, TopObject};
use crate::entities::{check_text, looks_like_guid};
use crate::json_path::{described, quoted, JsonPath, Object};
use crate::timestamp;
use crate::{ControlResult, Outcome, ScanError, ScanReport, Severity, Tool};
use serde_json::Value;

pub(crate) fn report(top: &TopObject) -> Result<ScanReport, ScanError> {
    let root = JsonPath::root();
    let metadata = top.get("MetaData").ok_or_else(|| root.key("MetaData").error("is missing"))?;
    let metadata = Object::of(metadata, root.key("MetaData"), "MetaData")?;
    check_tool(&metadata)?;
    let stamp_path = root.key("MetaData").key("TimestampZulu");
    let stamp = metadata.required_text("TimestampZulu")?;
    let executed_at = timestamp::parse(stamp).ok_or_else(|| {
        stamp_path.error(format!("the time {} is not an ISO 8601 date and time", quoted(stamp)))
    })?;
    Ok(ScanReport {
        tool: Tool::ScubaGear,
        tool_version: metadata.text("ToolVersion")?.map(str::to_string),
        tenant_id: metadata.text("TenantId")?.filter(|id| looks_like_guid(id)).map(str::to_string),
        tenant_domain: metadata.text("DomainName")?.map(str::to_string),
        executed_at,
        controls: controls(top)?,
    })
}

/// ScubaGoggles writes the same shape for Google Workspace.
fn check_tool(metadata: &Object<'_>) -> Result<(), ScanError> {
    match metadata.text("Tool")? {
        Some(tool) if !tool.eq_ignore_ascii_case("ScubaGear") => {
            Err(metadata.path().key("Tool").error(format!(
                "the tool {} is not ScubaGear: Rampart reads ScubaGear's Microsoft 365 results",
                quoted(tool)
            )))
        }
        _ => Ok(()),
    }
}

fn controls(top: &TopObject) -> Result<Vec<ControlResult>, ScanError> {
    let results_path = JsonPath::root().key("Results");
    let products = match top.results() {
        Some(Ordered::Entries(products)) => products,
        Some(Ordered::NotAnObject(what)) => {
            return Err(results_path.error(format!("should be an object of products, found {what}")))
        }
        None => return Err(results_path.error("is missing")),
    };
    let mut controls = Controls::default();
    for (product, groups) in products {
        let product_path = results_path.key(product);
        let Value::Array(groups) = groups else {
            return Err(product_path
                .error(format!("should be an array of control groups, found {}", described(groups))));
        };
        for (g, group) in groups.iter().enumerate() {
            let group = Object::of(group, product_path.index(g), "a control group")?;
            for (c, control) in group.required_array("Controls")?.iter().enumerate() {
                let path = group.path().key("Controls").index(c);
                controls.add(read_control(control, &path)?, &path)?;
            }
        }
    }
    Ok(controls.into_vec())
}

fn read_control(value: &Value, path: &JsonPath) -> Result<ControlResult, ScanError> {
    let control = Object::of(value, path.clone(), "a control")?;
    let control_id = control.required_text("Control ID")?.trim();
    check_text(control_id, "the control id", &path.key("Control ID"))?;
    let raw_result = control.required_text("Result")?;
    let outcome = outcome_of(raw_result, &path.key("Result"))?;
    let severity = severity_of(control.required_text("Criticality")?, &path.key("Criticality"))?;
    Ok(ControlResult {
        id: without_version(control_id).to_string(),
        title: plain_text(control.required_text("Requirement")?),
        outcome,
        raw_result: raw_result.to_string(),
        severity,
        // ScubaGear's details are a sentence ("6 role(s) that contain users with permanent
        // active assignment: …"), not a list of objects.
        entities: Vec::new(),
        path: path.to_string(),
    })
}

/// `MS.AAD.3.1v1` → `MS.AAD.3.1`: a new version of a policy is still the same control.
fn without_version(id: &str) -> &str {
    match id.rfind('v') {
        Some(at) if at > 0 && at + 1 < id.len() && id[at + 1..].chars().all(|c| c.is_ascii_digit()) => {
            &id[..at]
        }
        _ => id,
    }
}

/// A Warning is a SHOULD policy that is not met (ScubaGear's Fail is for SHALL): the
/// setting is still not as the baseline recommends, so it fails. N/A (a manual check or a
/// third-party one), Omitted (by the configuration), Incorrect result (marked so by the
/// admin), the errors and `-` (a control no longer in the baseline) decide nothing.
fn outcome_of(result: &str, path: &JsonPath) -> Result<Outcome, ScanError> {
    match result.to_ascii_lowercase().as_str() {
        "pass" => Ok(Outcome::Pass),
        "fail" | "warning" => Ok(Outcome::Fail),
        "n/a" | "omitted" | "incorrect result" | "error" | "error - test results missing" | "-" => {
            Ok(Outcome::NotMeasured)
        }
        _ => Err(path.error(format!(
            "the result {} is not one ScubaGear writes (Pass, Fail, Warning, N/A, Omitted, \
             Incorrect result, Error, Error - Test results missing, -)",
            quoted(result)
        ))),
    }
}

/// SHALL is a requirement, High; SHOULD a recommendation, Medium; `/3rd Party` and
/// `/Not-Implemented` say how it is checked, not how much it matters. `-` is a control
/// ScubaGear could not describe (deleted, malformed), which decides nothing anyway.
fn severity_of(criticality: &str, path: &JsonPath) -> Result<Severity, ScanError> {
    let lower = criticality.trim().to_ascii_lowercase();
    let (level, how) = lower.split_once('/').map_or((lower.as_str(), None), |(l, h)| (l, Some(h)));
    let known_how =
        how.is_none_or(|h| matches!(h.trim(), "3rd party" | "not-implemented" | "not implemented"));
    match level.trim() {
        "shall" if known_how => Ok(Severity::High),
        "should" if known_how => Ok(Severity::Medium),
        "-" if how.is_none() => Ok(Severity::Informational),
        _ => Err(path.error(format!(
            "the criticality {} is not one ScubaGear writes (Shall, Should, each optionally \
             /3rd Party or /Not-Implemented)",
            quoted(criticality)
        ))),
    }
}

/// The requirement without the report's HTML: the trailing indicator badges (`BOD 25-01
/// Requirement`, `Automated Check`) are dropped, other tags stripped, entities decoded.
fn plain_text(html: &str) -> String {
    let text = ["<div class='policy-indicators'", "<div class=\"policy-indicators\""]
        .iter()
        .find_map(|badges| html.find(badges))
        .map_or(html, |at| &html[..at]);
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_suffix_is_not_part_of_the_id() {
        assert_eq!(without_version("MS.AAD.3.1v1"), "MS.AAD.3.1");
        assert_eq!(without_version("MS.TEAMS.5.1v2"), "MS.TEAMS.5.1");
        assert_eq!(without_version("MS.POWERPLATFORM.2.1v10"), "MS.POWERPLATFORM.2.1");
        assert_eq!(without_version("MS.AAD.3.1"), "MS.AAD.3.1");
        assert_eq!(without_version("MS.EXO.1.1v"), "MS.EXO.1.1v");
    }

    #[test]
    fn criticalities_and_their_variants() {
        let here = JsonPath::root();
        for (text, severity) in [
            ("Shall", Severity::High),
            ("Should", Severity::Medium),
            ("Shall/3rd Party", Severity::High),
            ("Should/3rd Party", Severity::Medium),
            ("Shall/Not-Implemented", Severity::High),
            ("Should/Not-implemented", Severity::Medium),
            ("-", Severity::Informational),
        ] {
            assert_eq!(severity_of(text, &here).expect(text), severity);
        }
        for text in ["Must", "Shall/Maybe", "-/3rd Party", ""] {
            assert!(severity_of(text, &here).is_err(), "{text}");
        }
    }

    #[test]
    fn the_requirement_loses_its_badges_and_tags() {
        let html = "Legacy authentication SHALL be blocked.<div class='policy-indicators'><a href='x' \
                    class='indicator indicator-bod'>BOD 25-01 Requirement</a></div>";
        assert_eq!(plain_text(html), "Legacy authentication SHALL be blocked.");
        assert_eq!(
            plain_text("Guests &amp; <b>externals</b>\nSHOULD be limited."),
            "Guests & externals SHOULD be limited."
        );
    }
}
