//! The dashboard's server functions over real HTTP requests, including forged ones: every rule
//! is enforced by the server, whatever the page would have sent.

use crate::support::TestApp;
use http::{header, StatusCode};
use serde_json::json;
use trekmail_tokens::api::audit::ListAuditEvents;
use trekmail_tokens::api::session::{SignIn, SignOut};
use trekmail_tokens::api::tokens::{CreateToken, ListTokens, RevokeToken};
use trekmail_tokens::domain::new_token::Field;
use trekmail_tokens::domain::status::TokenStatus;
use trekmail_tokens::domain::token::TokenSecret;
use trekmail_tokens::model::audit::AuditRow;
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::model::tokens::{CreatedToken, TokenRow};
use trekmail_tokens::model::Page;
use trekmail_tokens::server::db;
use trekmail_tokens::server::secrets::sha256_hex;

fn form(name: &str) -> serde_json::Value {
    json!({ "form": {
        "name": name,
        "expiration": "30d",
        "expiration_date": "",
        "scopes": ["domains:read", "mailboxes:read"],
        "domain_mode": "all",
        "domain_ids": []
    }})
}

async fn create(app: &TestApp, cookie: &str, body: serde_json::Value) -> CreatedToken {
    let response = app.call_json::<CreateToken>(body, Some(cookie)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn sign_in_refuses_wrong_credentials_with_one_generic_message() {
    let app = TestApp::new().await;
    for body in [
        "email=owner%40pro.test&password=wrong",
        "email=nobody%40pro.test&password=trekmail-demo",
    ] {
        let response = app.call_form::<SignIn>(body, None).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.app_error(),
            AppError::Refused("Incorrect email or password.".into())
        );
        assert!(response.headers.get(header::SET_COOKIE).is_none());
    }
    assert_eq!(app.count("select count(*) from session").await, 0);
}

#[tokio::test]
async fn token_functions_refuse_anonymous_callers_and_members() {
    let app = TestApp::new().await;
    let member = app.sign_in("member@pro.test").await;
    let before = app.snapshot().await;

    let anonymous = app.call_form::<ListTokens>("", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.app_error(), AppError::Unauthenticated);

    let forged_cookie = app
        .call_form::<ListTokens>("", Some("tm_session=forged"))
        .await;
    assert_eq!(forged_cookie.app_error(), AppError::Unauthenticated);

    for response in [
        app.call_form::<ListTokens>("", Some(&member)).await,
        app.call_json::<CreateToken>(form("member token"), Some(&member))
            .await,
        app.call_form::<RevokeToken>("id=1", Some(&member)).await,
        app.call_form::<ListAuditEvents>("", Some(&member)).await,
    ] {
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{}", response.body);
        assert_eq!(response.app_error(), AppError::OwnerOnly);
    }
    let create_anonymous = app.call_json::<CreateToken>(form("anon"), None).await;
    assert_eq!(create_anonymous.app_error(), AppError::Unauthenticated);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn creating_a_token_returns_the_plaintext_once_and_stores_only_its_hash() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let response = app
        .call_json::<CreateToken>(form("CI pipeline"), Some(&owner))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        response.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let created: CreatedToken = response.json();

    let secret = TokenSecret::parse(&created.token).expect("a well-formed token");
    assert!(created.token.starts_with("tm_live_"));
    assert_eq!(created.row.visible_prefix, secret.visible_prefix());
    assert_eq!(created.row.visible_prefix.len(), "tm_live_".len() + 8);
    assert_eq!(created.row.status, TokenStatus::Active);
    assert_eq!(created.row.scopes, ["domains:read", "mailboxes:read"]);
    assert_eq!(created.row.domains, None);

    let hash = sha256_hex(&created.token);
    let stored: (String, String) =
        db::query("select token_hash, visible_prefix from api_token where api_token_id = $1")
            .bind(created.row.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, (hash, secret.visible_prefix()));
    // No column of any table holds the plaintext.
    let dump: Vec<(String,)> = db::query(
        "select coalesce(name,'') || token_hash || visible_prefix || scopes from api_token
         union all select token_name || token_prefix || actor || ip || user_agent from audit_event",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(dump.iter().all(|(row,)| !row.contains(&created.token)));

    // A later read of the list never carries it either.
    let list = app.call_form::<ListTokens>("", Some(&owner)).await;
    assert!(!list.body.contains(&created.token));
    let page: Page<TokenRow> = list.json();
    assert_eq!(page.rows, vec![created.row.clone()]);
}

#[tokio::test]
async fn creation_and_revocation_are_audited_with_actor_ip_and_user_agent() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let created = create(&app, &owner, form("Audited")).await;
    let revoke = app
        .call_form::<RevokeToken>(&format!("id={}", created.row.id), Some(&owner))
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.body);

    let page: Page<AuditRow> = app
        .call_form::<ListAuditEvents>("", Some(&owner))
        .await
        .json();
    let summary: Vec<_> = page
        .rows
        .iter()
        .map(|row| {
            (
                row.action.label(),
                row.token_name.as_str(),
                row.actor.as_str(),
                row.ip.as_str(),
                row.user_agent.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Token revoked",
                "Audited",
                "owner@pro.test",
                "203.0.113.7",
                "integration-test/1.0"
            ),
            (
                "Token created",
                "Audited",
                "owner@pro.test",
                "203.0.113.7",
                "integration-test/1.0"
            ),
        ]
    );
    assert!(page
        .rows
        .iter()
        .all(|row| row.token_prefix == created.row.visible_prefix));

    let only_revoked: Page<AuditRow> = app
        .call_form::<ListAuditEvents>("action=token_revoked", Some(&owner))
        .await
        .json();
    assert_eq!(only_revoked.rows.len(), 1);
}

