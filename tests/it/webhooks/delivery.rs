//! Deliveries: written with the change, signed as the Standard Webhooks reference verifies,
//! retried on errors, redirects and timeouts until the schedule ends, sent once by one of several
//! servers, kept across a restart; leaks, expiring and expired tokens announced.

use super::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use trekmail_tokens::api::tokens::RevokeToken;
use trekmail_tokens::domain::webhook::WebhookEvent;
use trekmail_tokens::server::webhooks::expiry;

const OWNER: &str = "owner@pro.test";

fn all_events() -> Vec<&'static str> {
    WebhookEvent::SUBSCRIBABLE
        .iter()
        .map(|event| event.as_str())
        .collect()
}

/// The Standard Webhooks verification, written out from the specification: the receiver's side.
fn verify(secret: &str, received: &Received) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let (id, timestamp) = (
        received.header("webhook-id"),
        received.header("webhook-timestamp"),
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(received.header("webhook-signature"), expected);
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!((now() / 1000 - sent_at).abs() < 300, "a fresh timestamp");
    assert!(id.starts_with("msg_"));
    assert_eq!(received.header("content-type"), "application/json");
}

#[tokio::test]
async fn token_events_are_written_with_the_change_and_delivered_signed() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    let created = endpoint(
        &app,
        OWNER,
        &receiver.url,
        &["token.created", "token.revoked"],
    )
    .await;
    // Another account's changes never reach this endpoint.
    ops_token(&app, "owner@agency.test", &["domains:read"], None).await;
    let secret = ops_token(&app, OWNER, &["domains:read"], None).await;
    assert_eq!(
        app.count("select count(*) from webhook_delivery").await,
        1,
        "in the outbox before any attempt"
    );
    let token_id = app
        .count_bound_text(
            "select api_token_id from api_token where token_hash = $1",
            &trekmail_tokens::server::secrets::sha256_hex(&secret),
        )
        .await;
    let cookie = app.sign_in(OWNER).await;
    let revoked = app
        .call_form::<RevokeToken>(&format!("id={token_id}"), Some(&cookie))
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.body);
    assert_eq!(
        deliver_at(&app, now()).await,
        1,
        "one per endpoint and pass, oldest first"
    );
    assert_eq!(deliver_all(&app, now()).await, 1);
    assert_eq!(deliver_at(&app, now()).await, 0, "each is sent once");

    let mut got = receiver.got();
    got.sort_by_key(|received| received.json()["type"].as_str().unwrap().to_string());
    assert_eq!(got.len(), 2);
    for received in &got {
        verify(&created.secret, received);
        let body = received.json();
        assert_eq!(body["data"]["token"]["id"], token_id);
        assert_eq!(body["data"]["token"]["kind"], "ops");
        assert_eq!(body["data"]["actor"], OWNER);
        assert!(secret.starts_with(body["data"]["token"]["prefix"].as_str().unwrap()));
        assert!(!received.body.contains(&secret), "never the secret itself");
    }
    assert_eq!(got[0].json()["type"], "token.created");
    assert_eq!(got[1].json()["type"], "token.revoked");
    assert_ne!(got[0].header("webhook-id"), got[1].header("webhook-id"));
}

