//! SQLite, the embedded default: everything particular to it in one place (connection set-up, the
//! write lock, its error codes, a Unicode `lower()`). One server per database file.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Longest wait for a pooled connection (twice the busy timeout a writer may wait for the lock):
/// then the request fails with a 503 instead of hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating if needed) the database and applies pending migrations.
pub async fn connect(database_url: &str) -> Result<SqlitePool, sqlx::Error> {
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
    sqlx::migrate!("migrations/sqlite").run(&pool).await?;
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
pub async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
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

/// Whether SQLite's result code means it cannot store or read anything right now: busy or locked
/// past the busy timeout, a read-only file, an I/O error, a full disk, a file it cannot open.
pub fn is_unavailable(error: &sqlx::sqlite::SqliteError) -> bool {
    use sqlx::error::DatabaseError as _;
    error
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
        })
}

/// Rows per statement of [`insert_api_requests`]: 2,400 anonymous placeholders, far below
/// SQLite's limit of 32,766.
const API_REQUEST_ROWS: usize = 200;

/// Inserts a batch of the request log, [`API_REQUEST_ROWS`] rows per statement. The text of a
/// full statement is written once for the process (sqlx then finds it prepared by that text);
/// placeholders are anonymous `?`, since SQLite finds a named one by a linear scan (n² for n
/// placeholders, see `db::query`); and values are bound straight from the batch.
pub async fn insert_api_requests(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    rows: &super::ApiRequestColumns<'_>,
) -> Result<(), sqlx::Error> {
    static FULL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let mut start = 0;
    while start < rows.at.len() {
        let end = rows.at.len().min(start + API_REQUEST_ROWS);
        let mut query = if end - start == API_REQUEST_ROWS {
            sqlx::query(
                FULL.get_or_init(|| api_request_insert(API_REQUEST_ROWS))
                    .as_str(),
            )
        } else {
            sqlx::query(sqlx::AssertSqlSafe(api_request_insert(end - start)))
        };
        for row in start..end {
            query = query
                .bind(rows.at[row])
                .bind(rows.api_token_id[row])
                .bind(rows.method[row])
                .bind(rows.route[row])
                .bind(rows.target_id[row])
                .bind(rows.status[row])
                .bind(rows.status_class[row])
                .bind(rows.error_code[row])
                .bind(rows.ip[row])
                .bind(rows.user_agent[row])
                .bind(rows.request_id[row])
                .bind(rows.duration_us[row]);
        }
        query.execute(&mut **tx).await?;
        start = end;
    }
    Ok(())
}

/// `insert into api_request (…) values (?, …), …` for `rows` rows.
fn api_request_insert(rows: usize) -> String {
    let mut sql = String::from(
        "insert into api_request
            (at, api_token_id, method, route, target_id, status, status_class, error_code, ip,
             user_agent, request_id, duration_us) values ",
    );
    for row in 0..rows {
        sql.push_str(if row == 0 { "" } else { ", " });
        sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    sql
}
