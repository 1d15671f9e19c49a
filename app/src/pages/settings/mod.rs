//! Tenant settings: who has access (read-write users grant and revoke read-only roles),
//! API tokens, import, licenses and the audit trail. Access and licenses are forms of the
//! one convention in `pages::forms`; a new token and an import answer with pages of their
//! own (the secret shown once, the import's report), so those stay plain posts.

use crate::auth::sign_in::SignInRequired;
use crate::error::AppError;
use crate::pages::forms::{Notice, Outcome};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use score::roles::Role;
use serde::{Deserialize, Serialize};
use service::refusal::{Refusal, Refusals};

mod access;
pub mod alerts;
mod m365;
pub mod reports;
mod tokens;

#[cfg(feature = "ssr")]
pub use m365::sync_to_the_end;

/// Audit lines shown on the page (the CSV export has them all).
pub const AUDIT_ON_PAGE: u32 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    pub granted_by: String,
    pub granted_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub before: String,
    pub after: String,
}

/// One of the viewer's API tokens for this tenant (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created: String,
    pub expires: Option<String>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsData {
    pub tenant_name: String,
    pub viewer_email: String,
    pub can_write: bool,
    pub members: Vec<MemberRow>,
    pub tokens: Vec<TokenInfo>,
    /// Only read-write roles see the audit trail.
    pub audit: Option<Vec<AuditRow>>,
    /// The licenses the tenant holds (`None`: not recorded), and those the catalog names.
    pub licenses: Option<Vec<String>>,
    pub license_names: Vec<String>,
    /// Longest lifetime of a new API token, in days (the server's setting).
    pub token_max_days: u32,
    pub m365: m365::M365Card,
    /// Only read-write roles see and change the alert rules.
    pub alerts: Option<alerts::AlertsCard>,
    /// Only read-write roles see and change the scheduled reports.
    pub reports: Option<reports::ReportsCard>,
}

#[server(endpoint = "settings")]
pub async fn settings(tenant_id: String) -> Result<SettingsData, AppError> {
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Read).await?;
    let store = access.state.store.as_ref();
    let tenant = store.tenant(&access.tenant_id).await?;
    let members = store
        .members_of_tenant(&access.tenant_id)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            user_id: m.user_id,
            email: m.email,
            role: m.role,
            granted_by: m.granted_by,
            granted_at: m.granted_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect();
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let tokens = store
        .api_tokens_of_user(&access.viewer.user_id)
        .await?
        .into_iter()
        .filter(|t| t.tenant_id == access.tenant_id)
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            scope: t.scope,
            created: day(t.created_at),
            expires: t.expires_at.map(day),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let can_write = access.role.can_write();
    let audit = if can_write {
        Some(
            store
                .audit_trail(&access.tenant_id, AUDIT_ON_PAGE)
                .await?
                .into_iter()
                .map(|a| AuditRow {
                    at: a.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    actor: a.actor,
                    kind: a.kind,
                    subject: a.subject,
                    before: a.before,
                    after: a.after,
                })
                .collect(),
        )
    } else {
        None
    };
    let alerts = if can_write { Some(alerts::card(&access.state, &access.tenant_id).await?) } else { None };
    let reports = if can_write { Some(reports::card(&access.state, &access.tenant_id).await?) } else { None };
    Ok(SettingsData {
        alerts,
        reports,
        m365: m365::card(&access.state, &access.tenant_id).await?,
        licenses: tenant.licenses,
        license_names: crate::pages::licenses::license_names(&access.state.catalog),
        token_max_days: access.state.token_max_days,
        tenant_name: tenant.name,
        viewer_email: access.viewer.email,
        can_write,
        members,
        tokens,
        audit,
    })
}

/// Why a settings form is refused (the token forms' codes come from the token routes).
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("role", "role", "Role: choose one of the read-only roles."),
    Refusal::new(
        "role_write",
        "role",
        "Role: read-write roles are granted by the server operator; choose a read-only role.",
    ),
    Refusal::new("self", "email", "Email: you cannot change your own access."),
    Refusal::new("email", "email", "Email: enter an email address such as name@example.com."),
    Refusal::new(
        "demote",
        "email",
        "Email: this person holds a read-write role, which only the operator can change.",
    ),
    Refusal::new("member", "user_id", "That person holds no role in this tenant."),
    Refusal::new("revoke_write", "user_id", "Read-write roles are revoked by the server operator."),
    Refusal::new("token_name", "name", "Token name: use 1 to 100 characters, no control characters."),
    Refusal::new(
        "token_scope",
        "scope",
        "Scope: choose SecurityEvents.Read.All or SecurityEvents.ReadWrite.All.",
    ),
    Refusal::new(
        "token_expiry",
        "expires_days",
        "Expires in: a whole number of days from 1 to the server's maximum (shown on the form), or \
         empty for the maximum.",
    ),
    Refusal::new("token", "token", "That token was not found among yours."),
]);

/// The Settings page a form goes back to.
#[cfg(feature = "ssr")]
fn page_of(tenant_id: &str) -> String {
    format!("/tenants/{tenant_id}/settings")
}

