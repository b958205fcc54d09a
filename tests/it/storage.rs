//! When the database cannot store anything (disk full, read-only, I/O errors): a clear 503 on both
//! sides, nothing half-written, and the server recovers without a restart. The disk itself is
//! filled by `scripts/diskfull.py` (it needs a mount); here, the pieces that decide.

use crate::support::TestApp;
use http::StatusCode;
use sqlx::{Connection, SqliteConnection};
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::server::db::{self, begin_write, is_unavailable, Engine};
use trekmail_tokens::server::rest::error::ApiError;

/// A real "database or disk is full" from SQLite: a database not allowed to grow any more.
async fn disk_full_error() -> sqlx::Error {
    let mut connection = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    sqlx::query("create table filler (text text)")
        .execute(&mut connection)
        .await
        .unwrap();
    // Never below the current size: the database may keep the pages it has, and no more.
    sqlx::query("pragma max_page_count = 1")
        .execute(&mut connection)
        .await
        .unwrap();
    sqlx::query("insert into filler values (zeroblob(100000))")
        .execute(&mut connection)
        .await
        .expect_err("one page cannot hold 100 kB")
}

#[tokio::test]
async fn a_full_disk_is_a_retryable_503_and_a_broken_rule_is_not() {
    let full = disk_full_error().await;
    assert!(is_unavailable(&full), "{full}");

    let api = ApiError::from(full);
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.body.code, "service_unavailable");
    assert!(api.body.retryable);
    assert!(api.body.retry_after.is_some_and(|seconds| seconds > 0));
    assert!(api.body.message.contains("Nothing was changed"));

    let page = AppError::from(disk_full_error().await);
    assert_eq!(page, AppError::Unavailable);
    assert_eq!(page.status_code(), 503);
    assert!(page.to_string().contains("Nothing was changed"));

    // A broken constraint is the code's fault, not the storage's: a 500, never "try later".
    let mut connection = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    sqlx::query("create table once (id integer primary key)")
        .execute(&mut connection)
        .await
        .unwrap();
    let twice = sqlx::query("insert into once values (1), (1)")
        .execute(&mut connection)
        .await
        .unwrap_err();
    assert!(!is_unavailable(&twice), "{twice}");
    assert_eq!(
        ApiError::from(twice).status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

/// SQLite ends a transaction itself when a write fails with a full disk; sqlx's rollback then
/// fails and leaves its connection believing it is still inside one, so every later `begin` on
/// that connection failed until a restart. The pool now replaces such a connection.
#[tokio::test]
async fn a_connection_whose_transaction_sqlite_ended_is_replaced_not_reused() {
    let app = TestApp::new().await;
    if app.pool.engine() != Engine::Sqlite {
        eprintln!("skipped: PostgreSQL never ends a transaction behind its client's back");
        return;
    }
    {
        let mut tx = begin_write(&app.pool).await.unwrap();
        // What SQLite does on its own after SQLITE_FULL during a write.
        db::query("rollback").execute(&mut tx).await.unwrap();
        // Dropped: sqlx's own rollback fails ("no transaction is active").
    }
    // Every connection of the pool is taken in turn (it holds at most 8); each can write.
    for round in 0..24 {
        let mut tx = begin_write(&app.pool)
            .await
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
        db::query("update account set name = name where account_id = 1")
            .execute(&mut tx)
            .await
            .unwrap();
        db::commit(tx).await.unwrap();
    }
}

/// SQLite silently opens a file it may not write read-only; the server refuses such a connection
/// with a clear reason (at start it stops with it; `scripts/diskfull.py` shows both on a real
/// read-only file system).
#[tokio::test]
async fn a_database_that_can_only_be_read_is_refused_with_a_clear_reason() {
    use trekmail_tokens::server::db::connect;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let timeout = std::time::Duration::from_secs(5);
    connect(&format!("sqlite://{}", path.display()), timeout)
        .await
        .unwrap()
        .close()
        .await;
    let error = connect(&format!("sqlite://{}?mode=ro", path.display()), timeout)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("can only be read"), "{error}");
    assert!(is_unavailable(&error));
}

