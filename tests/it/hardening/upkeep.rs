//! Bounds on what the database and the browser keep: pruning, the token cap, cookies over
//! HTTPS, and pages rendered while other routers are being built.

use crate::support::{within, TestApp};
use http::{header, StatusCode};
use serde_json::json;
use std::time::Duration;
use trekmail_tokens::api::session::SignIn;
use trekmail_tokens::api::tokens::CreateToken;
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::server::db;
use trekmail_tokens::server::maintenance::{prune, Pruned};
use trekmail_tokens::server::tokens::MAX_ACTIVE_OPS_TOKENS;

const PRO: &str = "owner@pro.test";

#[tokio::test]
async fn pruning_removes_expired_sessions_and_old_idempotency_records_only() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    crate::support::ops_token(&app, PRO, &["domains:read"], None).await;
    let now = chrono::Utc::now().timestamp_millis();
    let (user_id,): (i64,) = db::query("select min(user_id) from app_user")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for (hash, expires_at) in [("expired-1", now - 1), ("expired-2", now - 86_400_000)] {
        db::query(
            "insert into session (session_hash, user_id, created_at, expires_at) values ($1, $2, 0, $3)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let (token_id,): (i64,) = db::query("select min(api_token_id) from api_token")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for (key, created_at) in [("old", now - 25 * 3_600_000), ("fresh", now - 1_000)] {
        db::query(
            "insert into idempotency_record (api_token_id, idempotency_key, request_hash, status, response_body, created_at)
             values ($1, $2, 'h', 200, '{}', $3)",
        )
        .bind(token_id)
        .bind(key)
        .bind(created_at)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let pruned = prune(&app.state).await.unwrap();
    assert_eq!(
        pruned,
        Pruned {
            throttle_rows: 0,
            request_counts: 0,
            sessions: 2,
            idempotency_records: 1,
            request_log: 0,
            webhook_deliveries: 0,
        }
    );
    assert_eq!(
        app.count("select count(*) from idempotency_record").await,
        1
    );
    // The live session still works.
    let page = app.get("/agents/tokens", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn an_account_holds_a_bounded_number_of_active_tokens() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let (account_id,): (i64,) = db::query("select account_id from app_user where email = $1")
        .bind(PRO)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (active,): (i64,) = db::query(
        "select count(*) from api_token where account_id = $1 and kind = 'ops' and revoked_at is null",
    )
    .bind(account_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for i in active..MAX_ACTIVE_OPS_TOKENS {
        db::query(
            "insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes, all_domains, created_at)
             values ($1, 'ops', $2, $2, 'tm_live_xxxxxxxx', 'domains:read', 1, 0)",
        )
        .bind(account_id)
        .bind(format!("filler {i}"))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let before = app.snapshot().await;
    let form = json!({ "form": {
        "name": "one too many", "expiration": "30d", "expiration_date": "",
        "scopes": ["domains:read"], "domain_mode": "all", "domain_ids": []
    }});
    let response = app.call_json::<CreateToken>(form, Some(&owner)).await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert!(
        matches!(response.app_error(), AppError::Conflict(m) if m.contains("500 active API tokens"))
    );
    assert_eq!(app.snapshot().await, before);
}

/// The owner signs in from an `https://` page, with `headers` besides.
async fn sign_in_over_https(app: &TestApp, headers: &[(&str, &str)]) -> crate::support::Response {
    let mut headers = headers.to_vec();
    headers.push(("origin", "https://127.0.0.1:3000"));
    app.post_with(
        <SignIn as leptos::server_fn::ServerFn>::PATH,
        "application/x-www-form-urlencoded",
        "email=owner%40pro.test&password=trekmail-demo".into(),
        None,
        &headers,
    )
    .await
}

#[tokio::test]
async fn over_https_the_cookie_is_host_prefixed_and_secure_with_hsts() {
    let app = TestApp::with_config(|config| config.secure_cookies = true).await;
    let response = sign_in_over_https(&app, &[]).await;
    let cookie = response.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("__Host-tm_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert_eq!(
        response.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=63072000"
    );
    // A plain cookie of the same value is not accepted in its place.
    let session = cookie.split(';').next().unwrap();
    let planted = session.replace("__Host-tm_session", "tm_session");
    assert!(app
        .get("/agents/tokens", Some(&planted))
        .await
        .status
        .is_redirection());
    assert_eq!(
        app.get("/agents/tokens", Some(session)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn behind_a_trusted_https_proxy_the_cookie_is_secure() {
    let app = TestApp::with_config(|config| config.trust_proxy = true).await;
    let response = sign_in_over_https(&app, &[("x-forwarded-proto", "https")]).await;
    let cookie = response.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("tm_session=") && cookie.contains("Secure"),
        "{cookie}"
    );
}

/// Building a router used to render the app while a process-wide "do not load resources"
/// switch was on, and a page rendered meanwhile on another thread never finished. Pages
/// rendered while other test apps are being built must all finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_apps_are_being_built() {
    let app = TestApp::new().await;
    let owner = app.sign_in(PRO).await;
    let builders = tokio::spawn(async {
        for _ in 0..8 {
            TestApp::new().await;
        }
    });
    for _ in 0..40 {
        let page = within(
            Duration::from_secs(20),
            "GET /agents/tokens",
            app.get("/agents/tokens", Some(&owner)),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
    }
    builders.await.unwrap();
}
