//! Leak reports: `POST /api/v1/credentials/revoke` without a token revokes every live secret in
//! it, answers the same whatever it held, refuses oversized or malformed reports without changing
//! anything, and limits each address.

use super::*;

const REPORT: &str = "/api/v1/credentials/revoke";

async fn report(app: &TestApp, credentials: Value) -> crate::support::Response {
    app.api(
        "POST",
        REPORT,
        None,
        Some(json!({ "credentials": credentials })),
    )
    .await
}

#[tokio::test]
async fn a_reported_secret_is_revoked_at_once_with_what_it_minted() {
    let app = TestApp::new().await;
    let ops = ops_token(
        &app,
        "owner@pro.test",
        &["mailboxes:message-tokens:manage"],
        None,
    )
    .await;
    let hello = acme_hello(&app).await;
    let (_, minted) = message_token(&app, &ops, hello, &["messages:read"]).await;
    let other = ops_token(&app, "owner@pro.test", &["domains:read"], None).await;

    let reported = report(
        &app,
        json!([format!("  {ops}  "), "tm_live_not-a-token", 42.to_string()]),
    )
    .await;
    assert_eq!(reported.status, StatusCode::ACCEPTED, "{}", reported.body);
    for secret in [&ops, &minted] {
        let refused = app.api("GET", "/api/v1/me", Some(secret), None).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&other), None)
            .await
            .status,
        StatusCode::OK,
        "a token not in the report keeps working"
    );
    let (actor, ip, detail): (String, String, String) = trekmail_tokens::server::db::query(
        "select actor, ip, detail from audit_event where action = 'token_revoked'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(actor, "Leak report");
    assert_eq!(ip, std::net::Ipv4Addr::from(CLIENT_IP).to_string());
    assert_eq!(detail, "Reported leaked");
    assert_eq!(
        app.count("select count(*) from audit_event where action = 'message_token_revoked' and detail = 'Revoked with the reported token that minted it'")
            .await,
        1
    );
    // The owner is told on the Tokens page.
    let owner = app.sign_in("owner@pro.test").await;
    let page = app.get("/agents/tokens", Some(&owner)).await;
    assert!(
        page.body
            .contains("2 tokens were revoked after a leak report"),
        "banner"
    );
}

#[tokio::test]
async fn the_reply_is_the_same_whatever_the_report_held() {
    let app = TestApp::new().await;
    let live = ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    let unknown = trekmail_tokens::domain::token::TokenSecret::from_random_body(
        TokenKind::Ops,
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )
    .unwrap()
    .expose()
    .to_string();
    let mut bodies = Vec::new();
    for credentials in [
        json!([live]),
        json!([unknown]),
        json!(["garbage"]),
        json!([]),
    ] {
        let reply = report(&app, credentials).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        bodies.push(reply.body);
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "{bodies:?}"
    );
}

#[tokio::test]
async fn an_oversized_or_malformed_report_changes_nothing() {
    let app = TestApp::new().await;
    let live = ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    let before = (
        app.count("select count(*) from api_token where revoked_at is not null")
            .await,
        app.count("select count(*) from audit_event").await,
    );
    let mut many: Vec<String> = (0..100).map(|n| format!("tm_live_{n}")).collect();
    many.push(live.clone());
    let oversized = report(&app, json!(many)).await;
    let error = assert_api_error(
        &oversized,
        StatusCode::UNPROCESSABLE_ENTITY,
        "limit_exceeded",
        "101 credentials",
    );
    assert_eq!(error["field"], "credentials");
    let not_strings = report(&app, json!([1, 2])).await;
    assert!(not_strings.status.is_client_error(), "{}", not_strings.body);
    let wrong_shape = app
        .api("POST", REPORT, None, Some(json!({ "tokens": [live] })))
        .await;
    assert!(wrong_shape.status.is_client_error());
    let not_json = app
        .api_with(
            "POST",
            REPORT,
            None,
            Some(live.clone()),
            &[("content-type", "text/plain")],
        )
        .await;
    assert_api_error(
        &not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "text",
    );
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&live), None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        before,
        (
            app.count("select count(*) from api_token where revoked_at is not null")
                .await,
            app.count("select count(*) from audit_event").await,
        )
    );
}

#[tokio::test]
async fn each_address_may_send_ten_reports_a_minute() {
    let app = TestApp::new().await;
    // 21 reports span at most two clock minutes, so at least one is refused whenever it runs.
    let mut statuses = Vec::new();
    for _ in 0..21 {
        statuses.push(report(&app, json!(["garbage"])).await.status);
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(refused >= 1, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::ACCEPTED || *s == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(statuses[0], StatusCode::ACCEPTED);
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_64_not_by_each_address() {
    let app = TestApp::with_config(|config| config.trust_proxy = true).await;
    let body = json!({ "credentials": ["garbage"] }).to_string();
    let mut statuses = Vec::new();
    // A new address of one /64 for each report: 21 span at most two clock minutes.
    for n in 1..=21 {
        let ip = format!("2001:db8:1:2::{n:x}");
        let response = app
            .api_with(
                "POST",
                REPORT,
                None,
                Some(body.clone()),
                &[("x-forwarded-for", &ip)],
            )
            .await;
        statuses.push(response.status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Another /64 still may.
    let other = app
        .api_with(
            "POST",
            REPORT,
            None,
            Some(body),
            &[("x-forwarded-for", "2001:db8:1:3::1")],
        )
        .await;
    assert_eq!(other.status, StatusCode::ACCEPTED);
}
