//! Hostile input: every bad request gets a clear 4xx and changes nothing.

use crate::support::{acme_hello, assert_api_error, error, message_token, ops_token, TestApp};
use http::{header, StatusCode};
use serde_json::{json, Value};
use trekmail_tokens::api::tokens::{CreateToken, ListTokens, RevokeToken};
use trekmail_tokens::domain::new_token::Field;
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::server::db;

const PRO: &str = "owner@pro.test";
const QUOTED: &str = "\"x victim@localhost alerts@acme-mail.test y\"@example.com";

fn form(name: &str) -> Value {
    crate::support::create_form(name)
}

#[tokio::test]
async fn a_huge_forwarding_list_is_refused_by_the_cap_before_any_address_is_read() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &["mailboxes:forwarding:write"], None).await;
    let mailbox = acme_hello(&app).await;
    // About 2 MiB of targets, as in the review (138,008 of them); the answer is the cap.
    let targets: Vec<String> = (0..138_008).map(|i| format!("t{i}@x.io")).collect();
    let response = app
        .api(
            "PUT",
            &format!("/api/v1/mailboxes/{mailbox}/forwarding"),
            Some(&ops),
            Some(json!({ "enabled": true, "targets": targets })),
        )
        .await;
    assert_api_error(
        &response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "limit_exceeded",
        "",
    );
    assert_eq!(error(&response)["limit"], 15);
}

#[tokio::test]
async fn quoted_local_parts_are_refused_and_lists_cannot_be_split_apart() {
    let app = TestApp::new().await;
    let ops = ops_token(
        &app,
        PRO,
        &[
            "mailboxes:forwarding:read",
            "mailboxes:forwarding:write",
            "mailboxes:message-tokens:manage",
        ],
        None,
    )
    .await;
    let mailbox = acme_hello(&app).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/forwarding");
    let refused = app
        .api(
            "PUT",
            &path,
            Some(&ops),
            Some(json!({ "enabled": true, "targets": [QUOTED] })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&refused)["field"], "targets[0]");
    assert!(error(&refused)["message"]
        .as_str()
        .unwrap()
        .contains("quoted"));

    // What is saved reads back exactly, and forwarding can always be turned off.
    let targets = ["o'brien+ops@example.org", "jürgen@example.de"];
    let saved = app
        .api(
            "PUT",
            &path,
            Some(&ops),
            Some(json!({ "enabled": true, "targets": targets })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let read: Value = app.api("GET", &path, Some(&ops), None).await.json();
    assert_eq!(read["targets"], json!(targets));
    let off = app
        .api("PUT", &path, Some(&ops), Some(json!({ "enabled": false })))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);

    // A recipient cannot smuggle more recipients in either.
    let (_, sender) = message_token(&app, &ops, mailbox, &["messages:send"]).await;
    let before = app.count("select count(*) from message").await;
    let send = app
        .api(
            "POST",
            "/api/v1/messages/send",
            Some(&sender),
            Some(json!({ "to": [QUOTED], "subject": "Hi", "body": { "text": "Hello" } })),
        )
        .await;
    assert_eq!(send.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&send)["field"], "to[0]");
    assert_eq!(app.count("select count(*) from message").await, before);
    let sent = app
        .api(
            "POST",
            "/api/v1/messages/send",
            Some(&sender),
            Some(json!({ "to": ["a@example.org"], "cc": ["b@example.org"], "subject": "Hi", "body": { "text": "Hello" } })),
        )
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let (to, cc): (String, String) = db::query(
        "select to_addresses, cc_addresses from message order by message_id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (to.as_str(), cc.as_str()),
        (r#"["a@example.org"]"#, r#"["b@example.org"]"#)
    );
}

#[tokio::test]
async fn names_with_invisible_or_direction_characters_are_refused_and_uniqueness_is_normalised() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let before = app.snapshot().await;
    for name in [
        "Prod\u{200b}",
        "\u{200b}",
        "backup \u{202e}txt.exe",
        "\u{feff}Prod",
    ] {
        let response = app.call_json::<CreateToken>(form(name), Some(&owner)).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        let AppError::Invalid(errors) = response.app_error() else {
            panic!("{}", response.body)
        };
        assert!(errors.get(Field::Name).is_some(), "{name:?}: {errors:?}");
    }
    assert_eq!(app.snapshot().await, before);
    let first = app
        .call_json::<CreateToken>(form("Caf\u{e9}"), Some(&owner))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let decomposed = app
        .call_json::<CreateToken>(form("Cafe\u{301}"), Some(&owner))
        .await;
    let AppError::Invalid(errors) = decomposed.app_error() else {
        panic!("{}", decomposed.body)
    };
    assert!(errors
        .get(Field::Name)
        .unwrap()
        .contains("already has this name"));
}

