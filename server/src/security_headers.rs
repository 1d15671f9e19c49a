//! Headers on every response that tell browsers what the pages may do: run only this
//! server's scripts and wasm, never be framed, never guess content types.

use app::ScriptNonce;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of a response whose inline scripts carry `nonce`.
///
/// - Scripts: this server's files, the wasm they compile, and the inline scripts Leptos
///   writes (the hydration start and the resolved data of async pages) by their nonce.
/// - Styles: the stylesheet only, but `style` attributes are allowed: the score bars set
///   their width in one, and ECharts writes its tooltips with inline styles. Attribute
///   styles cannot load anything or run script.
/// - Nothing may frame the pages (the status forms would be clickjacking targets), and
///   forms post only here.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// A fresh nonce per response: 122 random bits in hex, which CSP accepts as is.
fn new_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Adds the headers; `https` says whether the public URL is an https one.
pub(crate) async fn add(State(https): State<bool>, mut req: Request, next: Next) -> Response {
    let nonce = new_nonce();
    req.extensions_mut().insert(ScriptNonce(nonce.as_str().into()));
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    // A page names the assets of the build that drew it: browsers must ask for it again
    // each time (a 200 or 304), or they would keep linking assets a new build replaced.
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // Only when users reach the server over HTTPS: over plain HTTP the header is ignored,
    // and sent from a test address it would pin a name to HTTPS for a year.
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    resp
}
