//! Custom actions: a read-write user adds a tenant-only improvement action, which then
//! scores, ranks and exports like a built-in one.

use crate::error::AppError;
use leptos::prelude::*;
use score::action::MAX_POINTS_LIMIT;
use score::{Category, ImprovementAction, Level, Prerequisites, Scoring, Tier};
use serde::{Deserialize, Serialize};

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

pub fn error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "custom_title" => "Title: enter 1–200 characters without control characters.",
        "custom_category" => "Category: choose Identity, Data, Device, Apps or Infrastructure.",
        "custom_product" => "Product: at most 60 characters without control characters.",
        "custom_max_points" => "Max points: enter a whole number from 1 to 10.",
        "custom_scoring" => "Scoring: choose binary or partial.",
        "custom_unit" => {
            "Unit: partial scoring needs what it counts (users, devices, …), at most 60 characters."
        }
        "custom_description" => "Description: at most 4,000 characters.",
        "custom_level" => "Cost and user impact: choose Low, Moderate or High.",
        "custom_exists" => "Title: this tenant already has a custom action with this title.",
        _ => return None,
    })
}

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
        id: id_for(&title),
        title,
        description: description.trim().to_owned(),
        category,
        product,
        max_points,
        scoring,
        implementation_cost,
        user_impact,
        complexity: Level::Moderate,
        tier: Tier::Core,
        threats: Vec::new(),
        prerequisites: Prerequisites::default(),
        remediation: String::new(),
        manage_url: String::new(),
        tags: vec!["custom".to_owned()],
        deprecated: false,
    })
}

#[server(endpoint = "add_custom_action")]
pub async fn add_custom_action(
    tenant_id: String,
    #[server(flatten)] input: CustomActionInput,
) -> Result<(), AppError> {
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let list = format!("/tenants/{}/actions", access.tenant_id);
    let action = match build(&input) {
        Ok(a) => a,
        Err(code) => return refuse(&list, code).await,
    };
    let store = access.state.store.as_ref();
    match store.add_custom_action(&access.tenant_id, &action, &access.viewer.email).await {
        Ok(()) => {}
        Err(store::StoreError::Conflict(_)) => return refuse(&list, "custom_exists").await,
        Err(e) => return Err(e.into()),
    }
    tracing::info!(tenant = %access.tenant_id, action = %action.id, "custom action added");
    leptos_axum::redirect(&format!("{list}/{}?saved=1", super::query::encode(&action.id)));
    Ok(())
}

/// Browsers go back to the list with the error code; other clients get a 400 naming the field.
#[cfg(feature = "ssr")]
async fn refuse(list: &str, code: &'static str) -> Result<(), AppError> {
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let html = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if html {
        leptos_axum::redirect(&format!("{list}?error={code}"));
        return Ok(());
    }
    let field = code.trim_start_matches("custom_");
    let field = if field == "exists" { "title" } else { field };
    Err(AppError::invalid(field, error_message(code).unwrap_or("invalid")))
}

/// The add form, folded away until wanted.
#[component]
pub fn AddCustomActionForm(tenant_id: String) -> impl IntoView {
    view! {
        <details class="card custom-action" id="add-custom-action">
            <summary>"Add a custom action"</summary>
            <form method="post" action="/api/add_custom_action" class="row-form" id="custom-action-form">
                <input type="hidden" name="tenant_id" value=tenant_id/>
                <label>"Title" <input type="text" name="title" required maxlength="200"/></label>
                <label>"Category"
                    <select name="category">
                        {Category::ALL.map(|c| view! { <option value=c.as_str()>{c.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Product" <input type="text" name="product" maxlength="60" placeholder=DEFAULT_PRODUCT/></label>
                <label>"Max points" <input type="number" name="max_points" min="1" max="10" value="5" required/></label>
                <label>"Scoring"
                    <select name="scoring">
                        <option value="binary">"Binary (done or not)"</option>
                        <option value="partial">"Partial (a share of some unit)"</option>
                    </select>
                </label>
                <label>"Unit (partial only)" <input type="text" name="unit" maxlength="60" placeholder="users"/></label>
                <label>"Cost" <select name="cost">{levels()}</select></label>
                <label>"User impact" <select name="impact">{levels()}</select></label>
                <label class="wide">"Description" <textarea name="description" rows="2" maxlength="4000"></textarea></label>
                <button type="submit">"Add action"</button>
            </form>
        </details>
    }
}

fn levels() -> impl IntoView {
    [Level::Low, Level::Moderate, Level::High]
        .map(|l| view! { <option value=l.as_str() selected=l == Level::Moderate>{l.as_str()}</option> })
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
        assert!(error_message("custom_title").is_some_and(|m| m.starts_with("Title:")));
    }

    #[test]
    fn ids_are_valid_even_for_titles_without_ascii_letters() {
        assert_eq!(id_for("Ünïcode only ✓"), "Custom.NCodeOnly");
        assert_eq!(id_for("✓✓"), "Custom.Action");
        assert!(id_for(&"word ".repeat(100)).len() <= 80);
    }
}
