//! Settings read from the environment at start-up. Each is documented in README.md.

use std::env;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: where the data lives. Default: a SQLite file under `data/`.
    pub database_url: String,
    /// `TREKMAIL_DEMO=1`: seed the demo accounts when the database has none.
    pub demo: bool,
    /// `TREKMAIL_SECURE_COOKIES=1`: mark the session cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// `TREKMAIL_TRUST_PROXY=1`: take the client IP from the last `X-Forwarded-For` entry
    /// (only behind a reverse proxy that sets it; otherwise clients could forge their IP).
    pub trust_proxy: bool,
    /// `TREKMAIL_SESSION_DAYS`: how long a sign-in lasts. Default 14.
    pub session_days: i64,
    /// `TREKMAIL_API_RATE_LIMIT`: REST API requests per minute per token. Default 240.
    pub api_rate_limit: u32,
}

/// Requests per minute a token may make unless `TREKMAIL_API_RATE_LIMIT` says otherwise
/// (Cloudflare allows 1200 per 5 minutes; an agent rarely needs more than 4 a second).
pub const DEFAULT_API_RATE_LIMIT: u32 = 240;

impl Config {
    pub fn from_env() -> Config {
        Config {
            database_url: env::var("DATABASE_URL")
                .unwrap_or_else(|_| "sqlite://data/trekmail.db".to_string()),
            demo: flag("TREKMAIL_DEMO"),
            secure_cookies: flag("TREKMAIL_SECURE_COOKIES"),
            trust_proxy: flag("TREKMAIL_TRUST_PROXY"),
            session_days: env::var("TREKMAIL_SESSION_DAYS")
                .ok()
                .and_then(|days| days.parse().ok())
                .filter(|days| *days > 0)
                .unwrap_or(14),
            api_rate_limit: env::var("TREKMAIL_API_RATE_LIMIT")
                .ok()
                .and_then(|limit| limit.parse().ok())
                .filter(|limit| *limit > 0)
                .unwrap_or(DEFAULT_API_RATE_LIMIT),
        }
    }

    /// Settings for tests: a given database, no demo data.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_string(),
            demo: false,
            secure_cookies: false,
            trust_proxy: false,
            session_days: 14,
            api_rate_limit: DEFAULT_API_RATE_LIMIT,
        }
    }
}

fn flag(name: &str) -> bool {
    matches!(
        env::var(name).as_deref(),
        Ok("1") | Ok("true") | Ok("yes") | Ok("on")
    )
}
