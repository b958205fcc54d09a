//! The outside review of the lifecycle, one test per finding: each failed before its fix.

use super::{ok, setup, setup_with, Setup};
use crate::support::{acme_hello, assert_api_error, message_token, TestApp};
use http::StatusCode;
use serde_json::{json, Value};
use trekmail_tokens::api::lifecycle::{
    ChangeTokenExpiration, EditTokenAccess, RotateToken, SetTokenIpAllowlist,
};
use trekmail_tokens::domain::message_token::NewMessageToken;
use trekmail_tokens::server::client::ClientMeta;
use trekmail_tokens::server::tokens::{self, Actor};

async fn domain_id(s: &Setup, name: &str) -> i64 {
    s.app
        .count_bound_text("select domain_id from domain where name = $1", name)
        .await
}

async fn account_id(s: &Setup) -> i64 {
    s.app
        .count_bound_text("select account_id from account where name = $1", "Acme Pro")
        .await
}

fn edit_form(name: &str, domain_ids: &[i64]) -> Value {
    json!({
        "name": name, "expiration": "", "expiration_date": "",
        "scopes": ["domains:read", "mailboxes:read", "mailboxes:message-tokens:manage"],
        "domain_mode": if domain_ids.is_empty() { "all" } else { "selected" },
        "domain_ids": domain_ids,
    })
}

#[tokio::test]
async fn a_mint_authorised_before_a_narrowing_cannot_land_outside_it() {
    let s = setup().await;
    let mailbox = acme_hello(&s.app).await;
    let acme = domain_id(&s, "acme.test").await;
    let shop = domain_id(&s, "acme-shop.test").await;
    // The owner narrows the token to acme-shop.test…
    let edited = s
        .app
        .call_json::<EditTokenAccess>(
            json!({ "id": s.id(), "form": edit_form("deploy bot", &[shop]) }),
            Some(&s.cookie),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    // …while a mint for an acme.test mailbox, authorised a moment earlier, reaches the service.
    let new = NewMessageToken::parse("late", &["messages:read".to_string()], Some("7d")).unwrap();
    let client = ClientMeta {
        ip: "203.0.113.7".into(),
        user_agent: "test".into(),
    };
    let minted = tokens::create_message_token(
        &s.app.pool,
        account_id(&s).await,
        (mailbox, acme),
        &new,
        Actor {
            token_id: s.id(),
            name: "deploy bot",
        },
        &client,
    )
    .await;
    assert!(
        matches!(minted, Err(tokens::Error::NotFound)),
        "{:?}",
        minted.err()
    );
    assert_eq!(
        s.app
            .count_bound_text("select count(*) from api_token where name = $1", "late")
            .await,
        0
    );
}

#[tokio::test]
async fn a_message_token_works_only_while_its_maker_does() {
    let s = setup().await;
    let mailbox = acme_hello(&s.app).await;
    let (_, message) = message_token(&s.app, &s.token.token, mailbox, &["messages:read"]).await;
    let call = || {
        s.app
            .api("GET", "/api/v1/messages/_me", Some(&message), None)
    };
    assert_eq!(call().await.status, StatusCode::OK);

    ok(&s.pause(s.id(), true).await);
    let refused = call().await;
    let error = assert_api_error(
        &refused,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "maker paused",
    );
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("minted this token is paused"));
    ok(&s.pause(s.id(), false).await);
    assert_eq!(call().await.status, StatusCode::OK);

    // The maker's allowlist binds what it minted before, as it is now.
    ok(&s
        .app
        .call_form::<SetTokenIpAllowlist>(
            &format!("id={}&ip_allowlist=10.0.0.0%2F8", s.id()),
            Some(&s.cookie),
        )
        .await);
    assert_api_error(
        &call().await,
        StatusCode::FORBIDDEN,
        "ip_not_allowed",
        "maker's allowlist",
    );
}

