//! Which scanner control measures which improvement action, and how a report's results
//! become measurements.
//!
//! A mapping file (`catalog/mappings/<tool>.toml`, format in its README) lists, per tool,
//! the controls that measure a catalog action and how: `binary` (the control passes or not)
//! or `resources` (passing entities over all entities, for actions scored by share). Its
//! `[[custom]]` rules file the controls it does not list, which become custom actions.
//! [`Mapping::parse`] checks a file against the catalog the way the catalog itself is
//! checked, naming the file, the entry and the field of the first problem; [`plan`] turns
//! one report into the measurements to record.

mod custom;
mod plan;

pub use custom::{custom_action, custom_action_id, points_for, UNMAPPED_TAG};
pub use plan::{plan, CustomAction, PlannedMeasurement, ScanPlan, SkipReason, SkippedControl, Unmapped};

use crate::Tool;
use score::catalog::Catalog;
use score::Category;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// The mapping files compiled into the binary, so the server starts without the repository.
const BUILT_IN: [(Tool, &str, &str); 3] = [
    (
        Tool::Maester,
        "catalog/mappings/maester.toml (built in)",
        include_str!("../../catalog/mappings/maester.toml"),
    ),
    (
        Tool::ScubaGear,
        "catalog/mappings/scubagear.toml (built in)",
        include_str!("../../catalog/mappings/scubagear.toml"),
    ),
    (
        Tool::Prowler,
        "catalog/mappings/prowler.toml (built in)",
        include_str!("../../catalog/mappings/prowler.toml"),
    ),
];

/// How a control's result becomes a measurement of its action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// The control passes or not: 1/1 or 0/1.
    Binary,
    /// Passing entities over all entities the control examined; only for actions scored
    /// by share (`scoring = "partial"`).
    Resources,
}

impl Measure {
    /// The word in mapping files.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Binary => "binary",
            Measure::Resources => "resources",
        }
    }

    pub fn from_key(key: &str) -> Option<Measure> {
        [Measure::Binary, Measure::Resources].into_iter().find(|m| m.key() == key)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One `[[control]]` entry: a tool's control that measures a catalog action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedControl {
    /// The tool's id, as the reader normalises it (ScubaGear's without `v1`).
    pub id: String,
    /// The catalog action it measures.
    pub action: String,
    pub measure: Measure,
    /// Why the control measures that action, in one line.
    pub why: String,
}

/// One `[[custom]]` rule: the category and product of a custom action made from an
/// unmapped control whose id starts with `prefix` (empty for the rule that takes the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRule {
    pub prefix: String,
    pub category: Category,
    pub product: String,
}

/// A rule a mapping file breaks, naming the file, the entry (table, position, id) and the
/// field, like [`score::catalog::CatalogIssue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingIssue {
    pub file: String,
    /// `control` or `custom`; empty when the issue is about the file as a whole.
    pub table: &'static str,
    /// 1-based position of the entry in its table; 0 for the file as a whole.
    pub entry: usize,
    /// The entry's control id (or rule prefix), as far as it could be read.
    pub id: String,
    /// The field at fault; empty when the issue is about the entry or file as a whole.
    pub field: String,
    pub message: String,
}

impl fmt::Display for MappingIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mapping {}: ", self.file)?;
        if self.entry > 0 {
            write!(f, "{} #{} ({}): ", self.table, self.entry, self.id)?;
        }
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for MappingIssue {}

/// One tool's mapping, checked against the catalog it was loaded with.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    tool: Tool,
    file: String,
    controls: Vec<MappedControl>,
    by_id: HashMap<String, usize>,
    /// Rules with a prefix, longest prefix first, so the first match is the most specific.
    rules: Vec<CustomRule>,
    fallback: CustomRule,
}

const TOP_KEYS: &[&str] = &["tool", "control", "custom"];
const CONTROL_KEYS: &[&str] = &["id", "action", "measure", "why"];
const CUSTOM_KEYS: &[&str] = &["prefix", "category", "product"];