#[tokio::test]
async fn every_bad_input_is_refused_with_a_field_message_and_changes_nothing() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    create(&app, &owner, form("Taken")).await;
    let other_account_domain = app
        .count("select domain_id from domain where name = 'agency.test'")
        .await;
    let before = app.snapshot().await;

    let with = |change: serde_json::Value| {
        let mut body = form("Fine");
        for (key, value) in change.as_object().unwrap() {
            body["form"][key] = value.clone();
        }
        body
    };
    let cases: Vec<(serde_json::Value, Field, &str)> = vec![
        (with(json!({"name": ""})), Field::Name, "Enter a name"),
        (with(json!({"name": "   "})), Field::Name, "Enter a name"),
        (
            with(json!({"name": "x".repeat(101)})),
            Field::Name,
            "at most 100",
        ),
        (
            with(json!({"name": " Taken "})),
            Field::Name,
            "already has this name",
        ),
        (
            with(json!({"expiration": ""})),
            Field::Expiration,
            "Choose when",
        ),
        (
            with(json!({"expiration": "1y"})),
            Field::Expiration,
            "listed",
        ),
        (
            with(json!({"expiration": "custom", "expiration_date": "2001-01-01"})),
            Field::ExpirationDate,
            "future",
        ),
        (
            with(
                json!({"expiration": "custom", "expiration_date": chrono::Utc::now().date_naive().to_string()}),
            ),
            Field::ExpirationDate,
            "future",
        ),
        (
            with(json!({"expiration": "custom", "expiration_date": "2999-01-01"})),
            Field::ExpirationDate,
            "5 years",
        ),
        (
            with(json!({"expiration": "custom", "expiration_date": "next week"})),
            Field::ExpirationDate,
            "YYYY-MM-DD",
        ),
        (
            with(json!({"expiration": "custom", "expiration_date": ""})),
            Field::ExpirationDate,
            "Pick",
        ),
        (
            with(json!({"scopes": []})),
            Field::Scopes,
            "at least one scope",
        ),
        (
            with(json!({"scopes": ["domains:read", "admin:all"]})),
            Field::Scopes,
            "Unknown scopes: admin:all",
        ),
        (
            with(json!({"domain_mode": "selected", "domain_ids": []})),
            Field::Domains,
            "at least one domain",
        ),
        (
            with(json!({"domain_mode": "selected", "domain_ids": [other_account_domain]})),
            Field::Domains,
            "not in this account",
        ),
        (
            with(json!({"domain_mode": "some"})),
            Field::Domains,
            "Choose",
        ),
    ];
    for (body, field, expected) in cases {
        let response = app
            .call_json::<CreateToken>(body.clone(), Some(&owner))
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            response.body
        );
        let AppError::Invalid(errors) = response.app_error() else {
            panic!("{body}: {}", response.body)
        };
        let message = errors
            .get(field)
            .unwrap_or_else(|| panic!("no {field:?} message for {body}: {errors:?}"));
        assert!(message.contains(expected), "{body}: {message}");
    }

    // Malformed payloads never reach the function and are refused as well.
    for body in ["{", "{\"form\": 5}", "[]"] {
        let response = app
            .post(
                <CreateToken as leptos::server_fn::ServerFn>::PATH,
                "application/json",
                body.into(),
                Some(&owner),
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            matches!(response.app_error(), AppError::BadRequest(_)),
            "{body}: {}",
            response.body
        );
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_plan_decides_which_scopes_a_token_may_carry() {
    let app = TestApp::new().await;
    let cases = [
        (
            "owner@nano.test",
            vec!["verify:read", "verify:write"],
            vec!["domains:read", "drive:account:read"],
        ),
        (
            "owner@nano-drive.test",
            vec!["verify:read", "drive:account:purge", "drive:addon:read"],
            vec!["account:read"],
        ),
        (
            "owner@starter.test",
            vec!["domains:read", "verify:write", "drive:account:write"],
            vec!["domains:create", "mailboxes:forwarding:write"],
        ),
        (
            "owner@agency.test",
            vec!["domains:delete", "mailboxes:message-tokens:manage"],
            vec![],
        ),
    ];
    for (email, allowed, refused) in cases {
        let owner = app.sign_in(email).await;
        let mut body = form(&format!("allowed for {email}"));
        body["form"]["scopes"] = json!(allowed);
        create(&app, &owner, body).await;
        if refused.is_empty() {
            continue;
        }
        let before = app.snapshot().await;
        let mut body = form("too much");
        body["form"]["scopes"] = json!([allowed.clone(), refused.clone()].concat());
        let response = app.call_json::<CreateToken>(body, Some(&owner)).await;
        let AppError::Invalid(errors) = response.app_error() else {
            panic!("{email}: {}", response.body)
        };
        assert_eq!(
            errors.get(Field::Scopes).unwrap(),
            format!("Scopes not available on your plan: {}.", refused.join(", ")),
            "{email}"
        );
        assert_eq!(app.snapshot().await, before);
    }
}

#[tokio::test]
async fn a_domain_constrained_token_lists_its_domains() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let ids: Vec<(i64,)> =
        db::query("select domain_id from domain where name in ('acme.test', 'acme-shop.test')")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let mut body = form("Shop bot");
    body["form"]["domain_mode"] = json!("selected");
    body["form"]["domain_ids"] = json!(ids.iter().map(|(id,)| id).collect::<Vec<_>>());
    let created = create(&app, &owner, body).await;
    assert_eq!(
        created.row.domains,
        Some(vec!["acme-shop.test".to_string(), "acme.test".to_string()])
    );
}

