//! Settings: each one a command-line flag and an environment variable (`--help` lists them with
//! their defaults). A malformed value stops the server at start with exit code 2 and a message
//! naming the setting and the value, instead of quietly falling back to a default. Each value's
//! placeholder is its environment variable, so an error names both spellings:
//! `invalid value 'abc' for '--session-days <TREKMAIL_SESSION_DAYS>'`.

use super::telemetry::LogFormat;
use clap::Parser;

/// Requests per minute a token may make unless `TREKMAIL_API_RATE_LIMIT` says otherwise
/// (Cloudflare allows 1200 per 5 minutes; an agent rarely needs more than 4 a second).
pub const DEFAULT_API_RATE_LIMIT: u32 = 240;

#[derive(Clone, Debug, Parser)]
#[command(
    name = "trekmail-tokens",
    version,
    about = "TrekMail Tokens: the AI Agents & API → Tokens dashboard and REST API."
)]
pub struct Config {
    /// Where the data lives: `sqlite://path/to/file.db` (created if missing; one server), or
    /// `postgres://user:password@host:5432/database` (several servers may share it). Any other
    /// kind of URL is refused at start.
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL", default_value = "sqlite://data/trekmail.db", value_parser = parse_database_url)]
    pub database_url: String,
    /// Seed the demo accounts when the database has none (1/0, true/false, yes/no, on/off).
    #[arg(long, env = "TREKMAIL_DEMO", value_name = "TREKMAIL_DEMO", default_value = "0", value_parser = parse_flag, action = clap::ArgAction::Set)]
    pub demo: bool,
    /// Serve the session cookie as `__Host-tm_session` with `Secure`, and send HSTS: set it when
    /// the site is served over HTTPS (directly or behind a TLS-terminating proxy).
    #[arg(long, env = "TREKMAIL_SECURE_COOKIES", value_name = "TREKMAIL_SECURE_COOKIES", default_value = "0", value_parser = parse_flag, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,
    /// Trust the reverse proxy: the client IP is the last `X-Forwarded-For` entry and the scheme
    /// is `X-Forwarded-Proto` (only behind a proxy that sets both; otherwise clients could forge them).
    #[arg(long, env = "TREKMAIL_TRUST_PROXY", value_name = "TREKMAIL_TRUST_PROXY", default_value = "0", value_parser = parse_flag, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,
    /// How long a sign-in lasts, in days (1 to 365).
    #[arg(long, env = "TREKMAIL_SESSION_DAYS", value_name = "TREKMAIL_SESSION_DAYS", default_value_t = 14, value_parser = clap::value_parser!(i64).range(1..=365))]
    pub session_days: i64,
    /// Longest a PostgreSQL statement may run, in milliseconds (100 to 600000): a slower one fails
    /// its request with a 503, not the server. SQLite's statements are bounded by its busy timeout.
    #[arg(long, env = "TREKMAIL_STATEMENT_TIMEOUT_MS", value_name = "TREKMAIL_STATEMENT_TIMEOUT_MS", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub statement_timeout_ms: u64,
    /// REST API requests per minute per token (1 to 100000).
    #[arg(long, env = "TREKMAIL_API_RATE_LIMIT", value_name = "TREKMAIL_API_RATE_LIMIT", default_value_t = DEFAULT_API_RATE_LIMIT, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub api_rate_limit: u32,
    /// How log lines are written: `text` for people, `json` (one object per line) for log
    /// shippers. `RUST_LOG` chooses what is logged.
    #[arg(
        long,
        env = "TREKMAIL_LOG_FORMAT",
        value_name = "TREKMAIL_LOG_FORMAT",
        default_value = "text",
        value_enum
    )]
    pub log_format: LogFormat,
    /// Serve `GET /bench/bare`, a route outside every middleware layer: `make bench` measures it
    /// as the ceiling the other routes are compared with. Off in production.
    #[arg(long, env = "TREKMAIL_BENCH_ROUTES", value_name = "TREKMAIL_BENCH_ROUTES", default_value = "0", value_parser = parse_flag, action = clap::ArgAction::Set)]
    pub bench_routes: bool,
    /// How long an "hour" of a rotation's grace period lasts, in milliseconds (1000 to 3600000).
    /// A test setting only: end-to-end tests shorten it to watch an old secret stop working
    /// without waiting hours. Production leaves the default, one hour.
    #[arg(long, env = "TREKMAIL_ROTATION_HOUR_MS", value_name = "TREKMAIL_ROTATION_HOUR_MS", default_value_t = 3_600_000, value_parser = clap::value_parser!(i64).range(1_000..=3_600_000))]
    pub rotation_hour_ms: i64,
    /// How many days each token's request log keeps (1 to 3650); older requests are pruned.
    #[arg(long, env = "TREKMAIL_ACTIVITY_DAYS", value_name = "TREKMAIL_ACTIVITY_DAYS", default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub activity_days: i64,
    /// Log every API request per token (the token detail page's activity). Off only to measure
    /// what the log costs (`make bench-api` runs with and without it).
    #[arg(long, env = "TREKMAIL_REQUEST_LOG", value_name = "TREKMAIL_REQUEST_LOG", default_value = "1", value_parser = parse_flag, action = clap::ArgAction::Set)]
    pub request_log: bool,
    /// Let webhook endpoints be on private and loopback networks (1/0). Off in production: an
    /// endpoint could otherwise make the server call its own network (SSRF). Tests and a
    /// development receiver on this machine turn it on.
    #[arg(long, env = "TREKMAIL_WEBHOOKS_ALLOW_PRIVATE", value_name = "TREKMAIL_WEBHOOKS_ALLOW_PRIVATE", default_value = "0", value_parser = parse_flag, action = clap::ArgAction::Set)]
    pub webhooks_allow_private: bool,
}

