//! Several app servers sharing one database (each test's second server is `another_server`: its
//! own pool, throttle and rate limiter): what one server changes, the other honours on its very
//! next request, and a race between them acts once.

use crate::support::{acme_hello, error, ops_token, TestApp};
use futures::future::join;
use http::StatusCode;
use serde_json::json;
use trekmail_tokens::api::tokens::{ListTokens, RevokeToken};
use trekmail_tokens::model::tokens::TokenRow;
use trekmail_tokens::model::Page;
use trekmail_tokens::server::db::Engine;

const PRO: &str = "owner@pro.test";
const MANAGE: &str = "mailboxes:message-tokens:manage";

async fn newest_token(app: &TestApp, cookie: &str) -> TokenRow {
    let page = app.call_form::<ListTokens>("", Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.json::<Page<TokenRow>>().rows.remove(0)
}

/// Several servers need PostgreSQL: a SQLite file has one server (README, "Several app
/// servers"), whose verified-token cache would not hear of another process's revocation.
fn several_servers_possible(app: &TestApp) -> bool {
    let possible = app.pool.engine() == Engine::Postgres;
    if !possible {
        eprintln!("skipped: several servers need PostgreSQL (this run is on SQLite)");
    }
    possible
}

#[tokio::test]
async fn a_token_revoked_on_one_server_is_refused_by_both_on_the_next_request() {
    let a = TestApp::new().await;
    if !several_servers_possible(&a) {
        return;
    }
    let b = a.another_server().await;
    let token = ops_token(&a, PRO, &["account:read"], None).await;
    for server in [&a, &b] {
        // Twice: a cache would hold it now.
        for _ in 0..2 {
            let me = server.api("GET", "/api/v1/me", Some(&token), None).await;
            assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        }
    }
    let cookie = b.sign_in(PRO).await;
    let row = newest_token(&b, &cookie).await;
    let revoked = b
        .call_form::<RevokeToken>(&format!("id={}", row.id), Some(&cookie))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    for server in [&a, &b] {
        let me = server.api("GET", "/api/v1/me", Some(&token), None).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
        assert!(error(&me)["message"].as_str().unwrap().contains("revoked"));
    }
}

#[tokio::test]
async fn two_servers_revoking_one_token_at_once_write_one_audit_event() {
    let a = TestApp::new().await;
    let b = a.another_server().await;
    let cookie = a.sign_in(PRO).await;
    for round in 0..10 {
        ops_token(&a, PRO, &["account:read"], None).await;
        let row = newest_token(&a, &cookie).await;
        let form = format!("id={}", row.id);
        let (first, second) = join(
            a.call_form::<RevokeToken>(&form, Some(&cookie)),
            b.call_form::<RevokeToken>(&form, Some(&cookie)),
        )
        .await;
        for response in [&first, &second] {
            assert_eq!(
                response.status,
                StatusCode::OK,
                "round {round}: {}",
                response.body
            );
        }
        let events = a
            .count_bound(
                "select count(*) from audit_event where api_token_id = $1 and action = 'token_revoked'",
                row.id,
            )
            .await;
        assert_eq!(events, 1, "round {round}");
    }
}

#[tokio::test]
async fn one_idempotency_key_sent_to_two_servers_at_once_acts_once() {
    let a = TestApp::new().await;
    let b = a.another_server().await;
    let ops = ops_token(&a, PRO, &[MANAGE], None).await;
    let mailbox = acme_hello(&a).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/message-tokens");
    for round in 0..10 {
        let key = format!("two-servers-{round}");
        let name = format!("Raced {round}");
        let body = json!({ "name": name, "scopes": ["messages:read"] }).to_string();
        let headers = [("idempotency-key", key.as_str())];
        let (first, second) = join(
            a.api_with("POST", &path, Some(&ops), Some(body.clone()), &headers),
            b.api_with("POST", &path, Some(&ops), Some(body.clone()), &headers),
        )
        .await;
        let mut statuses = [first.status.as_u16(), second.status.as_u16()];
        statuses.sort();
        match statuses {
            // A replay answers with the first reply's token (without its secret), marked so.
            [201, 201] => {
                let replayed = [&first, &second]
                    .into_iter()
                    .filter(|reply| reply.headers.contains_key("idempotent-replayed"))
                    .count();
                assert_eq!(replayed, 1, "round {round}");
                assert_eq!(
                    first.json::<serde_json::Value>()["id"],
                    second.json::<serde_json::Value>()["id"]
                );
            }
            [201, 409] => {}
            other => panic!("round {round}: {other:?}: {} / {}", first.body, second.body),
        }
        let made = a
            .count_bound_text("select count(*) from api_token where name = $1", &name)
            .await;
        assert_eq!(made, 1, "round {round}");
    }
}

#[tokio::test]
async fn the_tour_and_a_session_started_on_one_server_hold_on_the_other() {
    use trekmail_tokens::api::session::{CurrentViewer, FinishTour};
    let a = TestApp::new().await;
    let b = a.another_server().await;
    let cookie = a.sign_in(PRO).await;
    let done = a.call_form::<FinishTour>("", Some(&cookie)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let viewer = b.call_form::<CurrentViewer>("", Some(&cookie)).await;
    assert_eq!(viewer.status, StatusCode::OK, "{}", viewer.body);
    assert!(viewer.body.contains("owner@pro.test"), "{}", viewer.body);
    assert!(
        viewer.body.contains("\"tour_done\":true"),
        "{}",
        viewer.body
    );
}

/// A mint by an ops token still in flight when the owner revokes that token: the revocation waits
/// for it and revokes the new message token too (the mint holds its ops token `for share`; here a
/// connection of the test plays that mint). One statement reading the minted tokens before the
/// mint committed would have left it live.
#[tokio::test]
async fn a_message_token_minted_while_its_ops_token_is_revoked_is_revoked_too() {
    use sqlx::Connection as _;
    use trekmail_tokens::server::db::Pool;
    let app = TestApp::new().await;
    let Pool::Postgres(pool) = &app.pool else {
        eprintln!("skipped: SQLite's write lock makes the mint and the revocation take turns");
        return;
    };
    let cookie = app.sign_in(PRO).await;
    ops_token(&app, PRO, &[MANAGE], None).await;
    let ops = newest_token(&app, &cookie).await;
    let mailbox = acme_hello(&app).await;

    let mut mint = pool.acquire().await.unwrap();
    let mut tx = mint.begin().await.unwrap();
    sqlx::query("select api_token_id from api_token where api_token_id = $1 for share")
        .bind(ops.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let form = format!("id={}", ops.id);
    let revoke = app.call_form::<RevokeToken>(&form, Some(&cookie));
    let finish_mint = async {
        // Until the revocation waits on the ops token's row.
        for _ in 0..100 {
            let (waiting,): (i64,) =
                sqlx::query_as("select count(*) from pg_locks where not granted")
                    .fetch_one(pool)
                    .await
                    .unwrap();
            if waiting > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        sqlx::query(
            "insert into api_token (account_id, kind, mailbox_id, name, token_hash, visible_prefix,
                                    scopes, all_domains, created_by_token_id, created_at)
             select account_id, 'message', $2, 'Minted meanwhile', 'hash-minted-meanwhile',
                    'tm_msg_meanwhile', 'messages:read', 0, api_token_id, 0
               from api_token where api_token_id = $1",
        )
        .bind(ops.id)
        .bind(mailbox)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    };
    let (revoked, ()) = join(revoke, finish_mint).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let live = app
        .count(
            "select count(*) from api_token where name = 'Minted meanwhile' and revoked_at is null",
        )
        .await;
    assert_eq!(
        live, 0,
        "the message token minted meanwhile was revoked with its ops token"
    );
}