#[tokio::test]
async fn expiration_choices_set_the_expiry() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let day = 86_400_000;
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    for (choice, date) in [
        ("7d", ""),
        ("90d", ""),
        ("never", ""),
        ("custom", &*tomorrow.to_string()),
    ] {
        let mut body = form(&format!("expires {choice}"));
        body["form"]["expiration"] = json!(choice);
        body["form"]["expiration_date"] = json!(date);
        let row = create(&app, &owner, body).await.row;
        let expected = match choice {
            "7d" => Some(row.created_at + 7 * day),
            "90d" => Some(row.created_at + 90 * day),
            "never" => None,
            _ => Some(
                (tomorrow + chrono::Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis(),
            ),
        };
        match (row.expires_at, expected) {
            (Some(got), Some(want)) => {
                assert!((got - want).abs() < 5_000, "{choice}: {got} vs {want}")
            }
            (got, want) => assert_eq!(got, want, "{choice}"),
        }
    }
}

#[tokio::test]
async fn revocation_is_permanent_idempotent_and_scoped_to_the_account() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let other_owner = app.sign_in("owner@agency.test").await;
    let created = create(&app, &owner, form("Doomed")).await;
    let path_body = format!("id={}", created.row.id);

    // Another account's owner cannot tell the token exists.
    let before = app.snapshot().await;
    let foreign = app
        .call_form::<RevokeToken>(&path_body, Some(&other_owner))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(foreign.app_error(), AppError::NotFound);
    let missing = app
        .call_form::<RevokeToken>("id=999999", Some(&other_owner))
        .await;
    assert_eq!(
        (missing.status, missing.body),
        (foreign.status, foreign.body)
    );
    for bad in ["id=abc", "", "id="] {
        let response = app.call_form::<RevokeToken>(bad, Some(&owner)).await;
        assert!(!response.status.is_success(), "{bad}");
    }
    assert_eq!(app.snapshot().await, before);

    assert_eq!(
        app.call_form::<RevokeToken>(&path_body, Some(&owner))
            .await
            .status,
        StatusCode::OK
    );
    let after_first = app.snapshot().await;
    assert_eq!(after_first.1, before.1 + 1);
    assert_eq!(after_first.2, before.2 + 1);
    assert_eq!(
        app.call_form::<RevokeToken>(&path_body, Some(&owner))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.snapshot().await,
        after_first,
        "a second revoke writes nothing"
    );

    let revoked: Page<TokenRow> = app
        .call_form::<ListTokens>("status=revoked", Some(&owner))
        .await
        .json();
    assert_eq!(
        revoked
            .rows
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Doomed"]
    );
    // Once revoked, the name is free again.
    create(&app, &owner, form("Doomed")).await;
}

