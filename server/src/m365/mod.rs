//! Microsoft 365: fetching each connected tenant's Secure Score from Microsoft Graph.
//!
//! - [`secret_key`]: the key that seals the app registrations' client secrets at rest.
//! - [`connect`]: connecting a tenant to an app registration (`rampart connect`).
//! - [`credential`]: a client secret, or a certificate's signed client assertion.
//! - [`daily`]: every connected tenant's sync, spread over the hour after the snapshot.
//! - [`graph`]: every page of a Graph collection, with its faults handled.
//! - [`sync`]: one tenant's sync, through the import's path in one transaction.
//! - [`token`]: app-only tokens by the OAuth 2.0 client-credentials grant, cached until
//!   shortly before they expire.
//! - [`write_back`]: status changes made in Rampart, sent to Microsoft.

pub mod connect;
pub mod credential;
pub mod daily;
pub mod graph;
pub mod secret_key;
pub mod sync;
pub mod token;
pub mod write_back;

/// An authority or Graph base URL as the operator sets it: `https://…`, or plain `http` on
/// a loopback address (a test's stand-in for Microsoft). Returned without a trailing `/`.
pub fn base_url(text: &str) -> Result<String, &'static str> {
    let url = text.trim().trim_end_matches('/');
    let loopback = ["http://127.0.0.1", "http://[::1]", "http://localhost"]
        .iter()
        .any(|p| url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    let https = url.strip_prefix("https://").is_some_and(|host| !host.is_empty() && !host.starts_with('/'));
    if !(https || loopback) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("use an https:// address (plain http only on a loopback address)");
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_addresses_are_taken() {
        assert_eq!(
            base_url("https://login.microsoftonline.com/"),
            Ok("https://login.microsoftonline.com".into())
        );
        assert_eq!(base_url("http://127.0.0.1:4010"), Ok("http://127.0.0.1:4010".into()));
        assert!(base_url("http://login.microsoftonline.com").is_err());
        assert!(base_url("http://127.0.0.1.evil.example").is_err(), "a host that only starts like loopback");
        assert!(base_url("https://").is_err());
        assert!(base_url("ftp://example.com").is_err());
        assert!(base_url("https://exa mple.com").is_err());
    }
}