impl Mapping {
    /// Reads and checks one mapping file; `file` names it in every issue.
    pub fn parse(tool: Tool, text: &str, file: &str, catalog: &Catalog) -> Result<Mapping, MappingIssue> {
        let whole = |field: &str, message: String| MappingIssue {
            file: file.to_owned(),
            table: "",
            entry: 0,
            id: String::new(),
            field: field.to_owned(),
            message,
        };
        let top: toml::Table =
            toml::from_str(text).map_err(|e| whole("", format!("is not valid TOML: {e}")))?;
        if let Some(unknown) = top.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
            return Err(whole(
                unknown,
                "is not a known field; expected `tool`, [[control]] or [[custom]]".into(),
            ));
        }
        match top.get("tool").map(|v| v.as_str()) {
            Some(Some(t)) if t == tool.key() => {}
            Some(Some(t)) => {
                return Err(whole(
                    "tool",
                    format!("is \"{t}\", but this file is read as the {} mapping", tool.key()),
                ))
            }
            _ => return Err(whole("tool", format!("is required: `tool = \"{}\"` at the top", tool.key()))),
        }

        let mut controls: Vec<MappedControl> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        // The first entry mapping each action, to refuse a second one measuring it differently.
        let mut first_for_action: HashMap<String, usize> = HashMap::new();
        for (i, value) in entries(&top, "control", file)?.iter().enumerate() {
            let entry = Entry::new(file, "control", i + 1, value, "id")?;
            entry.only(CONTROL_KEYS)?;
            let id = entry.required("id")?;
            check_control_id(tool, id).map_err(|m| entry.issue("id", m))?;
            if let Some(&earlier) = by_id.get(id) {
                return Err(
                    entry.issue("id", format!("appears more than once (first as control #{})", earlier + 1))
                );
            }
            let action_id = entry.required("action")?;
            let action = catalog.get(action_id).ok_or_else(|| {
                entry.issue("action", format!("names `{action_id}`, which is not in the catalog"))
            })?;
            if action.deprecated {
                return Err(entry.issue(
                    "action",
                    format!("names `{action_id}`, which is deprecated; map the action that replaces it"),
                ));
            }
            let measure_text = entry.required("measure")?;
            let measure = Measure::from_key(measure_text).ok_or_else(|| {
                entry.issue("measure", format!("must be \"binary\" or \"resources\", got \"{measure_text}\""))
            })?;
            if measure == Measure::Resources && action.unit().is_none() {
                return Err(entry.issue(
                    "measure",
                    format!(
                        "is \"resources\", but `{action_id}` is scored all or nothing; \
                         counting entities needs an action with scoring = \"partial\""
                    ),
                ));
            }
            if let Some(&earlier) = first_for_action.get(action_id) {
                let other = &controls[earlier];
                if other.measure != measure {
                    return Err(entry.issue(
                        "measure",
                        format!(
                            "is \"{measure}\", but control #{} ({}) measures `{action_id}` as \"{}\"; \
                             the controls of one action must share one measure",
                            earlier + 1,
                            other.id,
                            other.measure
                        ),
                    ));
                }
            }
            let why = entry.required("why")?;
            if why.contains(['\n', '\r']) {
                return Err(entry.issue("why", "must be one line".into()));
            }
            first_for_action.entry(action_id.to_owned()).or_insert(controls.len());
            by_id.insert(id.to_owned(), controls.len());
            controls.push(MappedControl {
                id: id.to_owned(),
                action: action_id.to_owned(),
                measure,
                why: why.to_owned(),
            });
        }

        let mut rules: Vec<CustomRule> = Vec::new();
        let mut fallback: Option<CustomRule> = None;
        for (i, value) in entries(&top, "custom", file)?.iter().enumerate() {
            let entry = Entry::new(file, "custom", i + 1, value, "prefix")?;
            entry.only(CUSTOM_KEYS)?;
            let prefix = entry.optional("prefix")?;
            if let Some(p) = prefix {
                if p.is_empty() || p.trim() != p {
                    return Err(entry.issue(
                        "prefix",
                        "must be non-empty text without spaces around it; leave it out for the rule that takes the rest"
                            .into(),
                    ));
                }
                if rules.iter().any(|r| r.prefix == p) {
                    return Err(entry.issue("prefix", "appears more than once".into()));
                }
            } else if fallback.is_some() {
                return Err(
                    entry.issue("prefix", "is missing here too; only one rule may take the rest".into())
                );
            }
            let category_text = entry.required("category")?;
            let category = Category::parse(category_text).ok_or_else(|| {
                entry.issue(
                    "category",
                    format!(
                        "\"{category_text}\" is not a category; expected Identity, Data, Device, Apps or Infrastructure"
                    ),
                )
            })?;
            let product = entry.required("product")?.to_owned();
            match prefix {
                Some(p) => rules.push(CustomRule { prefix: p.to_owned(), category, product }),
                None => fallback = Some(CustomRule { prefix: String::new(), category, product }),
            }
        }
        let fallback = fallback.ok_or_else(|| {
            whole(
                "custom",
                "needs one [[custom]] rule without a prefix, for controls no other rule matches".into(),
            )
        })?;
        rules.sort_by(|a, b| b.prefix.len().cmp(&a.prefix.len()).then_with(|| a.prefix.cmp(&b.prefix)));

