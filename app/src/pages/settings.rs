//! Tenant settings: who has access (read-write users grant and revoke read-only roles),
//! API tokens, import, licenses and the audit trail. Access and licenses are forms of the
//! one convention in `pages::forms`; a new token and an import answer with pages of their
//! own (the secret shown once, the import's report), so those stay plain posts.

use crate::auth::sign_in::SignInRequired;
use crate::error::AppError;
use crate::pages::forms::{page_action, Notice, Outcome, PageForms};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use score::roles::Role;
use serde::{Deserialize, Serialize};
use service::refusal::{Refusal, Refusals};

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
    Ok(SettingsData {
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

/// Grants a read-only role; read-write roles are granted by the operator (`rampart user grant`).
#[server(endpoint = "grant_access")]
pub async fn grant_access(tenant_id: String, email: String, role: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let tenant_id = access.tenant_id.clone();
    let page = page_of(&tenant_id);
    let no = |code: &str| refuse(&page, REFUSALS.of(code));
    let Some(role) = Role::parse(role.trim()) else {
        return no("role").await;
    };
    if role.can_write() {
        return no("role_write").await;
    }
    let email = email.trim().to_ascii_lowercase();
    if !crate::auth::valid_email(&email) {
        return no("email").await;
    }
    if email == access.viewer.email {
        return no("self").await;
    }
    let user = account_for(access.state.store.as_ref(), &email, &access.viewer.email).await?;
    let current = access.state.store.members_of_tenant(&tenant_id).await?;
    if current.iter().any(|m| m.user_id == user.id && m.role.can_write()) {
        return no("demote").await;
    }
    access.state.store.grant_role(&tenant_id, &user.id, role, &access.viewer.email).await?;
    done(&format!("{page}?done=granted"))
}

/// The account with this address, made (with no password yet) when there is none. Granting
/// access then answers the same whether or not the address had an account, so the form
/// cannot be used to find out who has one; the operator sets the new account's password.
#[cfg(feature = "ssr")]
async fn account_for(store: &dyn store::Store, email: &str, actor: &str) -> Result<store::User, AppError> {
    use crate::auth::secrets::NO_PASSWORD_YET;
    match store.user_by_email(email).await {
        Ok(u) => return Ok(u),
        Err(store::StoreError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let name = email.split('@').next().unwrap_or_default();
    match store.create_user(email, name, NO_PASSWORD_YET, actor).await {
        Ok(u) => Ok(u),
        // Made by someone else in the meantime: theirs is the account.
        Err(store::StoreError::Conflict(_)) => Ok(store.user_by_email(email).await?),
        Err(e) => Err(e.into()),
    }
}

/// Revokes a read-only role.
#[server(endpoint = "revoke_access")]
pub async fn revoke_access(tenant_id: String, user_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let tenant_id = access.tenant_id.clone();
    let page = page_of(&tenant_id);
    let members = access.state.store.members_of_tenant(&tenant_id).await?;
    match members.iter().find(|m| m.user_id == user_id) {
        None => return refuse(&page, REFUSALS.of("member")).await,
        Some(m) if m.role.can_write() => return refuse(&page, REFUSALS.of("revoke_write")).await,
        Some(_) => {}
    }
    access.state.store.revoke_role(&tenant_id, &user_id, &access.viewer.email).await?;
    done(&format!("{page}?done=revoked"))
}

/// Revokes one of the viewer's own API tokens for this tenant (any role: a token is its
/// maker's); someone else's, or an unknown one, is refused the same way.
#[server(endpoint = "revoke_token")]
pub async fn revoke_token(tenant_id: String, token_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Read).await?;
    let page = page_of(&access.tenant_id);
    let store = access.state.store.as_ref();
    match store.revoke_api_token(&access.viewer.user_id, &token_id, &access.viewer.email).await {
        Ok(()) => done(&format!("{page}?done=token_revoked")),
        Err(store::StoreError::NotFound(_)) => refuse(&page, REFUSALS.of("token")).await,
        Err(e) => Err(e.into()),
    }
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
        _ => "Saved.",
    })
}

#[component]
pub fn Settings() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tenant = move || params.read().get("tenant").unwrap_or_default();
    let forms = PageForms::provide();
    forms.offer::<GrantAccess>();
    forms.offer::<RevokeAccess>();
    forms.offer::<RevokeToken>();
    forms.offer::<crate::pages::licenses::SetLicenses>();
    let data = Resource::new(move || (tenant(), forms.version()), |(t, _)| settings(t));
    let notice = Signal::derive(move || {
        Outcome::from_url(&query.read(), &[REFUSALS, crate::pages::licenses::REFUSALS], done)
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
    let read_only_roles: Vec<Role> = Role::ALL.into_iter().filter(|r| !r.can_write()).collect();
    let can_write = d.can_write;
    let t = tenant_id.clone();
    let grant = page_action::<GrantAccess>();
    let grant_tenant = tenant_id.clone();
    view! {
        <Title text=crate::format::rcdata(&format!("{} — Settings", d.tenant_name))/>
        <h1>{d.tenant_name.clone()} <span class="subtle">" · Settings"</span></h1>
        <p>
            <a href=format!("/tenants/{tenant_id}")>"← Overview"</a>" · "
            <a href=format!("/tenants/{tenant_id}/history")>"History"</a>
        </p>
        <Notice id="settings-notice" url=notice/>
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">"People with access"</h2>
            <table class="list" id="members">
                <thead><tr><th>"Email"</th><th>"Role"</th><th>"Granted by"</th><th>"Since"</th><th></th></tr></thead>
                <tbody>
                    {d.members.into_iter().map(|m| {
                        let removable = can_write && !m.role.can_write();
                        let t = t.clone();
                        let revoke = page_action::<RevokeAccess>();
                        view! {
                            <tr>
                                <td>{m.email.clone()}</td>
                                <td>{m.role.label()}</td>
                                <td>{m.granted_by}</td>
                                <td>{m.granted_at}</td>
                                <td>{removable.then(|| view! {
                                    <ActionForm action=revoke.action on:submit=move |_| revoke.submitted() attr:class="inline">
                                        <input type="hidden" name="tenant_id" value=t/>
                                        <input type="hidden" name="user_id" value=m.user_id/>
                                        <button type="submit" class="link" aria-label=format!("Revoke access of {}", m.email)>"Revoke"</button>
                                    </ActionForm>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {can_write.then(|| view! {
                <ActionForm action=grant.action on:submit=move |_| grant.submitted() attr:class="row-form" attr:id="grant-form">
                    <input type="hidden" name="tenant_id" value=grant_tenant/>
                    <label>"Email" <input type="email" name="email" required/></label>
                    <label>"Read-only role"
                        <select name="role">
                            {read_only_roles.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" disabled=move || grant.pending()>"Grant access"</button>
                </ActionForm>
            })}
        </section>
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Your API tokens"</h2>
            <p class="subtle">
                "For scripts using the Graph-compatible API. A token acts for this tenant with the lesser of its scope and your role."
            </p>
            <table class="list" id="tokens">
                <thead><tr><th>"Name"</th><th>"Scope"</th><th>"Created"</th><th>"Expires"</th><th></th></tr></thead>
                <tbody>
                    {d.tokens.into_iter().map(|tk| {
                        let (tenant, revoke) = (t.clone(), page_action::<RevokeToken>());
                        view! {
                            <tr>
                                <td>{tk.name.clone()}</td>
                                <td>{tk.scope}</td>
                                <td>{tk.created}</td>
                                <td>{tk.expires.unwrap_or_else(|| "never".into())}</td>
                                <td>{if tk.revoked {
                                    view! { <span class="subtle">"revoked"</span> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=revoke.action on:submit=move |_| revoke.submitted() attr:class="inline">
                                            <input type="hidden" name="tenant_id" value=tenant/>
                                            <input type="hidden" name="token_id" value=tk.id/>
                                            <button type="submit" class="link" aria-label=format!("Revoke token {}", tk.name)>"Revoke"</button>
                                        </ActionForm>
                                    }.into_any()
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form method="post" action=format!("/tenants/{tenant_id}/tokens") class="row-form" id="token-form">
                <label>"Name" <input type="text" name="name" maxlength="100" required/></label>
                <label>"Scope"
                    <select name="scope">
                        <option value="SecurityEvents.Read.All">"SecurityEvents.Read.All"</option>
                        <option value="SecurityEvents.ReadWrite.All">"SecurityEvents.ReadWrite.All"</option>
                    </select>
                </label>
                <label>{format!("Expires in (days, at most {})", d.token_max_days)}
                    <input type="number" name="expires_days" min="1" max=d.token_max_days.to_string()
                        value=d.token_max_days.min(90).to_string()/>
                </label>
                <button type="submit">"Create token"</button>
            </form>
        </section>
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
