//! A token's IP allowlist: the addresses and CIDR ranges its API calls may come from (as
//! Cloudflare's "Client IP Address Filtering"). Empty means any address.

use ipnet::IpNet;
use std::net::IpAddr;

/// The most entries one token may list (Cloudflare and GitHub's allowlists are lists of tens).
pub const MAX_ENTRIES: usize = 20;

/// A parsed allowlist: distinct, canonical networks (a single address is a /32 or /128).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpAllowlist {
    networks: Vec<IpNet>,
    /// A stored list none of whose entries could be read: it allows nothing (never everyone).
    unreadable: bool,
}

impl IpAllowlist {
    /// Reads entries separated by commas, spaces or new lines. Refuses, naming the entry: what is
    /// not an address or range, a range written with host bits (`10.0.0.1/8`: which was meant?),
    /// the same range twice, a range that allows every address, and more than [`MAX_ENTRIES`].
    pub fn parse(text: &str) -> Result<IpAllowlist, String> {
        let entries: Vec<&str> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .collect();
        if entries.len() > MAX_ENTRIES {
            return Err(format!(
                "List at most {MAX_ENTRIES} addresses or ranges ({} given); use a wider CIDR range to cover several.",
                entries.len()
            ));
        }
        let mut networks: Vec<IpNet> = Vec::with_capacity(entries.len());
        for entry in entries {
            let network = parse_entry(entry)?;
            if network.prefix_len() == 0 {
                return Err(format!(
                    "“{entry}” allows every address, so it restricts nothing. Leave the list empty to allow any address."
                ));
            }
            if networks.contains(&network) {
                return Err(format!("“{entry}” is listed twice."));
            }
            networks.push(network);
        }
        Ok(IpAllowlist {
            networks,
            unreadable: false,
        })
    }

    /// As stored: the canonical entries separated by single spaces (empty: any address).
    pub fn to_stored(&self) -> String {
        self.entries().join(" ")
    }

    /// A stored list. A damaged entry is dropped, never read as "any address": a list that
    /// had entries but none readable allows nothing.
    pub fn from_stored(text: &str) -> IpAllowlist {
        let networks: Vec<IpNet> = text
            .split(' ')
            .filter_map(|entry| parse_entry(entry).ok())
            .collect();
        IpAllowlist {
            unreadable: networks.is_empty() && !text.trim().is_empty(),
            networks,
        }
    }

    /// Each entry as the dashboard and the API show it (`203.0.113.7`, `10.0.0.0/8`).
    pub fn entries(&self) -> Vec<String> {
        self.networks
            .iter()
            .map(|network| match network {
                IpNet::V4(n) if n.prefix_len() == 32 => n.addr().to_string(),
                IpNet::V6(n) if n.prefix_len() == 128 => n.addr().to_string(),
                network => network.to_string(),
            })
            .collect()
    }

    /// Allows any address: no entries (and none lost).
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty() && !self.unreadable
    }

    /// Whether a call from `ip` is allowed. An IPv4 client seen as an IPv4-mapped IPv6 address
    /// (`::ffff:10.1.2.3`, as a dual-stack socket reports it) is matched as IPv4.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.is_empty() || self.networks.iter().any(|network| network.contains(&ip))
    }
}

fn parse_entry(entry: &str) -> Result<IpNet, String> {
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Ok(IpNet::from(address.to_canonical()));
    }
    let network: IpNet = entry.parse().map_err(|_| {
        format!("“{entry}” is not an IP address or CIDR range (e.g. 203.0.113.7 or 10.0.0.0/8).")
    })?;
    if let IpNet::V6(v6) = network {
        if let Some(v4) = v6.addr().to_ipv4_mapped() {
            // Clients are matched as IPv4, so a mapped range would never match anyone.
            return Err(format!(
                "“{entry}” is an IPv4 range written as IPv6: write it as IPv4 (e.g. {v4}/{}).",
                v6.prefix_len().saturating_sub(96)
            ));
        }
    }
    if network.trunc() != network {
        return Err(format!(
            "“{entry}” has bits set after its /{}: write the range as {}.",
            network.prefix_len(),
            network.trunc()
        ));
    }
    Ok(network)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses_and_ranges_in_any_separation() {
        let list = IpAllowlist::parse(" 203.0.113.7, 10.0.0.0/8\n2001:db8::/32 ::1 ").unwrap();
        assert_eq!(
            list.entries(),
            ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1"]
        );
        assert_eq!(IpAllowlist::from_stored(&list.to_stored()), list);
        assert!(IpAllowlist::from_stored(&list.to_stored()).allows("::1".parse().unwrap()));
        assert_eq!(IpAllowlist::parse("").unwrap(), IpAllowlist::default());
        assert_eq!(IpAllowlist::from_stored(""), IpAllowlist::default());
    }

    #[test]
    fn refusals_name_the_entry_and_say_why() {
        let cases = [
            (
                "10.0.0.300",
                "“10.0.0.300” is not an IP address or CIDR range",
            ),
            ("10.0.0.0/33", "“10.0.0.0/33” is not an IP address"),
            ("example.com", "“example.com” is not an IP address"),
            ("10.0.0.1/8", "write the range as 10.0.0.0/8"),
            ("10.0.0.0/8 10.0.0.0/8", "“10.0.0.0/8” is listed twice"),
            ("1.2.3.4 1.2.3.4/32", "“1.2.3.4/32” is listed twice"),
            ("0.0.0.0/0", "allows every address"),
            ("::/0", "allows every address"),
            ("::ffff:10.0.0.0/104", "write it as IPv4 (e.g. 10.0.0.0/8)"),
        ];
        for (text, expected) in cases {
            let error = IpAllowlist::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let many: Vec<String> = (0..21).map(|i| format!("10.0.0.{i}")).collect();
        assert!(IpAllowlist::parse(&many.join(","))
            .unwrap_err()
            .contains("at most 20"));
        assert!(IpAllowlist::parse(&many[..20].join(",")).is_ok());
    }

    #[test]
    fn allows_only_listed_addresses_and_any_when_empty() {
        let list = IpAllowlist::parse("10.0.0.0/8, 2001:db8::1").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(list.allows(ip("10.20.30.40")));
        assert!(list.allows(ip("::ffff:10.1.2.3")));
        assert!(list.allows(ip("2001:db8::1")));
        assert!(!list.allows(ip("127.0.0.1")));
        assert!(!list.allows(ip("2001:db8::2")));
        assert!(IpAllowlist::default().allows(ip("127.0.0.1")));
    }

    #[test]
    fn a_stored_list_with_nothing_readable_allows_nothing() {
        let damaged = IpAllowlist::from_stored("10.0.0.0/99 nonsense");
        assert!(!damaged.is_empty());
        assert!(!damaged.allows("10.1.2.3".parse().unwrap()));
        let partly = IpAllowlist::from_stored("10.0.0.0/8 nonsense");
        assert!(partly.allows("10.1.2.3".parse().unwrap()));
        assert!(!partly.allows("127.0.0.1".parse().unwrap()));
    }
}
