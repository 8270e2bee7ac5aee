//! `IpAddress`, `NotIpAddress`.
//!
//! AWS: IAM User Guide, "IAM JSON policy elements: Condition operators", section "IP address
//! condition operators": values in "standard CIDR format (for example, 203.0.113.0/24 or
//! 2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing prefix,
//! IAM uses the default prefix value of /32" (for IPv6, /128: the whole address). Policy
//! variables are not supported. An IPv4 network never contains an IPv6 address nor the reverse.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

/// Parses a CIDR or a single address (a single address is its own /32 or /128 network).
pub fn parse_network(text: &str) -> Result<IpNetwork, String> {
    if text.trim() != text || text.is_empty() {
        return Err("expected an address or CIDR without spaces".to_owned());
    }
    if text.contains('/') {
        text.parse::<IpNetwork>().map_err(|e| e.to_string())
    } else {
        text.parse::<IpAddr>()
            .map(IpNetwork::from)
            .map_err(|e| e.to_string())
    }
}

/// Is the request address inside the network? A request value that is not an address matches
/// nothing.
pub fn matches(network: &IpNetwork, request: &str) -> bool {
    request
        .parse::<IpAddr>()
        .is_ok_and(|addr| network.contains(addr))
}
