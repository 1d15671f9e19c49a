//! One report, planned: the measurement of each action its controls measure, the custom
//! actions for controls no entry covers, and the controls that measured nothing.

use super::{custom_action, custom_action_id, Mapping, Measure};
use crate::{ControlResult, Outcome, ScanError, ScanReport, Tool};
use chrono::{DateTime, Utc};
use score::entity::MAX_ENTITIES;
use score::{Entity, EntityKind, ImprovementAction, Measurement};
use std::collections::HashMap;
use std::fmt;

/// What to do with a measured control that no mapping entry covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unmapped {
    /// Make it a custom action of its own (the default).
    #[default]
    Custom,
    /// Leave it out, listed among the skipped controls.
    Skip,
}

impl Unmapped {
    /// `custom` or `skip`, as on the command line (`--unmapped skip`).
    pub fn from_key(key: &str) -> Option<Unmapped> {
        match key.to_ascii_lowercase().as_str() {
            "custom" => Some(Unmapped::Custom),
            "skip" => Some(Unmapped::Skip),
            _ => None,
        }
    }
}

/// What one report says, ready to record.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPlan {
    pub tool: Tool,
    /// When the scan ran; every measurement is observed then.
    pub observed_at: DateTime<Utc>,
    /// Catalog actions, in the order the report first names one of their controls.
    pub measurements: Vec<PlannedMeasurement>,
    /// Actions to create (when the tenant lacks them) for unmapped controls, in report order.
    pub custom_actions: Vec<CustomAction>,
    /// Controls that gave no measurement, in report order.
    pub skipped: Vec<SkippedControl>,
}

impl ScanPlan {
    /// Every measurement to record: the catalog actions' first, then the custom ones'.
    pub fn all_measurements(&self) -> impl Iterator<Item = &PlannedMeasurement> {
        self.measurements.iter().chain(self.custom_actions.iter().map(|c| &c.measurement))
    }
}

/// The measurement of one action from one report.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedMeasurement {
    pub action_id: String,
    pub measure: Measure,
    pub measurement: Measurement,
    /// For `resources`, every entity counted, once per kind and id (passing only where it
    /// passed in every control); for `binary`, the failing ones, for the page to list.
    pub entities: Vec<Entity>,
    /// The controls it was taken from, in report order.
    pub controls: Vec<String>,
}

/// An action made from an unmapped control, with its measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomAction {
    /// Passes `score::catalog::check_action`.
    pub action: ImprovementAction,
    /// Its measurement; `action_id` is `action.id`.
    pub measurement: PlannedMeasurement,
}

/// A control that gave no measurement, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedControl {
    pub control: String,
    pub title: String,
    /// Where the control is in the report.
    pub path: String,
    /// The catalog action its mapping entry names, if it has one.
    pub action_id: Option<String>,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The tool did not decide; `raw_result` is its word for it (`Skipped`, `N/A`, `MANUAL`).
    NotMeasured { raw_result: String },
    /// No mapping entry covers it and custom actions were not wanted.
    Unmapped,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotMeasured { raw_result } => {
                write!(f, "the tool did not decide (its result: {raw_result})")
            }
            SkipReason::Unmapped => {
                f.write_str("no mapping entry covers it, and unmapped controls are skipped")
            }
        }
    }
}

