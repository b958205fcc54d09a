//! PostgreSQL, for several app servers sharing one database: everything particular to it in one
//! place (connection settings, pool size, timeouts, its error codes).
//!
//! Isolation: PostgreSQL's default, READ COMMITTED. Every rule that must hold between concurrent
//! requests is one conditional statement (`update … where revoked_at is null`, `insert … on
//! conflict`, `update … where verify_credits >= $1`), which PostgreSQL re-checks against the row
//! it finally locks, so the first commit wins and the other changes nothing; each change and its
//! audit event are one transaction.

use sqlx::postgres::{PgConnectOptions, PgDatabaseError, PgPoolOptions};
use sqlx::{ConnectOptions as _, Connection as _, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// Connections per app server. Requests hold one for a few statements; 10 keep two cores busy,
/// and ten app servers stay within PostgreSQL's default `max_connections` of 100 (PgBouncer in
/// transaction mode for more: README, "Scaling further").
const MAX_CONNECTIONS: u32 = 10;

/// Longest wait for a connection: all ten busy for this long means the database is far behind,
/// and while PostgreSQL is down the pool only retries connecting; either way the request is
/// better answered 503 at once than held (SQLite waits longer: its writers queue on a lock).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens the pool and applies pending migrations (sqlx holds an advisory lock while it does, so
/// servers starting together apply each migration once).
pub async fn connect(
    database_url: &str,
    statement_timeout: Duration,
) -> Result<PgPool, sqlx::Error> {
    let timeout_ms = statement_timeout.as_millis().to_string();
    let options = PgConnectOptions::from_str(database_url)?
        .application_name("trekmail-tokens")
        .options([
            // A statement that runs longer fails its request (503), not the server.
            ("statement_timeout", timeout_ms.as_str()),
            // A transaction left open by a stuck request cannot hold its row locks for long.
            ("idle_in_transaction_session_timeout", "60000"),
        ]);
    // One connection first, so that an unreachable or misconfigured server stops the app with
    // the reason instead of the pool's "timed out" after its wait.
    options.connect().await?.close().await?;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        // A request waits at most this long for a connection (all busy, or PostgreSQL down),
        // then fails with a 503 instead of hanging.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A connection broken by a restart of PostgreSQL is found before it is handed out.
        .test_before_acquire(true)
        .connect_with(options)
        .await?;
    sqlx::migrate!("migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// `PostgreSQL trekmail at db.internal:5432` (never the password).
pub fn describe(database_url: &str) -> String {
    match PgConnectOptions::from_str(database_url) {
        Ok(options) => format!(
            "PostgreSQL {} at {}:{}",
            options.get_database().unwrap_or("(default database)"),
            options.get_host(),
            options.get_port()
        ),
        Err(_) => "PostgreSQL (a URL it cannot read)".into(),
    }
}

/// Whether PostgreSQL's SQLSTATE means it cannot serve the request right now, rather than a
/// fault in the request or the code: a lost connection (class 08), too little disk, memory or
/// connections (53), the server shutting down or starting (57P01–57P03), a statement cancelled by
/// the timeout (57014), a read-only standby (25006), or a conflict the client may simply retry
/// (40001 serialization failure, 40P01 deadlock).
pub fn is_unavailable(error: &PgDatabaseError) -> bool {
    let code = error.code();
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57014" | "25006" | "40001" | "40P01"
        )
}
