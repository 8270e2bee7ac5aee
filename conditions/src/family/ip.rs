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