/// A statement that runs past PostgreSQL's `statement_timeout` fails with a retryable 503, and the
/// server goes on serving (its connection is not lost).
#[tokio::test]
async fn a_statement_past_the_timeout_fails_its_request_not_the_server() {
    let app = TestApp::with_config(|config| config.statement_timeout_ms = 200).await;
    if app.pool.engine() != Engine::Postgres {
        eprintln!("skipped: SQLite's statements wait only for its write lock (its busy timeout)");
        return;
    }
    let started = std::time::Instant::now();
    let slow = db::query("select pg_sleep(2)")
        .execute(&app.pool)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "cancelled at the timeout"
    );
    assert!(is_unavailable(&slow), "{slow}");
    assert_eq!(ApiError::from(slow).status, StatusCode::SERVICE_UNAVAILABLE);
    let token = crate::support::ops_token(&app, "owner@pro.test", &["account:read"], None).await;
    for _ in 0..10 {
        let me = app.api("GET", "/api/v1/me", Some(&token), None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    }
}

/// PostgreSQL ending a connection (a restart, an administrator) is a retryable 503, a unique
/// violation a 500, and a NUL character in text a 400; the pool goes on with a new connection.
#[tokio::test]
async fn postgresql_errors_are_told_apart() {
    use trekmail_tokens::server::db::Pool;
    let app = TestApp::new().await;
    let Pool::Postgres(pool) = &app.pool else {
        eprintln!("skipped: PostgreSQL's error codes");
        return;
    };
    let mut doomed = pool.acquire().await.unwrap();
    let (pid,): (i32,) = sqlx::query_as("select pg_backend_pid()")
        .fetch_one(&mut *doomed)
        .await
        .unwrap();
    sqlx::query("select pg_terminate_backend($1)")
        .bind(pid)
        .execute(pool)
        .await
        .unwrap();
    let ended = sqlx::query("select 1")
        .execute(&mut *doomed)
        .await
        .unwrap_err();
    assert!(is_unavailable(&ended), "{ended}");
    assert_eq!(
        ApiError::from(ended).status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    drop(doomed);

    let accounts = app.count("select count(*) from account").await;
    let twice = db::query(
        "insert into account (account_id, name, plan, created_at) values (1, 'x', 'pro', 0)",
    )
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert!(!is_unavailable(&twice), "{twice}");
    assert_eq!(
        ApiError::from(twice).status,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    let nul = db::query("select count(*) from account where name = $1")
        .bind("a\0b")
        .execute(&app.pool)
        .await
        .unwrap_err();
    let refused = ApiError::from(nul);
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.body.code, "invalid_text");
    assert_eq!(
        app.count("select count(*) from account").await,
        accounts,
        "nothing was stored"
    );
}

/// A NUL character anywhere a client can put text is a clear refusal on both engines, never a 500.
#[tokio::test]
async fn a_nul_character_is_refused_or_harmless_never_a_500() {
    let app = TestApp::new().await;
    let token = crate::support::ops_token(
        &app,
        "owner@pro.test",
        &["domains:read", "mailboxes:read"],
        None,
    )
    .await;
    for path in [
        "/api/v1/mailboxes?search=a%00b",
        "/api/v1/domains?search=%00",
    ] {
        let response = app.api("GET", path, Some(&token), None).await;
        assert!(
            matches!(response.status.as_u16(), 200 | 400),
            "{path}: {} {}",
            response.status,
            response.body
        );
    }
    let response = app
        .call_form::<trekmail_tokens::api::session::SignIn>(
            "email=owner%00%40pro.test&password=x",
            None,
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        response.body
    );
    assert!(response.body.contains("Incorrect email or password."));
}
