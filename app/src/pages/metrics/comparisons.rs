//! Custom comparisons on the Metrics & trends page: read-write roles create them (whole
//! seat buckets and industries, or tenants they hold a role in), rename and delete them.
//! Their forms follow the one convention of `pages::forms`: posts answered by a redirect
//! back to the same view, in place when the page script runs.

use crate::error::AppError;
use crate::pages::history::query::HistoryQuery;
use leptos::prelude::*;
use score::comparison::{CustomComparison, SEAT_BUCKETS};
use serde::{Deserialize, Serialize};
use service::refusal::{Refusal, Refusals};

pub use score::comparison::MAX_CUSTOM_PER_TENANT as MAX_PER_TENANT;
pub const NAME_MAX_CHARS: usize = 80;

/// A custom comparison as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonSummary {
    pub id: String,
    pub name: String,
    /// The criteria in words.
    pub criteria: String,
}

impl From<&CustomComparison> for ComparisonSummary {
    fn from(c: &CustomComparison) -> ComparisonSummary {
        ComparisonSummary { id: c.id.clone(), name: c.name.clone(), criteria: c.describe() }
    }
}

/// What the form offers: the industries tenants on this server are in, and the other
/// tenants the viewer holds a role in (id, name).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ComparisonChoices {
    pub industries: Vec<String>,
    pub tenants: Vec<(String, String)>,
}

/// The add form as sent; every field may be missing (unticked boxes send nothing).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ComparisonInput {
    pub name: String,
    /// Seat bucket indexes, as the boxes send them.
    pub seat_buckets: Vec<String>,
    pub industries: Vec<String>,
    pub tenants: Vec<String>,
}

/// Why a comparison form is refused.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("comparison_name", "name", "Name: 1 to 80 characters, no control characters."),
    Refusal::new(
        "comparison_name_taken",
        "name",
        "Name: this tenant already has a custom comparison with that name.",
    ),
    Refusal::new("seat_buckets", "seat_buckets", "Seat counts: pick from the seat ranges listed."),
    Refusal::new("industries", "industries", "Industries: pick from the industries listed."),
    Refusal::new("tenants", "tenants", "Tenants: pick from the other tenants you hold a role in."),
    Refusal::new(
        "comparison_empty",
        "comparison",
        "Give seat ranges, industries or tenants: without any, the comparison is the same as All tenants.",
    ),
    Refusal::new(
        "comparison_too_few",
        "comparison",
        "Not saved: too small. An average is only shown where no single tenant's score can be \
         read from it; add seat ranges or industries, or choose more tenants.",
    ),
    Refusal::new(
        "comparison_unknown",
        "comparison_id",
        "That custom comparison is not in this tenant; it may have been deleted.",
    ),
    Refusal::new(
        "comparison_limit",
        "comparison",
        "A tenant has at most 10 custom comparisons; delete one first.",
    ),
]);

/// A name as typed: trimmed, 1 to 80 characters, no control characters.
pub fn clean_name(name: &str) -> Option<String> {
    let name = name.trim();
    let ok =
        !name.is_empty() && name.chars().count() <= NAME_MAX_CHARS && !name.chars().any(char::is_control);
    ok.then(|| name.to_owned())
}

fn bucket(text: &str) -> Option<u8> {
    text.trim().parse::<u8>().ok().filter(|b| usize::from(*b) < SEAT_BUCKETS.len())
}