#[tokio::test]
async fn malformed_server_function_input_is_a_client_error_never_a_500() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let before = app.snapshot().await;
    let revoke = <RevokeToken as leptos::server_fn::ServerFn>::PATH;
    let list = <ListTokens as leptos::server_fn::ServerFn>::PATH;
    let create = <CreateToken as leptos::server_fn::ServerFn>::PATH;
    let form_type = "application/x-www-form-urlencoded";
    let cases: Vec<(&str, &str, String, StatusCode)> = vec![
        (revoke, form_type, "id=abc".into(), StatusCode::BAD_REQUEST),
        (revoke, form_type, "".into(), StatusCode::BAD_REQUEST),
        (
            list,
            form_type,
            "after=99999999999999999999999".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            create,
            "application/json",
            "{".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            create,
            "application/json",
            "[]".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            create,
            "application/json",
            "x".repeat(3 * 1024 * 1024),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (path, content_type, body, status) in cases {
        let response = app
            .post(path, content_type, body.clone(), Some(&owner))
            .await;
        let shown: String = body.chars().take(40).collect();
        assert_eq!(response.status, status, "{path} {shown}: {}", response.body);
        let error = response.app_error();
        assert!(
            matches!(error, AppError::BadRequest(_) | AppError::TooLarge),
            "{shown}: {error:?}"
        );
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn server_functions_accept_only_their_own_content_type() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let before = app.snapshot().await;
    let create = <CreateToken as leptos::server_fn::ServerFn>::PATH;
    let revoke = <RevokeToken as leptos::server_fn::ServerFn>::PATH;
    for (path, content_type, body) in [
        // JSON sent as text/plain: a request browsers send cross-site without asking first.
        (create, "text/plain", form("csrf").to_string()),
        (
            create,
            "application/x-www-form-urlencoded",
            form("csrf").to_string(),
        ),
        (revoke, "text/plain", "id=1".to_string()),
        (
            revoke,
            "multipart/form-data; boundary=x",
            "id=1".to_string(),
        ),
    ] {
        let response = app.post(path, content_type, body, Some(&owner)).await;
        assert_eq!(
            response.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        assert!(matches!(
            response.app_error(),
            AppError::UnsupportedMediaType(_)
        ));
    }
    assert_eq!(app.snapshot().await, before);
    let with_charset = app
        .post(
            create,
            "application/json; charset=utf-8",
            form("ok").to_string(),
            Some(&owner),
        )
        .await;
    assert_eq!(with_charset.status, StatusCode::OK, "{}", with_charset.body);
}

#[tokio::test]
async fn every_server_function_is_in_the_content_type_table() {
    let table = trekmail_tokens::api::server_fn_content_types();
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    assert!(!registered.is_empty());
    for path in &registered {
        assert!(
            table.contains_key(path.as_str()),
            "{path} is missing from the table"
        );
    }
}

#[tokio::test]
async fn cross_site_checks_fail_closed() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let before = app.snapshot().await;
    let create = <CreateToken as leptos::server_fn::ServerFn>::PATH;
    for headers in [
        vec![("sec-fetch-site", "same-galaxy")],
        vec![("sec-fetch-site", "same-site")],
        // The same host on https is another origin than this http site.
        vec![("origin", "https://127.0.0.1:3000")],
    ] {
        let response = app
            .post_with(
                create,
                "application/json",
                form("x").to_string(),
                Some(&owner),
                &headers,
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(response.app_error(), AppError::CrossSite);
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn every_method_on_the_owner_pages_is_guarded() {
    let app = TestApp::new().await;
    let member = app.sign_in("member@pro.test").await;
    for method in ["HEAD", "GET", "POST"] {
        let request = |cookie: Option<&str>| {
            let mut builder = http::Request::builder()
                .method(method)
                .uri("/agents/tokens")
                .header(header::HOST, "127.0.0.1:3000");
            if let Some(cookie) = cookie {
                builder = builder.header(header::COOKIE, cookie);
            }
            builder.body(axum::body::Body::empty()).unwrap()
        };
        let as_member = app.send(request(Some(&member))).await;
        assert_eq!(as_member.status, StatusCode::FORBIDDEN, "{method}");
        let signed_out = app.send(request(None)).await;
        assert!(
            signed_out.status.is_redirection(),
            "{method}: {}",
            signed_out.status
        );
    }
}

#[tokio::test]
async fn searches_fold_case_beyond_ascii() {
    let app = TestApp::new().await;
    let (lowered,): (String,) = db::query("select lower('MÜLLER Ωmega')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(lowered, "müller ωmega");
    let ops = ops_token(&app, PRO, &["mailboxes:read"], None).await;
    let (domain_id,): (i64,) = db::query("select domain_id from domain where name = 'acme.test'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    db::query("insert into mailbox (domain_id, local_part, created_at) values ($1, 'müller', 0)")
        .bind(domain_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let found: Value = app
        .api(
            "GET",
            "/api/v1/mailboxes?search=M%C3%9CLLER",
            Some(&ops),
            None,
        )
        .await
        .json();
    assert_eq!(found["meta"]["total"], 1, "{found}");
}
