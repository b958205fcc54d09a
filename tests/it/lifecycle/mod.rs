//! The token lifecycle: pause and resume, a new expiration, IP allowlists, rotation with a grace
//! period, and the owner's token policy — each through the dashboard's server functions, each
//! honoured by the REST API, each refusal changing nothing.

use crate::support::{acme_hello, assert_api_error, code, error, message_token, TestApp};
use http::StatusCode;
use serde_json::{json, Value};
use trekmail_tokens::api::lifecycle::{
    ChangeTokenExpiration, GetTokenPolicy, PolicyView, RotateToken, SetTokenIpAllowlist,
    SetTokenPaused, SetTokenPolicy,
};
use trekmail_tokens::api::tokens::{CountTokens, CreateToken, FindToken, RevokeToken};
use trekmail_tokens::domain::status::TokenStatus;
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::model::tokens::{CreatedToken, StatusCounts, TokenRow};

/// "Edit access": name, scopes and domains without a new secret.
mod access;
/// "Revoke all…".
mod emergency;
/// The change pages without JavaScript.
mod pages;
/// One test per finding of the outside review.
mod review;

const OWNER: &str = "owner@pro.test";

/// An owner signed in, with one new ops token.
pub struct Setup {
    pub app: TestApp,
    pub cookie: String,
    pub token: CreatedToken,
}

pub fn form(name: &str, extra: Value) -> Value {
    let mut form = json!({
        "name": name,
        "expiration": "30d",
        "expiration_date": "",
        "scopes": ["domains:read", "mailboxes:read", "mailboxes:message-tokens:manage"],
        "domain_mode": "all",
        "domain_ids": [],
    });
    for (key, value) in extra.as_object().unwrap() {
        form[key] = value.clone();
    }
    json!({ "form": form })
}

pub async fn create(app: &TestApp, cookie: &str, name: &str, extra: Value) -> CreatedToken {
    let response = app
        .call_json::<CreateToken>(form(name, extra), Some(cookie))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

pub async fn setup() -> Setup {
    setup_with(TestApp::new().await).await
}

pub async fn setup_with(app: TestApp) -> Setup {
    let cookie = app.sign_in(OWNER).await;
    let token = create(&app, &cookie, "deploy bot", json!({})).await;
    Setup { app, cookie, token }
}

impl Setup {
    pub fn id(&self) -> i64 {
        self.token.row.id
    }

    pub async fn me(&self, secret: &str) -> crate::support::Response {
        self.app.api("GET", "/api/v1/me", Some(secret), None).await
    }

    pub async fn row(&self, id: i64) -> TokenRow {
        let response = self
            .app
            .call_form::<FindToken>(&format!("id={id}"), Some(&self.cookie))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.json()
    }

    pub async fn pause(&self, id: i64, paused: bool) -> crate::support::Response {
        self.app
            .call_form::<SetTokenPaused>(&format!("id={id}&paused={paused}"), Some(&self.cookie))
            .await
    }

    pub async fn events(&self, action: &str) -> i64 {
        self.app
            .count_bound_text("select count(*) from audit_event where action = $1", action)
            .await
    }

    pub async fn detail(&self, action: &str) -> String {
        let (detail,): (String,) = trekmail_tokens::server::db::query(
            "select detail from audit_event where action = $1 order by audit_event_id desc limit 1",
        )
        .bind(action)
        .fetch_one(&self.app.pool)
        .await
        .unwrap();
        detail
    }
}

pub fn ok(response: &crate::support::Response) {
    assert!(
        response.status.is_success() || response.status.is_redirection(),
        "{} {}",
        response.status,
        response.body
    );
}

#[tokio::test]
async fn a_paused_token_is_refused_until_it_is_resumed() {
    let s = setup().await;
    let secret = s.token.token.clone();
    assert_eq!(s.me(&secret).await.status, StatusCode::OK);

    ok(&s.pause(s.id(), true).await);
    let refused = s.me(&secret).await;
    assert_api_error(&refused, StatusCode::UNAUTHORIZED, "invalid_token", "");
    assert!(error(&refused)["message"]
        .as_str()
        .unwrap()
        .contains("paused"));
    assert_eq!(s.row(s.id()).await.status, TokenStatus::Paused);
    // A double click pauses once.
    ok(&s.pause(s.id(), true).await);
    assert_eq!(s.events("token_paused").await, 1);

    ok(&s.pause(s.id(), false).await);
    let me = s.me(&secret).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json::<Value>()["status"], "active");
    assert_eq!(s.row(s.id()).await.status, TokenStatus::Active);
    assert_eq!(s.events("token_resumed").await, 1);
}

