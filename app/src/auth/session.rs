//! Session cookies: HttpOnly, SameSite=Lax, Secure behind HTTPS; the database keeps only
//! a hash of the value (server only).

use super::secrets::hash_secret;
use super::Viewer;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderMap;
use store::{Store, StoreError};

pub const COOKIE_NAME: &str = "rampart_session";
/// Sessions end this long after sign-in.
pub const SESSION_HOURS: i64 = 12;

/// The session secret from the Cookie header; anything malformed counts as no session.
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn set_cookie(secret: &str, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_HOURS * 3600
    )
}

pub fn clear_cookie(https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// Adds `cookie` (a `Set-Cookie` value) to the server function's response.
pub fn send_cookie(cookie: &str) {
    if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) = http::HeaderValue::from_str(cookie) {
            resp.append_header(SET_COOKIE, v);
        }
    }
}

/// The signed-in viewer for these request headers, if the session is valid.
pub async fn viewer_for(store: &dyn Store, headers: &HeaderMap) -> Result<Option<Viewer>, StoreError> {
    let Some(secret) = session_secret(headers) else { return Ok(None) };
    let Some(session) = store.session(&hash_secret(&secret), chrono::Utc::now()).await? else {
        return Ok(None);
    };
    match store.user(&session.user_id).await {
        Ok(u) => Ok(Some(Viewer { user_id: u.id, email: u.email, display_name: u.display_name })),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_cookies_are_no_session() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "rampart_session=abc; other=1".parse().expect("header"));
        assert_eq!(session_secret(&h), None);
        let good = "a".repeat(64);
        h.insert(COOKIE, format!("x=1; rampart_session={good}").parse().expect("header"));
        assert_eq!(session_secret(&h), Some(good));
    }

    #[test]
    fn cookies_are_http_only_and_same_site() {
        let c = set_cookie("s", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"), "{c}");
        assert!(!set_cookie("s", false).contains("Secure"));
    }
}
