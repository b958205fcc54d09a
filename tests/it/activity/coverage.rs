//! "Narrow to what it used" trusts the request log only where it covers the token's last 30 days
//! of work; a narrowing never adds back what was granted meanwhile; each token's logging has a
//! budget, so one token's flood of refused calls cannot crowd out the others'.

use super::*;
use trekmail_tokens::domain::audit::AuditAction;
use trekmail_tokens::domain::new_token::CreateTokenForm;

/// The setup's token used `/domains` (one scope of three), and the log has it.
async fn used_one_scope(s: &Setup) {
    let listed = s
        .app
        .api("GET", "/api/v1/domains", Some(&s.token.token), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    s.app.state.activity.flush().await;
}

async fn refused_with(s: &Setup, words: &str) {
    let before = s.app.snapshot().await;
    let refused = s
        .app
        .call_form::<NarrowToken>(&format!("id={}", s.id()), Some(&s.cookie))
        .await;
    match refused.app_error() {
        AppError::Invalid(errors) => {
            let message = errors.get("scopes").unwrap();
            assert!(message.contains(words), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.app.snapshot().await, before, "nothing changed");
    let detail = s.detail_of(s.id()).await;
    assert!(detail.usage.narrowing.is_empty());
    assert!(detail.usage.uncovered.unwrap().contains(words));
}

#[tokio::test]
async fn a_token_older_than_the_log_is_not_narrowed() {
    let s = setup().await;
    used_one_scope(&s).await;
    // Made 40 days ago; the log's first day is today.
    db::query("update api_token set created_at = $1 where api_token_id = $2")
        .bind(now_ms() - 40 * DAY_MS)
        .bind(s.id())
        .execute(&s.app.pool)
        .await
        .unwrap();
    refused_with(&s, "does not reach back over the whole window").await;
}

#[tokio::test]
async fn a_log_turned_off_meanwhile_is_not_trusted() {
    let s = setup().await;
    used_one_scope(&s).await;
    // Another server of the same database runs with the log off.
    trekmail_tokens::server::activity::note_log_off(&s.app.pool, now_ms())
        .await
        .unwrap();
    refused_with(&s, "was turned off (TREKMAIL_REQUEST_LOG=0)").await;
    // Off only before the token was made: it missed none of the token's requests.
    let created_at = s.detail_of(s.id()).await.token.created_at;
    db::query("update request_log_off set last_at = $1")
        .bind(created_at - 1)
        .execute(&s.app.pool)
        .await
        .unwrap();
    let detail = s.detail_of(s.id()).await;
    assert_eq!(detail.usage.uncovered, None);
    assert!(!detail.usage.narrowing.is_empty());
}

#[tokio::test]
async fn a_server_with_the_log_off_notes_it_as_it_starts() {
    let app = TestApp::with_config(|config| config.request_log = false).await;
    let (last_at,): (i64,) = db::query("select last_at from request_log_off")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(now_ms() - last_at < 60_000);
}

#[tokio::test]
async fn a_log_kept_under_30_days_is_not_trusted() {
    let app = TestApp::with_config(|config| config.activity_days = 14).await;
    let s = crate::lifecycle::setup_with(app).await;
    used_one_scope(&s).await;
    refused_with(&s, "keeps 14 days").await;
}

#[tokio::test]
async fn requests_that_could_not_be_logged_stop_narrowing() {
    let s = setup().await;
    used_one_scope(&s).await;
    db::query("insert into api_request_gap (api_token_id, dropped, last_at) values ($1, 3, $2)")
        .bind(s.id())
        .bind(now_ms())
        .execute(&s.app.pool)
        .await
        .unwrap();
    refused_with(&s, "could not be logged").await;
}

#[tokio::test]
async fn a_narrowing_never_adds_what_was_granted_meanwhile() {
    let s = setup().await;
    // As if the owner had removed `domains:read` after the narrowing read the log: applying the
    // narrowing's form (which still holds it) would add it back.
    let form = CreateTokenForm {
        name: "deploy bot".into(),
        scopes: vec!["domains:read".into()],
        domain_mode: "all".into(),
        ..CreateTokenForm::default()
    };
    let session = s.cookie.split_once('=').unwrap().1;
    let owner = trekmail_tokens::server::auth::user_for_session(&s.app.pool, session)
        .await
        .unwrap()
        .unwrap();
    let client = trekmail_tokens::server::client::ClientMeta {
        ip: "203.0.113.7".into(),
        user_agent: "test".into(),
    };
    let narrower = CreateTokenForm {
        scopes: vec!["mailboxes:read".into()],
        ..form.clone()
    };
    trekmail_tokens::server::tokens::edit_access(
        &s.app.pool,
        &owner,
        s.id(),
        &narrower,
        true,
        &client,
        AuditAction::TokenAccessChanged,
    )
    .await
    .unwrap();
    let before = s.app.snapshot().await;
    let widened = trekmail_tokens::server::tokens::edit_access(
        &s.app.pool,
        &owner,
        s.id(),
        &form,
        true,
        &client,
        AuditAction::TokenNarrowed,
    )
    .await;
    assert!(matches!(
        widened,
        Err(trekmail_tokens::server::tokens::Error::Widens(_))
    ));
    assert_eq!(s.app.snapshot().await, before);
}

#[tokio::test]
async fn a_flood_of_refused_calls_is_logged_within_the_tokens_budget() {
    let app = TestApp::with_config(|config| config.api_rate_limit = 5).await;
    let s = crate::lifecycle::setup_with(app).await;
    let revoked = s
        .app
        .call_form::<trekmail_tokens::api::tokens::RevokeToken>(
            &format!("id={}", s.id()),
            Some(&s.cookie),
        )
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.body);
    for _ in 0..30 {
        let refused = s.me(&s.token.token).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    s.app.state.activity.flush().await;
    let logged = s
        .app
        .count_bound(
            "select count(*) from api_request where api_token_id = $1",
            s.id(),
        )
        .await;
    // Twice the rate limit per clock minute: 10, or up to 20 if the calls crossed a minute.
    assert!((10..=20).contains(&logged), "{logged}");
    let detail = s.detail_of(s.id()).await;
    let dropped = detail.gap.map_or(0, |(dropped, _)| dropped);
    assert_eq!(
        logged + dropped as i64,
        30,
        "the rest counted as not logged"
    );
}
