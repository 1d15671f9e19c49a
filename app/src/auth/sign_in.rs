//! The sign-in page, sign-out, and who is signed in. Sign-in and sign-out are plain HTML
//! form posts answered by redirects, so they work the same with JavaScript off.

use super::Viewer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use service::refusal::{Refusal, Refusals};

/// Sign-in attempts allowed in the throttling window for one account from one address,
/// and from one address for all accounts. Separate budgets: guesses from one place use up
/// that place's budget, never the account's, so they cannot lock the real user out.
pub const MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS: u32 = 5;
pub const MAX_ATTEMPTS_PER_ADDRESS: u32 = 30;
pub const THROTTLE_MINUTES: i64 = 15;

/// Only a same-site path of visible ASCII, so the sign-in form cannot bounce people to
/// another site (`//host`, `/\host`, or a tab or newline a browser drops to make one) nor
/// put a control character in the Location header. Checked again after each round of
/// percent-decoding; anything else goes to the start page.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_same_site_path(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn is_same_site_path(next: &str) -> bool {
    let plain = |p: &str| {
        p.starts_with('/')
            && !p.contains("//")
            && !p.contains('\\')
            && p.bytes().all(|b| b.is_ascii_graphic())
    };
    let mut candidate = next.to_owned();
    // Three rounds cover any encoding a browser or proxy would undo; more is refused.
    for _ in 0..3 {
        if !plain(&candidate) {
            return false;
        }
        match percent_decode(&candidate) {
            Some(decoded) if decoded == candidate => return true,
            Some(decoded) => candidate = decoded,
            None => return false,
        }
    }
    false
}

/// `%XX` sequences decoded; a `%` without two hex digits stays. `None`: not UTF-8 after.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).ok()?);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
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

/// Whether the caller is a browser (it asks for HTML): browsers are answered with a
/// redirect to a page carrying the message, scripts with a 4xx.
#[cfg(feature = "ssr")]
pub(crate) fn wants_html(headers: &http::HeaderMap) -> bool {
    headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The client's address for throttling: the connecting peer, or what trusted proxies say.
#[cfg(feature = "ssr")]
async fn client_address(state: &crate::state::AppState, headers: &http::HeaderMap) -> String {
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|c| c.0.ip());
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    // Without a peer (a router called in-process) every caller shares one budget.
    state.trusted_proxies.client_address(peer, forwarded).map_or_else(|| "unknown".to_owned(), throttled_as)
}

