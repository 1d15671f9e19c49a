//! The signed-in person's own account: changing their password and signing out
//! everywhere. Plain form posts answered by redirects, so they work with JavaScript off.

use crate::auth::sign_in::SignInRequired;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Where refusals and the outcome of a change send the browser back to.
#[cfg(feature = "ssr")]
const ACCOUNT_PAGE: &str = "/account";

/// Changes the caller's password. The current password is required (a session left open
/// on a shared computer must not be enough); every other session of theirs ends.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::auth::secrets::{
        hash_password_off_workers, hash_secret, verify_password_off_workers, MAX_PASSWORD_LEN,
        MIN_PASSWORD_LEN,
    };
    use crate::auth::sign_in::{MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS, THROTTLE_MINUTES};
    use crate::pages::refusal::refuse;
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    if current_password.is_empty() || current_password.len() > MAX_PASSWORD_LEN {
        return refuse(ACCOUNT_PAGE, "current_password", "current_password", "enter your current password")
            .await;
    }
    let chars = new_password.chars().count();
    if chars < MIN_PASSWORD_LEN || new_password.len() > MAX_PASSWORD_LEN {
        let message =
            format!("use at least {MIN_PASSWORD_LEN} characters (and at most {MAX_PASSWORD_LEN} bytes)");
        return refuse(ACCOUNT_PAGE, "new_password", "new_password", &message).await;
    }
    if new_password != confirm_password {
        return refuse(
            ACCOUNT_PAGE,
            "confirm_password",
            "confirm_password",
            "type the new password twice, the same",
        )
        .await;
    }
    // A session left open is not a licence to guess the password: the same budget as
    // signing in from one place.
    let now = chrono::Utc::now();
    let window_began_after = now - chrono::Duration::minutes(THROTTLE_MINUTES);
    let key = format!("password-change:{}", viewer.user_id);
    if store.claim_sign_in_attempt(&key, now, window_began_after).await?
        > MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS
    {
        tracing::warn!(email = %viewer.email, "password change refused: too many attempts");
        return refuse_throttled().await;
    }
    let user = store.user(&viewer.user_id).await?;
    if !verify_password_off_workers(current_password, user.password_hash).await {
        tracing::warn!(email = %viewer.email, "password change refused: wrong current password");
        return refuse(ACCOUNT_PAGE, "current_password", "current_password", "the current password is wrong")
            .await;
    }
    store.clear_sign_in_attempts(&key).await?;
    let hash = hash_password_off_workers(new_password).await.map_err(|_| AppError::Internal)?;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let this_session = crate::auth::session::session_secret(&headers).map(|s| hash_secret(&s));
    store.set_password_hash(&viewer.user_id, &hash, &viewer.email, this_session.as_deref()).await?;
    tracing::info!(email = %viewer.email, "password changed; other sessions ended");
    leptos_axum::redirect(&format!("{ACCOUNT_PAGE}?done=password"));
    Ok(())
}

/// Too many wrong current passwords: browsers go back with the message, scripts get a 429.
#[cfg(feature = "ssr")]
async fn refuse_throttled() -> Result<(), AppError> {
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    if crate::auth::sign_in::wants_html(&headers) {
        leptos_axum::redirect(&format!("{ACCOUNT_PAGE}?error=throttled"));
        Ok(())
    } else {
        Err(AppError::TooManyAttempts)
    }
}

/// Ends every session of the caller, this one included (a lost laptop, a shared computer).
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::auth::session::{clear_cookie, set_cookie_header};
    use crate::links::is_https;
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let ended = state.store.end_sessions(&viewer.user_id, &viewer.email).await?;
    tracing::info!(email = %viewer.email, ended, "signed out everywhere");
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
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

fn message(code: Option<String>, done: Option<String>) -> Option<(bool, &'static str)> {
    if let Some(code) = code {
        return Some((
            false,
            match code.as_str() {
                "current_password" => "Current password: it is wrong, or empty.",
                "new_password" => "New password: use at least 10 characters.",
                "confirm_password" => "Repeat new password: it differs from the new password.",
                "throttled" => "Current password: too many wrong attempts. Wait 15 minutes and try again.",
                _ => "The change was refused.",
            },
        ));
    }
    done.map(|_| (true, "Password changed. Every other browser signed in as you has been signed out."))
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let who = Resource::new(|| (), |_| crate::auth::sign_in::whoami());
    view! {
        <Title text="Your account"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let notice = message(query.read().get("error"), query.read().get("done"));
                match who.await {
                    Ok(Some(v)) => view! { <AccountView email=v.email notice/> }.into_any(),
                    Ok(None) => view! { <SignInRequired/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountView(email: String, notice: Option<(bool, &'static str)>) -> impl IntoView {
    view! {
        <h1>"Your account"</h1>
        <p>"Signed in as " <strong id="account-email">{email}</strong></p>
        {notice.map(|(ok, m)| view! {
            <p class=if ok { "notice" } else { "error" } role="status" id="account-notice">{m}</p>
        })}
        <section class="card narrow" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <form method="post" action="/api/change_password" class="stack" id="password-form">
                <label>"Current password"
                    <input type="password" name="current_password" autocomplete="current-password" required/>
                </label>
                <label>"New password (at least 10 characters)"
                    <input type="password" name="new_password" autocomplete="new-password" minlength="10" required/>
                </label>
                <label>"Repeat new password"
                    <input type="password" name="confirm_password" autocomplete="new-password" minlength="10" required/>
                </label>
                <button type="submit">"Change password"</button>
            </form>
        </section>
        <section class="card narrow" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p class="subtle">"Signs you out in every browser, this one included."</p>
            <form method="post" action="/api/sign_out_everywhere" id="sign-out-everywhere-form">
                <button type="submit">"Sign out everywhere"</button>
            </form>
        </section>
    }
}
