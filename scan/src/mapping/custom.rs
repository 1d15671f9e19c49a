//! Custom actions made from controls no mapping entry covers, so a scanner's findings
//! still count when the catalog has nothing for them.

use super::CustomRule;
use crate::{ControlResult, Severity, Tool};
use score::catalog::valid_action_id;
use score::{ImprovementAction, Level};

/// Tag on every action made from an unmapped control, next to the tool's key.
pub const UNMAPPED_TAG: &str = "unmapped";

/// Longest action id (see [`valid_action_id`]).
const MAX_ID: usize = 100;

/// The points a custom action is worth, from its control's severity. The catalog's own
/// actions range from 1 to 10 points; this puts a critical finding level with its most
/// important entries (such as MFA for admins) and an informational one at the floor.
///
/// | Severity      | Points |
/// |---------------|--------|
/// | Critical      | 10     |
/// | High          | 8      |
/// | Medium        | 5      |
/// | Low           | 3      |
/// | Informational | 1      |
pub fn points_for(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 10,
        Severity::High => 8,
        Severity::Medium => 5,
        Severity::Low => 3,
        Severity::Informational => 1,
    }
}

/// The id of the custom action for a control: the tool's key, a dot and the control id
/// (`maester.MT.1001`, `scubagear.MS.AAD.3.1`, `prowler.entra_users_mfa_capable`). The
/// prefix keeps it apart from catalog ids and from the same id in another tool. A control
/// id with characters an action id may not hold, or too long, has them replaced by `_`
/// and is cut to fit, with a hash of the original appended so that two such ids never
/// collide; the result is the same on every run.
pub fn custom_action_id(tool: Tool, control_id: &str) -> String {
    let plain = format!("{}.{control_id}", tool.key());
    if valid_action_id(&plain) {
        return plain;
    }
    let mut id: String = plain
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
        .collect();
    let hash = format!("-{:08x}", fnv1a(control_id.as_bytes()));
    // Every character is ASCII now, so cutting at a byte count is cutting at a character.
    id.truncate(MAX_ID - hash.len());
    id.push_str(&hash);
    id
}

/// 32-bit FNV-1a: small, and the same on every platform and release, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// The custom action for an unmapped control, filed by `rule` (the mapping's
/// [`super::Mapping::custom_rule`] for the control's id). All or nothing: a control
/// without a mapping entry says nothing about a share of anything.
pub fn custom_action(tool: Tool, control: &ControlResult, rule: &CustomRule) -> ImprovementAction {
    let title = one_line(&control.title);
    let title = if title.is_empty() { control.id.clone() } else { title };
    let basics = ImprovementAction::new(
        custom_action_id(tool, &control.id),
        title,
        rule.category,
        rule.product.clone(),
        points_for(control.severity),
    );
    ImprovementAction {
        description: format!(
            "{} reports this control ({}) and no catalog action covers it, so it is scored on its own: \
             met when the control passes.",
            tool.name(),
            control.id
        ),
        // Nothing is known of the effort; the middle of the scale says so.
        implementation_cost: Level::Moderate,
        user_impact: Level::Moderate,
        complexity: Level::Moderate,
        tags: vec![tool.key().to_owned(), UNMAPPED_TAG.to_owned()],
        ..basics
    }
}

/// The text with runs of whitespace (newlines included) as one space and other control
/// characters dropped: a title is shown on one line.
fn one_line(text: &str) -> String {
    let kept: String = text.chars().filter(|c| !c.is_control() || c.is_whitespace()).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Outcome;
    use score::catalog::check_action;
    use score::Category;

    fn result(id: &str, title: &str, severity: Severity) -> ControlResult {
        ControlResult {
            id: id.into(),
            title: title.into(),
            outcome: Outcome::Fail,
            raw_result: "Failed".into(),
            severity,
            entities: vec![],
            path: "$.Tests[0]".into(),
        }
    }

    fn rule() -> CustomRule {
        CustomRule { prefix: "MT.".into(), category: Category::Identity, product: "Entra ID".into() }
    }

    #[test]
    fn points_follow_the_documented_scale() {
        let scale: Vec<u32> =
            [Severity::Informational, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]
                .into_iter()
                .map(points_for)
                .collect();
        assert_eq!(scale, [1, 3, 5, 8, 10]);
    }

    #[test]
    fn plain_ids_are_the_tool_key_and_the_control_id() {
        assert_eq!(custom_action_id(Tool::Maester, "MT.1001"), "maester.MT.1001");
        assert_eq!(custom_action_id(Tool::ScubaGear, "MS.AAD.3.1"), "scubagear.MS.AAD.3.1");
        assert_eq!(
            custom_action_id(Tool::Prowler, "entra_users_mfa_capable"),
            "prowler.entra_users_mfa_capable"
        );
    }

    #[test]
    fn awkward_ids_become_valid_distinct_and_stable() {
        let a = custom_action_id(Tool::Maester, "My test: #1");
        let b = custom_action_id(Tool::Maester, "My test: #2");
        assert!(valid_action_id(&a) && valid_action_id(&b), "{a} {b}");
        assert!(a.starts_with("maester.My_test___"), "{a}");
        assert_ne!(a, b, "ids that differ only in replaced characters stay apart");
        assert_eq!(a, custom_action_id(Tool::Maester, "My test: #1"), "the same on every call");
        let long = custom_action_id(Tool::Prowler, &"x".repeat(300));
        assert_eq!(long.len(), 100);
        assert!(valid_action_id(&long));
        let accented = custom_action_id(Tool::Maester, "Prüfung");
        assert!(valid_action_id(&accented), "{accented}");
    }

    #[test]
    fn a_custom_action_passes_the_catalog_rules() {
        let a = custom_action(
            Tool::Maester,
            &result("MT.1099", "Windows diagnostic\ndata  is on", Severity::High),
            &rule(),
        );
        check_action(&a).unwrap();
        assert_eq!(a.id, "maester.MT.1099");
        assert_eq!(a.title, "Windows diagnostic data is on");
        assert_eq!((a.category, a.product.as_str(), a.max_points), (Category::Identity, "Entra ID", 8));
        assert_eq!(a.unit(), None, "all or nothing");
        assert!(a.tags.contains(&"maester".to_owned()) && a.tags.contains(&UNMAPPED_TAG.to_owned()));
        assert!(!a.deprecated);
    }

    #[test]
    fn a_control_without_a_title_is_titled_by_its_id() {
        let a = custom_action(Tool::Prowler, &result("vm_x", " \u{7} ", Severity::Informational), &rule());
        assert_eq!((a.title.as_str(), a.max_points), ("vm_x", 1));
        check_action(&a).unwrap();
    }
}