#[tokio::test]
async fn status_is_derived_and_the_filter_narrows_the_list() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    create(&app, &owner, form("Active one")).await;
    let expired = create(&app, &owner, form("Expired one")).await.row;
    let revoked_and_expired = create(&app, &owner, form("Revoked one")).await.row;
    db::query("update api_token set expires_at = $1 where api_token_id in ($2, $3)")
        .bind(chrono::Utc::now().timestamp_millis() - 1_000)
        .bind(expired.id)
        .bind(revoked_and_expired.id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.call_form::<RevokeToken>(&format!("id={}", revoked_and_expired.id), Some(&owner))
        .await;

    for (query, expected) in [
        ("", vec!["Revoked one", "Expired one", "Active one"]),
        ("status=active", vec!["Active one"]),
        ("status=expired", vec!["Expired one"]),
        ("status=revoked", vec!["Revoked one"]),
        (
            "status=bogus",
            vec!["Revoked one", "Expired one", "Active one"],
        ),
    ] {
        let page: Page<TokenRow> = app
            .call_form::<ListTokens>(query, Some(&owner))
            .await
            .json();
        assert_eq!(
            page.rows
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            expected,
            "{query}"
        );
    }
    let page: Page<TokenRow> = app.call_form::<ListTokens>("", Some(&owner)).await.json();
    let statuses: Vec<_> = page.rows.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            TokenStatus::Revoked,
            TokenStatus::Expired,
            TokenStatus::Active
        ]
    );
    // An expired token's name may be reused.
    create(&app, &owner, form("Expired one")).await;
}

