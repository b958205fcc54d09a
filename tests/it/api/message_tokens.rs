//! Message tokens: minting, listing, narrowing, revoking, and what their scopes allow.

use super::*;
use trekmail_tokens::server::db;

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
    let actor: (String, String) =
        db::query("select action, actor from audit_event order by audit_event_id desc limit 1")
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
    let ops_id = app
        .count("select min(api_token_id) from api_token where kind = 'ops' and account_id = (select account_id from account where name = 'Acme Pro')")
        .await;
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
    // A malformed request is a 422; a well-formed one that would widen the token as it is now
    // conflicts with it: 409.
    let (invalid, validation): (u16, &str) = (422, "validation_error");
    for (body, status, code, field) in [
        (json!({}), invalid, validation, "name"),
        (
            json!({ "scopes": ["messages:write"] }),
            409u16,
            "token_cannot_widen",
            "scopes[0]",
        ),
        (
            json!({ "scopes": ["messages:read", "admin"] }),
            invalid,
            validation,
            "scopes[1]",
        ),
        (json!({ "scopes": [] }), invalid, validation, "scopes"),
        (
            json!({ "expires_in": "90d" }),
            409,
            "token_cannot_widen",
            "expires_in",
        ),
        (
            json!({ "expires_in": "never" }),
            invalid,
            validation,
            "expires_in",
        ),
        (json!({ "name": "" }), invalid, validation, "name"),
        (json!({ "name": null }), invalid, validation, "name"),
        (
            json!({ "name": "x", "admin": true }),
            invalid,
            validation,
            "admin",
        ),
    ] {
        let response = app
            .api("PATCH", &path, Some(&ops), Some(body.clone()))
            .await;
        let error = assert_api_error(&response, status, code, &body.to_string());
        assert_eq!(error["field"], field, "{body}");
        assert_eq!(error["errors"][0]["field"], field, "{body}");
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
    assert_api_error(&gone, StatusCode::CONFLICT, "token_not_active", "");
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