#[tokio::test]
async fn a_paused_ops_token_cannot_mint_and_its_message_tokens_pause_too() {
    let s = setup().await;
    let mailbox = acme_hello(&s.app).await;
    let (message_id, message_secret) =
        message_token(&s.app, &s.token.token, mailbox, &["messages:read"]).await;
    // A message token pauses and resumes on its own.
    ok(&s.pause(message_id, true).await);
    let refused = s
        .app
        .api("GET", "/api/v1/messages/_me", Some(&message_secret), None)
        .await;
    assert_api_error(&refused, StatusCode::UNAUTHORIZED, "invalid_token", "");
    ok(&s.pause(message_id, false).await);
    let served = s
        .app
        .api("GET", "/api/v1/messages/_me", Some(&message_secret), None)
        .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);

    ok(&s.pause(s.id(), true).await);
    let mint = s
        .app
        .api(
            "POST",
            &format!("/api/v1/mailboxes/{mailbox}/message-tokens"),
            Some(&s.token.token),
            Some(json!({ "name": "x", "scopes": ["messages:read"] })),
        )
        .await;
    assert_api_error(&mint, StatusCode::UNAUTHORIZED, "invalid_token", "");
}

#[tokio::test]
async fn revoked_and_foreign_tokens_cannot_be_changed_and_nothing_changes() {
    let s = setup().await;
    ok(&s
        .app
        .call_form::<RevokeToken>(&format!("id={}", s.id()), Some(&s.cookie))
        .await);
    let before = s.app.snapshot().await;
    let id = s.id();
    let responses = [
        s.pause(id, true).await,
        s.app
            .call_form::<ChangeTokenExpiration>(&format!("id={id}&expiration=90d"), Some(&s.cookie))
            .await,
        s.app
            .call_form::<SetTokenIpAllowlist>(
                &format!("id={id}&ip_allowlist=10.0.0.0%2F8"),
                Some(&s.cookie),
            )
            .await,
        s.app
            .call_json::<RotateToken>(json!({ "id": id, "grace": "1h" }), Some(&s.cookie))
            .await,
    ];
    for response in responses {
        assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
        assert!(response
            .app_error()
            .to_string()
            .contains("revoked or expired"));
    }
    assert_eq!(s.app.snapshot().await, before);

    // Another account's token looks like no token at all; so does a member's attempt.
    let other = s.app.sign_in("owner@agency.test").await;
    let member = s.app.sign_in("member@pro.test").await;
    let live = create(&s.app, &s.cookie, "live one", json!({}))
        .await
        .row
        .id;
    let before = s.app.snapshot().await;
    let foreign = s
        .app
        .call_form::<SetTokenPaused>(&format!("id={live}&paused=true"), Some(&other))
        .await;
    assert_eq!(foreign.app_error(), AppError::NotFound);
    let rotated = s
        .app
        .call_json::<RotateToken>(json!({ "id": live, "grace": "now" }), Some(&other))
        .await;
    assert_eq!(rotated.app_error(), AppError::NotFound);
    let by_member = s
        .app
        .call_form::<SetTokenPaused>(&format!("id={live}&paused=true"), Some(&member))
        .await;
    assert_eq!(by_member.app_error(), AppError::OwnerOnly);
    assert_eq!(s.app.snapshot().await, before);
    assert_eq!(s.events("token_paused").await, 0);
}

