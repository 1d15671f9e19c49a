//! Which address a request came from, for sign-in throttling. `X-Forwarded-For` is written
//! by whoever sends the request, so it is believed only from proxies the operator named
//! (`--trusted-proxy`), and only the part those proxies appended.

use std::net::IpAddr;

/// An address range in CIDR notation (`10.0.0.0/8`, `::1/128`; a bare address is one host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    pub fn parse(s: &str) -> Result<AddressRange, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr =
            addr.parse().map_err(|_| format!("`{s}` is not an IP address or CIDR range"))?;
        let bits: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= bits => n,
                _ => return Err(format!("`{s}`: the prefix length must be 0 to {bits}")),
            },
        };
        // A range of IPv4-mapped addresses is the IPv4 range, as addresses are compared.
        Ok(match canonical(network) {
            IpAddr::V4(v4) if network.is_ipv6() => {
                AddressRange { network: IpAddr::V4(v4), prefix: prefix.saturating_sub(96) }
            }
            _ => AddressRange { network, prefix },
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // Both as 128 bits: IPv4 in the top 32, so one mask serves both families.
        let (network, ip, prefix) = match (canonical(self.network), canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                (u128::from(u32::from(n)) << 96, u128::from(u32::from(a)) << 96, self.prefix)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), self.prefix),
            _ => return false,
        };
        let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
        network & mask == ip & mask
    }
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:10.0.0.1`) count as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<AddressRange>);

impl TrustedProxies {
    /// A comma-separated list of ranges, as `--trusted-proxy` / `RAMPART_TRUSTED_PROXY` take it.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(AddressRange::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|r| r.contains(ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the
    /// right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries to
    /// its left were written by the client and prove nothing). `None` when nothing is known.
    pub fn client_address<'a>(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    ) -> Option<IpAddr> {
        let peer = canonical(peer?);
        if !self.trusts(peer) {
            return Some(peer);
        }
        let mut nearest_proxy = peer;
        for entry in forwarded_for.rev().flat_map(|v| v.rsplit(',')) {
            let Ok(ip) = entry.trim().parse::<IpAddr>().map(canonical) else {
                // Garbage our proxy passed along: the proxy itself is the last address known.
                return Some(nearest_proxy);
            };
            if !self.trusts(ip) {
                return Some(ip);
            }
            nearest_proxy = ip;
        }
        Some(nearest_proxy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn ranges_parse_and_match() {
        let r = AddressRange::parse("10.0.0.0/8").expect("range");
        assert!(r.contains(ip("10.200.1.1")) && r.contains(ip("::ffff:10.0.0.1")));
        assert!(!r.contains(ip("11.0.0.1")) && !r.contains(ip("::1")));
        assert!(AddressRange::parse("192.0.2.7").expect("host").contains(ip("192.0.2.7")));
        assert!(!AddressRange::parse("192.0.2.7").expect("host").contains(ip("192.0.2.8")));
        assert!(AddressRange::parse("fd00::/8").expect("v6").contains(ip("fd12::1")));
        assert!(AddressRange::parse("0.0.0.0/0").expect("all").contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0/8", "::/129", "10.0.0.0/"] {
            assert!(AddressRange::parse(bad).is_err(), "{bad}");
        }
        assert!(TrustedProxies::parse("10.0.0.0/8, fd00::/8").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/8,oops").is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let proxy = TrustedProxies::parse("10.0.0.0/8").expect("list");
        let xff = ["198.51.100.1, 203.0.113.5"];
        assert_eq!(none.client_address(Some(ip("10.0.0.2")), xff.into_iter()), Some(ip("10.0.0.2")));
        assert_eq!(proxy.client_address(Some(ip("192.0.2.1")), xff.into_iter()), Some(ip("192.0.2.1")));
        assert_eq!(proxy.client_address(Some(ip("10.0.0.2")), xff.into_iter()), Some(ip("203.0.113.5")));
        // A chain of our proxies: the first address none of them is.
        let chain = ["198.51.100.1", "203.0.113.5, 10.1.1.1"];
        assert_eq!(proxy.client_address(Some(ip("10.0.0.2")), chain.into_iter()), Some(ip("203.0.113.5")));
        assert_eq!(proxy.client_address(Some(ip("10.0.0.2")), std::iter::empty()), Some(ip("10.0.0.2")));
        assert_eq!(proxy.client_address(Some(ip("10.0.0.2")), ["junk"].into_iter()), Some(ip("10.0.0.2")));
        assert_eq!(proxy.client_address(None, xff.into_iter()), None);
    }
}
