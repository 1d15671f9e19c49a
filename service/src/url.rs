//! Values written into addresses.

/// Percent-encodes a path segment or query value (RFC 3986 unreserved characters pass
/// through).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Where a form on an action goes back to: the page it was on, if that is one of this
/// tenant's actions pages, else the action's own page.
pub fn back_to_actions(tenant_id: &str, action_id: &str, back: Option<&str>) -> String {
    let prefix = format!("/tenants/{tenant_id}/actions");
    match back {
        // Visible ASCII only: the value becomes a Location header.
        Some(b)
            if b.starts_with(&prefix)
                && b[prefix.len()..].starts_with(['/', '?'])
                && b.bytes().all(|c| c.is_ascii_graphic())
                && !b.contains("//")
                && !b.contains('\\') =>
        {
            b.to_owned()
        }
        _ => format!("{prefix}/{}", encode(action_id)),
    }
}

/// `url` with `key=value` appended to its query.
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={value}")
}
