//! Adding, listing, testing and deleting endpoints: the secret shown once, bad input refused
//! naming its field and changing nothing, private addresses refused without the flag, other
//! accounts' endpoints a 404, members refused.

use super::*;
use trekmail_tokens::api::webhooks::{DeleteWebhook, GetWebhook, SendTestWebhook};
use trekmail_tokens::model::webhooks::EndpointDetail;

const OWNER: &str = "owner@pro.test";

#[tokio::test]
async fn adding_an_endpoint_shows_its_secret_once_and_audits_it() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(OWNER).await;
    let added = add_endpoint(
        &app,
        &cookie,
        "https://hooks.example.com/trekmail",
        &["token.created", "token.leaked"],
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(added.headers["cache-control"], "no-store");
    let (secret,): (String,) = db::query("select secret from webhook_endpoint")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(secret.starts_with("whsec_"));
    assert!(added.body.contains(&secret), "the reveal shows the secret");
    for page in ["/agents/webhooks", "/agents/webhooks/1"] {
        let shown = app.get(page, Some(&cookie)).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}");
        assert!(
            shown.body.contains("https://hooks.example.com/trekmail"),
            "{page}"
        );
        assert!(
            !shown.body.contains(&secret),
            "{page} never shows the secret again"
        );
    }
    let (action, detail): (String, String) =
        db::query("select action, detail from audit_event order by audit_event_id desc limit 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(action, "webhook_added");
    assert_eq!(
        detail,
        "https://hooks.example.com/trekmail · token.created, token.leaked"
    );
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field_and_change_nothing() {
    let app = TestApp::with_config(|config| config.webhooks_allow_private = false).await;
    let cookie = app.sign_in(OWNER).await;
    let before = app.snapshot().await;
    for (url, events, needle) in [
        (
            "ftp://example.com/hook",
            &["token.created"][..],
            "Only http:// and https://",
        ),
        (
            "https://example.com/hook",
            &[][..],
            "Choose at least one event",
        ),
        (
            "https://example.com/hook",
            &["token.deleted"][..],
            "not an event you can subscribe to",
        ),
        (
            "https://127.0.0.1:9000/hook",
            &["token.created"][..],
            "private or loopback",
        ),
        (
            "http://hooks.example.com/",
            &["token.created"][..],
            "Use an https:// URL",
        ),
        (
            "https://169.254.169.254/latest",
            &["token.created"][..],
            "private or loopback",
        ),
        (
            "https://user:pw@example.com/",
            &["token.created"][..],
            "user name and password",
        ),
        ("", &["token.created"][..], "Enter the URL"),
    ] {
        let refused = add_endpoint(&app, &cookie, url, events).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(refused.body.contains(needle), "{url}: {needle}");
        assert!(
            refused.body.contains("aria-invalid") && !refused.body.contains("whsec_"),
            "{url}"
        );
    }
    assert_eq!(app.count("select count(*) from webhook_endpoint").await, 0);
    assert_eq!(app.snapshot().await, before, "no audit event either");
}

#[tokio::test]
async fn an_account_has_at_most_twenty_endpoints() {
    let app = TestApp::new().await;
    let cookie = app.sign_in(OWNER).await;
    for n in 0..webhooks::MAX_ENDPOINTS {
        let url = format!("https://hooks.example.com/{n}");
        assert_eq!(
            add_endpoint(&app, &cookie, &url, &["token.created"])
                .await
                .status,
            StatusCode::OK
        );
    }
    let refused = add_endpoint(
        &app,
        &cookie,
        "https://hooks.example.com/x",
        &["token.created"],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("20 webhook endpoints"));
    assert_eq!(app.count("select count(*) from webhook_endpoint").await, 20);
}

#[tokio::test]
async fn other_accounts_endpoints_are_not_found_and_members_are_refused() {
    let app = TestApp::new().await;
    let created = endpoint(
        &app,
        OWNER,
        "https://hooks.example.com/a",
        &["token.created"],
    )
    .await;
    let id = created.row.id;
    let other = app.sign_in("owner@agency.test").await;
    for response in [
        app.call_form::<GetWebhook>(&format!("id={id}"), Some(&other))
            .await,
        app.call_form::<SendTestWebhook>(&format!("id={id}"), Some(&other))
            .await,
        app.call_form::<DeleteWebhook>(&format!("id={id}"), Some(&other))
            .await,
    ] {
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{}", response.body);
    }
    assert_eq!(
        app.get(&format!("/agents/webhooks/{id}"), Some(&other))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let member = app.sign_in("member@pro.test").await;
    assert_eq!(
        app.call_form::<GetWebhook>(&format!("id={id}"), Some(&member))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/agents/webhooks", Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        add_endpoint(
            &app,
            &member,
            "https://hooks.example.com/b",
            &["token.created"]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/agents/webhooks", None).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("select count(*) from webhook_endpoint").await, 1);
    assert_eq!(app.count("select count(*) from webhook_delivery").await, 0);
}

#[tokio::test]
async fn a_test_event_is_delivered_and_shown_with_its_attempt() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    let created = endpoint(&app, OWNER, &receiver.url, &["token.revoked"]).await;
    let cookie = app.sign_in(OWNER).await;
    let id = created.row.id;
    let sent = app
        .call_form::<SendTestWebhook>(&format!("id={id}"), Some(&cookie))
        .await;
    assert!(
        sent.status.is_success() || sent.status.is_redirection(),
        "{}",
        sent.body
    );
    assert_eq!(deliver_at(&app, now()).await, 1);
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["type"], "webhook.test");
    let detail: EndpointDetail = app
        .call_form::<GetWebhook>(&format!("id={id}"), Some(&cookie))
        .await
        .json();
    let delivery = &detail.deliveries[0];
    assert_eq!(delivery.event, "webhook.test");
    assert_eq!(delivery.state.label(), "Delivered");
    assert_eq!(delivery.attempts.len(), 1);
    assert_eq!(delivery.attempts[0].status, Some(204));
    let page = app
        .get(&format!("/agents/webhooks/{id}"), Some(&cookie))
        .await;
    assert!(page.body.contains("webhook.test") && page.body.contains("HTTP 204"));
    // One test on its way at a time.
    let form = format!("id={id}");
    let first = app.call_form::<SendTestWebhook>(&form, Some(&cookie)).await;
    assert!(first.status.is_success() || first.status.is_redirection());
    let second = app.call_form::<SendTestWebhook>(&form, Some(&cookie)).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert_eq!(
        app.count("select count(*) from webhook_delivery where next_attempt_at is not null")
            .await,
        1
    );
}

#[tokio::test]
async fn deleting_an_endpoint_drops_its_pending_deliveries_and_is_audited() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(&[]).await;
    let created = endpoint(&app, OWNER, &receiver.url, &["token.created"]).await;
    ops_token(&app, OWNER, &["domains:read"], None).await;
    assert_eq!(app.count("select count(*) from webhook_delivery").await, 1);
    let cookie = app.sign_in(OWNER).await;
    let deleted = app
        .call_form::<DeleteWebhook>(&format!("id={}", created.row.id), Some(&cookie))
        .await;
    assert!(
        deleted.status.is_success() || deleted.status.is_redirection(),
        "{}",
        deleted.body
    );
    assert_eq!(deliver_at(&app, now()).await, 0);
    assert!(receiver.got().is_empty());
    assert_eq!(app.count("select count(*) from webhook_delivery").await, 0);
    assert_eq!(
        app.count("select count(*) from audit_event where action = 'webhook_removed'")
            .await,
        1
    );
    let again = app
        .call_form::<DeleteWebhook>(&format!("id={}", created.row.id), Some(&cookie))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
