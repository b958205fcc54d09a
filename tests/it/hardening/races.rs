//! Requests that race each other or a hung-up client. Each test holds the database's write lock
//! (SQLite's, or on PostgreSQL an exclusive lock on the tables the requests write) on a
//! connection of its own to put the requests in a known order, then lets go.

use crate::support::{acme_hello, message_token, ops_token, Response, TestApp};
use http::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use trekmail_tokens::api::tokens::{ListTokens, RevokeToken};
use trekmail_tokens::model::tokens::TokenRow;
use trekmail_tokens::model::Page;
use trekmail_tokens::server::db::{self, Pool};

const PRO: &str = "owner@pro.test";
const MANAGE: &str = "mailboxes:message-tokens:manage";

/// Holds the write lock until [`WriteLock::release`] (or `commit` after changes of its own).
enum WriteLock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

/// Every table a token request writes: locked EXCLUSIVE, they can still be read (as SQLite's
/// readers read during a write) but not written.
const POSTGRES_WRITE_LOCK: &str = "lock table account, api_token, api_token_domain, audit_event,
    idempotency_record, mailbox, message in exclusive mode";

impl WriteLock {
    async fn take(app: &TestApp) -> WriteLock {
        match &app.pool {
            Pool::Sqlite(pool) => {
                let mut connection = pool.acquire().await.unwrap();
                sqlx::query("begin immediate")
                    .execute(&mut *connection)
                    .await
                    .unwrap();
                WriteLock::Sqlite(connection)
            }
            Pool::Postgres(pool) => {
                let mut connection = pool.acquire().await.unwrap();
                sqlx::query("begin")
                    .execute(&mut *connection)
                    .await
                    .unwrap();
                sqlx::query(POSTGRES_WRITE_LOCK)
                    .execute(&mut *connection)
                    .await
                    .unwrap();
                WriteLock::Postgres(connection)
            }
        }
    }

