//! Links to this server in text read outside the page: shared actions (email, chat,
//! tickets), the copy box, and the Graph API's `@odata` links.

use http::HeaderMap;

/// Checks the operator's public URL (`RAMPART_PUBLIC_URL`): an absolute http(s) address
/// of the server's root, such as `https://rampart.contoso.example`. Returned without a
/// trailing slash, ready to have paths appended.
pub fn parse_public_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    let refuse = |why: &str| {
        Err(format!("the public URL {why}: give the address users reach the server at, e.g. https://rampart.contoso.example"))
    };
    let Some((scheme, rest)) = value.split_once("://") else { return refuse("needs http:// or https://") };
    if !matches!(scheme, "http" | "https") {
        return refuse("needs http:// or https://");
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() || !host.bytes().all(is_host_byte) {
        return refuse("needs a host name (and at most a port)");
    }
    if !path.is_empty() {
        return refuse("must be the server's root, without a path, query or fragment");
    }
    Ok(format!("{scheme}://{host}"))
}

fn is_host_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b".-:[]".contains(&c)
}

// Links that leave the browser (email, chat, tickets) come only from the public URL
// (`AppState::public_url`): the request's Host header is never used, since any client can
// set it, and a link to another host mailed from the organisation's own sender is phishing.

/// The base of links a client follows against the server it already talks to (the Graph
/// API's `@odata` links, the copy box on the page): the public URL, or nothing — the
/// links are then relative to the server the client reached (`/v1.0/…`).
pub fn link_base(public: Option<&str>) -> &str {
    public.unwrap_or("")
}

/// Whether users reach the server over HTTPS: the public URL says so, or the request came
/// through a proxy that does.
pub fn is_https(public: Option<&str>, headers: &HeaderMap) -> bool {
    public.is_some_and(|p| p.starts_with("https://")) || forwarded_https(headers)
}

fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, proto: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::HOST, host.parse().expect("host"));
        if let Some(p) = proto {
            h.insert("x-forwarded-proto", p.parse().expect("proto"));
        }
        h
    }

    #[test]
    fn links_never_follow_what_the_request_says() {
        let public = parse_public_url(" https://rampart.contoso.example/ ").expect("valid");
        assert_eq!(public, "https://rampart.contoso.example");
        assert_eq!(link_base(Some(&public)), public);
        assert_eq!(link_base(None), "");
        assert!(is_https(Some(&public), &headers("evil.example", None)));
        assert!(is_https(None, &headers("r.test", Some("https"))));
        assert!(!is_https(None, &headers("r.test", None)));
    }

    #[test]
    fn a_public_url_must_be_an_http_root() {
        assert_eq!(parse_public_url("http://10.0.0.5:3000"), Ok("http://10.0.0.5:3000".into()));
        for bad in [
            "rampart.example",
            "ftp://rampart.example",
            "https://",
            "https://r.example/app",
            "https://r.example/?x=1",
            "https://a b",
        ] {
            let e = parse_public_url(bad).expect_err(bad);
            assert!(e.starts_with("the public URL"), "{e}");
        }
    }
}
