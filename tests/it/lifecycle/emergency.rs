//! "Revoke all…": every live token of the account, or every token that can reach one domain;
//! the account's name confirms it; one event per token and one summary.

use super::{create, ok, setup};
use crate::support::{acme_hello, message_token};
use http::StatusCode;
use serde_json::json;
use trekmail_tokens::api::lifecycle::{EmergencyRevoke, EmergencyTarget, ListEmergencyTargets};
use trekmail_tokens::model::error::AppError;

#[tokio::test]
async fn revoking_by_domain_takes_what_reaches_it_and_nothing_else() {
    let s = setup().await;
    let acme = s
        .app
        .count_bound_text("select domain_id from domain where name = $1", "acme.test")
        .await;
    let shop = s
        .app
        .count_bound_text(
            "select domain_id from domain where name = $1",
            "acme-shop.test",
        )
        .await;
    let only_acme = create(
        &s.app,
        &s.cookie,
        "acme only",
        json!({ "domain_mode": "selected", "domain_ids": [acme] }),
    )
    .await;
    let only_shop = create(
        &s.app,
        &s.cookie,
        "shop only",
        json!({ "domain_mode": "selected", "domain_ids": [shop] }),
    )
    .await;
    let mailbox = acme_hello(&s.app).await;
    let (message_id, _) =
        message_token(&s.app, &only_acme.token, mailbox, &["messages:read"]).await;

    let targets: Vec<EmergencyTarget> = s
        .app
        .call_form::<ListEmergencyTargets>(&format!("scope=domain&domain={acme}"), Some(&s.cookie))
        .await
        .json();
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["deploy bot", "acme only", "Support agent"]);

    // The wrong name, a foreign domain and an unknown scope are refused; nothing changes.
    let before = s.app.snapshot().await;
    let wrong = s
        .app
        .call_form::<EmergencyRevoke>(
            &format!("scope=domain&domain={acme}&confirmation=acme"),
            Some(&s.cookie),
        )
        .await;
    let AppError::Invalid(errors) = wrong.app_error() else {
        panic!("{}", wrong.body)
    };
    assert!(errors.get("confirmation").unwrap().contains("Acme Pro"));
    let agency = s
        .app
        .count_bound_text(
            "select domain_id from domain where name = $1",
            "agency.test",
        )
        .await;
    let foreign = s
        .app
        .call_form::<EmergencyRevoke>(
            &format!("scope=domain&domain={agency}&confirmation=Acme+Pro"),
            Some(&s.cookie),
        )
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        foreign.body
    );
    let unknown = s
        .app
        .call_form::<EmergencyRevoke>("scope=everything&confirmation=Acme+Pro", Some(&s.cookie))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.app.snapshot().await, before);

    ok(&s
        .app
        .call_form::<EmergencyRevoke>(
            &format!("scope=domain&domain={acme}&confirmation=Acme+Pro"),
            Some(&s.cookie),
        )
        .await);
    for (id, revoked) in [
        (s.id(), true),
        (only_acme.row.id, true),
        (message_id, true),
        (only_shop.row.id, false),
    ] {
        let status = s.row(id).await.status;
        assert_eq!(
            status == trekmail_tokens::domain::status::TokenStatus::Revoked,
            revoked,
            "{id}"
        );
    }
    assert_eq!(s.events("token_revoked").await, 2);
    assert_eq!(s.events("message_token_revoked").await, 1);
    assert_eq!(s.events("emergency_revoke").await, 1);
    assert!(s
        .detail("emergency_revoke")
        .await
        .contains("acme.test: 3 tokens"));
    assert_eq!(s.me(&only_shop.token).await.status, StatusCode::OK);
    assert_eq!(
        s.me(&only_acme.token).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn revoking_everything_takes_every_live_token_of_the_account_only() {
    let s = setup().await;
    let second = create(&s.app, &s.cookie, "second", json!({})).await;
    let other_owner = s.app.sign_in("owner@agency.test").await;
    let other = create(
        &s.app,
        &other_owner,
        "theirs",
        json!({ "scopes": ["domains:read"] }),
    )
    .await;
    ok(&s
        .app
        .call_form::<EmergencyRevoke>("scope=all&confirmation=Acme+Pro", Some(&s.cookie))
        .await);
    assert_eq!(s.me(&s.token.token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.me(&second.token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.me(&other.token).await.status, StatusCode::OK);
    assert_eq!(s.events("emergency_revoke").await, 1);
    // Nothing left: a second run revokes nothing and records nothing.
    ok(&s
        .app
        .call_form::<EmergencyRevoke>("scope=all&confirmation=Acme+Pro", Some(&s.cookie))
        .await);
    assert_eq!(s.events("emergency_revoke").await, 1);
}