#[tokio::test]
async fn the_expiration_changes_within_the_policy_and_is_audited_with_both_dates() {
    let s = setup().await;
    let id = s.id();
    let change = |body: String| {
        let (app, cookie) = (&s.app, &s.cookie);
        async move {
            app.call_form::<ChangeTokenExpiration>(&body, Some(cookie))
                .await
        }
    };
    ok(&change(format!("id={id}&expiration=never")).await);
    assert_eq!(s.row(id).await.expires_at, None);
    assert!(s
        .detail("token_expiration_changed")
        .await
        .ends_with("→ never"));
    let me: Value = s.me(&s.token.token).await.json();
    assert_eq!(me["expires_at"], Value::Null);

    // Bad input: each refused next to its field, nothing changed.
    let before = (s.app.snapshot().await, s.row(id).await.expires_at);
    for (body, field) in [
        (format!("id={id}&expiration=forever"), "expiration"),
        (
            format!("id={id}&expiration=custom&expiration_date=2020-01-01"),
            "expiration_date",
        ),
        (
            format!("id={id}&expiration=custom&expiration_date=soon"),
            "expiration_date",
        ),
    ] {
        let response = change(body.clone()).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let AppError::Invalid(errors) = response.app_error() else {
            panic!("{body}: {}", response.body)
        };
        assert!(errors.get(field).is_some(), "{body}: {errors:?}");
    }
    // The policy binds extensions too.
    ok(&s
        .app
        .call_form::<SetTokenPolicy>("max_lifetime=30&default_expiration=30d", Some(&s.cookie))
        .await);
    let before = (s.app.snapshot().await.0, before.1);
    let beyond = change(format!("id={id}&expiration=90d")).await;
    let AppError::Invalid(errors) = beyond.app_error() else {
        panic!("{}", beyond.body)
    };
    assert!(errors
        .get("expiration")
        .unwrap()
        .contains("at most 30 days"));
    assert_eq!(
        (s.app.snapshot().await.0, s.row(id).await.expires_at),
        before
    );
    ok(&change(format!("id={id}&expiration=7d")).await);
    assert!(s
        .row(id)
        .await
        .expires_soon(trekmail_tokens::server::db::now_ms()));
}