#[tokio::test]
async fn a_rotation_hands_the_minted_message_tokens_to_the_new_secret() {
    let s = setup().await;
    let mailbox = acme_hello(&s.app).await;
    let (_, message) = message_token(&s.app, &s.token.token, mailbox, &["messages:read"]).await;
    let rotated = s
        .app
        .call_json::<RotateToken>(json!({ "id": s.id(), "grace": "now" }), Some(&s.cookie))
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert!(s
        .detail("token_rotated")
        .await
        .contains("1 message token it minted now belong"));
    // The old secret is gone at once; the message token carries on with the new one.
    assert_eq!(s.me(&s.token.token).await.status, StatusCode::UNAUTHORIZED);
    let served = s
        .app
        .api("GET", "/api/v1/messages/_me", Some(&message), None)
        .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
}

#[tokio::test]
async fn a_freshly_rotated_token_can_be_edited_under_its_own_name() {
    let s = setup().await;
    let rotated = s
        .app
        .call_json::<RotateToken>(json!({ "id": s.id(), "grace": "24h" }), Some(&s.cookie))
        .await;
    let new_id = rotated.json::<Value>()["row"]["id"].as_i64().unwrap();
    let mut form = edit_form("deploy bot", &[]);
    form["scopes"] = json!(["domains:read"]);
    let edited = s
        .app
        .call_json::<EditTokenAccess>(json!({ "id": new_id, "form": form }), Some(&s.cookie))
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert!(edited.json::<String>().contains("Scopes removed"));
}

#[tokio::test]
async fn a_call_refused_by_the_allowlist_neither_starts_the_grace_nor_counts_as_a_use() {
    let app = TestApp::with_config(|config| config.rotation_hour_ms = 1_000).await;
    let s = setup_with(app).await;
    ok(&s
        .app
        .call_form::<SetTokenIpAllowlist>(
            &format!("id={}&ip_allowlist=10.0.0.0%2F8", s.id()),
            Some(&s.cookie),
        )
        .await);
    let rotated = s
        .app
        .call_json::<RotateToken>(json!({ "id": s.id(), "grace": "1h" }), Some(&s.cookie))
        .await;
    let fresh: Value = rotated.json();
    let old_end = s.row(s.id()).await.expires_at;
    let refused = s.me(fresh["token"].as_str().unwrap()).await;
    assert_api_error(
        &refused,
        StatusCode::FORBIDDEN,
        "ip_not_allowed",
        "outsider",
    );
    assert_eq!(
        s.row(s.id()).await.expires_at,
        old_end,
        "the grace did not start"
    );
    let new_row = s.row(fresh["row"]["id"].as_i64().unwrap()).await;
    assert_eq!((new_row.last_used_at, new_row.last_used_ip), (None, None));
}

#[tokio::test]
async fn the_same_expiration_twice_and_the_same_policy_twice_record_one_event() {
    let s = setup().await;
    for _ in 0..2 {
        ok(&s
            .app
            .call_form::<ChangeTokenExpiration>(
                &format!("id={}&expiration=90d", s.id()),
                Some(&s.cookie),
            )
            .await);
    }
    assert_eq!(s.events("token_expiration_changed").await, 1);
    let save = || {
        s.app
            .call_form::<trekmail_tokens::api::lifecycle::SetTokenPolicy>(
                "max_lifetime=180&default_expiration=90d",
                Some(&s.cookie),
            )
    };
    let (first, second) = tokio::join!(save(), save());
    ok(&first);
    ok(&second);
    assert_eq!(s.events("token_policy_changed").await, 1);
}

#[tokio::test]
async fn a_paused_token_cannot_finish_work_it_was_authorised_for() {
    // A verification charge authorised just before the pause reaches the service after it.
    let s = setup().await;
    let account = account_id(&s).await;
    let before = s
        .app
        .count_bound(
            "select verify_credits from account where account_id = $1",
            account,
        )
        .await;
    ok(&s.pause(s.id(), true).await);
    let charged =
        trekmail_tokens::server::account::charge_verification(&s.app.pool, account, 1, s.id())
            .await;
    assert!(
        matches!(
            charged,
            Err(trekmail_tokens::server::account::ChargeError::TokenGone)
        ),
        "{charged:?}"
    );
    assert_eq!(
        s.app
            .count_bound(
                "select verify_credits from account where account_id = $1",
                account
            )
            .await,
        before
    );
}
