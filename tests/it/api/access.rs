//! Tokens at the door: authentication, request ids, the access table, plans, last used and rate limits.

use super::*;
use trekmail_tokens::server::db;

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
    // The last character changed (to one it is not: a fixed replacement would leave the token
    // intact when it already ended so, one run in 62).
    let mut changed = token.clone();
    let last = changed.pop().unwrap();
    changed.push(if last == 'x' { 'y' } else { 'x' });
    let checksum = app.api("GET", "/api/v1/me", Some(&changed), None).await;
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
    db::query("update api_token set expires_at = $1")
        .bind(chrono::Utc::now().timestamp_millis() - 1000)
        .execute(&app.pool)
        .await
        .unwrap();
    // Edited behind the app's back: announce it, as every write through the app does.
    trekmail_tokens::server::db::note_write();
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

/// The verified-token cache never outlives a revocation: eight clients call the API all along
/// with the token (so its cache entry is warm and reads are in flight while the revoke
/// commits), and no request that started after the revoke was acknowledged is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_started_after_a_revoke_was_acknowledged_is_accepted() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    let app = TestApp::with_config(|config| config.api_rate_limit = 100_000).await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    let cookie = app.sign_in(PRO).await;
    let token_id = id(&app, "select max(api_token_id) from api_token").await;
    let (acknowledged, done) = (AtomicBool::new(false), AtomicBool::new(false));
    let client = |_| async {
        let (mut before, mut after, mut accepted_after) = (0, 0, 0);
        while !done.load(SeqCst) {
            let started_after = acknowledged.load(SeqCst);
            let status = app
                .api("GET", "/api/v1/me", Some(&token), None)
                .await
                .status;
            if started_after {
                after += 1;
                accepted_after += usize::from(status == StatusCode::OK);
            } else {
                before += 1;
            }
            // A call answered from the cache never waits, so let the others (and the revoke) run.
            tokio::task::yield_now().await;
        }
        (before, after, accepted_after)
    };
    let revoker = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let revoked = app
            .call_form::<RevokeToken>(&format!("id={token_id}"), Some(&cookie))
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        acknowledged.store(true, SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        done.store(true, SeqCst);
    };
    let (clients, ()) = tokio::join!(futures::future::join_all((0..8).map(client)), revoker);
    let before: usize = clients.iter().map(|c| c.0).sum();
    let after: usize = clients.iter().map(|c| c.1).sum();
    let accepted_after: usize = clients.iter().map(|c| c.2).sum();
    assert!(
        before > 8 && after > 8,
        "{before} calls before, {after} after"
    );
    assert_eq!(accepted_after, 0, "of {after} calls after the revoke");
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
        assert_api_error(
            &response,
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("{method} {path}"),
        );
    }
    // A method a route lacks is a 405 naming those it serves, before any token is looked at.
    for (method, path, allow) in [
        ("POST", "/api/v1/message-tokens/1", "PATCH, DELETE"),
        ("DELETE", "/api/v1/me", "GET, HEAD"),
        ("PUT", "/api/v1/messages/send", "POST"),
    ] {
        for token in [Some(token.as_str()), None] {
            let response = app.api(method, path, token, None).await;
            let what = format!("{method} {path}");
            let error = assert_api_error(
                &response,
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                &what,
            );
            assert_eq!(response.headers["allow"], allow, "{what}");
            let listed: Vec<String> = allow.split(", ").map(String::from).collect();
            assert_eq!(error["allowed_methods"], json!(listed), "{what}");
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
        assert_api_error(
            &wrong_kind,
            StatusCode::FORBIDDEN,
            "wrong_token_type",
            &format!("{method} {path}"),
        );
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

    db::query("update account set plan = 'starter' where name = 'Acme Pro'")
        .execute(&app.pool)
        .await
        .unwrap();
    // Edited behind the app's back: announce it, as every write through the app does.
    trekmail_tokens::server::db::note_write();
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
    assert_api_error(
        &messages,
        StatusCode::FORBIDDEN,
        "feature_not_available",
        "",
    );
    let me: Value = app
        .api("GET", "/api/v1/messages/_me", Some(&message), None)
        .await
        .json();
    assert_eq!(me["capabilities"]["effective_scopes"], json!([]));

    db::query("update account set plan = 'pro' where name = 'Acme Pro'")
        .execute(&app.pool)
        .await
        .unwrap();
    // Edited behind the app's back: announce it, as every write through the app does.
    trekmail_tokens::server::db::note_write();
    assert_eq!(
        app.api("GET", "/api/v1/messages", Some(&message), None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn last_used_is_recorded_at_most_once_a_minute() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["account:read"], None).await;
    let last_used = || async {
        let row: (Option<i64>, Option<String>) = db::query(
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
    db::query("update api_token set last_used_at = $1, last_used_ip = '198.51.100.1'")
        .bind(now - 30_000)
        .execute(&app.pool)
        .await
        .unwrap();
    // Edited behind the app's back: announce it, as every write through the app does.
    trekmail_tokens::server::db::note_write();
    app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        last_used().await,
        (Some(now - 30_000), Some("198.51.100.1".into()))
    );
    db::query("update api_token set last_used_at = $1")
        .bind(now - 120_000)
        .execute(&app.pool)
        .await
        .unwrap();
    // Edited behind the app's back: announce it, as every write through the app does.
    trekmail_tokens::server::db::note_write();
    app.api("GET", "/api/v1/me", Some(&token), None).await;
    let (at, ip) = last_used().await;
    assert!(at.unwrap() >= now);
    assert_eq!(ip.as_deref(), Some(ip_text.as_str()));
}

#[tokio::test]
async fn each_token_has_its_own_rate_limit() {
    // The budget is per clock minute: start well inside one, so the four calls share it.
    while trekmail_tokens::server::db::now_ms() % 60_000 > 50_000 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
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
    assert_api_error(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited", "");
    let retry_after = error(&limited)["retry_after"].as_u64().unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "the rest of the minute: {retry_after}"
    );
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

/// Two limiters over one database are two app servers: each adds its requests to the shared
/// count and reads the others' back, so one token's budget holds across both (up to what one
/// server admits between two readings, README "Several app servers").
#[tokio::test]
async fn servers_sharing_the_database_share_each_tokens_budget() {
    use trekmail_tokens::server::rest::rate_limit::ApiRateLimiter;
    let app = TestApp::new().await;
    let token_id = id(&app, "select min(api_token_id) from api_token").await;
    let (a, b) = (
        ApiRateLimiter::per_minute(4, app.pool.clone()),
        ApiRateLimiter::per_minute(4, app.pool.clone()),
    );
    // A fixed moment, 10 s into a minute, so the test never straddles two windows.
    let now = 1_700_000_040_000 + 10_000;
    for _ in 0..3 {
        a.check_at(token_id, now).unwrap();
    }
    a.sync_at(now).await.unwrap();
    b.check_at(token_id, now).unwrap();
    b.sync_at(now).await.unwrap();
    assert_eq!(
        b.check_at(token_id, now),
        Err(50),
        "B read A's three and its own one"
    );
    // A has not read B's request yet: it admits one more, the overshoot of one interval …
    a.check_at(token_id, now).unwrap();
    a.sync_at(now).await.unwrap();
    // … and refuses from its next reading on.
    assert_eq!(a.check_at(token_id, now), Err(50));
    let counted = id(&app, "select requests from api_request_count").await;
    assert_eq!(counted, 5);
}
