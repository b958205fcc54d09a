//! The connection pool. Everything engine-specific about the database lives here, so the rest of
//! the server writes portable SQL against [`Pool`].

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub type Db = sqlx::Sqlite;
pub type Pool = sqlx::SqlitePool;
pub type Transaction<'a> = sqlx::Transaction<'a, Db>;

/// Opens (creating if needed) the database and applies pending migrations.
pub async fn connect(database_url: &str) -> Result<Pool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .foreign_keys(true)
        // WAL lets readers run while one writer writes; NORMAL is durable enough with WAL.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    if let Some(dir) = std::path::Path::new(options.get_filename()).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}

/// Starts a transaction that will write. SQLite's default (deferred) transaction takes its write
/// lock only at the first write, and if another connection committed since this one's first read
/// it fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) instead of waiting;
/// `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers queue on the busy
/// timeout instead.
pub async fn begin_write(pool: &Pool) -> Result<Transaction<'static>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Adds "and `expression` contains `term`" (case-insensitive, `%` and `_` in the term taken
/// literally) to a query: the search filter of the API's lists.
pub fn push_contains(query: &mut sqlx::QueryBuilder<Db>, expression: &str, term: &str) {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    query
        .push(format!(" and lower({expression}) like "))
        .push_bind(format!("%{escaped}%"))
        .push(" escape '\\'");
}

/// Now, in Unix milliseconds: the unit of every timestamp column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