/// The delivery's state, attempts and next attempt.
async fn delivery(app: &TestApp) -> (String, i64, Option<i64>) {
    db::query("select state, attempts, next_attempt_at from webhook_delivery")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn failures_and_redirects_are_retried_on_schedule_then_given_up() {
    let app = TestApp::new().await;
    let script = [
        Answer::Status(500),
        Answer::Redirect,
        Answer::Status(404),
        Answer::Status(503),
        Answer::Status(500),
        Answer::Status(429),
        Answer::Status(500),
        Answer::Status(502),
    ];
    let receiver = Receiver::start(&script).await;
    endpoint(&app, OWNER, &receiver.url, &["token.created"]).await;
    ops_token(&app, OWNER, &["domains:read"], None).await;
    let mut at = now();
    for attempt in 1..=8 {
        assert_eq!(deliver_at(&app, at).await, 1, "attempt {attempt}");
        assert_eq!(
            deliver_at(&app, at).await,
            0,
            "nothing due until the next attempt's time"
        );
        let (state, attempts, next) = delivery(&app).await;
        assert_eq!(attempts, attempt);
        match next {
            Some(next) => {
                assert_eq!(state, "pending");
                assert!(next > at, "later");
                at = next;
            }
            None => {
                assert_eq!((attempt, state.as_str()), (8, "failed"));
            }
        }
    }
    let got = receiver.got();
    assert_eq!(got.len(), 8);
    assert!(
        got.iter().all(|received| received.path == "/hook"),
        "the redirect was not followed"
    );
    let ids: std::collections::BTreeSet<String> =
        got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same webhook-id");
    let errors: Vec<(Option<i64>, String)> =
        db::query("select status, error from webhook_attempt order by webhook_attempt_id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(errors[0].0, Some(500));
    assert!(
        errors[1]
            .1
            .starts_with("Redirect to /elsewhere not followed"),
        "{}",
        errors[1].1
    );
    let span = at - app.count("select created_at from webhook_delivery").await;
    assert!(
        span > 20 * 3_600_000 && span < 24 * 3_600_000,
        "about a day: {span}"
    );
}

#[tokio::test]
async fn a_slow_endpoint_times_out_and_is_retried() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[Answer::Slow(5_000)]).await;
    endpoint(&app, OWNER, &receiver.url, &["token.created"]).await;
    ops_token(&app, OWNER, &["domains:read"], None).await;
    let client = deliver::client_with_timeout(true, std::time::Duration::from_millis(300));
    let pass = deliver::deliver_due(&app.pool, &client, true, now());
    assert_eq!(within(REQUEST_LIMIT, "delivering", pass).await.unwrap(), 1);
    let (state, attempts, next) = delivery(&app).await;
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    assert!(next.is_some());
    let (status, error): (Option<i64>, String) =
        db::query("select status, error from webhook_attempt")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, None);
    assert_eq!(error, "The endpoint did not answer in time.");
}

#[tokio::test]
async fn private_addresses_are_not_called_without_the_flag() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    endpoint(&app, OWNER, &receiver.url, &["token.created"]).await;
    // Registered while private addresses were allowed (and https, so only the address is wrong),
    // then the server restarted without the flag: each attempt checks again.
    db::query("update webhook_endpoint set url = replace(url, 'http://', 'https://')")
        .execute(&app.pool)
        .await
        .unwrap();
    ops_token(&app, OWNER, &["domains:read"], None).await;
    let client = deliver::client(false);
    let pass = deliver::deliver_due(&app.pool, &client, false, now());
    assert_eq!(within(REQUEST_LIMIT, "delivering", pass).await.unwrap(), 1);
    assert!(receiver.got().is_empty());
    let (error,): (String,) = db::query("select error from webhook_attempt")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        error.starts_with("Not sent:") && error.contains("private or loopback"),
        "{error}"
    );
}

#[tokio::test]
async fn the_outbox_survives_a_restart_and_servers_never_send_twice() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    endpoint(&app, OWNER, &receiver.url, &["token.created"]).await;
    for _ in 0..5 {
        ops_token(&app, OWNER, &["domains:read"], None).await;
    }
    // The server stops before delivering anything (its pool closed as a crash would leave it).
    app.pool.close().await;
    let first = app.another_server().await;
    let second = app.another_server().await;
    let (a, b) = tokio::join!(deliver_all(&first, now()), deliver_all(&second, now()));
    assert_eq!(a + b, 5);
    assert_eq!(
        receiver.got().len(),
        5,
        "each event once, whichever server sent it"
    );
    assert_eq!(
        first
            .count("select count(*) from webhook_delivery where state = 'delivered'")
            .await,
        5
    );
}

#[tokio::test]
async fn a_leak_report_announces_the_token_as_leaked() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    endpoint(&app, OWNER, &receiver.url, &["token.leaked"]).await;
    let secret = ops_token(&app, OWNER, &["mailboxes:message-tokens:manage"], None).await;
    // What it minted is revoked with it, but was not itself reported: no leak of its own.
    let hello = crate::support::acme_hello(&app).await;
    crate::support::message_token(&app, &secret, hello, &["messages:read"]).await;
    let reported = app
        .api(
            "POST",
            "/api/v1/credentials/revoke",
            None,
            Some(serde_json::json!({ "credentials": [secret] })),
        )
        .await;
    assert_eq!(reported.status, StatusCode::ACCEPTED);
    deliver_all(&app, now()).await;
    let got = receiver.got();
    assert_eq!(
        got.len(),
        1,
        "only the reported token, only the subscribed event"
    );
    let body = got[0].json();
    assert_eq!(body["type"], "token.leaked");
    assert_eq!(body["data"]["actor"], "Leak report");
    assert_eq!(body["data"]["detail"], "Reported leaked");
}

