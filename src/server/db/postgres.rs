//! PostgreSQL, for several app servers sharing one database: everything particular to it in one
//! place (connection settings, pool size, timeouts, its error codes).
//!
//! Isolation: PostgreSQL's default, READ COMMITTED. A rule that must hold between concurrent
//! requests is either one conditional statement (`update … where revoked_at is null`, `insert …
//! on conflict`, `update … where verify_credits >= $1`), which PostgreSQL re-checks against the row
//! it finally locks, so the first commit wins and the other changes nothing; or a read that locks
//! what it depends on until commit (the acting token `for share`, the account while its tokens
//! are counted, the throttle's counters `for update`: `Transaction::keep_rows_as_read` and
//! `hold_rows_for_update`). Each change and its audit event are one transaction.

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

/// Applies pending migrations (sqlx holds an advisory lock while it does, so servers starting
/// together apply each migration once), then opens the pool.
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
    // The migrations first, on a connection of their own: it stops an unreachable or
    // misconfigured server with the reason (the pool would only report that it timed out), and
    // has no statement timeout, since waiting for another server's migration (sqlx holds an
    // advisory lock) or building an index on a large table may take longer than a request may.
    let mut migrating = options
        .clone()
        .options([("statement_timeout", "0")])
        .connect()
        .await?;
    sqlx::migrate!("migrations/postgres")
        .run_direct(None, &mut migrating, false)
        .await?;
    migrating.close().await?;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        // A request waits at most this long for a connection (all busy, or PostgreSQL down),
        // then fails with a 503 instead of hanging.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A connection broken by a restart of PostgreSQL is found before it is handed out.
        .test_before_acquire(true)
        .connect_with(options)
        .await?;
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

/// Text PostgreSQL cannot store: a NUL character (22021 character_not_in_repertoire) or one the
/// database's encoding lacks (22P05 untranslatable_character).
pub fn is_unstorable_text(error: &PgDatabaseError) -> bool {
    matches!(error.code(), "22021" | "22P05")
}

/// Inserts a whole batch of the request log with one statement: each column is bound as one
/// array and `unnest` turns them back into rows. A multi-row `values` list has twelve parameters
/// per row for PostgreSQL to parse, plan and bind on every statement; this plans twelve.
pub async fn insert_api_requests(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    rows: &super::ApiRequestColumns<'_>,
) -> Result<(), sqlx::Error> {
    if rows.at.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into api_request
            (at, api_token_id, method, route, target_id, status, status_class, error_code, ip,
             user_agent, request_id, duration_us)
         select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
                              $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[],
                              $11::text[], $12::bigint[])",
    )
    .bind(&rows.at)
    .bind(&rows.api_token_id)
    .bind(&rows.method)
    .bind(&rows.route)
    .bind(&rows.target_id)
    .bind(&rows.status)
    .bind(&rows.status_class)
    .bind(&rows.error_code)
    .bind(&rows.ip)
    .bind(&rows.user_agent)
    .bind(&rows.request_id)
    .bind(&rows.duration_us)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