#[tokio::test]
async fn the_ip_allowlist_refuses_other_addresses_with_403_naming_the_caller() {
    // The test client calls from 203.0.113.7 (support::CLIENT_IP).
    let s = setup().await;
    let id = s.id();
    let set = |list: &str| {
        let body = format!(
            "id={id}&ip_allowlist={}",
            list.replace('/', "%2F")
                .replace(' ', "+")
                .replace(',', "%2C")
        );
        let (app, cookie) = (&s.app, &s.cookie);
        async move {
            app.call_form::<SetTokenIpAllowlist>(&body, Some(cookie))
                .await
        }
    };
    ok(&set("10.0.0.0/8").await);
    let refused = s.me(&s.token.token).await;
    assert_api_error(&refused, StatusCode::FORBIDDEN, "ip_not_allowed", "");
    assert!(error(&refused)["message"]
        .as_str()
        .unwrap()
        .contains("203.0.113.7"));
    assert_eq!(
        s.detail("token_ip_allowlist_changed").await,
        "Allowed IP addresses: any → 10.0.0.0/8"
    );

    ok(&set("10.0.0.0/8, 203.0.113.7/32").await);
    let me = s.me(&s.token.token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(
        me.json::<Value>()["ip_allowlist"],
        json!(["10.0.0.0/8", "203.0.113.7"])
    );

    // Bad input is refused next to the field and changes nothing.
    let before = (s.app.snapshot().await, s.row(id).await.ip_allowlist);
    let many: Vec<String> = (0..21).map(|i| format!("10.1.0.{i}")).collect();
    for (list, says) in [
        ("10.0.0.300", "not an IP address"),
        ("10.0.0.0/8 10.0.0.0/8", "listed twice"),
        ("0.0.0.0/0", "allows every address"),
        ("10.0.0.1/8", "10.0.0.0/8"),
        (many.join(",").as_str(), "at most 20"),
    ] {
        let response = set(list).await;
        let AppError::Invalid(errors) = response.app_error() else {
            panic!("{list}: {}", response.body)
        };
        assert!(
            errors.get("ip_allowlist").unwrap().contains(says),
            "{list}: {errors:?}"
        );
    }
    assert_eq!(
        (s.app.snapshot().await, s.row(id).await.ip_allowlist),
        before
    );

    // Empty allows any address again.
    ok(&set("").await);
    assert_eq!(s.me(&s.token.token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_allowlist_given_at_creation_is_kept_and_a_bad_one_refused() {
    let s = setup().await;
    let made = create(
        &s.app,
        &s.cookie,
        "office only",
        json!({ "ip_allowlist": "192.0.2.0/24" }),
    )
    .await;
    assert_eq!(made.row.ip_allowlist, ["192.0.2.0/24"]);
    assert_api_error(
        &s.me(&made.token).await,
        StatusCode::FORBIDDEN,
        "ip_not_allowed",
        "",
    );
    let before = s.app.snapshot().await;
    let refused = s
        .app
        .call_json::<CreateToken>(
            form("anywhere", json!({ "ip_allowlist": "::/0" })),
            Some(&s.cookie),
        )
        .await;
    let AppError::Invalid(errors) = refused.app_error() else {
        panic!("{}", refused.body)
    };
    assert!(errors
        .get("ip_allowlist")
        .unwrap()
        .contains("allows every address"));
    assert_eq!(s.app.snapshot().await, before);
}

async fn rotate(s: &Setup, id: i64, grace: &str) -> crate::support::Response {
    s.app
        .call_json::<RotateToken>(json!({ "id": id, "grace": grace }), Some(&s.cookie))
        .await
}

#[tokio::test]
async fn a_rotation_keeps_the_access_and_the_old_secret_until_its_grace_ends() {
    // An "hour" of 1.5 s: the grace period ends within the test.
    let app = TestApp::with_config(|config| config.rotation_hour_ms = 1_500).await;
    let s = setup_with(app).await;
    let old = s.token.token.clone();
    ok(&s
        .app
        .call_form::<SetTokenIpAllowlist>(
            &format!("id={}&ip_allowlist=203.0.113.0%2F24", s.id()),
            Some(&s.cookie),
        )
        .await);
    let response = rotate(&s, s.id(), "1h").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let rotated: CreatedToken = response.json();
    assert_ne!(rotated.token, old);
    assert_eq!(rotated.row.name, s.token.row.name);
    assert_eq!(rotated.row.scopes, s.token.row.scopes);
    assert_eq!(rotated.row.expires_at, s.token.row.expires_at);
    assert_eq!(rotated.row.ip_allowlist, ["203.0.113.0/24"]);
    let old_row = s.row(s.id()).await;
    assert_eq!(
        old_row.rotated_to.as_deref(),
        Some(&rotated.row.visible_prefix[..])
    );
    assert_eq!(s.events("token_rotated").await, 1);
    assert!(s
        .detail("token_rotated")
        .await
        .contains(&rotated.row.visible_prefix));

    // Until the new secret is used, the old one keeps working (7 "days" of 1.5 s hours away).
    let me = s.me(&old).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert!(me.json::<Value>()["rotated_out_until"].is_string());
    // The new secret's first use starts the grace: the old one stops 1 "hour" (1.5 s) later.
    assert_eq!(s.me(&rotated.token).await.status, StatusCode::OK);
    assert_eq!(s.me(&old).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1_700)).await;
    let refused = s.me(&old).await;
    assert_api_error(&refused, StatusCode::UNAUTHORIZED, "invalid_token", "");
    assert!(error(&refused)["message"]
        .as_str()
        .unwrap()
        .contains("rotated"));
    assert_eq!(s.me(&rotated.token).await.status, StatusCode::OK);
    assert_eq!(s.row(s.id()).await.status, TokenStatus::Expired);
}

#[tokio::test]
async fn an_immediate_rotation_stops_the_old_secret_and_a_second_rotation_is_refused() {
    let s = setup().await;
    let response = rotate(&s, s.id(), "now").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let rotated: CreatedToken = response.json();
    assert_api_error(
        &s.me(&s.token.token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "",
    );
    assert_eq!(s.me(&rotated.token).await.status, StatusCode::OK);

    // The old secret is expired now: it cannot be rotated again, nor can a bad grace pass.
    let before = s.app.snapshot().await;
    assert_eq!(rotate(&s, s.id(), "now").await.status, StatusCode::CONFLICT);
    let bad = rotate(&s, rotated.row.id, "2h").await;
    let AppError::Invalid(errors) = bad.app_error() else {
        panic!("{}", bad.body)
    };
    assert!(errors.get("grace").is_some());
    assert_eq!(s.app.snapshot().await, before);
}

#[tokio::test]
async fn double_clicked_rotations_make_one_new_secret() {
    let s = setup().await;
    let (first, second) = tokio::join!(rotate(&s, s.id(), "24h"), rotate(&s, s.id(), "24h"));
    let statuses = [first.status, second.status];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert_eq!(
        s.app
            .count_bound_text(
                "select count(*) from api_token where name = $1",
                "deploy bot"
            )
            .await,
        2
    );
    assert_eq!(s.events("token_rotated").await, 1);
    let refused = if first.status == StatusCode::OK {
        second
    } else {
        first
    };
    let AppError::Invalid(errors) = refused.app_error() else {
        panic!("{}", refused.body)
    };
    assert!(errors.get("grace").unwrap().contains("already rotated"));
}

#[tokio::test]
async fn the_policy_refuses_never_in_the_dashboard_and_the_api_and_lists_tokens_beyond_it() {
    let s = setup().await;
    let forever = create(
        &s.app,
        &s.cookie,
        "forever",
        json!({ "expiration": "never" }),
    )
    .await;
    // A bad policy is refused field by field and changes nothing.
    let before = s.app.snapshot().await;
    let bad = s
        .app
        .call_form::<SetTokenPolicy>("max_lifetime=45&default_expiration=custom", Some(&s.cookie))
        .await;
    let AppError::Invalid(errors) = bad.app_error() else {
        panic!("{}", bad.body)
    };
    assert!(errors.get("max_lifetime").is_some());
    assert!(errors.get("default_expiration").is_some());
    let outside = s
        .app
        .call_form::<SetTokenPolicy>("max_lifetime=30&default_expiration=90d", Some(&s.cookie))
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.app.snapshot().await, before);

    ok(&s
        .app
        .call_form::<SetTokenPolicy>("max_lifetime=90&default_expiration=30d", Some(&s.cookie))
        .await);
    assert!(s
        .detail("token_policy_changed")
        .await
        .contains("No maximum → 90 days"));
    let view: PolicyView = s
        .app
        .call_form::<GetTokenPolicy>("", Some(&s.cookie))
        .await
        .json();
    assert_eq!(view.policy.max_lifetime_days, Some(90));
    // The token that never expires is listed, not changed.
    assert_eq!(view.beyond.len(), 1);
    assert_eq!(view.beyond[0].0, "forever");
    assert_eq!(s.row(forever.row.id).await.expires_at, None);

    let refused = s
        .app
        .call_json::<CreateToken>(
            form("forever 2", json!({ "expiration": "never" })),
            Some(&s.cookie),
        )
        .await;
    let AppError::Invalid(errors) = refused.app_error() else {
        panic!("{}", refused.body)
    };
    assert!(errors
        .get("expiration")
        .unwrap()
        .contains("at most 90 days"));

    // Message tokens minted through the API obey it too.
    let mailbox = acme_hello(&s.app).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/message-tokens");
    let never = s
        .app
        .api(
            "POST",
            &path,
            Some(&s.token.token),
            Some(json!({ "name": "agent", "scopes": ["messages:read"] })),
        )
        .await;
    assert_eq!(
        never.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        never.body
    );
    assert_eq!(code(&never), "validation_error");
    assert!(error(&never)["message"]
        .as_str()
        .unwrap()
        .contains("at most 90 days"));
    let within = s
        .app
        .api(
            "POST",
            &path,
            Some(&s.token.token),
            Some(json!({ "name": "agent", "scopes": ["messages:read"], "expires_in": "30d" })),
        )
        .await;
    assert_eq!(within.status, StatusCode::CREATED, "{}", within.body);
}

#[tokio::test]
async fn the_status_tabs_count_paused_and_expiring_tokens() {
    let s = setup().await;
    let soon = create(&s.app, &s.cookie, "soon", json!({ "expiration": "7d" })).await;
    ok(&s.pause(s.id(), true).await);
    let counts: StatusCounts = s
        .app
        .call_form::<CountTokens>("", Some(&s.cookie))
        .await
        .json();
    assert_eq!(
        (counts.all, counts.active, counts.paused, counts.expiring),
        (2, 1, 1, 1)
    );
    let list = s
        .app
        .get("/agents/tokens?status=expiring", Some(&s.cookie))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("soon"));
    assert!(!list.body.contains("deploy bot"));
    assert!(list.body.contains("Expires soon"));
    assert!(soon.row.expires_soon(trekmail_tokens::server::db::now_ms()));
}

#[tokio::test]
async fn a_minted_message_token_takes_its_makers_ip_allowlist() {
    let s = setup().await;
    let maker = create(
        &s.app,
        &s.cookie,
        "office agent",
        json!({ "ip_allowlist": "203.0.113.0/24" }),
    )
    .await;
    let mailbox = acme_hello(&s.app).await;
    let (id, secret) = message_token(&s.app, &maker.token, mailbox, &["messages:read"]).await;
    assert_eq!(s.row(id).await.ip_allowlist, ["203.0.113.0/24"]);
    let served = s
        .app
        .api("GET", "/api/v1/messages/_me", Some(&secret), None)
        .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
    assert_eq!(
        served.json::<Value>()["ip_allowlist"],
        json!(["203.0.113.0/24"])
    );
}