/// The address a budget is kept for. One IPv6 subscriber usually holds a whole /64, so an
/// IPv6 address counts as its /64: otherwise each of its 2^64 addresses would bring a
/// fresh budget.
#[cfg(feature = "ssr")]
fn throttled_as(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => {
            let network = std::net::Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64));
            format!("{network}/64")
        }
        v4 => v4.to_string(),
    }
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::auth::secrets::{
        dummy_hash, hash_secret, new_secret, verify_password_off_workers, MAX_PASSWORD_LEN,
    };
    use crate::auth::session::{send_cookie, set_cookie, SESSION_HOURS};
    use crate::links::is_https;
    let state = crate::state::app_state()?;
    let next = safe_next(next.as_deref());
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let html = wants_html(&headers);
    let fail = |code: &str, error: Option<AppError>| {
        if html {
            leptos_axum::redirect(&sign_in_url(&next, Some(code)));
            Ok(())
        } else {
            let r = REFUSALS.of(code);
            Err(error.unwrap_or_else(|| AppError::invalid(r.field, r.message)))
        }
    };
    let email = email.trim().to_ascii_lowercase();
    if email.len() > 254 || !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return fail("email", None);
    }
    if password.is_empty() || password.len() > MAX_PASSWORD_LEN {
        return fail("password", None);
    }
    let address = client_address(&state, &headers).await;
    let now = chrono::Utc::now();
    let window_began_after = now - chrono::Duration::minutes(THROTTLE_MINUTES);
    let (pair_key, address_key) = (format!("account:{email}|from:{address}"), format!("from:{address}"));
    let store = state.store.as_ref();
    // Counted before the password is checked, in one atomic step each: a burst of parallel
    // guesses gets numbers 1, 2, 3, … and only those within the budget reach Argon2.
    let from_pair = store.claim_sign_in_attempt(&pair_key, now, window_began_after).await?;
    let from_address = store.claim_sign_in_attempt(&address_key, now, window_began_after).await?;
    if from_pair > MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS || from_address > MAX_ATTEMPTS_PER_ADDRESS {
        tracing::warn!(%email, %address, "sign-in refused: too many attempts");
        if !html {
            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                let wait = (THROTTLE_MINUTES * 60).to_string();
                if let Ok(v) = http::HeaderValue::from_str(&wait) {
                    resp.insert_header(http::header::RETRY_AFTER, v);
                }
            }
        }
        return fail("throttled", Some(AppError::TooManyAttempts));
    }
    let user = match store.user_by_email(&email).await {
        Ok(u) => Some(u),
        Err(store::StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let hash = user.as_ref().map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let ok = verify_password_off_workers(password, hash).await && user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        tracing::warn!(%email, %address, "sign-in failed: wrong email or password");
        return fail("credentials", None);
    };
    store.clear_sign_in_attempts(&pair_key).await?;
    store.forgive_sign_in_attempt(&address_key).await?;
    let secret = new_secret().map_err(|_| AppError::Internal)?;
    let session = store::Session {
        token_hash: hash_secret(&secret),
        user_id: user.id.clone(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(SESSION_HOURS),
    };
    store.create_session(&session).await?;
    tracing::info!(%email, "signed in");
    send_cookie(&set_cookie(&secret, is_https(state.public_url.as_deref(), &headers)));
    leptos_axum::redirect(&next);
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::secrets::hash_secret;
    use crate::auth::session::{clear_cookie, send_cookie, session_secret};
    use crate::links::is_https;
    let state = crate::state::app_state()?;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    if let Some(secret) = session_secret(&headers) {
        state.store.delete_session(&hash_secret(&secret)).await?;
    }
    send_cookie(&clear_cookie(is_https(state.public_url.as_deref(), &headers)));
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

/// Why a sign-in is refused. The codes travel in the URL; an unknown one reads plainly.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("email", "email", "Email: enter an email address such as name@example.com."),
    Refusal::new("password", "password", "Password: enter your password."),
    Refusal::new("credentials", "password", "The email or password is wrong."),
    Refusal::new("throttled", "email", "Too many sign-in attempts from here. Wait 15 minutes and try again."),
]);

fn error_message(code: &str) -> &'static str {
    REFUSALS.get(code).map_or("Sign-in failed. Try again.", |r| r.message)
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
                        <a href="/account" class="user" id="signed-in-as">{v.email}</a>
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[cfg(feature = "ssr")]
    #[test]
    fn an_ipv6_subscriber_has_one_budget_for_its_64() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
        assert_eq!(super::throttled_as(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(super::throttled_as(ip("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
        assert_ne!(super::throttled_as(ip("2001:db8:1:3::1")), "2001:db8:1:2::/64");
        assert_eq!(super::throttled_as(ip("192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn next_is_a_path_of_this_site_or_the_start_page() {
        for good in ["/", "/tenants/x/actions?range=90d&q=100%25", "/tenants/x/actions/A.B-C_D"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        let bad = [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example/",
            "/\u{1}",
            "/a b",
            "https://evil.example",
            "evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%09/evil.example",
            "/%252F%252Fevil",
            "/%25252F%25252Fevil",
            "/%FF",
            "/é",
            "",
            // A space, even encoded, is refused like a control character: a search with a
            // space lands on the start page instead.
            "/tenants/x/actions?q=a%20b",
        ];
        for b in bad {
            assert_eq!(safe_next(Some(b)), "/", "{b:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
