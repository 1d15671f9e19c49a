//! Custom actions: a read-write user adds a tenant-only improvement action, which then
//! scores, ranks and exports like a built-in one.

use crate::error::AppError;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use score::action::MAX_POINTS_LIMIT;
use score::{Category, ImprovementAction, Level, Scoring};
use serde::{Deserialize, Serialize};
use service::refusal::{Refusal, Refusals};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
pub const MAX_SHORT_CHARS: usize = 60;
/// Product shown for custom actions when none is given.
pub const DEFAULT_PRODUCT: &str = "Custom";

/// The add-action form as sent; every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomActionInput {
    pub title: String,
    pub category: String,
    pub product: String,
    pub max_points: String,
    /// `binary` or `partial`.
    pub scoring: String,
    pub unit: String,
    pub description: String,
    pub cost: String,
    pub impact: String,
}

impl CustomActionInput {
    /// The form filled with an action's current values, for editing it.
    pub fn from_action(a: &ImprovementAction) -> CustomActionInput {
        CustomActionInput {
            title: a.title.clone(),
            category: a.category.as_str().to_owned(),
            product: a.product.clone(),
            max_points: a.max_points.to_string(),
            scoring: if a.unit().is_some() { "partial" } else { "binary" }.to_owned(),
            unit: a.unit().unwrap_or_default().to_owned(),
            description: a.description.clone(),
            cost: a.implementation_cost.as_str().to_owned(),
            impact: a.user_impact.as_str().to_owned(),
        }
    }
}

/// Why a custom action form is refused.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("custom_title", "title", "Title: enter 1–200 characters without control characters."),
    Refusal::new(
        "custom_category",
        "category",
        "Category: choose Identity, Data, Device, Apps or Infrastructure.",
    ),
    Refusal::new("custom_product", "product", "Product: at most 60 characters without control characters."),
    Refusal::new("custom_max_points", "max_points", "Max points: enter a whole number from 1 to 10."),
    Refusal::new("custom_scoring", "scoring", "Scoring: choose binary or partial."),
    Refusal::new(
        "custom_unit",
        "unit",
        "Unit: partial scoring needs what it counts (users, devices, …), at most 60 characters.",
    ),
    Refusal::new("custom_description", "description", "Description: at most 4,000 characters."),
    Refusal::new("custom_level", "cost", "Cost and user impact: choose Low, Moderate or High."),
    Refusal::new("custom_exists", "title", "Title: this tenant already has a custom action with this title."),
    Refusal::new(
        "custom_built_in",
        "action_id",
        "Built-in actions cannot be edited or deleted; only custom actions can.",
    ),
]);

fn short(s: &str, max: usize) -> Option<String> {
    let s = s.trim();
    (s.chars().count() <= max && !s.chars().any(char::is_control)).then(|| s.to_owned())
}

/// A stable id from the title: `Custom.` and its letters and digits (`Custom.RotateVpnKeys`).
pub fn id_for(title: &str) -> String {
    let mut id = String::from("Custom.");
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
        if id.len() >= 80 {
            break;
        }
    }
    id.truncate(80);
    if id.len() == "Custom.".len() {
        id.push_str("Action");
    }
    id
}

/// Checks the form and builds the action; `Err` is the error code for the URL.
pub fn build(input: &CustomActionInput) -> Result<ImprovementAction, &'static str> {
    let title = short(&input.title, MAX_TITLE_CHARS).filter(|t| !t.is_empty()).ok_or("custom_title")?;
    let category = Category::parse(input.category.trim()).ok_or("custom_category")?;
    let product = short(&input.product, MAX_SHORT_CHARS).ok_or("custom_product")?;
    let product = if product.is_empty() { DEFAULT_PRODUCT.to_owned() } else { product };
    let max_points = input
        .max_points
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=MAX_POINTS_LIMIT).contains(p))
        .ok_or("custom_max_points")?;
    let scoring = match input.scoring.trim().to_ascii_lowercase().as_str() {
        "binary" | "" => Scoring::Binary,
        "partial" => {
            let unit = short(&input.unit, MAX_SHORT_CHARS).filter(|u| !u.is_empty()).ok_or("custom_unit")?;
            Scoring::Partial { unit }
        }
        _ => return Err("custom_scoring"),
    };
    let description = input.description.replace("\r\n", "\n");
    if description.chars().count() > MAX_DESCRIPTION_CHARS
        || description.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("custom_description");
    }
    let level = |s: &str| if s.trim().is_empty() { Some(Level::Moderate) } else { Level::parse(s.trim()) };
    let implementation_cost = level(&input.cost).ok_or("custom_level")?;
    let user_impact = level(&input.impact).ok_or("custom_level")?;
    Ok(ImprovementAction {
        description: description.trim().to_owned(),
        scoring,
        implementation_cost,
        user_impact,
        complexity: Level::Moderate,
        tags: vec!["custom".to_owned()],
        ..ImprovementAction::new(id_for(&title), title, category, product, max_points)
    })
}

