//! Where a webhook may be sent. An endpoint is an `https` URL without credentials (events name
//! tokens, people and addresses: never in clear text over the internet); unless
//! `TREKMAIL_WEBHOOKS_ALLOW_PRIVATE=1` (tests, a receiver on a developer's machine, which may then
//! also be plain `http`), it must not reach this server's own network (loopback, private,
//! link-local, carrier-grade NAT, multicast, reserved, and the IPv6 forms that carry such an IPv4
//! address), or anyone could make the server call its neighbours (SSRF). Literal addresses are refused when the endpoint is added and again
//! at each attempt; a host name is checked at each attempt by the resolver below, after DNS has
//! answered, and the connection goes only to the addresses it let through (so DNS rebinding
//! cannot slip a private address in between the check and the connection).

use crate::domain::field::FieldErrors;
use crate::domain::webhook::URL_FIELD;
use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

/// Longest URL accepted (browsers and proxies handle at least this much).
pub const MAX_URL_LEN: usize = 2_048;

/// The endpoint's URL, parsed, or why it is refused (named by the form's `url` field).
pub fn parse_url(text: &str, allow_private: bool) -> Result<Url, FieldErrors> {
    let refuse = |message: &str| Err(FieldErrors::single(URL_FIELD, message));
    let text = text.trim();
    if text.is_empty() {
        return refuse("Enter the URL webhooks should be sent to.");
    }
    if text.len() > MAX_URL_LEN {
        return refuse("This URL is longer than 2,048 characters.");
    }
    let Ok(url) = Url::parse(text) else {
        return refuse("This is not a URL (it should look like https://example.com/webhooks).");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return refuse("Only http:// and https:// URLs can receive webhooks.");
    }
    if url.scheme() == "http" && !allow_private {
        return refuse("Use an https:// URL: events name your tokens and who changed them, so they never travel unencrypted.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("Remove the user name and password from the URL: receivers check the signature instead.");
    }
    match refusal(&url, allow_private) {
        Some(message) => refuse(&message),
        None => Ok(url),
    }
}

/// Why the URL's host may not be called (`None`: it may, as far as can be told without DNS).
pub fn refusal(url: &Url, allow_private: bool) -> Option<String> {
    let host = url.host()?;
    if allow_private {
        return None;
    }
    let private = match host {
        url::Host::Ipv4(ip) => is_internal(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_internal(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    private.then(|| {
        "This address is on a private or loopback network, which webhooks may not reach. Use a public address.".to_string()
    })
}

/// Networks a webhook may not reach without `TREKMAIL_WEBHOOKS_ALLOW_PRIVATE`.
fn internal_networks() -> &'static [IpNet] {
    static NETWORKS: OnceLock<Vec<IpNet>> = OnceLock::new();
    NETWORKS.get_or_init(|| {
        [
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "224.0.0.0/3",
            // IPv4-compatible (`::a.b.c.d`), the unspecified and loopback addresses among them
            "::/96",
            "64:ff9b:1::/48",
            // discard-only, Teredo, 6to4: each can lead to an IPv4 address of the server's network
            "100::/64",
            "2001::/32",
            "2002::/16",
            "fc00::/7",
            "fe80::/10",
            "fec0::/10",
            "ff00::/8",
        ]
        .iter()
        .map(|network| network.parse().expect("the list above is valid"))
        .collect()
    })
}

/// Whether `ip` is in one of the internal networks; an IPv4 address carried in IPv6 (mapped, or
/// NAT64's `64:ff9b::/96`) is judged as the IPv4 address it carries.
pub fn is_internal(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None if v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] => {
                let [.., a, b, c, d] = v6.octets();
                IpAddr::V4([a, b, c, d].into())
            }
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    internal_networks()
        .iter()
        .any(|network| network.contains(&ip))
}

/// The delivery client's DNS: the system's answer without the internal addresses (unless they
/// are allowed); a host with nothing left fails the attempt, saying why.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map(|found| found.collect())
                .unwrap_or_default();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|address| allow_private || !is_internal(address.ip()))
                .collect();
            if allowed.is_empty() {
                // The same words whether the name exists inside the network or not at all, so
                // the answer tells an outsider nothing about the server's neighbours.
                return Err(format!("{host} has no public address webhooks may reach").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_other_schemes_credentials_and_internal_addresses() {
        for bad in [
            "",
            "ftp://example.com/hook",
            "file:///etc/passwd",
            "https://user:pw@example.com/",
            "https://127.0.0.1:8080/",
            "https://[::1]/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::ffff:192.168.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://LOCALHOST./x",
            "https://api.localhost/x",
            "https://[::7f00:1]/",
            "https://[2002:7f00:1::]/",
            "https://2130706433/",
            "https://0x7f.1/",
            "http://example.com/plain-http",
            "not a url",
        ] {
            let refused = parse_url(bad, false).unwrap_err();
            assert_eq!(refused.first().unwrap().field, "url", "{bad}");
        }
        assert!(parse_url(&format!("https://example.com/{}", "a".repeat(2_100)), false).is_err());
    }

    #[test]
    fn accepts_public_urls_and_private_ones_when_allowed() {
        assert!(parse_url(" https://hooks.example.com/trekmail?x=1 ", false).is_ok());
        assert!(parse_url("https://93.184.216.34/", false).is_ok());
        assert!(parse_url("http://hooks.example.com/", true).is_ok());
        assert!(parse_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(parse_url("http://localhost:9000/hook", true).is_ok());
    }
}