/// What a saved settings form says once the page is back.
fn done(query: &ParamsMap) -> Option<&'static str> {
    Some(match query.get("done")?.as_str() {
        "granted" => {
            "Access granted. Someone who has never signed in here needs a password from the server \
             operator (rampart user set-password) first."
        }
        "revoked" => "Access revoked.",
        "token_revoked" => "Token revoked.",
        "licenses" => "Licenses saved: the Overview's licensed-only view follows them.",
        "m365_connected" => "Connected to Microsoft 365: Entra granted the app a token. The first sync runs tonight, or now with Sync now.",
        "m365_synced" => "Synced from Microsoft 365.",
        "m365_disconnected" => "Disconnected from Microsoft 365; the history synced so far stays.",
        "alert_added" => "Alert rule added. It is checked now, and after every change to this tenant.",
        "alert_deleted" => "Alert rule deleted; messages already sent stay in the list.",
        "alert_test" => "Test queued to each recipient: the list of last messages shows how it went.",
        "report_added" => "Report scheduled: the latest whole period goes out within minutes, then one each period.",
        "report_deleted" => "Scheduled report deleted.",
        _ => "Saved.",
    })
}

#[component]
pub fn Settings() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let data = Resource::new(tenant, settings);
    let notice = Signal::derive(move || {
        Outcome::from_url(
            &query.read(),
            &[
                REFUSALS,
                crate::pages::licenses::REFUSALS,
                service::m365::REFUSALS,
                service::alert::REFUSALS,
                service::report::REFUSALS,
            ],
            done,
        )
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <SettingsView d tenant_id=tenant() notice/> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInRequired/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsView(d: SettingsData, tenant_id: String, notice: Signal<Option<Outcome>>) -> impl IntoView {
    let can_write = d.can_write;
    view! {
        <Title text=crate::format::rcdata(&format!("{} — Settings", d.tenant_name))/>
        <h1>{d.tenant_name.clone()} <span class="subtle">" · Settings"</span></h1>
        <crate::pages::nav::TenantNav tenant_id=tenant_id.clone() current="Settings"/>
        <Notice id="settings-notice" url=notice/>
        <access::MembersCard members=d.members tenant_id=tenant_id.clone() can_write/>
        <tokens::TokensCard tokens=d.tokens tenant_id=tenant_id.clone() max_days=d.token_max_days/>
        {can_write.then(|| view! {
            <section class="card" aria-labelledby="import-heading">
                <h2 id="import-heading">"Import from Microsoft Graph"</h2>
                <p class="subtle">
                    "Upload a " <code>"secureScores"</code> " response (any number of days) and a "
                    <code>"secureScoreControlProfiles"</code>
                    " response as saved from Graph. Days become this tenant's history, the newest day's                      control scores its measurements, and state updates its statuses. Importing the same                      files again changes nothing."
                </p>
                <form method="post" action=format!("/tenants/{tenant_id}/import") enctype="multipart/form-data"
                    class="row-form" id="import-form">
                    <label>"Graph export files"
                        <input type="file" name="files" multiple accept=".json,application/json" required/>
                    </label>
                    <button type="submit">"Import"</button>
                </form>
            </section>
        })}
        {can_write.then(|| view! {
            <section class="card" aria-labelledby="scan-import-heading">
                <h2 id="scan-import-heading">"Import scanner reports"</h2>
                <p class="subtle">
                    "Upload the JSON a scanner wrote: Maester (" <code>"Invoke-Maester -OutputJsonFile"</code>
                    "), ScubaGear (" <code>"ScubaResults*.json"</code> ") or Prowler ("
                    <code>"--output-formats json-ocsf"</code> "). Each control becomes a measurement of the \
                     improvement action it is mapped to, with the users, devices or resources it names; a \
                     control with no mapping becomes a custom action tagged with the tool's name. Each file \
                     is imported whole or not at all, and the same file again changes nothing."
                </p>
                <form method="post" action=format!("/tenants/{tenant_id}/import-scan") enctype="multipart/form-data"
                    class="row-form" id="scan-import-form">
                    <label>"Report files"
                        <input type="file" name="files" multiple accept=".json,application/json" required/>
                    </label>
                    <label>"Scanner"
                        <select name="tool">
                            <option value="auto" selected>"Recognise from the file"</option>
                            <option value="maester">"Maester"</option>
                            <option value="scubagear">"ScubaGear"</option>
                            <option value="prowler">"Prowler"</option>
                        </select>
                    </label>
                    <label>"Unmapped controls"
                        <select name="unmapped">
                            <option value="custom" selected>"Add as custom actions"</option>
                            <option value="skip">"Skip"</option>
                        </select>
                    </label>
                    <label><input type="checkbox" name="another_directory" value="on"/>
                        " The report is of another Entra directory: import it anyway"</label>
                    <button type="submit">"Import"</button>
                </form>
            </section>
        })}
        <m365::M365Section card=d.m365.clone() tenant_id=tenant_id.clone() can_write/>
        {d.alerts.clone().map(|card| view! { <alerts::AlertsSection card tenant_id=tenant_id.clone()/> })}
        {d.reports.clone().map(|card| view! { <reports::ReportsSection card tenant_id=tenant_id.clone()/> })}
        <crate::pages::licenses::LicensesCard tenant_id=tenant_id.clone() held=d.licenses.clone()
            names=d.license_names.clone() can_write/>
        {d.audit.map(|rows| view! {
            <section class="card" aria-labelledby="audit-heading">
                <h2 id="audit-heading">"Audit trail"</h2>
                <p class="subtle">"Every change to this tenant, newest first. Nothing here can be edited or deleted. "
                    <a href=format!("/tenants/{tenant_id}/audit.csv") id="audit-export">"Export CSV"</a>
                </p>
                <table class="list" id="audit">
                    <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Subject"</th><th>"Before"</th><th>"After"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|a| view! {
                            <tr>
                                <td>{a.at}</td><td>{a.actor}</td><td>{a.kind}</td><td>{a.subject}</td>
                                <td><code>{a.before}</code></td><td><code>{a.after}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
    }
}
