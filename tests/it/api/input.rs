//! Bad input: every refusal is a 4xx envelope naming its field, and changes nothing.

use super::*;

/// A request the API must refuse, and how.
struct BadRequest<'a> {
    what: &'a str,
    method: &'a str,
    path: &'a str,
    /// Empty for no body.
    body: String,
    content_type: &'a str,
    status: u16,
    code: &'a str,
    /// The field the error names, if any.
    field: Option<&'a str>,
}

#[tokio::test]
async fn bad_input_gets_a_4xx_envelope_and_changes_nothing() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let mailbox = acme_hello(&app).await;
    let (_, sender) = message_token(&app, &ops, mailbox, &["messages:send"]).await;
    let mint = format!("/api/v1/mailboxes/{mailbox}/message-tokens");
    let ok_send = json!({ "to": ["a@example.org"], "subject": "Hi", "body": { "text": "Hello", "html": null } });
    let with = |patch: Value| {
        let mut body = ok_send.clone();
        for (key, value) in patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        body.to_string()
    };
    let big = format!(
        "{{\"name\": \"{}\", \"scopes\": [\"messages:read\"]}}",
        "a".repeat(3 * 1024 * 1024)
    );
    let long_search = format!("/api/v1/domains?search={}", "a".repeat(300));
    let cases: Vec<BadRequest> = vec![
        BadRequest {
            what: "malformed JSON",
            method: "POST",
            path: &mint,
            body: "{\"name\": ".into(),
            content_type: "application/json",
            status: 400,
            code: "invalid_json",
            field: None,
        },
        BadRequest {
            what: "trailing garbage",
            method: "POST",
            path: &mint,
            body: "{\"name\": \"a\", \"scopes\": [\"messages:read\"]} x".into(),
            content_type: "application/json",
            status: 400,
            code: "invalid_json",
            field: None,
        },
        BadRequest {
            what: "wrong content type",
            method: "POST",
            path: &mint,
            body: "name=a".into(),
            content_type: "application/x-www-form-urlencoded",
            status: 415,
            code: "unsupported_media_type",
            field: None,
        },
        BadRequest {
            what: "no body",
            method: "POST",
            path: &mint,
            body: String::new(),
            content_type: "application/json",
            status: 400,
            code: "invalid_json",
            field: None,
        },
        BadRequest {
            what: "oversized",
            method: "POST",
            path: &mint,
            body: big,
            content_type: "application/json",
            status: 413,
            code: "payload_too_large",
            field: None,
        },
        BadRequest {
            what: "unknown field",
            method: "POST",
            path: &mint,
            body: json!({ "name": "a", "scopes": ["messages:read"], "admin": true }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("admin"),
        },
        BadRequest {
            what: "bad scope",
            method: "POST",
            path: &mint,
            body: json!({ "name": "a", "scopes": ["messages:read", "account:read"] }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("scopes[1]"),
        },
        BadRequest {
            what: "no scopes",
            method: "POST",
            path: &mint,
            body: json!({ "name": "a", "scopes": [] }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("scopes"),
        },
        BadRequest {
            what: "bad expires_in",
            method: "POST",
            path: &mint,
            body: json!({ "name": "a", "scopes": ["messages:read"], "expires_in": "1y" })
                .to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("expires_in"),
        },
        BadRequest {
            what: "long name",
            method: "POST",
            path: &mint,
            body: json!({ "name": "a".repeat(256), "scopes": ["messages:read"] }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("name"),
        },
        BadRequest {
            what: "empty name",
            method: "POST",
            path: &mint,
            body: json!({ "name": "  ", "scopes": ["messages:read"] }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("name"),
        },
        BadRequest {
            what: "scopes not a list",
            method: "POST",
            path: &mint,
            body: json!({ "name": "a", "scopes": "messages:read" }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("scopes"),
        },
        BadRequest {
            what: "bad id",
            method: "POST",
            path: "/api/v1/mailboxes/abc/message-tokens",
            body: json!({ "name": "a", "scopes": ["messages:read"] }).to_string(),
            content_type: "application/json",
            status: 404,
            code: "not_found",
            field: None,
        },
        BadRequest {
            what: "zero id",
            method: "GET",
            path: "/api/v1/mailboxes/0",
            body: String::new(),
            content_type: "application/json",
            status: 404,
            code: "not_found",
            field: None,
        },
        BadRequest {
            what: "negative id",
            method: "DELETE",
            path: "/api/v1/message-tokens/-4",
            body: String::new(),
            content_type: "application/json",
            status: 404,
            code: "not_found",
            field: None,
        },
        BadRequest {
            what: "huge id",
            method: "GET",
            path: "/api/v1/domains/123456789012345678901234567890",
            body: String::new(),
            content_type: "application/json",
            status: 404,
            code: "not_found",
            field: None,
        },
        BadRequest {
            what: "bad page",
            method: "GET",
            path: "/api/v1/domains?page=0",
            body: String::new(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("page"),
        },
        BadRequest {
            what: "bad per_page",
            method: "GET",
            path: "/api/v1/mailboxes?per_page=abc",
            body: String::new(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("per_page"),
        },
        BadRequest {
            what: "bad status",
            method: "GET",
            path: "/api/v1/domains?status=gone",
            body: String::new(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("status"),
        },
        BadRequest {
            what: "long search",
            method: "GET",
            path: &long_search,
            body: String::new(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("search"),
        },
        BadRequest {
            what: "bad mode",
            method: "POST",
            path: "/api/v1/verify",
            body: json!({ "email": "a@example.org", "mode": "slow" }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("mode"),
        },
        BadRequest {
            what: "no email",
            method: "POST",
            path: "/api/v1/verify",
            body: json!({ "mode": "quick" }).to_string(),
            content_type: "application/json",
            status: 422,
            code: "validation_error",
            field: Some("email"),
        },
    ];
    let before = app.snapshot().await;
    let credits = app
        .count("select verify_credits from account where name = 'Acme Pro'")
        .await;
    for case in cases {
        let body = (!case.body.is_empty()).then_some(case.body);
        let response = app
            .api_with(
                case.method,
                case.path,
                Some(&ops),
                body,
                &[("content-type", case.content_type)],
            )
            .await;
        let error = assert_api_error(&response, case.status, case.code, case.what);
        assert_eq!(error["field"].as_str(), case.field, "{}", case.what);
    }
    let sends: Vec<(&str, String, &str)> = vec![
        ("empty payload", "{}".into(), "to"),
        ("no recipients", with(json!({ "to": [] })), "to"),
        (
            "bad recipient",
            with(json!({ "to": ["ok@example.org", "nope"] })),
            "to[1]",
        ),
        (
            "too many recipients",
            with(json!({ "cc": (0..10).map(|n| format!("c{n}@example.org")).collect::<Vec<_>>() })),
            "to",
        ),
        ("no subject", with(json!({ "subject": "" })), "subject"),
        (
            "two-line subject",
            with(json!({ "subject": "a\r\nBcc: x@example.org" })),
            "subject",
        ),
        (
            "no body",
            with(json!({ "body": { "text": null, "html": null } })),
            "body",
        ),
        (
            "body without html key",
            with(json!({ "body": { "text": "x", "extra": 1 } })),
            "body.extra",
        ),
        (
            "managed header",
            with(json!({ "headers": { "From": "ceo@example.org" } })),
            "headers.From",
        ),
        (
            "bad attachment",
            with(
                json!({ "attachments": [{ "filename": "a.pdf", "content_type": "application/pdf", "content_base64": "%%%" }] }),
            ),
            "attachments[0].content_base64",
        ),
        (
            "unknown field",
            with(json!({ "priority": "high" })),
            "priority",
        ),
    ];
    for (what, body, field) in sends {
        let response = app
            .api_with(
                "POST",
                "/api/v1/messages/send",
                Some(&sender),
                Some(body),
                &[],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {}",
            response.body
        );
        assert_eq!(error(&response)["field"], field, "{what}");
    }
    // Sending as an identity, shared mailbox or external account the mailbox does not have
    // names a resource that is not there: 404, like any other missing id.
    for field in ["identity_id", "shared_mailbox_id", "external_account_id"] {
        let response = app
            .api_with(
                "POST",
                "/api/v1/messages/send",
                Some(&sender),
                Some(with(json!({ field: 7 }))),
                &[],
            )
            .await;
        assert_api_error(&response, StatusCode::NOT_FOUND, "not_found", field);
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "no token or audit row changed"
    );
    assert_eq!(
        app.count("select count(*) from message where folder = 'Sent'")
            .await,
        0
    );
    assert_eq!(
        app.count("select verify_credits from account where name = 'Acme Pro'")
            .await,
        credits
    );
}

#[tokio::test]
async fn a_path_id_that_is_not_text_names_nothing() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    for path in ["/api/v1/domains/%FF", "/api/v1/mailboxes/%C3%28/forwarding"] {
        let response = app.api("GET", path, Some(&ops), None).await;
        assert_api_error(&response, StatusCode::NOT_FOUND, "not_found", path);
    }
}

#[tokio::test]
async fn attachments_may_carry_white_space_around_their_name_and_content() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let (_, sender) = message_token(&app, &ops, acme_hello(&app).await, &["messages:send"]).await;
    // What `base64` and many libraries write: a trailing newline.
    let body = json!({ "to": ["a@example.org"], "subject": "Report", "body": { "text": "Attached.", "html": null },
        "attachments": [{ "filename": " report.pdf\n", "content_type": "application/pdf", "content_base64": "SGk=\n" }] });
    let response = app
        .api("POST", "/api/v1/messages/send", Some(&sender), Some(body))
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.body);
}
