//! Prowler's OCSF JSON (`--output-formats json-ocsf`): an array of Detection Findings, one per
//! check and resource, read one finding at a time and gathered into one control per check.
//!
//! A scan of a large Azure estate writes hundreds of thousands of findings, so the file is
//! never held whole: each finding is read into the few fields used (the rest is skipped by
//! serde) and folded into its check's control straight away.

use crate::detect::{self, Abort};
use crate::entities::{check_text, kind_in_words, looks_like_guid, looks_like_upn, too_many, EntitySet};
use crate::json_path::{quoted, JsonPath};
use crate::timestamp;
use crate::{ControlResult, Outcome, ScanError, ScanReport, Severity, Tool};
use chrono::{DateTime, Utc};
use score::{Entity, EntityKind};
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;
use std::fmt;

/// OCSF's class id of a Detection Finding.
const DETECTION_FINDING: u64 = 2004;

/// The fields of a finding that are read; serde skips every other one without keeping it.
#[derive(Debug, Deserialize)]
pub(crate) struct Finding {
    metadata: Option<Metadata>,
    class_uid: Option<u64>,
    finding_info: Option<FindingInfo>,
    status_code: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    resources: Option<Vec<Resource>>,
    time: Option<i64>,
    time_dt: Option<String>,
    cloud: Option<Cloud>,
    /// Present in AWS Security Finding Format findings, Prowler's other JSON output.
    #[serde(rename = "ProductArn")]
    asff_product_arn: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    event_code: Option<String>,
    product: Option<Product>,
    tenant_uid: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Product {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Debug, Deserialize)]
struct FindingInfo {
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Resource {
    uid: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    resource_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Cloud {
    provider: Option<String>,
    account: Option<Named>,
    org: Option<Named>,
}

#[derive(Debug, Deserialize)]
struct Named {
    uid: Option<String>,
    name: Option<String>,
}

/// The result of one finding, `status_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pass,
    Fail,
    /// The check needs a person to look: it decides nothing.
    Manual,
    /// What Prowler's mutelist writes in some outputs instead of marking the finding
    /// suppressed.
    Muted,
}

impl Status {
    fn parse(text: &str, path: &JsonPath) -> Result<Status, ScanError> {
        match text.to_ascii_uppercase().as_str() {
            "PASS" => Ok(Status::Pass),
            "FAIL" => Ok(Status::Fail),
            "MANUAL" => Ok(Status::Manual),
            "MUTED" => Ok(Status::Muted),
            _ => Err(path.error(format!(
                "the status code {} is not one Prowler writes (PASS, FAIL, MANUAL, MUTED)",
                quoted(text)
            ))),
        }
    }
}

/// `status`: `Suppressed` marks a finding the mutelist muted; `New` (5.x) and `Other` (4.x,
/// for passes) are the rest.
fn is_suppressed(status: &str, path: &JsonPath) -> Result<bool, ScanError> {
    match status.to_ascii_lowercase().as_str() {
        "suppressed" => Ok(true),
        "new" | "other" => Ok(false),
        _ => Err(path.error(format!(
            "the status {} is not one Prowler writes (New, Suppressed, Other)",
            quoted(status)
        ))),
    }
}

fn parse_severity(text: &str, path: &JsonPath) -> Result<Severity, ScanError> {
    match text.to_ascii_lowercase().as_str() {
        "informational" => Ok(Severity::Informational),
        "low" => Ok(Severity::Low),
        "medium" => Ok(Severity::Medium),
        "high" => Ok(Severity::High),
        "critical" => Ok(Severity::Critical),
        _ => Err(path.error(format!(
            "the severity {} is not one Prowler writes (Informational, Low, Medium, High, Critical)",
            quoted(text)
        ))),
    }
}

impl Finding {
    /// Whether this reads as an OCSF finding at all, to tell a Prowler file from other arrays.
    fn is_ocsf_finding(&self) -> bool {
        self.metadata.is_some()
            && (self.class_uid.is_some() || self.finding_info.is_some() || self.status_code.is_some())
    }

    fn product_name(&self) -> Option<&str> {
        self.metadata.as_ref()?.product.as_ref()?.name.as_deref()
    }

