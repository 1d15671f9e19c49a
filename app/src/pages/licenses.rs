//! The licenses a tenant holds, recorded on the Settings page by read-write roles: the
//! Overview's licensed-only view leaves out the actions whose licenses are missing.

use crate::error::AppError;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use service::refusal::{Refusal, Refusals};

/// Why a licenses form is refused.
pub const REFUSALS: Refusals =
    Refusals(&[Refusal::new("licenses", "licenses", "Licenses: pick from the licenses listed.")]);

/// Every license the catalog names, sorted, each once.
pub fn license_names(catalog: &[score::ImprovementAction]) -> Vec<String> {
    let mut names: Vec<String> =
        catalog.iter().flat_map(|a| a.prerequisites.licenses.iter().cloned()).collect();
    names.sort();
    names.dedup();
    names
}

/// The ticked licenses, if each is one the catalog names; `Err` names the first that is not.
pub fn validate(ticked: &[String], known: &[String]) -> Result<Vec<String>, String> {
    match ticked.iter().find(|l| !known.contains(l)) {
        Some(unknown) => Err(unknown.clone()),
        None => Ok(ticked.to_vec()),
    }
}

/// Records the licenses the tenant holds (read-write roles), audited as `tenant.licenses`.
/// The form always sends the whole list: no box ticked records that none is held.
#[server(endpoint = "set_licenses")]
pub async fn set_licenses(tenant_id: String, licenses: Option<Vec<String>>) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse_naming};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let back = format!("/tenants/{}/settings", access.tenant_id);
    let known = license_names(&access.state.catalog);
    let held = match validate(&licenses.unwrap_or_default(), &known) {
        Ok(held) => held,
        Err(unknown) => return refuse_naming(&back, REFUSALS.of("licenses"), Some(&unknown)).await,
    };
    access.state.store.set_licenses(&access.tenant_id, Some(&held), &access.viewer.email).await?;
    done(&format!("{back}?done=licenses"))
}

/// The tenant's licenses, with the form for read-write roles.
#[component]
pub fn LicensesCard(
    tenant_id: String,
    held: Option<Vec<String>>,
    names: Vec<String>,
    can_write: bool,
) -> impl IntoView {
    let summary = match &held {
        None => "Not recorded: the Overview's licensed-only view leaves nothing out.".to_owned(),
        Some(h) if h.is_empty() => "None held.".to_owned(),
        Some(h) => h.join(", "),
    };
    let held = held.unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="licenses-heading">
            <h2 id="licenses-heading">"Licenses"</h2>
            <p id="licenses-held">{summary}</p>
            {can_write.then(|| view! {
                <form method="post" action={posts_to::<SetLicenses>()} id="licenses-form">
                    <input type="hidden" name="tenant_id" value=tenant_id/>
                    <fieldset>
                        <legend>"Licenses this tenant holds"</legend>
                        {names.into_iter().map(|n| {
                            let checked = held.contains(&n);
                            view! { <label class="check"><input type="checkbox" name="licenses[]" value=n.clone() checked=checked/> {n.clone()}</label> }
                        }).collect_view()}
                    </fieldset>
                    <button type="submit" id="save-licenses">"Save licenses"</button>
                </form>
            })}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_licenses_the_catalog_names_are_recorded() {
        let known = vec!["Microsoft 365 E3".to_owned(), "Microsoft Entra ID P1".to_owned()];
        assert_eq!(
            validate(&["Microsoft 365 E3".to_owned()], &known),
            Ok(vec!["Microsoft 365 E3".to_owned()])
        );
        assert_eq!(validate(&[], &known), Ok(vec![]));
        assert_eq!(validate(&["<b>E9</b>".to_owned()], &known), Err("<b>E9</b>".to_owned()));
    }
}
