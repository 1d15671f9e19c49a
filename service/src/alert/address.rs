//! Where a webhook may point. A rule's webhook is a URL someone with a read-write role
//! typed, and the server will post to it: it must not become a way to reach what only the
//! server can reach — cloud metadata services (169.254.169.254, fd00:ec2::254) and other
//! link-local addresses — unless the operator allows it. The host is checked when the rule
//! is saved (a literal address) and every address it resolves to is checked again before
//! each delivery (see the server's alert delivery), so a name cannot be pointed there later.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A webhook URL that passed the checks, as it will be posted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(pub String);

/// Host names that mean a metadata service wherever they resolve.
const METADATA_NAMES: [&str; 3] = ["metadata", "metadata.google.internal", "metadata.azure.internal"];

/// Whether the server may post to `ip` (`internal`: the operator allows link-local and
/// private IPv6 addresses).
pub fn address_allowed(ip: IpAddr, internal: bool) -> bool {
    if internal {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_allowed(v4),
            None => v6_allowed(v6),
        },
    }
}

fn v4_allowed(ip: Ipv4Addr) -> bool {
    // 169.254.0.0/16: link-local, where the metadata services of the clouds answer;
    // 0.0.0.0/8 reaches this host by other means than its loopback name.
    !(ip.is_link_local() || ip.octets()[0] == 0)
}

fn v6_allowed(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    // fd00::/8 (unique local, AWS's metadata service among them) and fe80::/10 (link-local).
    !((first & 0xff00) == 0xfd00 || (first & 0xffc0) == 0xfe80 || ip.is_unspecified())
}

/// `text` as a webhook URL: http or https, a host, no user name or password in it, and a
/// host that is not a forbidden address or a metadata name.
pub fn webhook_url(text: &str, internal: bool) -> Option<WebhookUrl> {
    if text.len() > 2_000 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let allowed = match url.host()? {
        url::Host::Ipv4(v4) => address_allowed(IpAddr::V4(v4), internal),
        url::Host::Ipv6(v6) => address_allowed(IpAddr::V6(v6), internal),
        url::Host::Domain(name) => {
            internal || !METADATA_NAMES.contains(&name.trim_end_matches('.').to_ascii_lowercase().as_str())
        }
    };
    allowed.then(|| WebhookUrl(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_link_local_addresses_are_refused_unless_allowed() {
        for bad in [
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.1.1:8080/x",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://0.0.0.0:9000/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.google.internal./",
            "ftp://hooks.example/x",
            "javascript:alert(1)",
            "https://user:pw@hooks.example/x",
            "hooks.example/x",
            "https://hooks.example/a b",
        ] {
            assert_eq!(webhook_url(bad, false), None, "{bad}");
        }
        assert!(webhook_url("http://169.254.169.254/latest", true).is_some());
        assert!(webhook_url("http://[fd00::5]/", true).is_some());
    }

    #[test]
    fn ordinary_receivers_are_accepted() {
        for good in [
            "https://hooks.slack.com/services/T0/B0/XYZ",
            "https://contoso.webhook.office.com/webhookb2/abc",
            "http://127.0.0.1:9000/hook",
            "http://10.1.2.3/hook",
            "http://[2001:db8::1]:8443/x",
        ] {
            assert!(webhook_url(good, false).is_some(), "{good}");
        }
    }
}
