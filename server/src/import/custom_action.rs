//! Controls an export names that Rampart's catalog lacks become the tenant's custom actions,
//! described from their control profile when the import has one, else from their scores.

use super::graph_json::{ControlProfile, ControlScore, FileError, ScoreDay};
use chrono::NaiveDate;
use score::action::MAX_POINTS_LIMIT;
use score::catalog::check_action;
use score::{Category, ImprovementAction, Level, Tier};
use std::collections::{BTreeMap, HashSet};

/// Points of a control whose worth the export does not tell: the middle of the scale.
pub const DEFAULT_POINTS: u32 = 5;
/// Tag on every action an import created, so people can find them.
pub const IMPORTED_TAG: &str = "imported";

/// What the files say about one unknown control.
#[derive(Default)]
struct Seen<'a> {
    profile: Option<&'a ControlProfile>,
    /// Its scores, oldest day first.
    scores: Vec<&'a ControlScore>,
    /// The day of the last of them.
    newest_day: Option<&'a ScoreDay>,
}

/// The custom actions to add, in the order the files first name them, each checked.
pub fn new_actions(
    profiles: &[ControlProfile],
    days: &BTreeMap<NaiveDate, ScoreDay>,
    known: &HashSet<&str>,
) -> Result<Vec<ImprovementAction>, FileError> {
    let mut order: Vec<&str> = Vec::new();
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    for p in profiles.iter().filter(|p| !known.contains(p.id.as_str())) {
        if !seen.contains_key(p.id.as_str()) {
            order.push(&p.id);
        }
        seen.entry(&p.id).or_default().profile = Some(p);
    }
    for d in days.values() {
        for c in d.controls.iter().filter(|c| !known.contains(&*c.name)) {
            if !seen.contains_key(&*c.name) {
                order.push(&c.name);
            }
            let s = seen.entry(&c.name).or_default();
            s.scores.push(c);
            s.newest_day = Some(d);
        }
    }
    order.into_iter().filter_map(|id| seen.get(id).map(|s| (id, s))).map(|(id, s)| build(id, s)).collect()
}

fn build(id: &str, seen: &Seen) -> Result<ImprovementAction, FileError> {
    let newest = seen.scores.last().copied();
    let (file, path) = match (seen.profile, newest.zip(seen.newest_day)) {
        (Some(p), _) => (p.file.clone(), p.path.clone()),
        (None, Some((c, day))) => (day.file.to_string(), day.control_path(c)),
        (None, None) => (String::new(), "$".to_owned()),
    };
    let error = |field: &str, message: String| FileError {
        file: file.clone(),
        path: if field.is_empty() { path.clone() } else { format!("{path}.{field}") },
        message,
    };
    let category_text = seen
        .profile
        .and_then(|p| p.category.clone())
        .or_else(|| newest.and_then(|c| c.category.as_deref().map(str::to_owned)));
    let category = match category_text {
        None => {
            return Err(error(
                "controlCategory",
                format!("control `{id}` is not in the catalog and has no category"),
            ))
        }
        Some(c) => Category::parse(&c).ok_or_else(|| {
            error(
                "controlCategory",
                format!("`{c}` is not a category; expected Identity, Data, Device, Apps or Infrastructure"),
            )
        })?,
    };
    let profile = seen.profile;
    let level = |v: Option<&String>| v.and_then(|s| Level::parse(s)).unwrap_or(Level::Moderate);
    let implementation_cost = level(profile.and_then(|p| p.implementation_cost.as_ref()));
    let partial = seen.scores.iter().any(|c| {
        c.units.is_some_and(|(_, total)| total > 1) || c.percent.is_some_and(|p| p > 0.0 && p < 100.0)
    });
    let title = profile.and_then(|p| p.title.clone()).unwrap_or_else(|| id.to_owned());
    let product = product(profile.and_then(|p| p.service.as_deref()));
    let basics = ImprovementAction::new(id, title, category, product, max_points(profile, &seen.scores));
    let action = ImprovementAction {
        description: newest.map(|c| c.description.to_string()).unwrap_or_default(),
        implementation_cost,
        user_impact: level(profile.and_then(|p| p.user_impact.as_ref())),
        // Graph has no complexity; the cost of doing it is the nearest thing.
        complexity: implementation_cost,
        tier: tier(profile.and_then(|p| p.tier.as_deref())),
        threats: profile.map(|p| p.threats.clone()).unwrap_or_default(),
        remediation: profile.map(|p| p.remediation.clone()).unwrap_or_default(),
        manage_url: profile
            .and_then(|p| p.action_url.clone())
            .filter(|u| u.starts_with("https://"))
            .unwrap_or_default(),
        tags: vec![IMPORTED_TAG.to_owned()],
        deprecated: profile.is_some_and(|p| p.deprecated),
        ..basics.scored_by(partial.then_some("units"))
    };
    check_action(&action).map_err(|(field, message)| {
        error("", format!("control `{id}` cannot become a custom action: {field} {message}"))
    })?;
    Ok(action)
}

