//! The database: SQLite, the embedded default, or PostgreSQL when several app servers share one
//! database (`DATABASE_URL` chooses). The rest of the server writes one portable statement per
//! rule ([`query`]) against [`Pool`]; what differs between the engines is in [`sqlite`] and
//! [`postgres`] and nowhere else.

mod postgres;
mod query;
mod sqlite;

pub use query::{query, Arg, Executed, On, Query, Row};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which engine a database URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Option<Engine> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Engine::Sqlite),
            "postgres" | "postgresql" => Some(Engine::Postgres),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    pub fn engine(&self) -> Engine {
        match self {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// Opens the database the URL names (SQLite creates the file if needed) and applies its engine's
/// pending migrations (`migrations/sqlite`, `migrations/postgres`). `statement_timeout` bounds
/// each PostgreSQL statement; SQLite's statements wait only for its write lock (5 s).
pub async fn connect(database_url: &str, statement_timeout: Duration) -> Result<Pool, sqlx::Error> {
    match Engine::of_url(database_url) {
        Some(Engine::Postgres) => postgres::connect(database_url, statement_timeout)
            .await
            .map(Pool::Postgres),
        _ => sqlite::connect(database_url).await.map(Pool::Sqlite),
    }
}

/// Names the database a URL points to, without its password: for messages.
pub fn describe(database_url: &str) -> String {
    match Engine::of_url(database_url) {
        Some(Engine::Postgres) => postgres::describe(database_url),
        _ => format!("SQLite {}", database_url),
    }
}

/// A transaction on either engine: statements run in it through [`Query`]'s methods.
#[derive(Debug)]
pub enum Transaction<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
}

impl Transaction<'_> {
    async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Transaction::Sqlite(tx) => tx.commit().await,
            Transaction::Postgres(tx) => tx.commit().await,
        }
    }

    /// The clause that ends a `select` whose rows must stay as read until commit. PostgreSQL's
    /// `for share`: a change to them committed first is waited for and seen, a later one waits
    /// for this transaction. Nothing on SQLite, where a write transaction holds the database's
    /// write lock from its start ([`begin_write`]).
    pub fn keep_rows_as_read(&self) -> &'static str {
        match self {
            Transaction::Sqlite(_) => "",
            Transaction::Postgres(_) => " for share",
        }
    }

    /// The clause that ends a `select` whose rows this transaction will change: PostgreSQL's
    /// `for update` (other transactions wanting them wait until this one ends); nothing on
    /// SQLite, as for [`Transaction::keep_rows_as_read`].
    pub fn hold_rows_for_update(&self) -> &'static str {
        match self {
            Transaction::Sqlite(_) => "",
            Transaction::Postgres(_) => " for update",
        }
    }

    /// Inserts a batch of the request log (`api_request`) the fastest way each engine has: the
    /// log is written for every API request, so its cost is the API's.
    pub async fn insert_api_requests(
        &mut self,
        rows: &ApiRequestColumns<'_>,
    ) -> Result<(), sqlx::Error> {
        match self {
            Transaction::Sqlite(tx) => sqlite::insert_api_requests(tx, rows).await,
            Transaction::Postgres(tx) => postgres::insert_api_requests(tx, rows).await,
        }
    }

    /// Ends the transaction without its changes (dropping it does the same, a moment later).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Transaction::Sqlite(tx) => tx.rollback().await,
            Transaction::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// One batch of the request log (`api_request`), one vector per column, for
/// [`Transaction::insert_api_requests`].
#[derive(Default)]
pub struct ApiRequestColumns<'a> {
    pub at: Vec<i64>,
    pub api_token_id: Vec<i64>,
    pub method: Vec<&'a str>,
    pub route: Vec<&'a str>,
    pub target_id: Vec<i64>,
    pub status: Vec<i64>,
    pub status_class: Vec<i64>,
    pub error_code: Vec<&'a str>,
    pub ip: Vec<&'a str>,
    pub user_agent: Vec<&'a str>,
    pub request_id: Vec<&'a str>,
    pub duration_us: Vec<i64>,
}

/// Starts a transaction that will write (on SQLite, one that takes the write lock up front).
pub async fn begin_write(pool: &Pool) -> Result<Transaction<'static>, sqlx::Error> {
    match pool {
        Pool::Sqlite(pool) => sqlite::begin_write(pool).await.map(Transaction::Sqlite),
        Pool::Postgres(pool) => pool.begin().await.map(Transaction::Postgres),
    }
}

/// Committed write transactions so far in this process (plus changes announced with
/// [`note_write`]). The API's verified-token cache trusts an entry only while this is unchanged
/// since the entry's database read (`rest/token_cache.rs` says why that keeps revocation
/// immediate).
static WRITES: AtomicU64 = AtomicU64::new(0);

pub fn write_generation() -> u64 {
    WRITES.load(Ordering::SeqCst)
}

/// Announces a change to tokens or accounts made without [`commit`] (tests that edit the
/// database directly).
pub fn note_write() {
    WRITES.fetch_add(1, Ordering::SeqCst);
}

/// Commits a write transaction, then bumps [`write_generation`] before the caller can acknowledge
/// the change. Bumped even when the commit reports an error: it may have happened all the same.
pub async fn commit(tx: Transaction<'_>) -> Result<(), sqlx::Error> {
    let committed = tx.commit().await;
    note_write();
    committed
}

/// Commits a write transaction that changed no token and no account (the request log): the
/// verified-token cache stays valid, so [`write_generation`] is left alone.
pub async fn commit_bookkeeping(tx: Transaction<'_>) -> Result<(), sqlx::Error> {
    tx.commit().await
}

/// Whether `error` means the database cannot serve or store anything right now (its disk is full,
/// its file or file system went read-only, it cannot be reached, or every connection is busy),
/// rather than a fault in the request or the code: the caller is told to retry later (503), and
/// nothing was changed, because every change is one transaction.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(error) => {
            if let Some(error) = error.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                sqlite::is_unavailable(error)
            } else if let Some(error) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            {
                postgres::is_unavailable(error)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// Whether `error` is PostgreSQL refusing a text value it cannot store (a NUL character, which
/// SQLite keeps): the request's fault, so a 400, and nothing was changed.
pub fn is_unstorable_text(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(error) => error
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .is_some_and(postgres::is_unstorable_text),
        _ => false,
    }
}

/// What the caller is told when [`is_unstorable_text`].
pub const UNSTORABLE_TEXT: &str =
    "A text value holds a NUL character (U+0000), which cannot be stored. Remove it and try again.";

/// Adds "and `expression` contains `term`" (case-insensitive, `%` and `_` in the term taken
/// literally) to a query: the search filter of the API's lists.
pub fn push_contains(query: &mut Query<'_>, expression: &str, term: &str) {
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