impl Config {
    /// Reads the command line and the environment; prints the problem and exits with code 2 on a
    /// bad value (clap's usage-error code).
    pub fn from_env() -> Config {
        Config::parse()
    }

    /// The same from explicit arguments and the current environment (for tests).
    pub fn try_from_args<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Config::try_parse_from(args)
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
            log_format: LogFormat::Text,
            bench_routes: false,
            statement_timeout_ms: 5_000,
            rotation_hour_ms: 3_600_000,
            activity_days: 90,
            request_log: true,
            webhooks_allow_private: true,
        }
    }
}

/// `1/true/yes/on` or `0/false/no/off` (any case); anything else is a mistake worth stopping for.
fn parse_flag(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(format!(
            "\"{value}\" is not a yes/no value; use 1 or 0 (true/false, yes/no, on/off)"
        )),
    }
}

/// SQLite and PostgreSQL URLs are served. A URL for another engine (or a typo) must not silently
/// become a SQLite file in a folder named after it.
fn parse_database_url(value: &str) -> Result<String, String> {
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        return Ok(value.to_string());
    }
    let rest = value
        .strip_prefix("sqlite://")
        .or_else(|| value.strip_prefix("sqlite:"));
    match rest {
        Some(path) if !path.trim().is_empty() => Ok(value.to_string()),
        Some(_) => Err("the SQLite URL names no file (e.g. sqlite://data/trekmail.db)".into()),
        None => {
            let scheme = value.split_once(':').map_or(value, |(scheme, _)| scheme);
            Err(format!(
                "\"{scheme}\" databases are not supported by this server; use a SQLite URL such as sqlite://data/trekmail.db or a PostgreSQL URL such as postgres://user@host:5432/trekmail"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        Config::try_from_args(std::iter::once("trekmail-tokens").chain(args.iter().copied()))
            .map_err(|error| error.to_string())
    }

    #[test]
    fn defaults_hold_without_settings() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.session_days, 14);
        assert_eq!(config.api_rate_limit, DEFAULT_API_RATE_LIMIT);
        assert!(!config.demo);
    }

    #[test]
    fn bad_values_are_refused_naming_the_setting_and_the_value() {
        let cases: &[(&[&str], &str)] = &[
            (&["--session-days", "abc"], "abc"),
            (&["--session-days", "0"], "0"),
            (&["--api-rate-limit=-5"], "-5"),
            (&["--api-rate-limit", "lots"], "lots"),
            (&["--demo", "maybe"], "maybe"),
            (&["--statement-timeout-ms", "10"], "10"),
            (&["--database-url", "mysql://x"], "mysql"),
            (&["--database-url", "sqlite://"], "names no file"),
            (&["--database-url", "data/file.db"], "not supported"),
            (&["--log-format", "xml"], "xml"),
        ];
        for (args, needle) in cases {
            let error = parse(args).expect_err(&format!("{args:?} must be refused"));
            assert!(error.contains(needle), "{args:?}: {error}");
            let flag = args[0].split('=').next().unwrap();
            assert!(
                error.contains(&flag[2..]),
                "{args:?} names the setting: {error}"
            );
        }
    }

    #[test]
    fn good_values_are_read() {
        let config = parse(&[
            "--session-days",
            "30",
            "--api-rate-limit",
            "600",
            "--demo",
            "yes",
            "--database-url",
            "postgres://app@db.internal:5432/trekmail",
            "--statement-timeout-ms",
            "2000",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.statement_timeout_ms, 2000);
        assert!(config.database_url.starts_with("postgres://"));
        assert_eq!(
            (config.session_days, config.api_rate_limit, config.demo),
            (30, 600, true)
        );
    }
}