/// Graph's worth of the control, rounded and capped to 1..=10 (SPEC §1: never more than 10).
/// Without a profile it is worked out from a score and its percentage.
fn max_points(profile: Option<&ControlProfile>, scores: &[&ControlScore]) -> u32 {
    let graph_max = profile.and_then(|p| p.max_score).or_else(|| {
        scores.iter().rev().find_map(|c| match (c.score, c.percent) {
            (Some(s), Some(p)) if p > 0.0 => Some(s * 100.0 / p),
            _ => None,
        })
    });
    match graph_max {
        Some(m) => (m.round() as u32).clamp(1, MAX_POINTS_LIMIT),
        None => DEFAULT_POINTS,
    }
}

/// Graph's service codes as the product names the catalog uses.
fn product(service: Option<&str>) -> String {
    let Some(service) = service.map(str::trim).filter(|s| !s.is_empty()) else {
        return "Microsoft 365".into();
    };
    let name = match service.to_ascii_lowercase().replace([' ', '-', '_'], "").as_str() {
        "azuread" | "aad" | "entraid" | "entra" => "Entra ID",
        "exo" | "exchange" | "exchangeonline" => "Exchange Online",
        "spo" | "sharepoint" | "sharepointonline" => "SharePoint Online",
        "od4b" | "onedrive" | "onedriveforbusiness" => "OneDrive",
        "teams" | "microsoftteams" => "Teams",
        "mip" | "aip" | "informationprotection" => "Information Protection",
        "mdatp" | "mde" | "defenderforendpoint" => "Defender for Endpoint",
        "mdo" | "atp" | "oatp" | "defenderforoffice365" => "Defender for Office 365",
        "mcas" | "mda" | "defenderforcloudapps" => "Defender for Cloud Apps",
        "aatp" | "azureatp" | "mdi" | "defenderforidentity" => "Defender for Identity",
        _ => service,
    };
    name.to_owned()
}

fn tier(tier: Option<&str>) -> Tier {
    match tier.map(|t| t.to_ascii_lowercase().replace([' ', '-', '_'], "")).as_deref() {
        Some("defenseindepth") => Tier::DefenseInDepth,
        Some("advanced") => Tier::Advanced,
        _ => Tier::Core,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(score: Option<f64>, percent: Option<f64>) -> ControlScore {
        ControlScore {
            index: 0,
            name: "X".into(),
            category: Some("identity".into()),
            description: "".into(),
            score,
            percent,
            units: None,
        }
    }

    #[test]
    fn points_are_capped_at_ten_and_derived_when_missing() {
        let half = score(Some(15.0), Some(50.0));
        assert_eq!(max_points(None, &[&half]), 10, "a 30-point control is capped");
        let small = score(Some(1.0), Some(25.0));
        assert_eq!(max_points(None, &[&small]), 4);
        assert_eq!(max_points(None, &[&score(None, None)]), DEFAULT_POINTS);
    }

    #[test]
    fn services_read_as_products() {
        assert_eq!(product(Some("AzureAD")), "Entra ID");
        assert_eq!(product(Some("MDATP")), "Defender for Endpoint");
        assert_eq!(product(Some("Intune")), "Intune");
        assert_eq!(product(None), "Microsoft 365");
    }
}
