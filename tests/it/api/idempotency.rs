//! Idempotency-Key replays.

use super::*;
use trekmail_tokens::server::db;

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
    assert_api_error(
        &reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "",
    );
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
    db::query("update idempotency_record set created_at = created_at - 86400001")
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