    async fn execute(&mut self, sql: &'static str, id: i64) {
        match self {
            WriteLock::Sqlite(connection) => {
                sqlx::query(sql)
                    .bind(id)
                    .execute(&mut **connection)
                    .await
                    .unwrap();
            }
            WriteLock::Postgres(connection) => {
                sqlx::query(sql)
                    .bind(id)
                    .execute(&mut **connection)
                    .await
                    .unwrap();
            }
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Sqlite(mut connection) => {
                sqlx::query("commit")
                    .execute(&mut *connection)
                    .await
                    .unwrap();
            }
            WriteLock::Postgres(mut connection) => {
                sqlx::query("commit")
                    .execute(&mut *connection)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Lets the other requests reach the lock and wait on it.
async fn pause() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn mint_with_key(app: &TestApp, ops: &str, mailbox: i64, key: &str) -> Response {
    app.api_with(
        "POST",
        &format!("/api/v1/mailboxes/{mailbox}/message-tokens"),
        Some(ops),
        Some(json!({ "name": "Dropped", "scopes": ["messages:read"] }).to_string()),
        &[("idempotency-key", key)],
    )
    .await
}

#[tokio::test]
async fn a_client_that_hangs_up_leaves_no_key_stuck_in_use() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&app).await;
    // Recorded "last used" now, so the next requests write nothing before the handler.
    app.api("GET", "/api/v1/me", Some(&ops), None).await;

    let lock = WriteLock::take(&app).await;
    let hung_up = tokio::time::timeout(
        Duration::from_secs(2),
        mint_with_key(&app, &ops, mailbox, "k1"),
    )
    .await;
    assert!(
        hung_up.is_err(),
        "the request was still waiting for the database"
    );
    lock.release().await;
    // The client retries after a short back-off.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The retry gets the replay of the request that went on without its client (a 409 only
    // while that is still running), and the token exists once. (Before, the abandoned claim
    // stayed "in use" for 24 hours.)
    let deadline = Instant::now() + Duration::from_secs(10);
    let replay = loop {
        let retry = mint_with_key(&app, &ops, mailbox, "k1").await;
        if retry.status != StatusCode::CONFLICT {
            break retry;
        }
        assert!(Instant::now() < deadline, "still 409: {}", retry.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Usually the replay (`Idempotent-Replayed: true`); a fresh run only if the request that
    // was hung up on had not reached its claim yet. Either way the token exists once.
    assert_eq!(replay.status, StatusCode::CREATED, "{}", replay.body);
    assert_eq!(
        app.count("select count(*) from api_token where name = 'Dropped'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_claim_abandoned_by_a_dead_process_expires() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&app).await;
    let (ops_id,): (i64,) = db::query("select max(api_token_id) from api_token where kind = 'ops'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // A claim two minutes old that nobody settled (the server was killed mid-request).
    db::query(
        "insert into idempotency_record (api_token_id, idempotency_key, request_hash, created_at)
         values ($1, 'k2', 'whatever', $2)",
    )
    .bind(ops_id)
    .bind(chrono::Utc::now().timestamp_millis() - 120_000)
    .execute(&app.pool)
    .await
    .unwrap();
    let retry = mint_with_key(&app, &ops, mailbox, "k2").await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert!(retry.headers.get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn a_revocation_that_commits_first_stops_a_waiting_mint() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&app).await;
    message_token(&app, &ops, mailbox, &["messages:read"]).await;
    let (ops_id,): (i64,) =
        db::query("select created_by_token_id from api_token where kind = 'message' and account_id = (select account_id from account where name = 'Acme Pro')")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let before = app
        .count("select count(*) from api_token where kind = 'message'")
        .await;

    let path = format!("/api/v1/mailboxes/{mailbox}/message-tokens");
    let mut lock = WriteLock::take(&app).await;
    let (mint, ()) = tokio::join!(
        app.api(
            "POST",
            &path,
            Some(&ops),
            Some(json!({ "name": "Late", "scopes": ["messages:read"] })),
        ),
        async {
            pause().await;
            // The owner's revocation commits while the mint waits for the lock.
            lock.execute(
                "update api_token set revoked_at = 1 where api_token_id = $1",
                ops_id,
            )
            .await;
            lock.release().await;
        }
    );
    assert_eq!(mint.status, StatusCode::UNAUTHORIZED, "{}", mint.body);
    assert_eq!(
        app.count("select count(*) from api_token where kind = 'message'")
            .await,
        before
    );
}

#[tokio::test]
async fn revoking_an_ops_token_revokes_what_it_minted_with_an_event_each() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let ops = ops_token(&app, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&app).await;
    let (_, first) = message_token(&app, &ops, mailbox, &["messages:read"]).await;
    let (_, second) = message_token(&app, &ops, mailbox, &["messages:send"]).await;

    let page: Page<TokenRow> = app.call_form::<ListTokens>("", Some(&owner)).await.json();
    let parent = page
        .rows
        .iter()
        .find(|row| {
            row.kind == trekmail_tokens::domain::token::TokenKind::Ops && !row.minted.is_empty()
        })
        .expect("the ops token lists what it minted");
    assert_eq!(parent.minted.len(), 2, "{:?}", parent.minted);
    // Message tokens show their scopes (they used to show none).
    let children: Vec<&TokenRow> = page.rows.iter().filter(|r| r.mailbox.is_some()).collect();
    assert!(children.iter().any(|r| r.scopes == ["messages:send"]));
    assert!(children.iter().any(|r| r.scopes == ["messages:read"]));

    let events_before = app.count("select count(*) from audit_event").await;
    let revoked = app
        .call_form::<RevokeToken>(&format!("id={}", parent.id), Some(&owner))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(
        app.count("select count(*) from audit_event").await,
        events_before + 3
    );
    for child in [&first, &second] {
        let refused = app
            .api("GET", "/api/v1/messages/_me", Some(child), None)
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    // Revoking again changes nothing.
    app.call_form::<RevokeToken>(&format!("id={}", parent.id), Some(&owner))
        .await;
    assert_eq!(
        app.count("select count(*) from audit_event").await,
        events_before + 3
    );
    // Event times follow commit order.
    let times: Vec<(i64,)> =
        db::query("select created_at from audit_event order by audit_event_id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(
        times.windows(2).all(|pair| pair[0].0 <= pair[1].0),
        "{times:?}"
    );
}

#[tokio::test]
async fn concurrent_narrowings_never_leave_a_token_wider_than_either_asked() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&app).await;
    let (id, _) = message_token(&app, &ops, mailbox, &["messages:read", "messages:send"]).await;
    let path = format!("/api/v1/message-tokens/{id}");

    let lock = WriteLock::take(&app).await;
    let (narrow, wide, ()) = tokio::join!(
        app.api(
            "PATCH",
            &path,
            Some(&ops),
            Some(json!({ "scopes": ["messages:read"], "expires_in": "1h" }))
        ),
        app.api(
            "PATCH",
            &path,
            Some(&ops),
            Some(json!({ "scopes": ["messages:read", "messages:send"], "expires_in": "7d" }))
        ),
        async {
            pause().await;
            lock.release().await;
        }
    );
    assert_eq!(narrow.status, StatusCode::OK, "{}", narrow.body);
    // The wider request either ran first, or found the token already narrowed: 409.
    assert!(
        matches!(wide.status, StatusCode::OK | StatusCode::CONFLICT),
        "{}",
        wide.body
    );
    let (scopes, expires_at): (String, i64) =
        db::query("select scopes, expires_at from api_token where api_token_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(scopes, "messages:read");
    let hour_from_now = chrono::Utc::now().timestamp_millis() + 3_600_000;
    assert!(expires_at <= hour_from_now, "expiry moved back out");
    let body: Value = narrow.json();
    assert_eq!(body["scopes"], json!(["messages:read"]));
}

/// The same for the other changes a token makes: a send and a forwarding change waiting for the
/// lock when their token is revoked change nothing.
#[tokio::test]
async fn a_revocation_that_commits_first_stops_a_waiting_send_and_forwarding_change() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &[MANAGE, "mailboxes:forwarding:write"], None).await;
    let mailbox = acme_hello(&app).await;
    let (sender_id, sender) = message_token(&app, &ops, mailbox, &["messages:send"]).await;
    app.api("GET", "/api/v1/messages/_me", Some(&sender), None)
        .await;
    let (ops_id,): (i64,) =
        db::query("select created_by_token_id from api_token where api_token_id = $1")
            .bind(sender_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (narrowed_id, narrowed) =
        message_token(&app, &ops, mailbox, &["messages:read", "messages:send"]).await;
    app.api("GET", "/api/v1/messages/_me", Some(&narrowed), None)
        .await;
    let (other_id, _) = message_token(&app, &ops, mailbox, &["messages:read"]).await;
    let messages = app.count("select count(*) from message").await;
    let forwarding_path = format!("/api/v1/mailboxes/{mailbox}/forwarding");
    let other_path = format!("/api/v1/message-tokens/{other_id}");
    let send_body = json!({ "to": ["a@example.org"], "subject": "Late", "body": { "text": "x" } });

    let mut lock = WriteLock::take(&app).await;
    let (send, narrowed_send, forward, delete, ()) = tokio::join!(
        app.api(
            "POST",
            "/api/v1/messages/send",
            Some(&sender),
            Some(send_body.clone())
        ),
        app.api(
            "POST",
            "/api/v1/messages/send",
            Some(&narrowed),
            Some(send_body.clone())
        ),
        app.api(
            "PUT",
            &forwarding_path,
            Some(&ops),
            Some(json!({ "enabled": true, "targets": ["late@example.org"] })),
        ),
        app.api("DELETE", &other_path, Some(&ops), None),
        async {
            pause().await;
            for id in [sender_id, ops_id] {
                lock.execute(
                    "update api_token set revoked_at = 1 where api_token_id = $1",
                    id,
                )
                .await;
            }
            // A narrowing took messages:send away from the other sender.
            lock.execute(
                "update api_token set scopes = 'messages:read' where api_token_id = $1",
                narrowed_id,
            )
            .await;
            lock.release().await;
        }
    );
    for (what, response) in [("narrowed send", &narrowed_send), ("revoke", &delete)] {
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            response.body
        );
    }
    assert_eq!(
        app.count("select count(*) from api_token where revoked_at is null and name = 'Support agent' and scopes = 'messages:read'")
            .await,
        2,
        "the other message token was not revoked by a revoked token"
    );
    assert_eq!(send.status, StatusCode::UNAUTHORIZED, "{}", send.body);
    assert_eq!(forward.status, StatusCode::UNAUTHORIZED, "{}", forward.body);
    assert_eq!(app.count("select count(*) from message").await, messages);
    assert_eq!(
        app.count("select count(*) from mailbox where forwarding_targets like '%late@%'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_message_token_never_outlives_the_ops_token_that_minted_it() {
    let app = TestApp::new().await;
    // ops_token() makes tokens that expire in 30 days.
    let ops = ops_token(&app, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&app).await;
    let minted = app
        .api(
            "POST",
            &format!("/api/v1/mailboxes/{mailbox}/message-tokens"),
            Some(&ops),
            Some(json!({ "name": "Forever", "scopes": ["messages:read"], "expires_in": "never" })),
        )
        .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    let (minter, child): (Option<i64>, Option<i64>) = db::query(
        "select p.expires_at, c.expires_at from api_token c
           join api_token p on p.api_token_id = c.created_by_token_id where c.name = 'Forever'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(minter.is_some());
    assert_eq!(child, minter);
    let body: Value = minted.json();
    assert!(body["expires_at"].is_string(), "{body}");
}