        Ok(Mapping { tool, file: file.to_owned(), controls, by_id, rules, fallback })
    }

    pub fn tool(&self) -> Tool {
        self.tool
    }

    /// The name the mapping was loaded under, for messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Every entry, in file order.
    pub fn controls(&self) -> &[MappedControl] {
        &self.controls
    }

    /// The entry for a control id, exactly as the reader writes it.
    pub fn get(&self, control_id: &str) -> Option<&MappedControl> {
        self.by_id.get(control_id).map(|&i| &self.controls[i])
    }

    /// The rule filing a custom action made from `control_id`: the longest matching prefix.
    pub fn custom_rule(&self, control_id: &str) -> &CustomRule {
        self.rules.iter().find(|r| control_id.starts_with(&r.prefix)).unwrap_or(&self.fallback)
    }
}

/// Why a control id cannot be an entry's id.
fn check_control_id(tool: Tool, id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if id.trim() != id {
        return Err("has spaces around it".into());
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character U+{:04X}", u32::from(c)));
    }
    if tool == Tool::ScubaGear {
        if let Some(bare) = without_version_suffix(id) {
            return Err(format!(
                "ends in a version suffix; the reader drops it, so write \"{bare}\" to match reports"
            ));
        }
    }
    Ok(())
}

/// `MS.AAD.3.1` for `MS.AAD.3.1v1`; `None` when there is no `v<digits>` after a digit.
fn without_version_suffix(id: &str) -> Option<&str> {
    let digits = id.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits.len() == id.len() {
        return None;
    }
    let bare = digits.strip_suffix('v')?;
    bare.ends_with(|c: char| c.is_ascii_digit()).then_some(bare)
}

/// The `[[name]]` array of tables, or none when the file has no such entries.
fn entries<'t>(top: &'t toml::Table, name: &str, file: &str) -> Result<&'t [toml::Value], MappingIssue> {
    match top.get(name) {
        None => Ok(&[]),
        Some(toml::Value::Array(a)) => Ok(a),
        Some(_) => Err(MappingIssue {
            file: file.to_owned(),
            table: "",
            entry: 0,
            id: String::new(),
            field: name.to_owned(),
            message: format!("must be a list of [[{name}]] tables"),
        }),
    }
}

/// One entry of a table, for reading its fields with issues that name it.
struct Entry<'a> {
    file: &'a str,
    table: &'static str,
    n: usize,
    id: String,
    fields: &'a toml::Table,
}

impl<'a> Entry<'a> {
    fn new(
        file: &'a str,
        table: &'static str,
        n: usize,
        value: &'a toml::Value,
        id_key: &str,
    ) -> Result<Entry<'a>, MappingIssue> {
        let Some(fields) = value.as_table() else {
            return Err(MappingIssue {
                file: file.to_owned(),
                table,
                entry: n,
                id: String::new(),
                field: String::new(),
                message: "is not a table".into(),
            });
        };
        let id = fields.get(id_key).and_then(|v| v.as_str()).unwrap_or(if table == "custom" {
            "rest"
        } else {
            "?"
        });
        Ok(Entry { file, table, n, id: id.to_owned(), fields })
    }

    fn issue(&self, field: &str, message: String) -> MappingIssue {
        MappingIssue {
            file: self.file.to_owned(),
            table: self.table,
            entry: self.n,
            id: self.id.clone(),
            field: field.to_owned(),
            message,
        }
    }

    fn only(&self, known: &[&str]) -> Result<(), MappingIssue> {
        match self.fields.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(self.issue(unknown, "is not a known field".into())),
            None => Ok(()),
        }
    }

    fn optional(&self, key: &str) -> Result<Option<&'a str>, MappingIssue> {
        match self.fields.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.issue(key, format!("must be a string, got {other}"))),
        }
    }

    /// A string field that must be there and hold more than spaces.
    fn required(&self, key: &str) -> Result<&'a str, MappingIssue> {
        match self.optional(key)? {
            None => Err(self.issue(key, "is required".into())),
            Some(s) if s.trim().is_empty() => Err(self.issue(key, "must not be empty".into())),
            Some(s) => Ok(s),
        }
    }
}