/// `existing` with the form's fields applied. The id stays (history, links and measurements
/// are keyed by it) and so does what the form does not show (threats, remediation, tags of
/// an imported action).
pub fn edited(
    existing: &ImprovementAction,
    input: &CustomActionInput,
) -> Result<ImprovementAction, &'static str> {
    let new = build(input)?;
    Ok(ImprovementAction {
        title: new.title,
        category: new.category,
        product: new.product,
        max_points: new.max_points,
        scoring: new.scoring,
        description: new.description,
        implementation_cost: new.implementation_cost,
        user_impact: new.user_impact,
        ..existing.clone()
    })
}

/// The id for a new action: its title's id, numbered when an earlier action (deleted, or
/// since renamed) holds it, so a new action never takes over another's history.
/// `Err` when a live action already has this title.
pub fn new_id(
    action: &ImprovementAction,
    live: &[ImprovementAction],
    deleted: &[ImprovementAction],
) -> Result<String, &'static str> {
    if live.iter().any(|a| a.title.eq_ignore_ascii_case(&action.title)) {
        return Err("custom_exists");
    }
    let taken = |id: &str| live.iter().chain(deleted).any(|a| a.id == id);
    let base = &action.id;
    let id = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}{n}")))
        .find(|id| !taken(id))
        .unwrap_or_else(|| base.clone());
    Ok(id)
}

#[server(endpoint = "add_custom_action")]
pub async fn add_custom_action(
    tenant_id: String,
    #[server(flatten)] input: CustomActionInput,
) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let list = format!("/tenants/{}/actions", access.tenant_id);
    let mut action = match build(&input) {
        Ok(a) => a,
        Err(code) => return refuse(&list, code).await,
    };
    let store = access.state.store.as_ref();
    let live = store.custom_actions(&access.tenant_id).await?;
    let deleted = store.deleted_custom_actions(&access.tenant_id).await?;
    action.id = match new_id(&action, &live, &deleted) {
        Ok(id) => id,
        Err(code) => return refuse(&list, code).await,
    };
    match store.add_custom_action(&access.tenant_id, &action, &access.viewer.email).await {
        Ok(()) => {}
        Err(store::StoreError::Conflict(_)) => return refuse(&list, "custom_exists").await,
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %access.tenant_id, action = %action.id, "custom action added");
    crate::pages::forms::done(&format!("{list}/{}?saved=1", super::query::encode(&action.id)))
}

/// Refuses a custom action form with one of [`REFUSALS`].
#[cfg(feature = "ssr")]
pub(crate) async fn refuse(page: &str, code: &'static str) -> Result<(), AppError> {
    crate::pages::forms::refuse(page, REFUSALS.of(code)).await
}

/// The add form, folded away until wanted.
#[component]
pub fn AddCustomActionForm(tenant_id: String) -> impl IntoView {
    let fresh = CustomActionInput {
        category: Category::Identity.as_str().to_owned(),
        max_points: "5".to_owned(),
        scoring: "binary".to_owned(),
        ..Default::default()
    };
    view! {
        <details class="card custom-action" id="add-custom-action">
            <summary>"Add a custom action"</summary>
            <form method="post" action={posts_to::<AddCustomAction>()} class="row-form" id="custom-action-form">
                <input type="hidden" name="tenant_id" value=tenant_id/>
                {fields(&fresh, "add")}
                <button type="submit">"Add action"</button>
            </form>
        </details>
    }
}

/// The fields of a custom action, filled with `v`: shared by the add and the edit form so
/// both ask for the same things under the same names (`form` keeps element ids apart).
pub fn fields(v: &CustomActionInput, form: &'static str) -> impl IntoView {
    let partial = v.scoring.eq_ignore_ascii_case("partial");
    let category = v.category.clone();
    view! {
        <label>"Title" <input type="text" name="title" required maxlength="200" value=v.title.clone()/></label>
        <label>"Category"
            <select name="category">
                {Category::ALL.map(|c| view! {
                    <option value=c.as_str() selected=c.as_str().eq_ignore_ascii_case(&category)>{c.as_str()}</option>
                }).collect_view()}
            </select>
        </label>
        <label>"Product" <input type="text" name="product" maxlength="60" placeholder=DEFAULT_PRODUCT value=v.product.clone()/></label>
        <label>"Max points" <input type="number" name="max_points" min="1" max="10" required value=v.max_points.clone()/></label>
        <label>"Scoring"
            <select name="scoring">
                <option value="binary" selected=!partial>"Binary (done or not)"</option>
                <option value="partial" selected=partial>"Partial (a share of some unit)"</option>
            </select>
        </label>
        <label>"Unit (partial only)" <input type="text" name="unit" maxlength="60" placeholder="users" value=v.unit.clone()/></label>
        <label>"Cost" <select name="cost">{levels(&v.cost)}</select></label>
        <label>"User impact" <select name="impact">{levels(&v.impact)}</select></label>
        <label class="wide">"Description" {super::form::text_box("description", format!("{form}-description"), "2", &v.description)}</label>
    }
}

