//! The viewer's API tokens for a tenant: the list, revoking one, and the form that makes
//! one (a plain post: the secret is shown once, on a page of its own).

#[cfg(feature = "ssr")]
use super::page_of;
use crate::error::AppError;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use leptos::prelude::*;

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
        Err(store::StoreError::NotFound(_)) => refuse(&page, super::REFUSALS.of("token")).await,
        Err(e) => Err(e.into()),
    }
}

#[component]
pub fn TokensCard(tokens: Vec<super::TokenInfo>, tenant_id: String, max_days: u32) -> impl IntoView {
    let t = tenant_id.clone();
    view! {
        <Card id="tokens" title="Your API tokens">
            <p class="subtle">
                "For scripts using the Graph-compatible API. A token acts for this tenant with the lesser of its scope and your role."
            </p>
            <table class="list" id="tokens">
                <thead><tr><th>"Name"</th><th>"Scope"</th><th>"Created"</th><th>"Expires"</th><th></th></tr></thead>
                <tbody>
                    {tokens.into_iter().map(|tk| {
                        let tenant = t.clone();
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
                                        <form method="post" action={posts_to::<RevokeToken>()} class="inline">
                                            <input type="hidden" name="tenant_id" value=tenant/>
                                            <input type="hidden" name="token_id" value=tk.id/>
                                            <button type="submit" class="link" aria-label=format!("Revoke token {}", tk.name)>"Revoke"</button>
                                        </form>
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
                <label>{format!("Expires in (days, at most {})", max_days)}
                    <input type="number" name="expires_days" min="1" max=max_days.to_string()
                        value=max_days.min(90).to_string()/>
                </label>
                <button type="submit">"Create token"</button>
            </form>
        </Card>
    }
}