/// Checks the form against what the viewer may pick; the comparison (without an id yet)
/// or the code of the field to fix. Whether it is too small is checked by the caller.
pub fn validate(
    input: &ComparisonInput,
    tenant_id: &str,
    choices: &ComparisonChoices,
) -> Result<CustomComparison, &'static str> {
    let name = clean_name(&input.name).ok_or("comparison_name")?;
    let mut seat_buckets =
        input.seat_buckets.iter().map(|b| bucket(b)).collect::<Option<Vec<u8>>>().ok_or("seat_buckets")?;
    seat_buckets.sort_unstable();
    seat_buckets.dedup();
    let mut industries: Vec<String> = input.industries.iter().map(|i| i.trim().to_owned()).collect();
    industries.sort();
    industries.dedup();
    if industries.iter().any(|i| !choices.industries.contains(i)) {
        return Err("industries");
    }
    let mut tenants: Vec<String> = input.tenants.iter().map(|t| t.trim().to_ascii_lowercase()).collect();
    tenants.sort();
    tenants.dedup();
    if tenants.iter().any(|t| !choices.tenants.iter().any(|(id, _)| id == t)) {
        return Err("tenants");
    }
    if seat_buckets.is_empty() && industries.is_empty() && tenants.is_empty() {
        return Err("comparison_empty");
    }
    Ok(CustomComparison {
        id: String::new(),
        tenant_id: tenant_id.to_owned(),
        name,
        seat_buckets,
        industries,
        tenants,
    })
}

/// What the viewer may pick in the form for `tenant_id`.
#[cfg(feature = "ssr")]
pub async fn choices(
    store: &dyn store::Store,
    viewer_id: &str,
    tenant_id: &str,
) -> Result<ComparisonChoices, AppError> {
    let industries = store.industries().await?;
    let mut tenants = Vec::new();
    for m in store.memberships_of_user(viewer_id).await? {
        if m.tenant_id != tenant_id {
            tenants.push((m.tenant_id.clone(), store.tenant(&m.tenant_id).await?.name));
        }
    }
    tenants.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    Ok(ComparisonChoices { industries, tenants })
}

/// Whether the comparison has a value on the latest tallied day, as the viewer would see
/// it: the refusal says no more than the line itself would.
#[cfg(feature = "ssr")]
async fn shown_today(
    store: &dyn store::Store,
    viewer_id: &str,
    c: &CustomComparison,
) -> Result<bool, AppError> {
    let today = chrono::Utc::now().date_naive();
    let recent = store.benchmark_days(today - chrono::Duration::days(7), today).await?;
    let Some(latest) = recent.last().map(|d| d.day) else { return Ok(false) };
    let held = crate::benchmarks::held_by(store, viewer_id).await?;
    let b = crate::benchmarks::ViewerBenchmarks::read(store, &held, latest, latest).await?;
    Ok(b.custom(latest, c).is_some())
}

/// Creates a custom comparison for the tenant (read-write roles). Refused, as "too small",
/// when the viewer would see no value on the latest tallied day.
#[server(endpoint = "add_comparison")]
pub async fn add_comparison(
    tenant_id: String,
    #[server(flatten)] input: ComparisonInput,
    #[server(flatten)] view: HistoryQuery,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse, with_param};
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let here = super::view_url(&access.tenant_id, &view);
    let no = |code: &'static str| refuse(&here, REFUSALS.of(code));
    let store = access.state.store.as_ref();
    let choices = choices(store, &access.viewer.user_id, &access.tenant_id).await?;
    let comparison = match validate(&input, &access.tenant_id, &choices) {
        Ok(c) => c,
        Err(code) => return no(code).await,
    };
    if !shown_today(store, &access.viewer.user_id, &comparison).await? {
        return no("comparison_too_few").await;
    }
    // The store holds the limit and the unique names, inside its transaction.
    let id = match store.create_custom_comparison(&comparison, &access.viewer.email).await {
        Ok(id) => id,
        Err(store::StoreError::Full(_)) => return no("comparison_limit").await,
        Err(store::StoreError::Conflict(_)) => return no("comparison_name_taken").await,
        Err(e) => return Err(e.into()),
    };
    tracing::info!(tenant = %access.tenant_id, comparison = %id, "custom comparison created");
    done(&with_param(&here, "done", "comparison_added"))
}

