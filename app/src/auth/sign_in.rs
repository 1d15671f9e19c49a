//! The sign-in page, sign-out, and who is signed in. Sign-in and sign-out are plain HTML
//! form posts answered by redirects, so they work the same with JavaScript off.

use super::Viewer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Failed sign-ins allowed per account, and per client address, in the throttling window.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
pub const THROTTLE_MINUTES: i64 = 15;

/// Only same-site paths, so the sign-in form cannot be used to bounce people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn encode_query(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn sign_in_url(next: &str, error: Option<&str>) -> String {
    let mut url = format!("/sign-in?next={}", encode_query(next));
    if let Some(e) = error {
        url.push_str("&error=");
        url.push_str(e);
    }
    url
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::auth::secrets::{dummy_hash, hash_secret, new_secret, verify_password};
    use crate::auth::session::{set_cookie, set_cookie_header, SESSION_HOURS};
    use crate::links::is_https;
    let state = crate::state::app_state()?;
    let next = safe_next(next.as_deref());
    let fail = |code: &str| {
        leptos_axum::redirect(&sign_in_url(&next, Some(code)));
        Ok(())
    };
    let email = email.trim().to_ascii_lowercase();
    if email.len() > 254 || !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return fail("email");
    }
    if password.is_empty() || password.len() > 1024 {
        return fail("password");
    }
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    // Behind no proxy the peer address is the client; without it (tests) throttle by account only.
    let address = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::minutes(THROTTLE_MINUTES);
    let (account_key, address_key) = (format!("email:{email}"), format!("ip:{address}"));
    let store = state.store.as_ref();
    if store.sign_in_failures_since(&account_key, since).await? >= MAX_FAILURES_PER_ACCOUNT
        || store.sign_in_failures_since(&address_key, since).await? >= MAX_FAILURES_PER_ADDRESS
    {
        tracing::warn!(%email, %address, "sign-in refused: too many failures");
        return fail("throttled");
    }
    let user = match store.user_by_email(&email).await {
        Ok(u) => Some(u),
        Err(store::StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let hash = user.as_ref().map_or(dummy_hash(), |u| u.password_hash.as_str());
    let ok = verify_password(&password, hash) && user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        tracing::warn!(%email, %address, "sign-in failed: wrong email or password");
        store.record_sign_in_failure(&account_key, now, since).await?;
        store.record_sign_in_failure(&address_key, now, since).await?;
        return fail("credentials");
    };
    store.clear_sign_in_failures(&account_key).await?;
    let secret = new_secret().map_err(|_| AppError::Internal)?;
    let session = store::Session {
        token_hash: hash_secret(&secret),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(SESSION_HOURS),
    };
    store.create_session(&session).await?;
    tracing::info!(%email, "signed in");
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) =
            http::HeaderValue::from_str(&set_cookie(&secret, is_https(state.public_url.as_deref(), &headers)))
        {
            resp.append_header(set_cookie_header(), v);
        }
    }
    leptos_axum::redirect(&next);
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::secrets::hash_secret;
    use crate::auth::session::{clear_cookie, session_secret, set_cookie_header};
    use crate::links::is_https;
    let state = crate::state::app_state()?;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    if let Some(secret) = session_secret(&headers) {
        state.store.delete_session(&hash_secret(&secret)).await?;
    }
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) =
            http::HeaderValue::from_str(&clear_cookie(is_https(state.public_url.as_deref(), &headers)))
        {
            resp.append_header(set_cookie_header(), v);
        }
    }
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// Who is signed in, if anyone.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<Viewer>, AppError> {
    match crate::auth::access::require_viewer().await {
        Ok((_, v)) => Ok(Some(v)),
        Err(AppError::Unauthorized) => Ok(None),
        Err(e) => Err(e),
    }
}

fn error_message(code: &str) -> &'static str {
    match code {
        "email" => "Email: enter an email address such as name@example.com.",
        "password" => "Password: enter your password.",
        "credentials" => "The email or password is wrong.",
        "throttled" => "Too many failed sign-ins. Wait 15 minutes and try again.",
        _ => "Sign-in failed. Try again.",
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref());
    let error = move || query.read().get("error").map(|c| error_message(&c));
    view! {
        <Title text="Sign in"/>
        <section class="card narrow">
            <h1>"Sign in"</h1>
            {move || error().map(|m| view! { <p class="error" role="alert" id="sign-in-error">{m}</p> })}
            <form method="post" action="/api/sign_in" class="stack">
                <input type="hidden" name="next" value=next/>
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                <button type="submit">"Sign in"</button>
            </form>
        </section>
    }
}

/// Sends people who are not signed in to the sign-in page, then back here.
#[component]
pub fn SignInRequired() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let here = location.pathname.get_untracked() + &location.search.get_untracked();
    let url = sign_in_url(&here, None);
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&url);
    view! { <p class="card">"Please " <a href=url>"sign in"</a> " to see this page."</p> }
}

/// The signed-in user and a sign-out button, or a sign-in link.
#[component]
pub fn UserMenu() -> impl IntoView {
    let who = Resource::new(|| (), |_| whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(Some(v)) => view! {
                        <span class="user" id="signed-in-as">{v.email}</span>
                        <form method="post" action="/api/sign_out" class="inline">
                            <button type="submit" class="link">"Sign out"</button>
                        </form>
                    }.into_any(),
                    _ => view! { <a href="/sign-in">"Sign in"</a> }.into_any(),
                }
            })}
        </Suspense>
    }
}
