//! The connection pool. Everything engine-specific about the database lives here, so the rest of
//! the server writes portable SQL against [`Pool`].

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Connection as _;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub type Db = sqlx::Sqlite;
pub type Pool = sqlx::SqlitePool;
pub type Transaction<'a> = sqlx::Transaction<'a, Db>;

/// Longest wait for a pooled connection: twice the busy timeout a writer may wait for the lock.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

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
    // One connection first, so that a database which cannot be opened or written stops the
    // server with the reason (the pool would retry until its timeout and report only that).
    let mut first = sqlx::SqliteConnection::connect_with(&options).await?;
    refuse_read_only(first.lock_handle().await?.as_raw_handle().as_ptr())?;
    first.close().await?;
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A request waits at most this long for a connection (they are busy, or none can be
        // opened), then fails with a 503 instead of hanging.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // When a write fails with a full disk or an I/O error, SQLite rolls the transaction back
        // itself; sqlx's own rollback then fails ("no transaction is active") and leaves the
        // connection believing it is still in a transaction, so every later `begin` on it fails
        // until the process restarts. Such a connection is closed instead of handed out again
        // (the pool opens a fresh one): the server recovers as soon as the disk has room.
        .before_acquire(|connection, _| {
            Box::pin(async move { Ok(!connection.is_in_transaction()) })
        })
        .after_connect(|connection, _| {
            Box::pin(async move {
                let mut handle = connection.lock_handle().await?;
                let db = handle.as_raw_handle().as_ptr();
                refuse_read_only(db)?;
                unicode_lower::register(db)
            })
        })
        .connect_with(options)
        .await?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}

/// SQLite opens a file it may not write (a read-only file or file system) read-only, without a
/// word, and such a connection stays read-only for good. None is let into the pool: at start the
/// server stops with this message, and while it runs the request fails (503) until the file can
/// be written again, when the next connection opened is a writable one.
fn refuse_read_only(db: *mut libsqlite3_sys::sqlite3) -> Result<(), sqlx::Error> {
    // SAFETY: `db` is the live handle of the connection being set up, locked by the caller; the
    // schema name is a NUL-terminated literal.
    let read_only = unsafe { libsqlite3_sys::sqlite3_db_readonly(db, c"main".as_ptr()) } == 1;
    if read_only {
        return Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ReadOnlyFilesystem,
            "the database can only be read here (a read-only file or file system); the server \
             must write tokens and audit events",
        )));
    }
    Ok(())
}

/// Starts a transaction that will write. SQLite's default (deferred) transaction takes its write
/// lock only at the first write, and if another connection committed since this one's first read
/// it fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) instead of waiting;
/// `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers queue on the busy
/// timeout instead.
pub async fn begin_write(pool: &Pool) -> Result<Transaction<'static>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
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

/// Whether `error` means the database cannot serve or store anything right now (its disk is full,
/// its file or file system went read-only, it cannot be reached, or every connection is busy),
/// rather than a fault in the request or the code: the caller is told to retry later (503), and
/// nothing was changed, because every change is one transaction.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(error) => error
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            // The primary result code is the low byte of SQLite's extended one.
            .is_some_and(|code| {
                use libsqlite3_sys::*;
                matches!(
                    code & 0xff,
                    SQLITE_BUSY
                        | SQLITE_LOCKED
                        | SQLITE_READONLY
                        | SQLITE_IOERR
                        | SQLITE_FULL
                        | SQLITE_CANTOPEN
                )
            }),
        _ => false,
    }
}

/// SQLite's built-in `lower()` folds only ASCII (`MÜLLER` stays `MüLLER`), while PostgreSQL's
/// folds all of Unicode. Each SQLite connection replaces it with Rust's `str::to_lowercase`, so
/// the same portable SQL searches case-insensitively on both engines.
mod unicode_lower {
    use libsqlite3_sys as ffi;
    use std::ffi::{c_char, c_int};

    pub fn register(db: *mut ffi::sqlite3) -> Result<(), sqlx::Error> {
        // SAFETY: `db` is the live handle of the connection being set up, locked by the caller;
        // the function has no user data and no destructor.
        let code = unsafe {
            ffi::sqlite3_create_function_v2(
                db,
                c"lower".as_ptr(),
                1,
                ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC,
                std::ptr::null_mut(),
                Some(lower),
                None,
                None,
                None,
            )
        };
        if code == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(sqlx::Error::Protocol(format!(
                "cannot register lower() on SQLite (code {code})"
            )))
        }
    }

    unsafe extern "C" fn lower(
        context: *mut ffi::sqlite3_context,
        argc: c_int,
        argv: *mut *mut ffi::sqlite3_value,
    ) {
        // SAFETY: SQLite calls this with `argc` valid values in `argv` (1, as registered); the
        // text pointer is valid for `sqlite3_value_bytes` bytes until the next call on the value,
        // and SQLITE_TRANSIENT makes SQLite copy the result before `lowered` is dropped.
        unsafe {
            if argc != 1 {
                ffi::sqlite3_result_null(context);
                return;
            }
            let value = *argv;
            if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
                ffi::sqlite3_result_null(context);
                return;
            }
            let text = ffi::sqlite3_value_text(value);
            if text.is_null() {
                // Not NULL (checked above), so SQLite ran out of memory converting it.
                ffi::sqlite3_result_error_nomem(context);
                return;
            }
            let length = ffi::sqlite3_value_bytes(value);
            let bytes = std::slice::from_raw_parts(text, length as usize);
            let lowered = String::from_utf8_lossy(bytes).to_lowercase();
            ffi::sqlite3_result_text(
                context,
                lowered.as_ptr() as *const c_char,
                lowered.len() as c_int,
                ffi::SQLITE_TRANSIENT(),
            );
        }
    }
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