    fn check_id(&self, path: &JsonPath) -> Result<&str, ScanError> {
        let at = path.key("metadata").key("event_code");
        let id = self.metadata.as_ref().and_then(|m| non_blank(m.event_code.as_deref()));
        let id = id.ok_or_else(|| at.error("is missing: it names the check"))?;
        check_text(id, "the check id", &at)?;
        Ok(id)
    }

    fn title<'a>(&'a self, check_id: &'a str) -> &'a str {
        non_blank(self.finding_info.as_ref().and_then(|i| i.title.as_deref())).unwrap_or(check_id)
    }

    fn status(&self, path: &JsonPath) -> Result<Status, ScanError> {
        let at = path.key("status_code");
        let text = non_blank(self.status_code.as_deref()).ok_or_else(|| at.error("is missing"))?;
        Status::parse(text, &at)
    }

    fn muted(&self, status: Status, path: &JsonPath) -> Result<bool, ScanError> {
        let suppressed = match non_blank(self.status.as_deref()) {
            Some(text) => is_suppressed(text, &path.key("status"))?,
            None => false,
        };
        Ok(suppressed || status == Status::Muted)
    }

    fn severity(&self, path: &JsonPath) -> Result<Severity, ScanError> {
        let at = path.key("severity");
        let text = non_blank(self.severity.as_deref()).ok_or_else(|| at.error("is missing"))?;
        parse_severity(text, &at)
    }

    /// `time` (seconds since 1970) when present: `time_dt` is Python's naive local time of
    /// the scanning machine, no offset, so it is only the fallback. Both are checked.
    fn time(&self, path: &JsonPath) -> Result<DateTime<Utc>, ScanError> {
        let written = match non_blank(self.time_dt.as_deref()) {
            Some(text) => Some(timestamp::parse(text).ok_or_else(|| {
                path.key("time_dt")
                    .error(format!("the time {} is not an ISO 8601 date and time", quoted(text)))
            })?),
            None => None,
        };
        match self.time {
            Some(seconds) => timestamp::from_epoch_seconds(seconds)
                .ok_or_else(|| path.key("time").error(format!("the time {seconds} is out of range"))),
            None => written.ok_or_else(|| path.key("time").error("is missing, and so is time_dt")),
        }
    }

    fn version(&self) -> Option<String> {
        non_blank(self.metadata.as_ref()?.product.as_ref()?.version.as_deref()).map(str::to_string)
    }

    fn entities(&self, check_id: &str, passes: bool, path: &JsonPath) -> Result<Vec<Entity>, ScanError> {
        let at = path.key("resources");
        let resources = self.resources.as_deref().unwrap_or_default();
        if resources.is_empty() {
            return Err(at.error("is missing or empty: a finding is about one resource"));
        }
        resources.iter().enumerate().map(|(i, r)| entity(r, check_id, passes, &at.index(i))).collect()
    }

    fn tenant(&self) -> Tenant {
        let tenant_uid = self.metadata.as_ref().and_then(|m| m.tenant_uid.as_deref());
        self.cloud.as_ref().map(|cloud| cloud.tenant(tenant_uid)).unwrap_or_default()
    }
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.trim().is_empty())
}

/// The tenant a finding is about, where Prowler's providers put it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tenant {
    id: Option<String>,
    domain: Option<String>,
}

impl Cloud {
    /// Microsoft 365 (`m365`; `microsoft365` before 5.7): the tenant id is `cloud.org.uid`
    /// from 5.19, `cloud.account.uid` before; the domain `cloud.account.uid` from 5.19,
    /// `cloud.account.name` before.
    /// Azure: the tenant id is `cloud.org.uid`, its domain `cloud.org.name`; the account is
    /// the subscription. Other clouds have no Entra tenant.
    fn tenant(&self, tenant_uid: Option<&str>) -> Tenant {
        let org = (
            self.org.as_ref().and_then(|o| o.uid.as_deref()),
            self.org.as_ref().and_then(|o| o.name.as_deref()),
        );
        let account = (
            self.account.as_ref().and_then(|a| a.uid.as_deref()),
            self.account.as_ref().and_then(|a| a.name.as_deref()),
        );
        let (ids, domains) = match self.provider.as_deref().unwrap_or_default() {
            "m365" | "microsoft365" => (vec![org.0, tenant_uid, account.0], vec![account.0, account.1]),
            "azure" => (vec![org.0, tenant_uid], vec![org.1]),
            _ => return Tenant::default(),
        };
        Tenant {
            id: ids.into_iter().flatten().find(|id| looks_like_guid(id)).map(str::to_string),
            domain: domains.into_iter().flatten().find(|d| looks_like_domain(d)).map(str::to_string),
        }
    }
}

