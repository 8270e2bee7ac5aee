//! `IpAddress`, `NotIpAddress`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "IP address
//! condition operators": values in "standard CIDR format (for example, 203.0.113.0/24 or
//! 2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing prefix,
//! IAM uses the default prefix value of /32". The documentation names no default for IPv6;
//! trustsim reads a bare IPv6 address as /128, the address alone. Policy variables are not
//! supported. An IPv4 network never contains an IPv6 address nor the reverse.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

/// Parses a CIDR or a single address (a single address is its own /32 or /128 network).
pub fn parse_network(text: &str) -> Result<IpNetwork, String> {
    if text.trim() != text || text.is_empty() {
        return Err("expected an address or CIDR without spaces".to_owned());
    }
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("`{addr}` is not an IPv4 or IPv6 address"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(n) if n <= max => n,
            _ => {
                return Err(format!(
                    "the prefix `/{p}` must be a number from 0 to {max}"
                ))
            }
        },
    };
    IpNetwork::new(addr, prefix).map_err(|e| e.to_string())
}

/// Is the request address inside the network? A request value that is not an address matches
/// nothing.
pub fn matches(network: &IpNetwork, request: &str) -> bool {
    request
        .parse::<IpAddr>()
        .is_ok_and(|addr| network.contains(addr))
}

/// A network as an inclusive range of addresses, IPv6 apart from IPv4.
fn range(n: &IpNetwork) -> (bool, u128, u128) {
    match n {
        IpNetwork::V4(n) => (
            false,
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNetwork::V6(n) => (true, u128::from(n.network()), u128::from(n.broadcast())),
    }
}

fn address(v6: bool, x: u128) -> Option<IpAddr> {
    if v6 {
        Some(IpAddr::V6(std::net::Ipv6Addr::from(x)))
    } else {
        u32::try_from(x)
            .ok()
            .map(|a| IpAddr::V4(std::net::Ipv4Addr::from(a)))
    }
}

/// A union of networks as sorted, merged address ranges, for membership in logarithmic time.
struct Union(Vec<(bool, u128, u128)>);

impl Union {
    fn new(networks: &[&IpNetwork]) -> Self {
        let mut r: Vec<(bool, u128, u128)> = networks.iter().map(|n| range(n)).collect();
        r.sort_unstable();
        let mut merged: Vec<(bool, u128, u128)> = Vec::with_capacity(r.len());
        for (v6, lo, hi) in r {
            match merged.last_mut() {
                Some((f, _, end)) if *f == v6 && lo <= end.saturating_add(1) => {
                    *end = (*end).max(hi);
                }
                _ => merged.push((v6, lo, hi)),
            }
        }
        Self(merged)
    }

    fn contains(&self, v6: bool, x: u128) -> bool {
        let i = self.0.partition_point(|(f, lo, _)| (*f, *lo) <= (v6, x));
        i.checked_sub(1)
            .and_then(|j| self.0.get(j))
            .is_some_and(|(f, lo, hi)| *f == v6 && *lo <= x && x <= *hi)
    }
}

/// One request address of each class that IP conditions tell apart, given each condition's
/// networks: a condition compares an address true with some policy value exactly when the
/// address is in the union of its networks, so the classes are the combinations of unions an
/// address is in. The networks' boundaries cut each address family into intervals whose
/// addresses are alike, and the first address of an interval stands for it (one per
/// combination). With `fresh`, the address is one AWS writes for an outside caller, which is
/// in none of the networks that are not the whole address space: then one such address per
/// family (all of them are alike), preferring one that reads as public. Without `fresh`, a
/// value that is not an address (in no network, not even `/0`) is one more class.
pub fn representatives(conditions: &[Vec<&IpNetwork>], fresh: bool) -> Vec<String> {
    let unions: Vec<Union> = conditions.iter().map(|c| Union::new(c)).collect();
    let all: Vec<&IpNetwork> = conditions.iter().flatten().copied().collect();
    let specific = Union::new(
        &all.iter()
            .copied()
            .filter(|n| n.prefix() != 0)
            .collect::<Vec<_>>(),
    );
    let mut out = Vec::new();
    for v6 in [false, true] {
        let max = if v6 { u128::MAX } else { u128::from(u32::MAX) };
        if fresh {
            let public: u128 = if v6 {
                0x2a05_0000_0000_0000_0000_0000_0000_0077
            } else {
                0x0B16_2177
            };
            let gaps = std::iter::once(0).chain(
                specific
                    .0
                    .iter()
                    .filter(|(f, _, hi)| *f == v6 && *hi < max)
                    .map(|(_, _, hi)| hi + 1),
            );
            let pick = std::iter::once(public)
                .chain(gaps)
                .find(|x| !specific.contains(v6, *x));
            out.extend(pick.and_then(|x| address(v6, x)).map(|a| a.to_string()));
            continue;
        }
        let mut cuts: Vec<u128> = vec![0];
        for n in &all {
            let (f, lo, hi) = range(n);
            if f == v6 {
                cuts.push(lo);
                if hi < max {
                    cuts.push(hi + 1);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut seen = std::collections::HashSet::new();
        for x in cuts {
            let inside: Vec<bool> = unions.iter().map(|u| u.contains(v6, x)).collect();
            if seen.insert(inside) {
                out.extend(address(v6, x).map(|a| a.to_string()));
            }
        }
    }
    if !fresh {
        out.push("x".to_owned());
    }
    out
}