#[tokio::test]
async fn expiring_and_expired_tokens_are_announced_once() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    endpoint(&app, OWNER, &receiver.url, &all_events()).await;
    let day = 86_400_000;
    let month = ops_token(&app, OWNER, &["domains:read"], None).await;
    let short = ops_token(&app, OWNER, &["domains:read"], None).await;
    let set_times = |secret: String, created_at: i64, expires_at: i64| {
        let pool = app.pool.clone();
        async move {
            db::query(
                "update api_token set created_at = $1, expires_at = $2 where token_hash = $3",
            )
            .bind(created_at)
            .bind(expires_at)
            .bind(trekmail_tokens::server::secrets::sha256_hex(&secret))
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    // Made to last a month, three days left: expiring.
    set_times(month, now() - 30 * day, now() + 3 * day).await;
    // Made to last six days: its owner chose a short life, so it is not announced as expiring.
    set_times(short, now() - day, now() + 5 * day).await;
    assert_eq!(
        expiry::announce(&app.pool, now()).await.unwrap(),
        1,
        "the one expiring, once"
    );
    assert_eq!(expiry::announce(&app.pool, now()).await.unwrap(), 0);
    let later = now() + 4 * day;
    assert_eq!(
        expiry::announce(&app.pool, later).await.unwrap(),
        1,
        "then expired, once"
    );
    assert_eq!(expiry::announce(&app.pool, later).await.unwrap(), 0);
    deliver_all(&app, later).await;
    let types: Vec<String> = receiver
        .got()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "token.created").count(), 2);
    assert!(
        types.contains(&"token.expiring".to_string())
            && types.contains(&"token.expired".to_string()),
        "{types:?}"
    );
    assert_eq!(types.len(), 4);
}

#[tokio::test]
async fn expiry_notices_follow_the_tokens_state_and_the_subscriptions() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    let day = 86_400_000;
    // Only token.created at first: nothing is announced, and nothing used up.
    let created = endpoint(&app, OWNER, &receiver.url, &["token.created"]).await;
    let secret = ops_token(&app, OWNER, &["domains:read"], None).await;
    let hash = trekmail_tokens::server::secrets::sha256_hex(&secret);
    db::query("update api_token set created_at = $1, expires_at = $2 where token_hash = $3")
        .bind(now() - 30 * day)
        .bind(now() + 3 * day)
        .bind(&hash)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(expiry::announce(&app.pool, now()).await.unwrap(), 0);
    db::query("update webhook_endpoint set events = 'token.created token.expiring' where webhook_endpoint_id = $1")
        .bind(created.row.id)
        .execute(&app.pool)
        .await
        .unwrap();
    // Paused: it does not work now anyway.
    db::query("update api_token set paused_at = $1 where token_hash = $2")
        .bind(now())
        .bind(&hash)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(expiry::announce(&app.pool, now()).await.unwrap(), 0);
    db::query("update api_token set paused_at = null where token_hash = $1")
        .bind(&hash)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(expiry::announce(&app.pool, now()).await.unwrap(), 1);
    assert_eq!(expiry::announce(&app.pool, now()).await.unwrap(), 0);
    // Extended by the owner, then close to its new end: warned again.
    let cookie = app.sign_in(OWNER).await;
    let id = app
        .count_bound_text(
            "select api_token_id from api_token where token_hash = $1",
            &hash,
        )
        .await;
    let changed = app
        .call_form::<trekmail_tokens::api::lifecycle::ChangeTokenExpiration>(
            &format!("id={id}&expiration=30d&expiration_date="),
            Some(&cookie),
        )
        .await;
    assert!(changed.status.is_success(), "{}", changed.body);
    assert_eq!(
        expiry::announce(&app.pool, now() + 25 * day).await.unwrap(),
        1
    );
}
