//! The signed-in person's own account: changing their password (a form of the one
//! convention in `pages::forms`) and signing out everywhere (a plain post: the session it
//! ends is the page's own, so the whole page goes).

use crate::auth::sign_in::SignInRequired;
use crate::error::AppError;
use crate::pages::forms::{posts_to, Notice, Outcome};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use service::refusal::{Refusal, Refusals};

/// Why a password change is refused.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("current_password", "current_password", "Current password: it is wrong, or empty."),
    Refusal::new("new_password", "new_password", "New password: use at least 10 characters."),
    Refusal::new(
        "confirm_password",
        "confirm_password",
        "Repeat new password: it differs from the new password.",
    ),
    Refusal::new(
        "throttled",
        "current_password",
        "Current password: too many wrong attempts. Wait 15 minutes and try again.",
    ),
]);

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
    use crate::pages::forms::{done, refuse};
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    let no = |code: &str| refuse(ACCOUNT_PAGE, REFUSALS.of(code));
    if current_password.is_empty() || current_password.len() > MAX_PASSWORD_LEN {
        return no("current_password").await;
    }
    let chars = new_password.chars().count();
    if chars < MIN_PASSWORD_LEN || new_password.len() > MAX_PASSWORD_LEN {
        return no("new_password").await;
    }
    if new_password != confirm_password {
        return no("confirm_password").await;
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
        return no("current_password").await;
    }
    store.clear_sign_in_attempts(&key).await?;
    let hash = hash_password_off_workers(new_password).await.map_err(|_| AppError::Internal)?;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let this_session = crate::auth::session::session_secret(&headers).map(|s| hash_secret(&s));
    let change =
        store::NewPassword { user_id: &viewer.user_id, hash: &hash, keep_session: this_session.as_deref() };
    store.set_password_hash(change, &viewer.email).await?;
    tracing::info!(email = %viewer.email, "password changed; other sessions ended");
    done(&format!("{ACCOUNT_PAGE}?done=password"))
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
    use crate::auth::session::{clear_cookie, send_cookie};
    use crate::links::is_https;
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let ended = state.store.end_sessions(&viewer.user_id, &viewer.email).await?;
    tracing::info!(email = %viewer.email, ended, "signed out everywhere");
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    send_cookie(&clear_cookie(is_https(state.public_url.as_deref(), &headers)));
    leptos_axum::redirect("/sign-in");
    Ok(())
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let who = Resource::new(|| (), |_| crate::auth::sign_in::whoami());
    let notice = Signal::derive(move || {
        let changed = |q: &ParamsMap| {
            q.get("done")
                .map(|_| "Password changed. Every other browser signed in as you has been signed out.")
        };
        Outcome::from_url(&query.read(), &[REFUSALS], changed)
    });
    view! {
        <Title text="Your account"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
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
fn AccountView(email: String, notice: Signal<Option<Outcome>>) -> impl IntoView {
    view! {
        <h1>"Your account"</h1>
        <p>"Signed in as " <strong id="account-email">{email}</strong></p>
        <Notice id="account-notice" url=notice/>
        <section class="card narrow" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <form method="post" action={posts_to::<ChangePassword>()} class="stack" id="password-form">
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