/// The three tools' mappings, as the server holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Mappings {
    maester: Mapping,
    scubagear: Mapping,
    prowler: Mapping,
}

impl Mappings {
    /// The mapping files compiled into the binary.
    pub fn built_in(catalog: &Catalog) -> Result<Mappings, MappingIssue> {
        let [maester, scubagear, prowler] =
            BUILT_IN.map(|(tool, file, text)| Mapping::parse(tool, text, file, catalog));
        Ok(Mappings { maester: maester?, scubagear: scubagear?, prowler: prowler? })
    }

    /// `<tool>.toml` for each tool from `dir` (the repository's `catalog/mappings`).
    pub fn load_dir(dir: &Path, catalog: &Catalog) -> Result<Mappings, MappingIssue> {
        let load = |tool: Tool| {
            let path = dir.join(Mappings::file_name(tool));
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| MappingIssue {
                file: file.clone(),
                table: "",
                entry: 0,
                id: String::new(),
                field: String::new(),
                message: format!("cannot be read: {e}"),
            })?;
            Mapping::parse(tool, &text, &file, catalog)
        };
        Ok(Mappings {
            maester: load(Tool::Maester)?,
            scubagear: load(Tool::ScubaGear)?,
            prowler: load(Tool::Prowler)?,
        })
    }

    /// The file a tool's mapping is read from: `maester.toml`, `scubagear.toml`, `prowler.toml`.
    pub fn file_name(tool: Tool) -> String {
        format!("{}.toml", tool.key())
    }

    pub fn get(&self, tool: Tool) -> &Mapping {
        match tool {
            Tool::Maester => &self.maester,
            Tool::ScubaGear => &self.scubagear,
            Tool::Prowler => &self.prowler,
        }
    }

    /// Mapped controls across the three tools.
    pub fn control_count(&self) -> usize {
        Tool::ALL.iter().map(|&t| self.get(t).controls().len()).sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use score::{ImprovementAction, Scoring};
    use std::collections::HashSet;

    const CATALOG: &str = include_str!("../../catalog/actions.toml");

    fn real_catalog() -> Catalog {
        let catalog: Catalog = toml::from_str(CATALOG).unwrap();
        catalog.validate().unwrap();
        catalog
    }

    /// A small catalog: two binary actions, one partial, one deprecated.
    pub(crate) fn small_catalog() -> Catalog {
        let binary = |id: &str| ImprovementAction::new(id, id, Category::Identity, "Entra ID", 8);
        Catalog {
            version: "test".into(),
            actions: vec![
                binary("AdminMFAV2"),
                binary("BlockLegacyAuthentication"),
                binary("MFARegistrationV2").scored_by(Some("users")),
                ImprovementAction { deprecated: true, ..binary("AdminMFA") },
            ],
        }
    }

    const RULES: &str = "[[custom]]\ncategory = \"Identity\"\nproduct = \"Microsoft 365\"\n";

    fn control(id: &str, action: &str, measure: &str) -> String {
        format!("[[control]]\nid = \"{id}\"\naction = \"{action}\"\nmeasure = \"{measure}\"\nwhy = \"w\"\n")
    }

    fn parse(tool: Tool, body: &str) -> Result<Mapping, MappingIssue> {
        let text = format!("tool = \"{}\"\n{RULES}{body}", tool.key());
        Mapping::parse(tool, &text, "x.toml", &small_catalog())
    }

    #[test]
    fn the_real_mapping_files_validate_against_the_real_catalog() {
        let catalog = real_catalog();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/mappings");
        let from_dir = Mappings::load_dir(&dir, &catalog).unwrap_or_else(|e| panic!("{e}"));
        let built_in = Mappings::built_in(&catalog).unwrap_or_else(|e| panic!("{e}"));
        let total: usize = Tool::ALL.iter().map(|&t| built_in.get(t).controls().len()).sum();
        assert!(total >= 40, "the three files map {total} controls; at least 40 expected");
        assert_eq!(built_in.control_count(), total);
        for tool in Tool::ALL {
            let (a, b) = (from_dir.get(tool), built_in.get(tool));
            assert_eq!(a.controls(), b.controls(), "{tool}: the built-in copy is the file's");
            assert_eq!(a.tool(), tool);
            assert!(a.controls().len() >= 15, "{tool} maps only {} controls", a.controls().len());
        }
    }

    #[test]
    fn every_real_entry_measures_an_action_its_way() {
        // Recomputed from the catalog here, not taken from the loader's own checks.
        let catalog = real_catalog();
        let mappings = Mappings::built_in(&catalog).unwrap();
        for tool in Tool::ALL {
            let mut ids = HashSet::new();
            for c in mappings.get(tool).controls() {
                assert!(ids.insert(&c.id), "{tool}: {} twice", c.id);
                let action = catalog.actions.iter().find(|a| a.id == c.action).unwrap();
                assert!(!action.deprecated, "{}", c.id);
                if c.measure == Measure::Resources {
                    assert!(matches!(action.scoring, Scoring::Partial { .. }), "{} → {}", c.id, c.action);
                }
                assert!(!c.why.trim().is_empty());
            }
        }
        // Maester lists only failing objects, so its entries must not count them.
        assert!(mappings.get(Tool::Maester).controls().iter().all(|c| c.measure == Measure::Binary));
    }

    #[test]
    fn real_custom_rules_file_controls_by_their_longest_prefix() {
        let m = Mappings::built_in(&real_catalog()).unwrap();
        let rule = |tool, id| {
            let r = m.get(tool).custom_rule(id);
            (r.category, r.product.as_str())
        };
        assert_eq!(rule(Tool::Maester, "CIS.M365.7.2.9"), (Category::Data, "SharePoint Online"));
        assert_eq!(rule(Tool::Maester, "MT.1099"), (Category::Identity, "Entra ID"));
        assert_eq!(rule(Tool::Maester, "Custom.1"), (Category::Identity, "Microsoft 365"));
        assert_eq!(rule(Tool::ScubaGear, "MS.POWERBI.1.1"), (Category::Data, "Power BI"));
        assert_eq!(
            rule(Tool::Prowler, "defender_zap_for_teams_enabled"),
            (Category::Apps, "Defender for Office 365")
        );
        assert_eq!(
            rule(Tool::Prowler, "defender_ensure_defender_for_dns_is_on"),
            (Category::Infrastructure, "Azure")
        );
        assert_eq!(rule(Tool::Prowler, "aks_network_policy_enabled"), (Category::Infrastructure, "Azure"));
    }

    #[test]
    fn a_valid_file_reads_back_its_entries() {
        let m = parse(
            Tool::Maester,
            &format!(
                "{}{}",
                control("MT.1006", "AdminMFAV2", "binary"),
                control("X.2", "MFARegistrationV2", "resources")
            ),
        )
        .unwrap();
        assert_eq!(m.controls().len(), 2);
        let e = m.get("X.2").unwrap();
        assert_eq!((e.action.as_str(), e.measure), ("MFARegistrationV2", Measure::Resources));
        assert_eq!(m.get("MT.1007"), None);
        assert_eq!(m.file(), "x.toml");
    }

    #[test]
    fn a_duplicate_id_names_the_second_entry_and_the_first() {
        let body = format!(
            "{}{}{}",
            control("MT.1", "AdminMFAV2", "binary"),
            control("MT.2", "AdminMFAV2", "binary"),
            control("MT.1", "BlockLegacyAuthentication", "binary")
        );
        let e = parse(Tool::Maester, &body).unwrap_err();
        assert_eq!((e.table, e.entry, e.id.as_str(), e.field.as_str()), ("control", 3, "MT.1", "id"));
        assert_eq!(
            e.to_string(),
            "mapping x.toml: control #3 (MT.1): field `id`: appears more than once (first as control #1)"
        );
    }

    #[test]
    fn unknown_and_deprecated_actions_are_refused() {
        let e = parse(Tool::Maester, &control("MT.1", "NoSuchAction", "binary")).unwrap_err();
        assert_eq!((e.entry, e.field.as_str()), (1, "action"));
        assert!(e.message.contains("`NoSuchAction`, which is not in the catalog"), "{e}");
        let e = parse(Tool::Maester, &control("MT.1", "AdminMFA", "binary")).unwrap_err();
        assert!(e.message.contains("deprecated"), "{e}");
    }

    #[test]
    fn resources_is_refused_on_an_all_or_nothing_action() {
        let e = parse(Tool::Prowler, &control("check_a", "AdminMFAV2", "resources")).unwrap_err();
        assert_eq!((e.id.as_str(), e.field.as_str()), ("check_a", "measure"));
        assert!(e.message.contains("scored all or nothing"), "{e}");
        // Binary on a partial action is fine: 1/1 or 0/1 of its unit.
        parse(Tool::Prowler, &control("check_b", "MFARegistrationV2", "binary")).unwrap();
    }

    #[test]
    fn mixed_measures_on_one_action_are_refused() {
        let body = format!(
            "{}{}",
            control("a", "MFARegistrationV2", "resources"),
            control("b", "MFARegistrationV2", "binary")
        );
        let e = parse(Tool::Prowler, &body).unwrap_err();
        assert_eq!((e.entry, e.id.as_str(), e.field.as_str()), (2, "b", "measure"));
        assert!(e.message.contains("control #1 (a)"), "{e}");
    }

    #[test]
    fn fields_are_checked_one_by_one() {
        let e = parse(Tool::Maester, &control("MT.1", "AdminMFAV2", "count")).unwrap_err();
        assert_eq!(e.field, "measure");
        let e = parse(Tool::Maester, &control(" ", "AdminMFAV2", "binary")).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("id", "must not be empty"));
        let e = parse(
            Tool::Maester,
            "[[control]]\nid = \"MT.1\"\naction = \"AdminMFAV2\"\nmeasure = \"binary\"\n",
        )
        .unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("why", "is required"));
        let e = parse(Tool::Maester, &format!("{}note = 1\n", control("MT.1", "AdminMFAV2", "binary")))
            .unwrap_err();
        assert_eq!(e.to_string(), "mapping x.toml: control #1 (MT.1): field `note`: is not a known field");
        let e = parse(
            Tool::Maester,
            &control("MT.1", "AdminMFAV2", "binary").replace("why = \"w\"", "why = \"a\\nb\""),
        )
        .unwrap_err();
        assert_eq!(e.field, "why");
    }

    #[test]
    fn scubagear_ids_must_come_without_their_version() {
        let e = parse(Tool::ScubaGear, &control("MS.AAD.3.1v1", "AdminMFAV2", "binary")).unwrap_err();
        assert!(e.message.contains("write \"MS.AAD.3.1\""), "{e}");
        parse(Tool::ScubaGear, &control("MS.AAD.3.1", "AdminMFAV2", "binary")).unwrap();
        assert_eq!(without_version_suffix("MS.EXO.2.2v3"), Some("MS.EXO.2.2"));
        assert_eq!(without_version_suffix("MS.AAD.3.1"), None);
        assert_eq!(without_version_suffix("v1"), None);
    }

    #[test]
    fn the_file_must_name_its_tool_and_a_rule_for_the_rest() {
        let catalog = small_catalog();
        let e = Mapping::parse(Tool::Prowler, &format!("tool = \"maester\"\n{RULES}"), "p.toml", &catalog)
            .unwrap_err();
        assert_eq!((e.entry, e.field.as_str()), (0, "tool"));
        assert!(e.to_string().starts_with("mapping p.toml: field `tool`: is \"maester\""), "{e}");
        let e = Mapping::parse(Tool::Prowler, "tool = \"prowler\"\n", "p.toml", &catalog).unwrap_err();
        assert_eq!(e.field, "custom");
        let e = Mapping::parse(Tool::Prowler, "tool = \"prowler\"\n[[control]\n", "p.toml", &catalog)
            .unwrap_err();
        assert!(e.to_string().starts_with("mapping p.toml: is not valid TOML"), "{e}");
        let twice = format!("tool = \"prowler\"\n{RULES}{RULES}");
        let e = Mapping::parse(Tool::Prowler, &twice, "p.toml", &catalog).unwrap_err();
        assert_eq!((e.table, e.entry, e.field.as_str()), ("custom", 2, "prefix"));
    }

    #[test]
    fn custom_rules_need_a_known_category() {
        let bad = "[[custom]]\nprefix = \"MT.\"\ncategory = \"Network\"\nproduct = \"Entra ID\"\n";
        let e = parse(Tool::Maester, bad).unwrap_err();
        assert_eq!((e.table, e.entry, e.id.as_str(), e.field.as_str()), ("custom", 2, "MT.", "category"));
    }

    #[test]
    fn a_missing_directory_file_is_named() {
        let e = Mappings::load_dir(Path::new("/nonexistent/mappings"), &small_catalog()).unwrap_err();
        assert!(e.file.ends_with("maester.toml"), "{e}");
        assert!(e.message.starts_with("cannot be read"), "{e}");
    }
}
