//! "Edit access": rename, scopes within the plan, domains; the secret stays; the next API call
//! sees it; before and after are audited; bad input changes nothing.

use super::{create, setup, Setup};
use crate::support::{acme_hello, assert_api_error, message_token};
use http::StatusCode;
use serde_json::{json, Value};
use trekmail_tokens::api::lifecycle::EditTokenAccess;
use trekmail_tokens::model::error::AppError;

async fn edit(s: &Setup, id: i64, form: Value) -> crate::support::Response {
    let mut full = json!({
        "name": "deploy bot",
        "expiration": "",
        "expiration_date": "",
        "scopes": ["domains:read", "mailboxes:read", "mailboxes:message-tokens:manage"],
        "domain_mode": "all",
        "domain_ids": [],
    });
    for (key, value) in form.as_object().unwrap() {
        full[key] = value.clone();
    }
    s.app
        .call_json::<EditTokenAccess>(json!({ "id": id, "form": full }), Some(&s.cookie))
        .await
}

async fn domain_id(s: &Setup, name: &str) -> i64 {
    s.app
        .count_bound_text("select domain_id from domain where name = $1", name)
        .await
}

#[tokio::test]
async fn access_changes_without_a_new_secret_and_the_next_call_sees_it() {
    let s = setup().await;
    let secret = s.token.token.clone();
    let acme = domain_id(&s, "acme.test").await;
    let before: Value = s.me(&secret).await.json();
    assert_eq!(before["domain_constraint"], Value::Null);

    let response = edit(
        &s,
        s.id(),
        json!({ "name": "deploy bot (acme)", "scopes": ["domains:read", "verify:read"], "domain_mode": "selected", "domain_ids": [acme] }),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let changes: String = response.json();
    for says in [
        "Name: deploy bot → deploy bot (acme)",
        "Scopes added: verify:read",
        "Scopes removed: mailboxes:read, mailboxes:message-tokens:manage",
        "Domains: all domains → acme.test",
    ] {
        assert!(changes.contains(says), "{changes}");
    }
    assert_eq!(s.detail("token_access_changed").await, changes);

    let after: Value = s.me(&secret).await.json();
    assert_eq!(after["name"], "deploy bot (acme)");
    assert_eq!(after["scopes"], json!(["domains:read", "verify:read"]));
    assert_eq!(after["domain_constraint"][0]["name"], "acme.test");
    let dropped = s
        .app
        .api("GET", "/api/v1/mailboxes", Some(&secret), None)
        .await;
    assert_api_error(
        &dropped,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
        "scope removed",
    );

    // The same again changes nothing and records nothing.
    let same = edit(
        &s,
        s.id(),
        json!({ "name": "deploy bot (acme)", "scopes": ["domains:read", "verify:read"], "domain_mode": "selected", "domain_ids": [acme] }),
    )
    .await;
    assert_eq!(same.json::<String>(), "");
    assert_eq!(s.events("token_access_changed").await, 1);
}

#[tokio::test]
async fn bad_edits_are_refused_next_to_their_field_and_change_nothing() {
    let s = setup().await;
    let other = create(&s.app, &s.cookie, "taken name", json!({})).await;
    let foreign_domain = domain_id(&s, "agency.test").await;
    let before = (s.app.snapshot().await, s.row(s.id()).await);
    for (form, field) in [
        (json!({ "name": "  " }), "name"),
        (json!({ "name": "taken name" }), "name"),
        (json!({ "scopes": [] }), "scopes"),
        (json!({ "scopes": ["root:all"] }), "scopes"),
        (
            json!({ "domain_mode": "selected", "domain_ids": [] }),
            "domains",
        ),
        (
            json!({ "domain_mode": "selected", "domain_ids": [foreign_domain] }),
            "domains",
        ),
    ] {
        let response = edit(&s, s.id(), form.clone()).await;
        let AppError::Invalid(errors) = response.app_error() else {
            panic!("{form}: {}", response.body)
        };
        assert!(errors.get(field).is_some(), "{form}: {errors:?}");
    }
    // Scopes beyond the plan: the Nano plan has no mailbox scopes.
    let nano = s.app.sign_in("owner@nano.test").await;
    let nano_token = create(&s.app, &nano, "nano", json!({ "scopes": ["verify:read"] })).await;
    let widened = s
        .app
        .call_json::<EditTokenAccess>(
            json!({ "id": nano_token.row.id, "form": { "name": "nano", "expiration": "", "expiration_date": "",
                "scopes": ["verify:read", "mailboxes:read"], "domain_mode": "all", "domain_ids": [] } }),
            Some(&nano),
        )
        .await;
    let AppError::Invalid(errors) = widened.app_error() else {
        panic!("{}", widened.body)
    };
    assert!(errors
        .get("scopes")
        .unwrap()
        .contains("not available on your plan"));
    // Another account's token looks like none at all.
    let foreign = s
        .app
        .call_json::<EditTokenAccess>(
            json!({ "id": other.row.id, "form": { "name": "x", "expiration": "", "expiration_date": "",
                "scopes": ["verify:read"], "domain_mode": "all", "domain_ids": [] } }),
            Some(&nano),
        )
        .await;
    assert_eq!(foreign.app_error(), AppError::NotFound);
    let after = (s.app.snapshot().await, s.row(s.id()).await);
    assert_eq!(
        (after.0 .0 - 1, after.0 .1, after.0 .2 - 1, after.1),
        (before.0 .0, before.0 .1, before.0 .2, before.1)
    );
}

#[tokio::test]
async fn narrowing_the_domains_revokes_message_tokens_minted_outside_them() {
    let s = setup().await;
    let mailbox = acme_hello(&s.app).await;
    let (_, message) = message_token(&s.app, &s.token.token, mailbox, &["messages:read"]).await;
    let shop = domain_id(&s, "acme-shop.test").await;
    let response = edit(
        &s,
        s.id(),
        json!({ "domain_mode": "selected", "domain_ids": [shop] }),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(response
        .json::<String>()
        .contains("1 message token it minted outside its new domains: revoked"));
    let refused = s
        .app
        .api("GET", "/api/v1/messages/_me", Some(&message), None)
        .await;
    assert_api_error(
        &refused,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "orphaned message token",
    );
    assert_eq!(s.events("message_token_revoked").await, 1);
}