/// Plans one report with its tool's mapping.
///
/// Controls of one action combine: `binary`, met only when every measured control passes;
/// `resources`, passing entities over all entities, each entity counted once per kind and
/// id and passing only where every control passed it. A `resources` control that lists no
/// entities counts as one unit of its own. Controls the tool did not decide are left out,
/// and an action none of whose controls were decided gets no measurement.
///
/// Refused (rather than cut short) when one action would carry more than
/// [`MAX_ENTITIES`] entities, or when the mapping is another tool's.
pub fn plan(report: &ScanReport, mapping: &Mapping, unmapped: Unmapped) -> Result<ScanPlan, ScanError> {
    if mapping.tool() != report.tool {
        return Err(ScanError::new(
            "$",
            format!("a {} report cannot be planned with the {} mapping", report.tool, mapping.tool()),
        ));
    }
    let mut mapped: Vec<Tally> = Vec::new();
    let mut mapped_at: HashMap<&str, usize> = HashMap::new();
    let mut custom: Vec<(ImprovementAction, Tally)> = Vec::new();
    let mut custom_at: HashMap<String, usize> = HashMap::new();
    let mut skipped = Vec::new();

    for control in &report.controls {
        let entry = mapping.get(&control.id);
        let skip = |reason| SkippedControl {
            control: control.id.clone(),
            title: control.title.clone(),
            path: control.path.clone(),
            action_id: entry.map(|e| e.action.clone()),
            reason,
        };
        if control.outcome == Outcome::NotMeasured {
            skipped.push(skip(SkipReason::NotMeasured { raw_result: control.raw_result.clone() }));
            continue;
        }
        match (entry, unmapped) {
            (Some(e), _) => {
                let i = *mapped_at.entry(e.action.as_str()).or_insert_with(|| {
                    mapped.push(Tally::new(&e.action, e.measure));
                    mapped.len() - 1
                });
                mapped[i].add(control);
            }
            (None, Unmapped::Skip) => skipped.push(skip(SkipReason::Unmapped)),
            (None, Unmapped::Custom) => {
                // Keyed by the action id, so a control the report repeats adds to one action.
                let id = custom_action_id(report.tool, &control.id);
                let i = match custom_at.get(&id) {
                    Some(&i) => i,
                    None => {
                        let action = custom_action(report.tool, control, mapping.custom_rule(&control.id));
                        custom.push((action, Tally::new(&id, Measure::Binary)));
                        custom_at.insert(id, custom.len() - 1);
                        custom.len() - 1
                    }
                };
                custom[i].1.add(control);
            }
        }
    }

    let at = report.executed_at;
    Ok(ScanPlan {
        tool: report.tool,
        observed_at: at,
        measurements: mapped.into_iter().map(|t| t.finish(at)).collect::<Result<_, _>>()?,
        custom_actions: custom
            .into_iter()
            .map(|(action, t)| Ok(CustomAction { action, measurement: t.finish(at)? }))
            .collect::<Result<_, ScanError>>()?,
        skipped,
    })
}

/// The running measurement of one action while its controls are read.
struct Tally<'r> {
    action_id: String,
    measure: Measure,
    /// Binary: every control so far passed.
    implemented: bool,
    /// Resources: units counted for controls that list no entities.
    bare_passing: u32,
    bare_total: u32,
    entities: Vec<Entity>,
    /// Where each (kind, id) is in `entities`.
    seen: HashMap<(EntityKind, &'r str), usize>,
    controls: Vec<String>,
    /// The control that took the entities past the limit, for the refusal.
    overflow_at: Option<&'r str>,
}