#[tokio::test]
async fn keyset_pages_walk_the_whole_list_both_ways_without_overlap() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    for i in 0..45 {
        create(&app, &owner, form(&format!("token {i:02}"))).await;
    }
    let mut seen = Vec::new();
    let mut query = String::new();
    let mut pages = Vec::new();
    loop {
        let page: Page<TokenRow> = app
            .call_form::<ListTokens>(&query, Some(&owner))
            .await
            .json();
        seen.extend(page.rows.iter().map(|r| r.name.clone()));
        pages.push(page.clone());
        match page.older {
            Some(after) => query = format!("after={after}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..45).rev().map(|i| format!("token {i:02}")).collect();
    assert_eq!(seen, expected);
    assert_eq!(
        pages.iter().map(|p| p.rows.len()).collect::<Vec<_>>(),
        [20, 20, 5]
    );
    assert_eq!(pages[0].newer, None);
    // Back from the last page to the middle one.
    let back: Page<TokenRow> = app
        .call_form::<ListTokens>(&format!("before={}", pages[2].newer.unwrap()), Some(&owner))
        .await
        .json();
    assert_eq!(back.rows, pages[1].rows);
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_they_change_anything() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let before = app.snapshot().await;
    let request = http::Request::post(<CreateToken as leptos::server_fn::ServerFn>::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &owner)
        .body(axum::body::Body::from(form("csrf").to_string()))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.app_error(), AppError::CrossSite);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn pages_redirect_signed_out_visitors_and_refuse_members() {
    let app = TestApp::new().await;
    let signed_out = app.get("/agents/tokens", None).await;
    assert!(signed_out.status.is_redirection());
    assert_eq!(
        signed_out.headers.get(header::LOCATION).unwrap(),
        "/sign-in"
    );

    let member = app.sign_in("member@pro.test").await;
    let refused = app.get("/agents/tokens", Some(&member)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused
        .body
        .contains("Only the account owner can manage API tokens"));

    let owner = app.sign_in("owner@pro.test").await;
    let page = app.get("/agents/tokens", Some(&owner)).await;
    assert_eq!(page.status, StatusCode::OK);
    let signed_in_sign_in = app.get("/sign-in", Some(&owner)).await;
    assert_eq!(
        signed_in_sign_in.headers.get(header::LOCATION).unwrap(),
        "/agents/tokens"
    );
    assert_eq!(
        app.get("/nowhere", Some(&owner)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_carry_security_headers_with_a_nonce_for_the_hydration_script() {
    let app = TestApp::new().await;
    let page = app.get("/sign-in", None).await;
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the inline script carries the nonce"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    assert_eq!(
        page.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    assert_eq!(
        page.headers.get(header::REFERRER_POLICY).unwrap(),
        "same-origin"
    );
    // Nothing that is not a page gets a nonce or may run anything.
    for path in ["/api/v1/me", "/api/v1/nowhere", "/healthz"] {
        let other = app.get(path, None).await;
        assert_eq!(
            other.headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(
            other.headers.get(header::X_FRAME_OPTIONS).unwrap(),
            "DENY",
            "{path}"
        );
    }
}

/// The nonce a page's policy names.
fn policy_nonce(page: &crate::support::Response) -> Option<String> {
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)?
        .to_str()
        .ok()?;
    Some(csp.split("'nonce-").nth(1)?.split('\'').next()?.to_string())
}

/// Every page, rendered many times at once, carries the page policy, and the policy names the
/// very nonce its inline scripts carry (a page once arrived with the strict default policy, so
/// the browser ran none of its scripts and it never became interactive).
#[tokio::test]
async fn every_page_render_carries_the_policy_its_scripts_need() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let paths = [
        "/agents/tokens",
        "/agents/tokens?created=1",
        "/agents/tokens/new",
        "/agents/audit-log",
        "/nowhere",
    ];
    let renders = (0..60).map(|i| app.get(paths[i % paths.len()], Some(&owner)));
    for page in futures::future::join_all(renders).await {
        let nonce = policy_nonce(&page).expect("a page policy with a nonce");
        let scripts = page.body.matches("<script").count();
        let with_nonce = page.body.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(scripts >= 2, "{}", page.body);
        assert_eq!(
            with_nonce, scripts,
            "every inline script carries the policy's nonce"
        );
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    assert_eq!(
        app.call_form::<ListTokens>("", Some(&owner)).await.status,
        StatusCode::OK
    );
    let response = app.call_form::<SignOut>("", Some(&owner)).await;
    assert!(response
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        app.call_form::<ListTokens>("", Some(&owner)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Concurrent writers must queue, not fail: SQLite answers "database is locked" at once when a
/// deferred transaction that has read tries to write after another connection committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creations_and_revocations_all_succeed() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let owner = app.sign_in("owner@pro.test").await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..24 {
        let (app, owner) = (app.clone(), owner.clone());
        tasks.spawn(async move {
            let response = app
                .call_json::<CreateToken>(form(&format!("parallel {n}")), Some(&owner))
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.body);
            let created: CreatedToken = response.json();
            let revoked = app
                .call_form::<RevokeToken>(&format!("id={}", created.row.id), Some(&owner))
                .await;
            assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap();
    }
    assert_eq!(
        app.count("select count(*) from api_token where revoked_at is not null")
            .await,
        24
    );
    assert_eq!(app.count("select count(*) from audit_event").await, 48);
}
