//! Per-token activity: the request log (queued, written in batches, pruned by age), the token
//! detail page's server functions, and "Narrow to what it used".

use crate::lifecycle::{create, setup, Setup};

/// Narrowing only on a log that covers the token's 30 days; the log's budget per token.
mod coverage;
/// The detail and narrow pages without JavaScript.
mod pages;
use crate::support::{acme_hello, assert_api_error, TestApp};
use http::StatusCode;
use serde_json::json;
use trekmail_tokens::api::activity::{GetTokenDetail, ListTokenRequests, NarrowToken};
use trekmail_tokens::domain::activity::{day_of, DAY_MS};
use trekmail_tokens::model::activity::{RequestPage, TokenDetail};
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::server::activity::{writer, ActivityLog, RequestRecord};
use trekmail_tokens::server::db::{self, now_ms};

impl Setup {
    async fn token_detail(&self, id: i64) -> crate::support::Response {
        self.app
            .call_form::<GetTokenDetail>(&format!("id={id}"), Some(&self.cookie))
            .await
    }

    async fn detail_of(&self, id: i64) -> TokenDetail {
        self.app.state.activity.flush().await;
        let response = self.token_detail(id).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.json()
    }

    async fn requests(&self, query: &str) -> crate::support::Response {
        self.app.state.activity.flush().await;
        self.app
            .call_form::<ListTokenRequests>(query, Some(&self.cookie))
            .await
    }
}