/// Renames one of the tenant's custom comparisons (read-write roles).
#[server(endpoint = "rename_comparison")]
pub async fn rename_comparison(
    tenant_id: String,
    comparison_id: String,
    name: String,
    #[server(flatten)] view: HistoryQuery,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse, with_param};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let store = access.state.store.as_ref();
    let here = super::view_url(&access.tenant_id, &view);
    let code = match clean_name(&name) {
        None => Some("comparison_name"),
        Some(n) => {
            let to = store::Rename { id: &comparison_id, name: &n };
            match store.rename_custom_comparison(&access.tenant_id, to, &access.viewer.email).await {
                Ok(()) => None,
                Err(store::StoreError::NotFound(_)) => Some("comparison_unknown"),
                Err(store::StoreError::Conflict(_)) => Some("comparison_name_taken"),
                Err(e) => return Err(e.into()),
            }
        }
    };
    if let Some(code) = code {
        return refuse(&here, REFUSALS.of(code)).await;
    }
    done(&with_param(&here, "done", "comparison_renamed"))
}

/// Deletes one of the tenant's custom comparisons and its daily averages (read-write roles).
#[server(endpoint = "delete_comparison")]
pub async fn delete_comparison(
    tenant_id: String,
    comparison_id: String,
    #[server(flatten)] view: HistoryQuery,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse, with_param};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let here = super::view_url(&access.tenant_id, &view);
    let store = access.state.store.as_ref();
    match store.delete_custom_comparison(&access.tenant_id, &comparison_id, &access.viewer.email).await {
        Ok(()) => done(&with_param(&here, "done", "comparison_deleted")),
        Err(store::StoreError::NotFound(_)) => refuse(&here, REFUSALS.of("comparison_unknown")).await,
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> ComparisonChoices {
        ComparisonChoices {
            industries: vec!["Finance".into(), "Retail".into()],
            tenants: vec![("t2".into(), "Fabrikam".into()), ("t3".into(), "Tailspin".into())],
        }
    }

    fn input(name: &str, buckets: &[&str]) -> ComparisonInput {
        ComparisonInput {
            name: name.into(),
            seat_buckets: buckets.iter().map(|b| b.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn each_field_is_checked_and_named() {
        let c = validate(&input(" Peers ", &["3", "2", "3"]), "t1", &choices()).expect("valid");
        assert_eq!((c.name.as_str(), c.seat_buckets.as_slice()), ("Peers", &[2u8, 3][..]));
        assert_eq!(validate(&input("", &["1"]), "t1", &choices()), Err("comparison_name"));
        assert_eq!(validate(&input("a\u{7}b", &["1"]), "t1", &choices()), Err("comparison_name"));
        assert_eq!(validate(&input(&"x".repeat(81), &["1"]), "t1", &choices()), Err("comparison_name"));
        assert_eq!(validate(&input("P", &["ten"]), "t1", &choices()), Err("seat_buckets"));
        assert_eq!(validate(&input("P", &["8"]), "t1", &choices()), Err("seat_buckets"), "no ninth bucket");
        assert_eq!(validate(&input("P", &["-1"]), "t1", &choices()), Err("seat_buckets"));
        assert_eq!(validate(&input("P", &[]), "t1", &choices()), Err("comparison_empty"));
        let mut i = input("P", &[]);
        i.industries = vec!["Retail".into(), "Mining".into()];
        assert_eq!(validate(&i, "t1", &choices()), Err("industries"));
        i.industries = vec!["Retail".into(), "Retail".into()];
        assert_eq!(validate(&i, "t1", &choices()).expect("valid").industries, ["Retail"]);
        i.tenants = vec!["t9".into()];
        assert_eq!(validate(&i, "t1", &choices()), Err("tenants"), "a tenant the viewer cannot see");
        i.tenants = vec!["T3".into()];
        assert_eq!(validate(&i, "t1", &choices()).expect("valid").tenants, ["t3"]);
        for code in ["comparison_name", "seat_buckets", "industries", "tenants", "comparison_too_few"] {
            assert!(REFUSALS.get(code).is_some(), "{code}");
        }
        assert_eq!(REFUSALS.get("okay_from"), None, "the zones form's codes are not this form's");
    }

    #[test]
    fn a_refusal_says_too_small_and_no_count() {
        let text = REFUSALS.get("comparison_too_few").expect("a message").message;
        assert!(text.contains("too small"), "{text}");
        assert!(!text.chars().any(|c| c.is_ascii_digit()), "no numbers in the refusal: {text}");
    }
}