/// `contoso.onmicrosoft.com`, not `Unknown tenant domain (missing Entra permissions)`.
fn looks_like_domain(text: &str) -> bool {
    text.contains('.')
        && !looks_like_guid(text)
        && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'))
}

fn entity(resource: &Resource, check_id: &str, passes: bool, path: &JsonPath) -> Result<Entity, ScanError> {
    let uid = non_blank(resource.uid.as_deref());
    let name = non_blank(resource.name.as_deref());
    let (id, id_path) = match (uid, name) {
        (Some(uid), _) => (uid, path.key("uid")),
        (None, Some(name)) => (name, path.key("name")),
        (None, None) => return Err(path.error("has neither a uid nor a name")),
    };
    check_text(id, "the resource id", &id_path)?;
    let display_name = match name {
        Some(name) => {
            check_text(name, "the resource name", &path.key("name"))?;
            name
        }
        None => id,
    };
    Ok(Entity {
        id: id.to_string(),
        display_name: display_name.to_string(),
        kind: resource_kind(check_id, resource.resource_type.as_deref(), id),
        passes,
    })
}

/// An Azure resource's type says what it is (`microsoft.resources/subscriptions` is a
/// subscription, any other `provider/type` a resource). Microsoft 365 findings have no type
/// (`NotDefined`), so the check id does: Prowler names checks `service_resource_rule`, and
/// the first two words after the service (`entra_users_mfa_capable`,
/// `exchange_user_mailbox_auditing_enabled`) name what each finding is about. A uid shaped
/// like a UPN is a user; anything else is a resource.
fn resource_kind(check_id: &str, resource_type: Option<&str>, id: &str) -> EntityKind {
    let resource_type = resource_type.unwrap_or_default().to_ascii_lowercase();
    if resource_type == "microsoft.resources/subscriptions" || is_subscription_id(id) {
        return EntityKind::Subscription;
    }
    if resource_type.contains('/') {
        return EntityKind::Resource;
    }
    let words: Vec<&str> = check_id.split('_').skip(1).take(2).collect();
    kind_in_words(&words).unwrap_or(if looks_like_upn(id) { EntityKind::User } else { EntityKind::Resource })
}

fn is_subscription_id(id: &str) -> bool {
    id.strip_prefix("/subscriptions/").is_some_and(looks_like_guid)
}

/// One check's findings so far.
#[derive(Debug)]
struct Check {
    id: String,
    title: String,
    severity: Severity,
    path: JsonPath,
    entities: EntitySet,
    manual: usize,
}

impl Check {
    /// Fails if any counted resource fails, passes if every one passes; with none counted
    /// (all muted, or a manual check) nothing is measured.
    fn into_control(self) -> ControlResult {
        let (outcome, raw) = if self.entities.any_failing() {
            (Outcome::Fail, "FAIL")
        } else if !self.entities.is_empty() {
            (Outcome::Pass, "PASS")
        } else if self.manual > 0 {
            (Outcome::NotMeasured, "MANUAL")
        } else {
            (Outcome::NotMeasured, "MUTED")
        };
        ControlResult {
            id: self.id,
            title: self.title,
            outcome,
            raw_result: raw.into(),
            severity: self.severity,
            entities: self.entities.into_vec(),
            path: self.path.into(),
        }
    }
}

/// The findings read so far, folded per check.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    checks: Vec<Check>,
    index: HashMap<String, usize>,
    latest: Option<DateTime<Utc>>,
    version: Option<String>,
    /// The tenant of the first finding; every other must agree.
    tenant: Option<Tenant>,
}

impl Findings {
    fn take(&mut self, index: usize, element: Element, tool: Option<Tool>) -> Result<(), ScanError> {
        let path = JsonPath::root().index(index);
        let finding = match element {
            Element::Finding(finding) => finding,
            Element::Other(what) if index == 0 => {
                return Err(not_prowler(tool, &format!("a JSON array whose first item is {what}")))
            }
            Element::Other(what) => {
                return Err(path.error(format!("should be a finding (an object), found {what}")))
            }
        };
        if index == 0 {
            check_first(&finding, tool)?;
        }
        self.add(&finding, &path)
    }