#[tokio::test]
async fn every_request_with_a_known_token_is_logged_with_its_route_template() {
    let s = setup().await;
    let secret = s.token.token.clone();
    let hello = acme_hello(&s.app).await;
    let me = s.me(&secret).await;
    let mailbox = s
        .app
        .api(
            "GET",
            &format!("/api/v1/mailboxes/{hello}"),
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(mailbox.status, StatusCode::OK, "{}", mailbox.body);
    let missing = s
        .app
        .api("GET", "/api/v1/domains/999999", Some(&secret), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let refused = s
        .app
        .api("GET", "/api/v1/account", Some(&secret), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A token nobody has is nobody's activity.
    let unknown = "tm_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    s.app.api("GET", "/api/v1/me", Some(unknown), None).await;
    s.app.state.activity.flush().await;

    type Logged = (String, String, i64, i64, String, String, String, String);
    let rows: Vec<Logged> = db::query(
        "select method, route, target_id, status, error_code, ip, user_agent, request_id
           from api_request where api_token_id = $1 order by api_request_id",
    )
    .bind(s.id())
    .fetch_all(&s.app.pool)
    .await
    .unwrap();
    let routes: Vec<(&str, i64, i64, &str)> = rows
        .iter()
        .map(|r| (r.1.as_str(), r.2, r.3, r.4.as_str()))
        .collect();
    assert_eq!(
        routes,
        [
            ("/api/v1/me", 0, 200, ""),
            ("/api/v1/mailboxes/{id}", hello, 200, ""),
            ("/api/v1/domains/{id}", 999_999, 404, "not_found"),
            ("/api/v1/account", 0, 403, "insufficient_scope"),
        ]
    );
    let first = &rows[0];
    assert_eq!(first.0, "GET");
    assert_eq!(first.5, "203.0.113.7");
    assert_eq!(first.6, "trekmail-mcp/1.10.0");
    assert_eq!(
        first.7,
        me.headers["x-request-id"].to_str().unwrap(),
        "the log names the request id the caller saw"
    );
    assert_eq!(s.app.count("select count(*) from api_request").await, 4);

    // Revoked: its calls are still its activity (401).
    let revoke = s
        .app
        .call_form::<trekmail_tokens::api::tokens::RevokeToken>(
            &format!("id={}", s.id()),
            Some(&s.cookie),
        )
        .await;
    assert!(revoke.status.is_success(), "{}", revoke.body);
    s.me(&secret).await;
    let detail = s.detail_of(s.id()).await;
    let today = detail.days.last().unwrap();
    assert_eq!(detail.days.len(), 30);
    assert_eq!(today.day, day_of(now_ms()));
    assert_eq!((today.succeeded, today.failed), (2, 3));
    assert_eq!(detail.addresses.len(), 1);
    assert_eq!(detail.addresses[0].requests, 5);
    assert_eq!(detail.events[0].action.as_str(), "token_revoked");
    assert_eq!(
        detail.events.last().unwrap().action.as_str(),
        "token_created"
    );
    assert_eq!(detail.gap, None);
}

#[tokio::test]
async fn recent_requests_page_by_keyset_and_filter_by_class_and_route() {
    let s = setup().await;
    let secret = s.token.token.clone();
    for _ in 0..23 {
        s.me(&secret).await;
    }
    for _ in 0..3 {
        s.app
            .api("GET", "/api/v1/domains/999999", Some(&secret), None)
            .await;
    }
    let page: RequestPage = s.requests(&format!("id={}", s.id())).await.json();
    assert_eq!(page.page.rows.len(), 20);
    assert_eq!(
        page.page.rows[0].route, "/api/v1/domains/{id}",
        "last first"
    );
    let older = page.page.older.expect("a second page");
    let second: RequestPage = s
        .requests(&format!("id={}&after={older}", s.id()))
        .await
        .json();
    assert_eq!(second.page.rows.len(), 6);
    assert!(second.page.older.is_none());
    assert!(second.page.newer.is_some());

    let refused: RequestPage = s.requests(&format!("id={}&class=4xx", s.id())).await.json();
    assert_eq!(refused.page.rows.len(), 3);
    assert!(refused.page.rows.iter().all(|row| row.status == 404));
    let by_route: RequestPage = s
        .requests(&format!("id={}&route=%2Fapi%2Fv1%2Fme", s.id()))
        .await
        .json();
    assert_eq!(by_route.page.rows.len(), 20);
    assert!(by_route
        .page
        .rows
        .iter()
        .all(|row| row.route == "/api/v1/me"));

    for (query, field) in [
        ("class=2xx", "class"),
        ("route=%2Fapi%2Fv1%2Fdomains%2F7", "route"),
    ] {
        let bad = s.requests(&format!("id={}&{query}", s.id())).await;
        match bad.app_error() {
            AppError::Invalid(errors) => assert!(errors.get(field).is_some(), "{errors:?}"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn another_accounts_token_is_not_found_and_only_the_owner_may_look() {
    let s = setup().await;
    let other = s.app.sign_in("owner@agency.test").await;
    for response in [
        s.app
            .call_form::<GetTokenDetail>(&format!("id={}", s.id()), Some(&other))
            .await,
        s.app
            .call_form::<ListTokenRequests>(&format!("id={}", s.id()), Some(&other))
            .await,
        s.token_detail(987_654).await,
    ] {
        assert_eq!(
            response.app_error(),
            AppError::NotFound,
            "{}",
            response.body
        );
    }
    let member = s.app.sign_in("member@pro.test").await;
    let response = s
        .app
        .call_form::<GetTokenDetail>(&format!("id={}", s.id()), Some(&member))
        .await;
    assert_eq!(response.app_error(), AppError::OwnerOnly);
    let response = s
        .app
        .call_form::<GetTokenDetail>(&format!("id={}", s.id()), None)
        .await;
    assert_eq!(response.app_error(), AppError::Unauthenticated);
}

fn record(token_id: i64, at: i64) -> RequestRecord {
    RequestRecord {
        token_id,
        at,
        method: "GET",
        route: "/api/v1/me",
        target_id: 0,
        status: 200,
        error_code: "",
        ip: "203.0.113.9".into(),
        user_agent: "test".into(),
        request_id: "r".into(),
        duration_us: 10,
        authorized: true,
    }
}

#[tokio::test]
async fn a_full_queue_drops_requests_counts_them_and_never_blocks_the_api() {
    let s = setup().await;
    // One place in the queue; this test's runtime runs nothing else between these calls.
    let log = ActivityLog::with_capacity(s.app.pool.clone(), true, 1, 240);
    let now = now_ms();
    for _ in 0..5 {
        log.record(record(s.id(), now));
    }
    assert_eq!(log.dropped_total(), 4);
    log.flush().await;
    let detail = s.detail_of(s.id()).await;
    assert_eq!(detail.gap, Some((4, now)));
    assert_eq!(
        s.app
            .count_bound(
                "select count(*) from api_request where api_token_id = $1",
                s.id()
            )
            .await,
        1
    );
}

#[tokio::test]
async fn a_batch_of_any_size_is_written_row_for_row() {
    // 450: two full statements of 200 rows on SQLite and a shorter one; one statement on
    // PostgreSQL. Each row keeps its own values, in its own columns.
    let s = setup().await;
    let now = now_ms();
    let batch: Vec<RequestRecord> = (0..450_i64)
        .map(|n| {
            let mut one = record(s.id(), now + n);
            one.status = if n % 3 == 0 { 404 } else { 200 };
            one.error_code = if n % 3 == 0 { "not_found" } else { "" };
            one.request_id = format!("req-{n}");
            one.duration_us = n;
            one
        })
        .collect();
    writer::write(&s.app.pool, &batch, &Default::default())
        .await
        .unwrap();
    let rows: Vec<(i64, i64, i64, String, String, i64)> = db::query(
        "select at, status, status_class, error_code, request_id, duration_us from api_request
          where api_token_id = $1 order by at",
    )
    .bind(s.id())
    .fetch_all(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 450);
    for (n, (at, status, class, code, request_id, duration)) in rows.into_iter().enumerate() {
        let n = n as i64;
        assert_eq!((at, duration), (now + n, n));
        assert_eq!(request_id, format!("req-{n}"));
        let refused = n % 3 == 0;
        assert_eq!((status, class), if refused { (404, 4) } else { (200, 2) });
        assert_eq!(code, if refused { "not_found" } else { "" });
    }
    // Nothing written: nothing to do, and no error.
    writer::write(&s.app.pool, &[], &Default::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn requests_older_than_the_retention_are_pruned() {
    let app = TestApp::with_config(|config| config.activity_days = 7).await;
    let s = crate::lifecycle::setup_with(app).await;
    let now = now_ms();
    let old = now - 8 * DAY_MS;
    let mut stale = record(s.id(), old);
    stale.ip = "198.51.100.1".into();
    writer::write(
        &s.app.pool,
        &[stale, record(s.id(), now)],
        &Default::default(),
    )
    .await
    .unwrap();
    let pruned = trekmail_tokens::server::maintenance::prune(&s.app.state)
        .await
        .unwrap();
    assert_eq!(
        pruned.request_log, 3,
        "one request, its day and its address"
    );
    let detail = s.detail_of(s.id()).await;
    assert_eq!(detail.addresses.len(), 1);
    assert_eq!(detail.addresses[0].ip, "203.0.113.9");
    assert_eq!(s.app.count("select count(*) from api_request").await, 1);
}

#[tokio::test]
async fn with_the_log_off_nothing_is_recorded() {
    let app = TestApp::with_config(|config| config.request_log = false).await;
    let s = crate::lifecycle::setup_with(app).await;
    assert_eq!(s.me(&s.token.token).await.status, StatusCode::OK);
    s.app.state.activity.flush().await;
    assert_eq!(s.app.count("select count(*) from api_request").await, 0);
}

#[tokio::test]
async fn narrowing_keeps_only_the_scopes_and_domains_it_used() {
    let s = setup().await;
    let secret = s.token.token.clone();
    let hello = acme_hello(&s.app).await;
    let mailbox = s
        .app
        .api(
            "GET",
            &format!("/api/v1/mailboxes/{hello}"),
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(mailbox.status, StatusCode::OK);
    let detail = s.detail_of(s.id()).await;
    let used: Vec<(&str, bool)> = detail
        .usage
        .scopes
        .iter()
        .map(|(name, used)| (name.as_str(), *used))
        .collect();
    assert_eq!(
        used,
        [
            ("domains:read", false),
            ("mailboxes:read", true),
            ("mailboxes:message-tokens:manage", false)
        ]
    );
    assert_eq!(
        detail.usage.domains_used,
        Some(vec!["acme.test".to_string()])
    );
    assert_eq!(
        detail.usage.narrowing,
        [
            "Scopes removed: domains:read, mailboxes:message-tokens:manage",
            "Domains: all domains → acme.test"
        ]
    );

    let narrowed = s
        .app
        .call_form::<NarrowToken>(&format!("id={}", s.id()), Some(&s.cookie))
        .await;
    assert!(
        narrowed.status.is_redirection() || narrowed.status.is_success(),
        "{}",
        narrowed.body
    );
    assert_eq!(s.events("token_narrowed").await, 1);
    assert!(s.detail("token_narrowed").await.contains("Scopes removed"));
    let me: serde_json::Value = s.me(&secret).await.json();
    assert_eq!(me["scopes"], json!(["mailboxes:read"]));
    let domains = s
        .app
        .api("GET", "/api/v1/domains", Some(&secret), None)
        .await;
    assert_api_error(
        &domains,
        StatusCode::FORBIDDEN,
        "insufficient_scope",
        "narrowed",
    );

    // Nothing left to remove: refused, nothing changes.
    let before = s.app.snapshot().await;
    let again = s
        .app
        .call_form::<NarrowToken>(&format!("id={}", s.id()), Some(&s.cookie))
        .await;
    match again.app_error() {
        AppError::Invalid(errors) => {
            assert!(errors.get("scopes").unwrap().contains("nothing to remove"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.app.snapshot().await, before);
}

#[tokio::test]
async fn a_token_that_used_nothing_is_not_narrowed_to_nothing() {
    let s = setup().await;
    // The log is running (another token's request is in it) and sees the idle token's whole life.
    s.me(&s.token.token).await;
    s.app.state.activity.flush().await;
    let idle = create(&s.app, &s.cookie, "idle bot", json!({})).await;
    let before = s.app.snapshot().await;
    let refused = s
        .app
        .call_form::<NarrowToken>(&format!("id={}", idle.row.id), Some(&s.cookie))
        .await;
    match refused.app_error() {
        AppError::Invalid(errors) => {
            assert!(errors.get("scopes").unwrap().contains("Revoke it instead"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.app.snapshot().await, before);
    assert!(s.detail_of(idle.row.id).await.usage.narrowing.is_empty());
}
