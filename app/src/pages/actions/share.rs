//! Share an improvement action: the link to copy, the change tickets it opened, and one
//! plain form per target the operator configured (email, Teams/Slack webhook, ServiceNow).
//! The forms post to the server's share route, which answers with a redirect back here.

use super::detail::ActionDetail;
use super::query::encode;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

pub use service::share::{
    action_link, done_message, error_message, is_email_address, validate_share, ShareInput, ShareTarget,
    ShareTargets, ValidShare, MAX_MESSAGE_CHARS, MAX_RECIPIENTS, REFUSALS,
};

/// A change ticket shown under Share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLink {
    pub number: String,
    pub url: String,
    /// "alex@contoso.example on 2026-03-07 12:00 UTC"
    pub created: String,
}

/// The Share section of the flyout and the action page.
#[component]
pub fn ShareSection(d: ActionDetail, back: String) -> impl IntoView {
    let query = use_query_map();
    // After a refused or failed share the form comes back filled in with what was typed.
    let (refill_target, refill_to, refill_message) = {
        let q = query.read_untracked();
        (
            q.get("target").unwrap_or_default(),
            q.get("to").unwrap_or_default(),
            q.get("message").unwrap_or_default(),
        )
    };
    let action = format!("/tenants/{}/actions/{}/share", d.tenant_id, encode(&d.row.id));
    let forms = ShareTarget::ALL
        .into_iter()
        .map(|t| {
            let refill = (refill_target == t.as_str()).then(|| (refill_to.clone(), refill_message.clone()));
            if !t.configured(d.share) {
                view! {
                    <p class="subtle" id=format!("share-{}-off", t.as_str())>
                        {t.label()} ": not configured by the operator."
                    </p>
                }
                .into_any()
            } else if !d.can_write {
                view! {
                    <p class="subtle" id=format!("share-{}-read-only", t.as_str())>
                        {t.label()} ": sharing needs a read-write role in this tenant."
                    </p>
                }
                .into_any()
            } else {
                view! { <ShareForm target=t action=action.clone() back=back.clone() refill/> }.into_any()
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="share-heading">
            <h3 id="share-heading">"Share"</h3>
            <label>"Link to this action"
                <input type="text" readonly id="share-link" value=d.link.clone()/>
            </label>
            <Tickets tickets=d.tickets.clone()/>
            {forms}
        </section>
    }
}

#[component]
fn Tickets(tickets: Vec<TicketLink>) -> impl IntoView {
    (!tickets.is_empty()).then(|| {
        view! {
            <ul class="tickets" id="action-tickets">
                {tickets.into_iter().map(|t| view! {
                    <li>"Change ticket "
                        <a href=t.url target="_blank" rel="noopener noreferrer">{t.number}</a>
                        <span class="subtle">" · created by " {t.created}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn ShareForm(
    target: ShareTarget,
    action: String,
    back: String,
    refill: Option<(String, String)>,
) -> impl IntoView {
    let (to, message) = refill.unwrap_or_default();
    let id = target.as_str();
    let button = match target {
        ShareTarget::Email => "Send email",
        ShareTarget::Webhook => "Post to the channel",
        ShareTarget::ServiceNow => "Create change ticket",
    };
    view! {
        <form method="post" action=action class="stack share-form" id=format!("share-{id}")>
            <input type="hidden" name="target" value=id/>
            <input type="hidden" name="back" value=back/>
            <strong>{target.label()}</strong>
            {(target == ShareTarget::Email).then(|| view! {
                <label>"To (comma-separated, at most 20)"
                    <input type="text" name="to" id="share-email-to" required value=to
                        placeholder="sam@contoso.example, kim@contoso.example"/>
                </label>
            })}
            <label>"Message (optional, at most 2,000 characters)"
                {message_box(&format!("share-{id}-message"), &message)}
            </label>
            <button type="submit" id=format!("share-{id}-send")>{button}</button>
        </form>
    }
}

/// The message box. On the server the text is written escaped inside the element (Leptos
/// would not escape it); in the browser it is set as the value, so it never becomes markup.
fn message_box(id: &str, message: &str) -> AnyView {
    let (id, value) = (id.to_owned(), message.to_owned());
    if cfg!(feature = "ssr") {
        let text = super::rcdata(message);
        view! { <textarea name="message" rows="3" maxlength="2000" id=id prop:value=value>{text}</textarea> }
            .into_any()
    } else {
        view! { <textarea name="message" rows="3" maxlength="2000" id=id prop:value=value></textarea> }
            .into_any()
    }
}