    fn add(&mut self, finding: &Finding, path: &JsonPath) -> Result<(), ScanError> {
        let check_id = finding.check_id(path)?;
        let status = finding.status(path)?;
        let muted = finding.muted(status, path)?;
        let severity = finding.severity(path)?;
        let time = finding.time(path)?;
        let entities = finding.entities(check_id, status == Status::Pass, path)?;
        self.note_tenant(finding, path)?;
        self.latest = self.latest.max(Some(time));
        if self.version.is_none() {
            self.version = finding.version();
        }
        let check = self.check(check_id, finding.title(check_id), severity, path);
        match status {
            _ if muted => {}
            Status::Manual => check.manual += 1,
            _ => {
                for entity in entities {
                    check.entities.add(entity).map_err(|_| too_many(path, check_id))?;
                }
            }
        }
        Ok(())
    }

    fn note_tenant(&mut self, finding: &Finding, path: &JsonPath) -> Result<(), ScanError> {
        let tenant = finding.tenant();
        let Some(first) = &self.tenant else {
            self.tenant = Some(tenant);
            return Ok(());
        };
        match (&first.id, &tenant.id) {
            (Some(first_id), Some(id)) if first_id != id => Err(path.key("cloud").error(format!(
                "is for the tenant {}, but $[0] is for {}: one report is one tenant's",
                quoted(id),
                quoted(first_id)
            ))),
            _ => Ok(()),
        }
    }

    fn check(&mut self, id: &str, title: &str, severity: Severity, path: &JsonPath) -> &mut Check {
        let at = *self.index.entry(id.to_string()).or_insert_with(|| {
            self.checks.push(Check {
                id: id.to_string(),
                title: title.to_string(),
                severity,
                path: path.clone(),
                entities: EntitySet::default(),
                manual: 0,
            });
            self.checks.len() - 1
        });
        &mut self.checks[at]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.latest.is_none()
    }

    pub(crate) fn into_report(self) -> Result<ScanReport, ScanError> {
        let executed_at = self.latest.ok_or_else(|| {
            JsonPath::root()
                .error("is an empty array: a Prowler file with no findings says nothing about the tenant")
        })?;
        let tenant = self.tenant.unwrap_or_default();
        Ok(ScanReport {
            tool: Tool::Prowler,
            tool_version: self.version,
            tenant_id: tenant.id,
            tenant_domain: tenant.domain,
            executed_at,
            controls: self.checks.into_iter().map(Check::into_control).collect(),
        })
    }
}

/// The first item decides whether the array is Prowler's at all.
fn check_first(finding: &Finding, tool: Option<Tool>) -> Result<(), ScanError> {
    if finding.asff_product_arn.is_some() {
        return Err(not_prowler(
            tool,
            "a JSON array of AWS Security Finding Format findings (Prowler's json-asff output; \
             export with --output-formats json-ocsf instead)",
        ));
    }
    if !finding.is_ocsf_finding() {
        return Err(not_prowler(tool, "a JSON array whose first item is not an OCSF finding"));
    }
    if let Some(name) = finding.product_name().filter(|name| !name.eq_ignore_ascii_case("prowler")) {
        return Err(not_prowler(tool, &format!("a JSON array of OCSF findings written by {}", quoted(name))));
    }
    if finding.class_uid.is_some_and(|class| class != DETECTION_FINDING) {
        return Err(not_prowler(tool, "a JSON array of OCSF events that are not Detection Findings"));
    }
    match tool {
        Some(expected) if expected != Tool::Prowler => Err(detect::wrong_tool(expected, Tool::Prowler)),
        _ => Ok(()),
    }
}

fn not_prowler(tool: Option<Tool>, found: &str) -> ScanError {
    match tool {
        Some(expected) => detect::mismatch(expected, found),
        None => detect::not_recognised(found),
    }
}

/// Reads the findings of the array one by one. A refusal is left in `abort` and the parse
/// stopped with a placeholder error; which finding a parse error is in is left there too.
pub(crate) fn read_findings<'de, A: SeqAccess<'de>>(
    mut seq: A,
    tool: Option<Tool>,
    abort: &mut Option<Abort>,
) -> Result<Findings, A::Error> {
    let mut findings = Findings::default();
    let mut index = 0;
    loop {
        *abort = Some(Abort::Element(index));
        let Some(element) = seq.next_element_seed(ElementSeed)? else { break };
        if let Err(refusal) = findings.take(index, element, tool) {
            *abort = Some(Abort::Refused(refusal));
            return Err(A::Error::custom("refused"));
        }
        index += 1;
    }
    *abort = None;
    Ok(findings)
}