/// Low, Moderate and High, with `current` (Moderate when empty) selected.
fn levels(current: &str) -> impl IntoView {
    let current = Level::parse(current.trim()).unwrap_or(Level::Moderate);
    [Level::Low, Level::Moderate, Level::High]
        .map(|l| view! { <option value=l.as_str() selected=l == current>{l.as_str()}</option> })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CustomActionInput {
        CustomActionInput {
            title: "Rotate the VPN pre-shared keys".into(),
            category: "Infrastructure".into(),
            max_points: "7".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_form_builds_a_binary_action_that_passes_the_catalog_checks() {
        let a = build(&input()).expect("valid");
        assert_eq!(a.id, "Custom.RotateTheVPNPreSharedKeys");
        assert_eq!(
            (a.max_points, a.product.as_str(), a.scoring.clone()),
            (7, DEFAULT_PRODUCT, Scoring::Binary)
        );
        assert!(score::catalog::check_action(&a).is_ok());
    }

    #[test]
    fn partial_scoring_needs_a_unit() {
        let mut i = input();
        i.scoring = "partial".into();
        assert_eq!(build(&i).map(|_| ()), Err("custom_unit"));
        i.unit = "laptops".into();
        assert_eq!(build(&i).map(|a| a.unit().map(str::to_owned)), Ok(Some("laptops".into())));
        i.scoring = "sometimes".into();
        assert_eq!(build(&i).map(|_| ()), Err("custom_scoring"));
    }

    #[test]
    fn points_stay_within_one_to_ten() {
        for bad in ["0", "11", "-1", "2.5", "ten", ""] {
            let mut i = input();
            i.max_points = bad.into();
            assert_eq!(build(&i).map(|_| ()), Err("custom_max_points"), "{bad}");
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let mut i = input();
        i.title = " ".into();
        assert_eq!(build(&i).map(|_| ()), Err("custom_title"));
        let mut i = input();
        i.category = "Network".into();
        assert_eq!(build(&i).map(|_| ()), Err("custom_category"));
        let mut i = input();
        i.description = "d".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert_eq!(build(&i).map(|_| ()), Err("custom_description"));
        let mut i = input();
        i.cost = "Free".into();
        assert_eq!(build(&i).map(|_| ()), Err("custom_level"));
        assert!(REFUSALS.get("custom_title").is_some_and(|r| r.message.starts_with("Title:")));
    }

    #[test]
    fn an_edit_keeps_the_id_and_what_the_form_does_not_show() {
        let mut imported = build(&input()).expect("valid");
        imported.threats = vec!["Data exfiltration".into()];
        imported.remediation = "Rotate in the VPN console.".into();
        let mut i = CustomActionInput::from_action(&imported);
        assert_eq!(build(&i).map(|a| a.title), Ok(imported.title.clone()), "the form round-trips");
        i.title = "Rotate the VPN keys every year".into();
        i.max_points = "3".into();
        let e = edited(&imported, &i).expect("valid edit");
        assert_eq!(
            (e.id.as_str(), e.title.as_str(), e.max_points),
            (imported.id.as_str(), i.title.as_str(), 3)
        );
        assert_eq!((&e.threats, &e.remediation), (&imported.threats, &imported.remediation));
        i.max_points = "11".into();
        assert_eq!(edited(&imported, &i).map(|_| ()), Err("custom_max_points"));
    }

    #[test]
    fn a_new_action_never_takes_an_id_in_use() {
        let a = build(&input()).expect("valid");
        assert_eq!(new_id(&a, &[], &[]), Ok(a.id.clone()));
        let mut renamed = a.clone();
        renamed.title = "Something else now".into();
        assert_eq!(new_id(&a, &[renamed.clone()], &[]), Ok(format!("{}2", a.id)), "renamed holds it");
        let mut second = a.clone();
        second.id = format!("{}2", a.id);
        assert_eq!(new_id(&a, &[renamed], &[second]), Ok(format!("{}3", a.id)), "deleted ones hold theirs");
        let mut shouting = a.clone();
        shouting.title = a.title.to_uppercase();
        assert_eq!(new_id(&a, &[shouting], &[]), Err("custom_exists"), "the same title is refused");
    }

    #[test]
    fn ids_are_valid_even_for_titles_without_ascii_letters() {
        assert_eq!(id_for("Ünïcode only ✓"), "Custom.NCodeOnly");
        assert_eq!(id_for("✓✓"), "Custom.Action");
        assert!(id_for(&"word ".repeat(100)).len() <= 80);
    }
}
