//! The REST API over the real router and a real SQLite database: authentication, the access
//! table, domain constraints, plan changes, message tokens, idempotency, last used, rate limits,
//! bad input and the OpenAPI document.

use crate::support::{
    acme_hello, acme_shop_orders, code, error, error_without_id, id, message_token, ops_token,
    TestApp, CLIENT_IP,
};
use http::StatusCode;
use serde_json::{json, Value};
use trekmail_tokens::api::tokens::{CreateToken, RevokeToken};
use trekmail_tokens::domain::token::TokenKind;
use trekmail_tokens::server::rest::access::{Needs, ENDPOINTS};

const PRO: &str = "owner@pro.test";
const ALL_PRO_OPS_SCOPES: &[&str] = &[
    "account:read",
    "domains:read",
    "mailboxes:read",
    "mailboxes:forwarding:read",
    "mailboxes:forwarding:write",
    "mailboxes:message-tokens:manage",
    "verify:read",
    "verify:write",
    "drive:addon:read",
];

#[tokio::test]
async fn every_kind_of_invalid_token_gets_401_with_the_bearer_challenge() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    let mut bad_checksum = token.clone();
    let last = bad_checksum.pop().unwrap();
    bad_checksum.push(if last == 'A' { 'B' } else { 'A' });
    let unknown = trekmail_tokens::server::secrets::new_token(TokenKind::Ops);
    let cases: Vec<(&str, Option<String>, Option<&str>)> = vec![
        ("missing", None, None),
        ("wrong scheme", None, Some("Basic dXNlcjpwYXNz")),
        ("not a token", Some("hello".into()), None),
        ("bad checksum", Some(bad_checksum), None),
        ("unknown", Some(unknown.expose().to_string()), None),
        (
            "absurdly long",
            Some(format!("{token}{}", "x".repeat(10_000))),
            None,
        ),
    ];
    for (what, bearer, raw_header) in cases {
        let headers: Vec<(&str, &str)> = raw_header
            .map(|h| vec![("authorization", h)])
            .unwrap_or_default();
        let response = app
            .api_with("GET", "/api/v1/me", bearer.as_deref(), None, &headers)
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            response.body
        );
        assert_eq!(code(&response), "invalid_token", "{what}");
        let challenge = response.headers["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#),
            "{what}"
        );
    }
    let checksum = app
        .api(
            "GET",
            "/api/v1/me",
            Some(&format!("{}x", &token[..token.len() - 1])),
            None,
        )
        .await;
    assert!(
        error(&checksum)["message"]
            .as_str()
            .unwrap()
            .contains("checksum"),
        "{}",
        checksum.body
    );

    // Expired one second ago.
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
    sqlx::query("update api_token set expires_at = $1")
        .bind(chrono::Utc::now().timestamp_millis() - 1000)
        .execute(&app.pool)
        .await
        .unwrap();
    let expired = app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(error(&expired)["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn the_first_request_after_a_dashboard_revoke_is_refused() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
    let cookie = app.sign_in(PRO).await;
    let token_id = id(&app, "select max(api_token_id) from api_token").await;
    let revoked = app
        .call_form::<RevokeToken>(&format!("id={token_id}"), Some(&cookie))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let response = app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(error(&response)["message"]
        .as_str()
        .unwrap()
        .contains("revoked"));
}

#[tokio::test]
async fn request_ids_are_echoed_or_made_and_every_reply_is_uncacheable_json() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    let echoed = app
        .api_with(
            "GET",
            "/api/v1/me",
            Some(&token),
            None,
            &[("x-request-id", "3f1c9a54-aaaa-4bbb-8ccc-123456789abc")],
        )
        .await;
    assert_eq!(
        echoed.headers["x-request-id"],
        "3f1c9a54-aaaa-4bbb-8ccc-123456789abc"
    );
    assert_eq!(echoed.headers["cache-control"], "no-store");
    let refused = app
        .api_with(
            "GET",
            "/api/v1/account",
            None,
            None,
            &[("x-request-id", "abc-123")],
        )
        .await;
    assert_eq!(error(&refused)["request_id"], "abc-123");
    let made = app.api("GET", "/api/v1/me", None, None).await;
    let made_id = made.headers["x-request-id"].to_str().unwrap();
    assert_eq!(made_id.len(), 36);
    assert_eq!(error(&made)["request_id"], made_id);
    let oversized_id = "x".repeat(500);
    let replaced = app
        .api_with(
            "GET",
            "/api/v1/me",
            None,
            None,
            &[("x-request-id", &oversized_id)],
        )
        .await;
    assert_ne!(replaced.headers["x-request-id"], oversized_id.as_str());

    // Endpoints we do not serve answer a JSON 404 (TrekMail's adapter expects it for the tools
    // whose endpoints are not ours).
    for (method, path) in [
        ("GET", "/api/v1/nope"),
        ("GET", "/api/v1/drive/addon/pricing"),
        ("GET", "/api/v1"),
    ] {
        let response = app.api(method, path, Some(&token), None).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(code(&response), "not_found");
    }
    // A method a route lacks is a 405 naming those it serves, before any token is looked at.
    for (method, path, allow) in [
        ("POST", "/api/v1/message-tokens/1", "PATCH, DELETE"),
        ("DELETE", "/api/v1/me", "GET, HEAD"),
        ("PUT", "/api/v1/messages/send", "POST"),
    ] {
        for token in [Some(token.as_str()), None] {
            let response = app.api(method, path, token, None).await;
            assert_eq!(
                response.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(response.headers["allow"], allow, "{method} {path}");
            assert_eq!(code(&response), "method_not_allowed");
            let listed: Vec<String> = allow.split(", ").map(String::from).collect();
            assert_eq!(error(&response)["allowed_methods"], json!(listed));
        }
    }
}

#[tokio::test]
async fn me_reports_the_token_and_its_effective_scopes_at_the_top_level() {
    let app = TestApp::new().await;
    let acme = id(
        &app,
        "select domain_id from domain where name = 'acme.test'",
    )
    .await;
    let token = ops_token(&app, PRO, &["account:read", "domains:read"], Some(&[acme])).await;
    let me: Value = app
        .api("GET", "/api/v1/me", Some(&token), None)
        .await
        .json();
    assert_eq!(
        me["capabilities"]["effective_scopes"],
        json!(["account:read", "domains:read"])
    );
    assert_eq!(me["kind"], "ops");
    assert_eq!(me["prefix"], &token[..16]);
    assert_eq!(
        me["domain_constraint"],
        json!([{ "id": acme, "name": "acme.test" }])
    );
    assert_eq!(me["account"]["plan"], "pro");
    assert!(me["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        !me.to_string().contains(&token),
        "the plaintext never comes back"
    );

    let ops = ops_token(&app, PRO, &["mailboxes:message-tokens:manage"], None).await;
    let mailbox = acme_hello(&app).await;
    let (_, message) = message_token(&app, &ops, mailbox, &["messages:read"]).await;
    let me: Value = app
        .api("GET", "/api/v1/messages/_me", Some(&message), None)
        .await
        .json();
    assert_eq!(me["kind"], "message");
    assert_eq!(
        me["capabilities"]["effective_scopes"],
        json!(["messages:read"])
    );
    assert_eq!(me["mailbox"]["address"], "hello@acme.test");
}

#[tokio::test]
async fn every_endpoint_checks_its_scope_and_token_kind_from_the_table() {
    let app = TestApp::new().await;
    // A Pro token with a scope no endpoint below needs.
    let ops = ops_token(&app, PRO, &["tickets:read"], None).await;
    let manage = ops_token(&app, PRO, &["mailboxes:message-tokens:manage"], None).await;
    let mailbox = acme_hello(&app).await;
    let (_, message) = message_token(&app, &manage, mailbox, &["messages:write"]).await;
    for endpoint in ENDPOINTS {
        let path = endpoint.path.replace("{id}", &mailbox.to_string());
        let method = endpoint.method.as_str();
        let body = (method != "GET" && method != "DELETE").then(|| json!({}));
        let (right, wrong) = match endpoint.token {
            TokenKind::Ops => (&ops, &message),
            TokenKind::Message => (&message, &ops),
        };
        let wrong_kind = app.api(method, &path, Some(wrong), body.clone()).await;
        assert_eq!(wrong_kind.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(code(&wrong_kind), "wrong_token_type", "{method} {path}");
        let response = app.api(method, &path, Some(right), body).await;
        match endpoint.needs {
            Needs::AnyScope => assert_eq!(response.status, StatusCode::OK, "{method} {path}"),
            Needs::Scope(grant) => {
                let scope = grant.name();
                assert_eq!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path}: {}",
                    response.body
                );
                assert_eq!(code(&response), "insufficient_scope");
                assert_eq!(error(&response)["required_scopes"], json!([scope]));
                assert!(error(&response)["message"]
                    .as_str()
                    .unwrap()
                    .contains(scope));
            }
            // messages:write alone may list messages.
            Needs::OneOf(_) => assert_eq!(response.status, StatusCode::OK, "{method} {path}"),
        }
    }
}

#[tokio::test]
async fn a_domain_constrained_token_sees_only_its_domains_and_404s_the_rest() {
    let app = TestApp::new().await;
    let acme = id(
        &app,
        "select domain_id from domain where name = 'acme.test'",
    )
    .await;
    let shop = id(
        &app,
        "select domain_id from domain where name = 'acme-shop.test'",
    )
    .await;
    let token = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, Some(&[acme])).await;
    let full = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;

    let domains: Value = app
        .api("GET", "/api/v1/domains", Some(&token), None)
        .await
        .json();
    assert_eq!(domains["data"].as_array().unwrap().len(), 1);
    assert_eq!(domains["data"][0]["name"], "acme.test");
    assert_eq!(domains["meta"]["total"], 1);
    let all: Value = app
        .api("GET", "/api/v1/domains", Some(&full), None)
        .await
        .json();
    assert_eq!(all["meta"]["total"], 3);

    let mailboxes: Value = app
        .api("GET", "/api/v1/mailboxes", Some(&token), None)
        .await
        .json();
    let addresses: Vec<&str> = mailboxes["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["billing@acme.test", "hello@acme.test", "support@acme.test"]
    );

    let orders = acme_shop_orders(&app).await;
    let missing = app
        .api("GET", "/api/v1/domains/999999", Some(&token), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let paths = [
        format!("/api/v1/domains/{shop}"),
        format!("/api/v1/mailboxes/{orders}"),
        format!("/api/v1/mailboxes/{orders}/forwarding"),
        format!("/api/v1/mailboxes/{orders}/message-tokens"),
        format!("/api/v1/mailboxes?domain_id={shop}"),
    ];
    for path in &paths {
        let hidden = app.api("GET", path, Some(&token), None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            error_without_id(&hidden),
            error_without_id(&missing),
            "{path}: same body as a missing id"
        );
        assert_eq!(
            app.api("GET", path, Some(&full), None).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let before = app.snapshot().await;
    let create = app
        .api(
            "POST",
            &format!("/api/v1/mailboxes/{orders}/message-tokens"),
            Some(&token),
            Some(json!({ "name": "x", "scopes": ["messages:read"] })),
        )
        .await;
    assert_eq!(create.status, StatusCode::NOT_FOUND);
    let forward = app
        .api(
            "PUT",
            &format!("/api/v1/mailboxes/{orders}/forwarding"),
            Some(&token),
            Some(json!({ "enabled": false, "keep_copy": true })),
        )
        .await;
    assert_eq!(forward.status, StatusCode::NOT_FOUND);
    // A message token on another domain cannot be revoked through the constrained token.
    let (other_message, _) = message_token(&app, &full, orders, &["messages:read"]).await;
    let after_mint = app.snapshot().await;
    let revoke = app
        .api(
            "DELETE",
            &format!("/api/v1/message-tokens/{other_message}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NOT_FOUND);
    assert_eq!(error_without_id(&revoke), error_without_id(&missing));
    assert_eq!(app.snapshot().await, after_mint);
    assert_eq!(after_mint.0, before.0 + 1);
}

#[tokio::test]
async fn a_plan_downgrade_takes_scopes_away_at_once() {
    let app = TestApp::new().await;
    let token = ops_token(
        &app,
        PRO,
        &["mailboxes:read", "mailboxes:forwarding:write"],
        None,
    )
    .await;
    let manage = ops_token(&app, PRO, &["mailboxes:message-tokens:manage"], None).await;
    let mailbox = acme_hello(&app).await;
    let (_, message) = message_token(&app, &manage, mailbox, &["messages:read"]).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/forwarding");
    let body = json!({ "enabled": true, "targets": ["team@example.org"], "keep_copy": true });
    assert_eq!(
        app.api("PUT", &path, Some(&token), Some(body.clone()))
            .await
            .status,
        StatusCode::OK
    );

    sqlx::query("update account set plan = 'starter' where name = 'Acme Pro'")
        .execute(&app.pool)
        .await
        .unwrap();
    let refused = app.api("PUT", &path, Some(&token), Some(body)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The adapter knows this code and tells the agent to check the plan.
    assert_eq!(code(&refused), "token_scope_blocked_by_plan");
    assert_eq!(
        error(&refused)["required_scopes"],
        json!(["mailboxes:forwarding:write"])
    );
    assert_eq!(error(&refused)["plan"], "Starter");
    let me: Value = app
        .api("GET", "/api/v1/me", Some(&token), None)
        .await
        .json();
    assert_eq!(
        me["capabilities"]["effective_scopes"],
        json!(["mailboxes:read"])
    );
    assert_eq!(
        me["scopes"],
        json!(["mailboxes:read", "mailboxes:forwarding:write"])
    );
    // Message tokens need Pro or Agency.
    let messages = app
        .api("GET", "/api/v1/messages", Some(&message), None)
        .await;
    assert_eq!(messages.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&messages), "feature_not_available");
    let me: Value = app
        .api("GET", "/api/v1/messages/_me", Some(&message), None)
        .await
        .json();
    assert_eq!(me["capabilities"]["effective_scopes"], json!([]));

    sqlx::query("update account set plan = 'pro' where name = 'Acme Pro'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/messages", Some(&message), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn forwarding_validates_every_target_and_the_plan_cap() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let mailbox = acme_hello(&app).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/forwarding");
    let initial: Value = app.api("GET", &path, Some(&token), None).await.json();
    assert_eq!(
        initial,
        json!({ "mailbox_id": mailbox, "address": "hello@acme.test", "enabled": false, "targets": [], "keep_copy": true, "destination_limit": 15 })
    );

    let saved = app.api("PUT", &path, Some(&token), Some(json!({ "enabled": true, "targets": ["Ops@Example.ORG", "me@company.io"], "keep_copy": false }))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let expected = json!({ "mailbox_id": mailbox, "address": "hello@acme.test", "enabled": true, "targets": ["Ops@example.org", "me@company.io"], "keep_copy": false, "destination_limit": 15 });
    assert_eq!(saved.json::<Value>(), expected);

    let too_many: Vec<String> = (0..16).map(|n| format!("t{n}@example.org")).collect();
    let bad_bodies = [
        (
            json!({ "enabled": true, "targets": ["ok@example.org", "not an address"], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets[1]"),
        ),
        (
            json!({ "enabled": true, "targets": ["hello@acme.test"], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets[0]"),
        ),
        (
            json!({ "enabled": true, "targets": ["a@example.org", "A@example.org"], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets[1]"),
        ),
        (
            json!({ "enabled": true, "targets": too_many, "keep_copy": true }),
            422,
            "limit_exceeded",
            Some("targets"),
        ),
        (
            json!({ "enabled": true, "targets": [], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets"),
        ),
        (
            json!({ "enabled": "yes", "keep_copy": true }),
            422,
            "validation_error",
            Some("enabled"),
        ),
        (
            json!({ "keep_copy": true }),
            422,
            "validation_error",
            Some("enabled"),
        ),
        (
            json!({ "enabled": true, "targets": ["a@example.org"], "keep_copy": true, "mode": "x" }),
            422,
            "validation_error",
            Some("mode"),
        ),
    ];
    for (body, status, expected_code, field) in bad_bodies {
        let response = app
            .api("PUT", &path, Some(&token), Some(body.clone()))
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{body}: {}",
            response.body
        );
        assert_eq!(code(&response), expected_code, "{body}");
        assert_eq!(error(&response)["field"].as_str(), field, "{body}");
    }
    assert_eq!(
        app.api("GET", &path, Some(&token), None)
            .await
            .json::<Value>(),
        expected,
        "nothing changed"
    );

    // Disabling without targets keeps them for later.
    let off: Value = app
        .api(
            "PUT",
            &path,
            Some(&token),
            Some(json!({ "enabled": false, "keep_copy": true })),
        )
        .await
        .json();
    assert_eq!(off["enabled"], false);
    assert_eq!(off["targets"], json!(["Ops@example.org", "me@company.io"]));
}

#[tokio::test]
async fn message_tokens_live_through_the_api_and_show_in_the_dashboard_and_audit_log() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let mailbox = acme_hello(&app).await;
    let created = app
        .api("POST", &format!("/api/v1/mailboxes/{mailbox}/message-tokens"), Some(&ops), Some(json!({ "name": "Inbox bot", "scopes": ["messages:send", "messages:read"], "expires_in": "7d" })))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created: Value = created.json();
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("tm_msg_"));
    assert_eq!(created["prefix"], &token[..15]);
    assert_eq!(created["scopes"], json!(["messages:read", "messages:send"]));
    assert!(created["expires_at"].is_string());
    let id = created["id"].as_i64().unwrap();

    let list = app
        .api(
            "GET",
            &format!("/api/v1/mailboxes/{mailbox}/message-tokens?per_page=20"),
            Some(&ops),
            None,
        )
        .await;
    assert!(!list.body.contains(&token), "never the plaintext");
    let list: Value = list.json();
    assert_eq!(list["data"][0]["id"], id);
    assert_eq!(list["data"][0]["status"], "active");
    assert_eq!(list["meta"]["total"], 1);
    let too_big = app
        .api(
            "GET",
            &format!("/api/v1/mailboxes/{mailbox}/message-tokens?per_page=21"),
            Some(&ops),
            None,
        )
        .await;
    assert_eq!(code(&too_big), "validation_error");
    assert_eq!(error(&too_big)["field"], "per_page");

    // The token reads its mailbox, newest first, page by page.
    let first: Value = app
        .api("GET", "/api/v1/messages?limit=3", Some(&token), None)
        .await
        .json();
    let messages = first["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["subject"], "Disk usage above 80% on web-2");
    assert_eq!(first["pagination"]["has_more"], true);
    let next = first["pagination"]["next_before_uid"].as_i64().unwrap();
    let second: Value = app
        .api(
            "GET",
            &format!("/api/v1/messages?limit=50&before_uid={next}"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(second["messages"].as_array().unwrap().len(), 4);
    assert_eq!(second["pagination"]["has_more"], false);
    let unread: Value = app
        .api(
            "GET",
            "/api/v1/messages?unread_only=true&search=order+%238812",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(unread["messages"].as_array().unwrap().len(), 1);
    assert_eq!(unread["messages"][0]["from"], "li.wei@customer.example");

    // It sends, and the message is stored as queued in Sent.
    let sent = app
        .api("POST", "/api/v1/messages/send", Some(&token), Some(json!({ "to": ["li.wei@customer.example"], "subject": "Your order #8812", "body": { "text": "It ships today.", "html": null } })))
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    assert_eq!(sent.json::<Value>()["status"], "queued");
    let outbox: Value = app
        .api("GET", "/api/v1/messages?folder=Sent", Some(&token), None)
        .await
        .json();
    assert_eq!(outbox["messages"][0]["subject"], "Your order #8812");
    assert_eq!(outbox["messages"][0]["from"], "hello@acme.test");

    // The dashboard lists it under its mailbox; the audit log names the ops token.
    let cookie = app.sign_in(PRO).await;
    let page = app.get("/agents/tokens", Some(&cookie)).await;
    assert!(
        page.body.contains("Message token for hello@acme.test"),
        "dashboard shows it"
    );
    let actor: (String, String) = sqlx::query_as(
        "select action, actor from audit_event order by audit_event_id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(actor.0, "message_token_created");
    assert!(actor.1.starts_with("API token \"token "), "{}", actor.1);

    // Revoked: permanent, idempotent, and the next request fails.
    let revoked = app
        .api(
            "DELETE",
            &format!("/api/v1/message-tokens/{id}"),
            Some(&ops),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let revoked: Value = revoked.json();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(
        app.api("GET", "/api/v1/messages", Some(&token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let events = app
        .count("select count(*) from audit_event where action = 'message_token_revoked'")
        .await;
    assert_eq!(events, 1);
    let again = app
        .api(
            "DELETE",
            &format!("/api/v1/message-tokens/{id}"),
            Some(&ops),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json::<Value>()["revoked_at"], revoked["revoked_at"]);
    assert_eq!(
        app.count("select count(*) from audit_event where action = 'message_token_revoked'")
            .await,
        1
    );
    // An ops token is not a message token.
    let ops_id = app.count("select min(api_token_id) from api_token").await;
    assert_eq!(
        app.api(
            "DELETE",
            &format!("/api/v1/message-tokens/{ops_id}"),
            Some(&ops),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_message_token_can_be_narrowed_but_never_widened() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &["mailboxes:message-tokens:manage"], None).await;
    let mailbox = acme_hello(&app).await;
    let (id, token) = message_token(&app, &ops, mailbox, &["messages:read", "messages:send"]).await;
    let path = format!("/api/v1/message-tokens/{id}");
    let before = app.snapshot().await;
    for (body, field) in [
        (json!({}), "name"),
        (json!({ "scopes": ["messages:write"] }), "scopes[0]"),
        (json!({ "scopes": [] }), "scopes"),
        (json!({ "expires_in": "90d" }), "expires_in"),
        (json!({ "expires_in": "never" }), "expires_in"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": "x", "admin": true }), "admin"),
    ] {
        let response = app
            .api("PATCH", &path, Some(&ops), Some(body.clone()))
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&response)["field"], field, "{body}");
        assert_eq!(error(&response)["errors"][0]["field"], field, "{body}");
    }
    // Nothing to change names every field that could have changed it.
    let empty = app.api("PATCH", &path, Some(&ops), Some(json!({}))).await;
    let envelope = error(&empty);
    let fields: Vec<&str> = envelope["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "scopes", "expires_in"]);
    assert_eq!(app.snapshot().await, before);

    let narrowed = app
        .api("PATCH", &path, Some(&ops), Some(json!({ "scopes": ["messages:read"], "expires_in": "1h", "name": "Read-only agent" })))
        .await;
    assert_eq!(narrowed.status, StatusCode::OK, "{}", narrowed.body);
    let narrowed: Value = narrowed.json();
    assert_eq!(narrowed["scopes"], json!(["messages:read"]));
    assert_eq!(narrowed["name"], "Read-only agent");
    let send = json!({ "to": ["a@example.org"], "subject": "Hi", "body": { "text": "Hello", "html": null } });
    assert_eq!(
        code(
            &app.api("POST", "/api/v1/messages/send", Some(&token), Some(send))
                .await
        ),
        "insufficient_scope"
    );
    assert_eq!(
        app.count("select count(*) from audit_event where action = 'message_token_narrowed'")
            .await,
        1
    );

    app.api("DELETE", &path, Some(&ops), None).await;
    let gone = app
        .api("PATCH", &path, Some(&ops), Some(json!({ "name": "y" })))
        .await;
    assert_eq!(gone.status, StatusCode::CONFLICT);
    assert_eq!(code(&gone), "token_not_active");
}

#[tokio::test]
async fn message_token_scopes_decide_what_it_may_do() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &["mailboxes:message-tokens:manage"], None).await;
    let mailbox = acme_hello(&app).await;
    let (_, reader) = message_token(&app, &ops, mailbox, &["messages:read"]).await;
    let (_, sender) = message_token(&app, &ops, mailbox, &["messages:send"]).await;
    let send = json!({ "to": ["a@example.org"], "subject": "Hi", "body": { "text": "Hello", "html": null } });
    let refused = app
        .api(
            "POST",
            "/api/v1/messages/send",
            Some(&reader),
            Some(send.clone()),
        )
        .await;
    assert_eq!(code(&refused), "insufficient_scope");
    assert_eq!(error(&refused)["required_scopes"], json!(["messages:send"]));
    let cannot_read = app
        .api("GET", "/api/v1/messages", Some(&sender), None)
        .await;
    assert_eq!(code(&cannot_read), "insufficient_scope");
    assert_eq!(
        error(&cannot_read)["required_scopes"],
        json!(["messages:read", "messages:write"])
    );
    assert_eq!(
        app.api("POST", "/api/v1/messages/send", Some(&sender), Some(send))
            .await
            .status,
        StatusCode::ACCEPTED
    );

    // Starter cannot hold the manage scope at all.
    let starter_cookie = app.sign_in("owner@starter.test").await;
    let response = app
        .call_json::<CreateToken>(json!({ "form": { "name": "x", "expiration": "7d", "expiration_date": "", "scopes": ["mailboxes:message-tokens:manage"], "domain_mode": "all", "domain_ids": [] }}), Some(&starter_cookie))
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// (what, method, path, body, content type, expected status, code, field)
type BadRequest<'a> = (
    &'a str,
    &'a str,
    &'a str,
    String,
    &'a str,
    u16,
    &'a str,
    Option<&'a str>,
);

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
        (
            "malformed JSON",
            "POST",
            &mint,
            "{\"name\": ".into(),
            "application/json",
            400,
            "invalid_json",
            None,
        ),
        (
            "trailing garbage",
            "POST",
            &mint,
            "{\"name\": \"a\", \"scopes\": [\"messages:read\"]} x".into(),
            "application/json",
            400,
            "invalid_json",
            None,
        ),
        (
            "wrong content type",
            "POST",
            &mint,
            "name=a".into(),
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "no body",
            "POST",
            &mint,
            String::new(),
            "application/json",
            400,
            "invalid_json",
            None,
        ),
        (
            "oversized",
            "POST",
            &mint,
            big,
            "application/json",
            413,
            "payload_too_large",
            None,
        ),
        (
            "unknown field",
            "POST",
            &mint,
            json!({ "name": "a", "scopes": ["messages:read"], "admin": true }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("admin"),
        ),
        (
            "bad scope",
            "POST",
            &mint,
            json!({ "name": "a", "scopes": ["messages:read", "account:read"] }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("scopes[1]"),
        ),
        (
            "no scopes",
            "POST",
            &mint,
            json!({ "name": "a", "scopes": [] }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("scopes"),
        ),
        (
            "bad expires_in",
            "POST",
            &mint,
            json!({ "name": "a", "scopes": ["messages:read"], "expires_in": "1y" }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("expires_in"),
        ),
        (
            "long name",
            "POST",
            &mint,
            json!({ "name": "a".repeat(256), "scopes": ["messages:read"] }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("name"),
        ),
        (
            "empty name",
            "POST",
            &mint,
            json!({ "name": "  ", "scopes": ["messages:read"] }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("name"),
        ),
        (
            "scopes not a list",
            "POST",
            &mint,
            json!({ "name": "a", "scopes": "messages:read" }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("scopes"),
        ),
        (
            "bad id",
            "POST",
            "/api/v1/mailboxes/abc/message-tokens",
            json!({ "name": "a", "scopes": ["messages:read"] }).to_string(),
            "application/json",
            404,
            "not_found",
            None,
        ),
        (
            "zero id",
            "GET",
            "/api/v1/mailboxes/0",
            String::new(),
            "application/json",
            404,
            "not_found",
            None,
        ),
        (
            "negative id",
            "DELETE",
            "/api/v1/message-tokens/-4",
            String::new(),
            "application/json",
            404,
            "not_found",
            None,
        ),
        (
            "huge id",
            "GET",
            "/api/v1/domains/123456789012345678901234567890",
            String::new(),
            "application/json",
            404,
            "not_found",
            None,
        ),
        (
            "bad page",
            "GET",
            "/api/v1/domains?page=0",
            String::new(),
            "application/json",
            422,
            "validation_error",
            Some("page"),
        ),
        (
            "bad per_page",
            "GET",
            "/api/v1/mailboxes?per_page=abc",
            String::new(),
            "application/json",
            422,
            "validation_error",
            Some("per_page"),
        ),
        (
            "bad status",
            "GET",
            "/api/v1/domains?status=gone",
            String::new(),
            "application/json",
            422,
            "validation_error",
            Some("status"),
        ),
        (
            "long search",
            "GET",
            &long_search,
            String::new(),
            "application/json",
            422,
            "validation_error",
            Some("search"),
        ),
        (
            "bad mode",
            "POST",
            "/api/v1/verify",
            json!({ "email": "a@example.org", "mode": "slow" }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("mode"),
        ),
        (
            "no email",
            "POST",
            "/api/v1/verify",
            json!({ "mode": "quick" }).to_string(),
            "application/json",
            422,
            "validation_error",
            Some("email"),
        ),
    ];
    let before = app.snapshot().await;
    let credits = app
        .count("select verify_credits from account where name = 'Acme Pro'")
        .await;
    for (what, method, path, body, content_type, status, expected_code, field) in cases {
        let body = (!body.is_empty()).then_some(body);
        let response = app
            .api_with(
                method,
                path,
                Some(&ops),
                body,
                &[("content-type", content_type)],
            )
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{what}: {}",
            &response.body[..response.body.len().min(300)]
        );
        assert_eq!(code(&response), expected_code, "{what}");
        assert_eq!(error(&response)["field"].as_str(), field, "{what}");
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
            "unknown identity",
            with(json!({ "identity_id": 7 })),
            "identity_id",
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
async fn idempotency_keys_replay_the_first_reply_for_24_hours() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let mailbox = acme_hello(&app).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/message-tokens");
    let body = json!({ "name": "Agent", "scopes": ["messages:read"] }).to_string();
    let key = [(
        "idempotency-key",
        "mcp_create_message_token_0123456789abcdef0123456789abcdef",
    )];
    let first = app
        .api_with("POST", &path, Some(&ops), Some(body.clone()), &key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let tokens = app.count("select count(*) from api_token").await;
    let replay = app
        .api_with("POST", &path, Some(&ops), Some(body.clone()), &key)
        .await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(
        app.count("select count(*) from api_token").await,
        tokens,
        "not created twice"
    );
    let mut original: Value = first.json();
    assert!(original.as_object_mut().unwrap().remove("token").is_some());
    let mut replayed: Value = replay.json();
    let notice = replayed.as_object_mut().unwrap().remove("notice").unwrap();
    assert!(
        notice.as_str().unwrap().contains("shown only once")
            && notice.as_str().unwrap().contains("mint a new one"),
        "says plainly why the token is missing and what to do: {notice}"
    );
    assert_eq!(replayed, original, "same reply, without the plaintext");
    let stored = app.count("select count(*) from idempotency_record where response_body like '%tm_msg_%' and response_body like '%\"token\"%'").await;
    assert_eq!(stored, 0, "the plaintext is never stored");

    let other =
        json!({ "name": "Agent", "scopes": ["messages:read"], "expires_in": "7d" }).to_string();
    let reused = app
        .api_with("POST", &path, Some(&ops), Some(other), &key)
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&reused), "idempotency_key_reused");
    assert_eq!(app.count("select count(*) from api_token").await, tokens);

    // Keys belong to a token: another token with the same key acts.
    let other_ops = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let tokens = app.count("select count(*) from api_token").await;
    assert_eq!(
        app.api_with("POST", &path, Some(&other_ops), Some(body.clone()), &key)
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.count("select count(*) from api_token").await,
        tokens + 1
    );

    // A refused request is not stored: the client can fix it and reuse the key.
    let fix_key = [("idempotency-key", "fix-me-1")];
    let bad = app
        .api_with(
            "POST",
            &path,
            Some(&ops),
            Some(json!({ "name": "", "scopes": ["messages:read"] }).to_string()),
            &fix_key,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.api_with("POST", &path, Some(&ops), Some(body.clone()), &fix_key)
            .await
            .status,
        StatusCode::CREATED
    );

    // Older than 24 hours: forgotten.
    sqlx::query("update idempotency_record set created_at = created_at - 86400001")
        .execute(&app.pool)
        .await
        .unwrap();
    let tokens = app.count("select count(*) from api_token").await;
    let fresh = app
        .api_with("POST", &path, Some(&ops), Some(body), &key)
        .await;
    assert_eq!(fresh.status, StatusCode::CREATED);
    assert!(fresh.json::<Value>()["token"].is_string());
    assert_eq!(
        app.count("select count(*) from api_token").await,
        tokens + 1
    );

    // DELETE with a key, and a key that is not a header-safe string.
    let id = fresh.json::<Value>()["id"].as_i64().unwrap();
    let delete_key = [("idempotency-key", "7b0f3c1e-0000-4000-8000-000000000001")];
    let revoke = app
        .api_with(
            "DELETE",
            &format!("/api/v1/message-tokens/{id}"),
            Some(&ops),
            None,
            &delete_key,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK);
    let replayed = app
        .api_with(
            "DELETE",
            &format!("/api/v1/message-tokens/{id}"),
            Some(&ops),
            None,
            &delete_key,
        )
        .await;
    assert_eq!(replayed.body, revoke.body);
    let long_key = "k".repeat(300);
    let bad_key = app
        .api_with(
            "DELETE",
            &format!("/api/v1/message-tokens/{id}"),
            Some(&ops),
            None,
            &[("idempotency-key", &long_key)],
        )
        .await;
    assert_eq!(error(&bad_key)["field"], "Idempotency-Key");
}

#[tokio::test]
async fn last_used_is_recorded_at_most_once_a_minute() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    let last_used = || async {
        let row: (Option<i64>, Option<String>) = sqlx::query_as(
            "select last_used_at, last_used_ip from api_token order by api_token_id desc limit 1",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        row
    };
    assert_eq!(last_used().await, (None, None));
    app.api("GET", "/api/v1/account", Some(&token), None).await;
    let (at, ip) = last_used().await;
    let ip_text = std::net::Ipv4Addr::from(CLIENT_IP).to_string();
    assert_eq!(ip.as_deref(), Some(ip_text.as_str()));
    let now = chrono::Utc::now().timestamp_millis();
    assert!(now - at.unwrap() < 5_000);

    // 30 seconds ago: not written again. Two minutes ago: refreshed.
    sqlx::query("update api_token set last_used_at = $1, last_used_ip = '198.51.100.1'")
        .bind(now - 30_000)
        .execute(&app.pool)
        .await
        .unwrap();
    app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        last_used().await,
        (Some(now - 30_000), Some("198.51.100.1".into()))
    );
    sqlx::query("update api_token set last_used_at = $1")
        .bind(now - 120_000)
        .execute(&app.pool)
        .await
        .unwrap();
    app.api("GET", "/api/v1/me", Some(&token), None).await;
    let (at, ip) = last_used().await;
    assert!(at.unwrap() >= now);
    assert_eq!(ip.as_deref(), Some(ip_text.as_str()));
}

#[tokio::test]
async fn each_token_has_its_own_rate_limit() {
    let app = TestApp::with_config(|config| config.api_rate_limit = 3).await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    let other = ops_token(&app, PRO, &["account:read"], None).await;
    for _ in 0..3 {
        assert_eq!(
            app.api("GET", "/api/v1/me", Some(&token), None)
                .await
                .status,
            StatusCode::OK
        );
    }
    let limited = app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code(&limited), "rate_limited");
    let retry_after = error(&limited)["retry_after"].as_u64().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert_eq!(
        limited.headers["retry-after"].to_str().unwrap(),
        retry_after.to_string()
    );
    assert_eq!(error(&limited)["retryable"], true);
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&other), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn nano_tokens_verify_addresses_and_spend_credits() {
    let app = TestApp::new().await;
    let token = ops_token(
        &app,
        "owner@nano.test",
        &["verify:read", "verify:write"],
        None,
    )
    .await;
    let credits: Value = app
        .api("GET", "/api/v1/verify/credits", Some(&token), None)
        .await
        .json();
    assert_eq!(credits["credits_remaining"], 1000);
    let quick: Value = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "jane@company.io" })),
        )
        .await
        .json();
    assert_eq!(quick["status"], "valid");
    assert_eq!(quick["credits_charged"], 1);
    let deep: Value = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "jane@gmial.com", "mode": "deep" })),
        )
        .await
        .json();
    assert_eq!(deep["status"], "risky");
    assert_eq!(deep["did_you_mean"], "jane@gmail.com");
    assert_eq!(deep["credits_remaining"], 997);
    let invalid: Value = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "not-an-address" })),
        )
        .await
        .json();
    assert_eq!(invalid["status"], "invalid");
    assert_eq!(invalid["score"], 0);
    // Nano has no Drive without the add-on, and no account:read.
    for path in ["/api/v1/account", "/api/v1/drive/addon"] {
        assert_eq!(
            code(&app.api("GET", path, Some(&token), None).await),
            "insufficient_scope"
        );
    }
    sqlx::query("update account set verify_credits = 1 where name = 'Nano Co'")
        .execute(&app.pool)
        .await
        .unwrap();
    let broke = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "a@company.io", "mode": "deep" })),
        )
        .await;
    // Not a plan code: the adapter would blame the subscription.
    assert_eq!(code(&broke), "insufficient_credits");
    assert_eq!(
        app.count("select verify_credits from account where name = 'Nano Co'")
            .await,
        1
    );

    let drive = ops_token(&app, "owner@nano-drive.test", &["drive:addon:read"], None).await;
    let addon: Value = app
        .api("GET", "/api/v1/drive/addon", Some(&drive), None)
        .await
        .json();
    assert_eq!(addon["active"], true);
    assert_eq!(addon["size_gb"], 100);
    assert_eq!(addon["in_grace"], false);
}

#[tokio::test]
async fn account_reports_plan_limits_and_usage() {
    let app = TestApp::new().await;
    let token = ops_token(&app, "owner@agency.test", &["account:read"], None).await;
    let account: Value = app
        .api("GET", "/api/v1/account", Some(&token), None)
        .await
        .json();
    assert_eq!(account["plan"], "agency");
    assert_eq!(account["limits"]["forwarding_targets_per_mailbox"], 30);
    assert_eq!(account["usage"]["domains"], 2);
    assert_eq!(account["usage"]["mailboxes"], 4);
    assert_eq!(account["usage"]["active_ops_tokens"], 1);
}

#[tokio::test]
async fn searches_are_case_insensitive_and_take_wildcards_literally() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["domains:read", "mailboxes:read"], None).await;
    let total = |path: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let body: Value = app.api("GET", path, Some(&token), None).await.json();
            body["meta"]["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total("/api/v1/domains?search=ACME").await, 3);
    assert_eq!(total("/api/v1/domains?search=acme-shop").await, 1);
    assert_eq!(
        total("/api/v1/domains?search=%25").await,
        0,
        "% is not a wildcard"
    );
    assert_eq!(
        total("/api/v1/domains?search=acme_shop").await,
        0,
        "_ is not a wildcard"
    );
    assert_eq!(total("/api/v1/mailboxes?search=hello%40acme").await, 1);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_scope() {
    let app = TestApp::new().await;
    let response = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    // `make test` then checks this file against the OpenAPI 3.1 schema (openapi-spec-validator).
    std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/openapi.json"),
        &response.body,
    )
    .unwrap();
    let document: Value = response.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let endpoint = ENDPOINTS
                .iter()
                .find(|e| e.method.as_str().eq_ignore_ascii_case(method) && e.path == path)
                .unwrap_or_else(|| {
                    panic!("{method} {path} is documented but not in the access table")
                });
            let security = operation["security"].to_string();
            match endpoint.needs {
                Needs::AnyScope => assert!(security.contains("token")),
                needs => assert!(
                    needs.names().iter().all(|s| security.contains(s)),
                    "{method} {path}: {security}"
                ),
            }
        }
    }
    assert_eq!(
        operations,
        ENDPOINTS.len(),
        "every route is documented, and only those"
    );
    for endpoint in ENDPOINTS {
        let item = &paths[endpoint.path];
        assert!(
            item[endpoint.method.as_str().to_lowercase()].is_object(),
            "{} {}",
            endpoint.method,
            endpoint.path
        );
    }
}