/// One item of the array: a finding, or what else it is.
#[derive(Debug)]
enum Element {
    Finding(Box<Finding>),
    Other(&'static str),
}

struct ElementSeed;

impl<'de> DeserializeSeed<'de> for ElementSeed {
    type Value = Element;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Element, D::Error> {
        deserializer.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Prowler finding")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Element, A::Error> {
        Finding::deserialize(MapAccessDeserializer::new(map)).map(|f| Element::Finding(Box::new(f)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Element::Other("an array"))
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Element, E> {
        Ok(Element::Other("a string"))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Element, E> {
        Ok(Element::Other("a boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Element, E> {
        Ok(Element::Other("null"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_of_a_resource() {
        let storage = "/subscriptions/5c1f0e8a-3b7d-4c2e-9f1a-7d2b6e4c8a10/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/contosologs";
        assert_eq!(
            resource_kind(
                "storage_secure_transfer_required_is_enabled",
                Some("microsoft.storage/storageaccounts"),
                storage
            ),
            EntityKind::Resource
        );
        assert_eq!(
            resource_kind(
                "defender_ensure_defender_for_server_is_on",
                Some("Microsoft.Resources/subscriptions"),
                "x"
            ),
            EntityKind::Subscription
        );
        assert_eq!(
            resource_kind(
                "entra_users_mfa_capable",
                Some("NotDefined"),
                "6b1c7f9e-0d7a-4c55-a0a5-2b8c1f3e9d40"
            ),
            EntityKind::User
        );
        assert_eq!(
            resource_kind("exchange_user_mailbox_auditing_enabled", Some("NotDefined"), "Adele Vance"),
            EntityKind::Mailbox
        );
        assert_eq!(
            resource_kind("entra_service_principal_no_secrets_for_permanent_tier0_roles", None, "x"),
            EntityKind::App
        );
        assert_eq!(
            resource_kind("entra_conditional_access_policy_device_code_flow_blocked", None, "x"),
            EntityKind::Policy
        );
        assert_eq!(resource_kind("teams_meeting_recording_disabled", None, "Global"), EntityKind::Resource);
        assert_eq!(
            resource_kind("purview_audit_log_search_enabled", None, "adele@contoso.example"),
            EntityKind::User
        );
    }

    #[test]
    fn the_tenant_of_each_provider() {
        let cloud = |provider: &str, account: (&str, &str), org: (&str, &str)| Cloud {
            provider: Some(provider.into()),
            account: Some(Named { uid: Some(account.0.into()), name: Some(account.1.into()) }),
            org: Some(Named { uid: Some(org.0.into()), name: Some(org.1.into()) }),
        };
        let tenant = "4a7c2d1e-8b3f-4e6a-9c5d-1f2e3a4b5c6d";
        let subscription = "5c1f0e8a-3b7d-4c2e-9f1a-7d2b6e4c8a10";
        let m365 = cloud("m365", ("contoso.onmicrosoft.com", "contoso.onmicrosoft.com"), (tenant, ""));
        assert_eq!(
            m365.tenant(None),
            Tenant { id: Some(tenant.into()), domain: Some("contoso.onmicrosoft.com".into()) }
        );
        let older = cloud("microsoft365", (tenant, "contoso.onmicrosoft.com"), ("", ""));
        assert_eq!(
            older.tenant(None),
            Tenant { id: Some(tenant.into()), domain: Some("contoso.onmicrosoft.com".into()) }
        );
        let azure = cloud("azure", (subscription, "Contoso Production"), (tenant, "contoso.onmicrosoft.com"));
        assert_eq!(
            azure.tenant(None),
            Tenant { id: Some(tenant.into()), domain: Some("contoso.onmicrosoft.com".into()) }
        );
        let aws = cloud("aws", ("123456789012", "prod"), ("o-abc123", "Contoso"));
        assert_eq!(aws.tenant(None), Tenant::default());
        let unknown = cloud("m365", ("Unknown tenant domain (missing Entra permissions)", ""), (tenant, ""));
        assert_eq!(unknown.tenant(None).domain, None);
    }
}