impl<'r> Tally<'r> {
    fn new(action_id: &str, measure: Measure) -> Tally<'r> {
        Tally {
            action_id: action_id.to_owned(),
            measure,
            implemented: true,
            bare_passing: 0,
            bare_total: 0,
            entities: Vec::new(),
            seen: HashMap::new(),
            controls: Vec::new(),
            overflow_at: None,
        }
    }

    fn add(&mut self, control: &'r ControlResult) {
        self.controls.push(control.id.clone());
        let passed = control.outcome == Outcome::Pass;
        match self.measure {
            Measure::Binary => {
                self.implemented &= passed;
                for e in control.entities.iter().filter(|e| !e.passes) {
                    self.keep(e, control);
                }
            }
            Measure::Resources if control.entities.is_empty() => {
                self.bare_total += 1;
                self.bare_passing += u32::from(passed);
            }
            Measure::Resources => {
                for e in &control.entities {
                    self.keep(e, control);
                }
            }
        }
    }

    fn keep(&mut self, entity: &'r Entity, control: &'r ControlResult) {
        match self.seen.get(&(entity.kind, entity.id.as_str())) {
            Some(&i) => self.entities[i].passes &= entity.passes,
            None => {
                self.seen.insert((entity.kind, entity.id.as_str()), self.entities.len());
                self.entities.push(entity.clone());
                if self.entities.len() > MAX_ENTITIES && self.overflow_at.is_none() {
                    self.overflow_at = Some(&control.path);
                }
            }
        }
    }

    fn finish(self, observed_at: DateTime<Utc>) -> Result<PlannedMeasurement, ScanError> {
        let count = self.entities.len();
        if count > MAX_ENTITIES {
            return Err(ScanError::new(
                self.overflow_at.unwrap_or("$"),
                format!(
                    "action `{}` would carry {count} entities (from {}); at most {MAX_ENTITIES} are kept \
                     per measurement, and a partial list would misstate the share",
                    self.action_id,
                    self.controls.join(", ")
                ),
            ));
        }
        let measurement = match self.measure {
            Measure::Binary => Measurement::binary(self.implemented, observed_at),
            Measure::Resources => {
                // Both at most MAX_ENTITIES plus the report's control count: far inside u32.
                let passing = self.entities.iter().filter(|e| e.passes).count();
                let as_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                Measurement::partial(
                    as_u32(passing).saturating_add(self.bare_passing),
                    as_u32(count).saturating_add(self.bare_total),
                    observed_at,
                )
            }
        };
        Ok(PlannedMeasurement {
            action_id: self.action_id,
            measure: self.measure,
            measurement,
            entities: self.entities,
            controls: self.controls,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::small_catalog;
    use super::*;
    use crate::Severity;
    use chrono::TimeZone;
    use score::catalog::check_action;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, 9, 30, 0).unwrap()
    }

    fn mapping(tool: Tool, entries: &[(&str, &str, &str)]) -> Mapping {
        let mut text = format!(
            "tool = \"{}\"\n[[custom]]\ncategory = \"Apps\"\nproduct = \"Microsoft 365\"\n\
             [[custom]]\nprefix = \"MT.\"\ncategory = \"Identity\"\nproduct = \"Entra ID\"\n",
            tool.key()
        );
        for (id, action, measure) in entries {
            text.push_str(&format!(
                "[[control]]\nid = \"{id}\"\naction = \"{action}\"\nmeasure = \"{measure}\"\nwhy = \"w\"\n"
            ));
        }
        Mapping::parse(tool, &text, "test.toml", &small_catalog()).unwrap()
    }

    fn user(id: &str, passes: bool) -> Entity {
        Entity { id: id.into(), display_name: id.into(), kind: EntityKind::User, passes }
    }

    /// `passing` passing users then `failing` failing ones, ids unique per `tag`.
    fn users(tag: &str, passing: usize, failing: usize) -> Vec<Entity> {
        (0..passing + failing).map(|i| user(&format!("{tag}{i}"), i < passing)).collect()
    }

    fn control(id: &str, outcome: Outcome, entities: Vec<Entity>) -> ControlResult {
        ControlResult {
            id: id.into(),
            title: format!("Title of {id}"),
            outcome,
            raw_result: match outcome {
                Outcome::Pass => "Passed",
                Outcome::Fail => "Failed",
                Outcome::NotMeasured => "Skipped",
            }
            .into(),
            severity: Severity::Medium,
            entities,
            path: format!("$.Tests[{id}]"),
        }
    }

    fn report(tool: Tool, controls: Vec<ControlResult>) -> ScanReport {
        ScanReport {
            tool,
            tool_version: None,
            tenant_id: None,
            tenant_domain: None,
            executed_at: at(),
            controls,
        }
    }

    fn only<'p>(plan: &'p ScanPlan, action: &str) -> &'p PlannedMeasurement {
        let found: Vec<_> = plan.measurements.iter().filter(|m| m.action_id == action).collect();
        assert_eq!(found.len(), 1, "one measurement of {action}");
        found[0]
    }

    #[test]
    fn binary_controls_combine_to_met_only_when_all_pass() {
        let m = mapping(
            Tool::Maester,
            &[
                ("MT.1", "BlockLegacyAuthentication", "binary"),
                ("MT.2", "BlockLegacyAuthentication", "binary"),
                ("MT.3", "BlockLegacyAuthentication", "binary"),
            ],
        );
        let mixed = report(
            Tool::Maester,
            vec![
                control("MT.1", Outcome::Pass, vec![]),
                control("MT.2", Outcome::Fail, vec![]),
                control("MT.3", Outcome::Pass, vec![]),
            ],
        );
        let p = plan(&mixed, &m, Unmapped::Custom).unwrap();
        let got = only(&p, "BlockLegacyAuthentication");
        assert_eq!((got.measurement.count, got.measurement.total), (0, 1));
        assert_eq!(got.controls, ["MT.1", "MT.2", "MT.3"]);
        assert_eq!(got.measurement.observed_at, at());

        let all_pass = report(
            Tool::Maester,
            vec![control("MT.1", Outcome::Pass, vec![]), control("MT.3", Outcome::Pass, vec![])],
        );
        let got = plan(&all_pass, &m, Unmapped::Custom).unwrap();
        assert_eq!((got.measurements[0].measurement.count, got.measurements[0].measurement.total), (1, 1));
    }

    #[test]
    fn resources_sum_passing_over_total() {
        let m = mapping(
            Tool::Prowler,
            &[("a", "MFARegistrationV2", "resources"), ("b", "MFARegistrationV2", "resources")],
        );
        let r = report(
            Tool::Prowler,
            vec![
                control("a", Outcome::Fail, users("a", 7, 3)),
                control("b", Outcome::Fail, users("b", 3, 2)),
            ],
        );
        let got = plan(&r, &m, Unmapped::Custom).unwrap();
        let got = only(&got, "MFARegistrationV2");
        // 7 of 10 plus 3 of 5, no user in both.
        assert_eq!((got.measurement.count, got.measurement.total), (10, 15));
        assert_eq!(got.entities.len(), 15, "passing and failing entities are both kept");
        assert_eq!(got.measure, Measure::Resources);
    }

    #[test]
    fn an_entity_in_two_controls_counts_once_and_passes_only_if_both_pass_it() {
        let m = mapping(
            Tool::Prowler,
            &[("rdp", "MFARegistrationV2", "resources"), ("ssh", "MFARegistrationV2", "resources")],
        );
        let r = report(
            Tool::Prowler,
            vec![
                control(
                    "rdp",
                    Outcome::Fail,
                    vec![user("nsg1", true), user("nsg2", true), user("nsg3", false)],
                ),
                control("ssh", Outcome::Fail, vec![user("nsg1", true), user("nsg2", false)]),
            ],
        );
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        let got = only(&p, "MFARegistrationV2");
        // nsg1 passes both; nsg2 fails ssh; nsg3 fails rdp: 1 of 3.
        assert_eq!((got.measurement.count, got.measurement.total), (1, 3));
        // The same id under another kind is another entity.
        let group = Entity { kind: EntityKind::Group, ..user("nsg1", true) };
        let r = report(Tool::Prowler, vec![control("rdp", Outcome::Pass, vec![user("nsg1", true), group])]);
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        assert_eq!(p.measurements[0].measurement.total, 2);
    }

    #[test]
    fn a_resources_control_listing_nothing_counts_as_one_unit() {
        let m = mapping(
            Tool::Prowler,
            &[("a", "MFARegistrationV2", "resources"), ("b", "MFARegistrationV2", "resources")],
        );
        let r = report(
            Tool::Prowler,
            vec![control("a", Outcome::Pass, users("a", 2, 2)), control("b", Outcome::Fail, vec![])],
        );
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        assert_eq!((p.measurements[0].measurement.count, p.measurements[0].measurement.total), (2, 5));
    }

    #[test]
    fn binary_measurements_carry_only_the_failing_entities() {
        let m = mapping(Tool::Maester, &[("MT.1", "AdminMFAV2", "binary"), ("MT.2", "AdminMFAV2", "binary")]);
        let r = report(
            Tool::Maester,
            vec![
                control("MT.1", Outcome::Fail, vec![user("alice", false), user("bob", true)]),
                control("MT.2", Outcome::Fail, vec![user("alice", false), user("carol", false)]),
            ],
        );
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        let ids: Vec<&str> = p.measurements[0].entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["alice", "carol"]);
        assert!(p.measurements[0].entities.iter().all(|e| !e.passes));
    }

    #[test]
    fn undecided_controls_are_left_out_and_an_action_with_none_decided_gets_nothing() {
        let m = mapping(
            Tool::Maester,
            &[
                ("MT.1", "AdminMFAV2", "binary"),
                ("MT.2", "AdminMFAV2", "binary"),
                ("MT.3", "BlockLegacyAuthentication", "binary"),
            ],
        );
        let r = report(
            Tool::Maester,
            vec![
                control("MT.1", Outcome::Pass, vec![]),
                control("MT.2", Outcome::NotMeasured, vec![user("x", false)]),
                control("MT.3", Outcome::NotMeasured, vec![]),
            ],
        );
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        assert_eq!(p.measurements.len(), 1, "BlockLegacyAuthentication has no decided control");
        let got = only(&p, "AdminMFAV2");
        assert_eq!(
            (got.measurement.count, got.measurement.total),
            (1, 1),
            "the skipped failure does not count"
        );
        assert_eq!(got.controls, ["MT.1"]);
        assert!(got.entities.is_empty());
        let skipped: Vec<(&str, Option<&str>)> =
            p.skipped.iter().map(|s| (s.control.as_str(), s.action_id.as_deref())).collect();
        assert_eq!(skipped, [("MT.2", Some("AdminMFAV2")), ("MT.3", Some("BlockLegacyAuthentication"))]);
        assert_eq!(p.skipped[0].reason, SkipReason::NotMeasured { raw_result: "Skipped".into() });
        assert!(p.custom_actions.is_empty());
    }

    #[test]
    fn unmapped_controls_become_custom_actions_or_are_skipped() {
        let m = mapping(Tool::Maester, &[("MT.1", "AdminMFAV2", "binary")]);
        let mut high = control("MT.9", Outcome::Fail, vec![user("dave", false), user("erin", true)]);
        high.severity = Severity::High;
        let r = report(
            Tool::Maester,
            vec![
                control("MT.1", Outcome::Pass, vec![]),
                high,
                control("ORCA.100", Outcome::Pass, vec![]),
                control("ORCA.101", Outcome::NotMeasured, vec![]),
            ],
        );
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        let ids: Vec<&str> = p.custom_actions.iter().map(|c| c.action.id.as_str()).collect();
        assert_eq!(ids, ["maester.MT.9", "maester.ORCA.100"], "the undecided one makes no action");
        let first = &p.custom_actions[0];
        check_action(&first.action).unwrap();
        assert_eq!(first.action.title, "Title of MT.9");
        assert_eq!((first.action.category, first.action.max_points), (score::Category::Identity, 8));
        assert_eq!(first.action.product, "Entra ID", "by the MT. rule");
        assert_eq!(p.custom_actions[1].action.category, score::Category::Apps, "by the rule for the rest");
        assert_eq!(first.measurement.action_id, first.action.id);
        assert_eq!((first.measurement.measurement.count, first.measurement.measurement.total), (0, 1));
        assert_eq!(first.measurement.entities, vec![user("dave", false)]);
        assert_eq!(p.all_measurements().count(), 3);

        let p = plan(&r, &m, Unmapped::Skip).unwrap();
        assert!(p.custom_actions.is_empty());
        let skipped: Vec<(&str, &SkipReason)> =
            p.skipped.iter().map(|s| (s.control.as_str(), &s.reason)).collect();
        assert_eq!(
            skipped,
            [
                ("MT.9", &SkipReason::Unmapped),
                ("ORCA.100", &SkipReason::Unmapped),
                ("ORCA.101", &SkipReason::NotMeasured { raw_result: "Skipped".into() }),
            ]
        );
        assert_eq!(p.measurements.len(), 1, "mapped controls are measured either way");
    }

    #[test]
    fn too_many_entities_for_one_action_are_refused_not_cut() {
        let m = mapping(
            Tool::Prowler,
            &[("a", "MFARegistrationV2", "resources"), ("b", "MFARegistrationV2", "resources")],
        );
        let half = MAX_ENTITIES / 2 + 1;
        let r = report(
            Tool::Prowler,
            vec![
                control("a", Outcome::Fail, users("a", half, 0)),
                control("b", Outcome::Fail, users("b", half, 0)),
            ],
        );
        let e = plan(&r, &m, Unmapped::Custom).unwrap_err();
        assert_eq!(e.path, "$.Tests[b]", "the control that went past the limit");
        assert!(e.message.contains("`MFARegistrationV2`"), "{e}");
        assert!(e.message.contains(&format!("{} entities", 2 * half)), "{e}");
        // Exactly at the limit is fine.
        let r = report(Tool::Prowler, vec![control("a", Outcome::Fail, users("a", MAX_ENTITIES, 0))]);
        assert_eq!(plan(&r, &m, Unmapped::Custom).unwrap().measurements[0].entities.len(), MAX_ENTITIES);
    }

    #[test]
    fn a_mapping_of_another_tool_is_refused() {
        let m = mapping(Tool::Maester, &[]);
        let e = plan(&report(Tool::Prowler, vec![]), &m, Unmapped::Custom).unwrap_err();
        assert_eq!(e.path, "$");
    }

    #[test]
    fn measurements_follow_report_order_and_are_observed_at_the_scan() {
        let m = mapping(
            Tool::ScubaGear,
            &[("MS.AAD.1.1", "BlockLegacyAuthentication", "binary"), ("MS.AAD.3.6", "AdminMFAV2", "binary")],
        );
        let r = report(
            Tool::ScubaGear,
            vec![control("MS.AAD.3.6", Outcome::Pass, vec![]), control("MS.AAD.1.1", Outcome::Fail, vec![])],
        );
        let p = plan(&r, &m, Unmapped::Custom).unwrap();
        let order: Vec<&str> = p.measurements.iter().map(|m| m.action_id.as_str()).collect();
        assert_eq!(order, ["AdminMFAV2", "BlockLegacyAuthentication"]);
        assert!(p.all_measurements().all(|m| m.measurement.observed_at == at()));
        assert_eq!(p.observed_at, at());
    }

    #[test]
    fn the_unmapped_switch_reads_its_words() {
        assert_eq!(Unmapped::from_key("skip"), Some(Unmapped::Skip));
        assert_eq!(Unmapped::from_key("Custom"), Some(Unmapped::Custom));
        assert_eq!(Unmapped::from_key("drop"), None);
    }
}
