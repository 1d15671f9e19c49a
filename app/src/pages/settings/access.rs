//! Who has access to a tenant: the members table, granting and revoking read-only roles.

#[cfg(feature = "ssr")]
use super::page_of;
use crate::error::AppError;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use score::roles::Role;

/// Grants a read-only role; read-write roles are granted by the operator (`rampart user grant`).
#[server(endpoint = "grant_access")]
pub async fn grant_access(tenant_id: String, email: String, role: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let tenant_id = access.tenant_id.clone();
    let page = page_of(&tenant_id);
    let no = |code: &str| refuse(&page, super::REFUSALS.of(code));
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
        None => return refuse(&page, super::REFUSALS.of("member")).await,
        Some(m) if m.role.can_write() => return refuse(&page, super::REFUSALS.of("revoke_write")).await,
        Some(_) => {}
    }
    access.state.store.revoke_role(&tenant_id, &user_id, &access.viewer.email).await?;
    done(&format!("{page}?done=revoked"))
}

#[component]
pub fn MembersCard(members: Vec<super::MemberRow>, tenant_id: String, can_write: bool) -> impl IntoView {
    let read_only_roles: Vec<Role> = Role::ALL.into_iter().filter(|r| !r.can_write()).collect();
    let t = tenant_id.clone();
    let grant_tenant = tenant_id;
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">"People with access"</h2>
            <table class="list" id="members">
                <thead><tr><th>"Email"</th><th>"Role"</th><th>"Granted by"</th><th>"Since"</th><th></th></tr></thead>
                <tbody>
                    {members.into_iter().map(|m| {
                        let removable = can_write && !m.role.can_write();
                        let t = t.clone();
                        view! {
                            <tr>
                                <td>{m.email.clone()}</td>
                                <td>{m.role.label()}</td>
                                <td>{m.granted_by}</td>
                                <td>{m.granted_at}</td>
                                <td>{removable.then(|| view! {
                                    <form method="post" action={posts_to::<RevokeAccess>()} class="inline">
                                        <input type="hidden" name="tenant_id" value=t/>
                                        <input type="hidden" name="user_id" value=m.user_id/>
                                        <button type="submit" class="link" aria-label=format!("Revoke access of {}", m.email)>"Revoke"</button>
                                    </form>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {can_write.then(|| view! {
                <form method="post" action={posts_to::<GrantAccess>()} class="row-form" id="grant-form">
                    <input type="hidden" name="tenant_id" value=grant_tenant/>
                    <label>"Email" <input type="email" name="email" required/></label>
                    <label>"Read-only role"
                        <select name="role">
                            {read_only_roles.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">"Grant access"</button>
                </form>
            })}
        </section>
    }
}
