//! Where a request came from: its address (behind a trusted proxy, the proxy's last
//! `X-Forwarded-For` entry) and user agent, as the audit log records them.

use axum::extract::ConnectInfo;
use http::request::Parts;
use std::net::SocketAddr;

/// Where a request came from, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

impl ClientMeta {
    /// The socket's peer address; the last `X-Forwarded-For` entry only when the proxy is trusted.
    pub fn from_parts(parts: &Parts, trust_proxy: bool) -> ClientMeta {
        Self::from_request(&parts.headers, &parts.extensions, trust_proxy)
    }

    pub fn from_request(
        headers: &http::HeaderMap,
        extensions: &http::Extensions,
        trust_proxy: bool,
    ) -> ClientMeta {
        // The proxy appends the address it saw to whatever the client sent, as a last entry or a
        // last header line; anything before that is the client's to forge.
        // Behind a trusted proxy, an entry that is not an address is "unknown", never the
        // proxy's own address (which an IP allowlist could hold).
        let forwarded = trust_proxy
            .then(|| headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .map(|value| {
                value
                    .to_str()
                    .ok()
                    .and_then(|value| value.rsplit(',').next())
                    .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
                    .map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
            });
        let socket = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        ClientMeta {
            ip: forwarded.or(socket).unwrap_or_else(|| "unknown".into()),
            user_agent,
        }
    }
}
