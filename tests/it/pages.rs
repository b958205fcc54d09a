//! The dashboard without JavaScript: every page's first HTML holds the real content, and every
//! journey works with plain links and HTML forms (the browser journeys are in end2end/, run with
//! JavaScript on and off; these check the server's side of them, including forged posts).

use crate::support::TestApp;
use http::{header, StatusCode};
use leptos::server_fn::ServerFn;
use trekmail_tokens::api::session::{SignIn, SignOut};
use trekmail_tokens::api::tokens::RevokeToken;
use trekmail_tokens::model::routes;
use trekmail_tokens::server::db;
use trekmail_tokens::server::secrets::sha256_hex;

const FORM: &str = "application/x-www-form-urlencoded";

/// A browser's own form submission: it asks for HTML and says which page it came from.
async fn plain_post(
    app: &TestApp,
    path: &str,
    body: &str,
    cookie: Option<&str>,
    from: &str,
) -> crate::support::Response {
    let referer = format!("http://127.0.0.1:3000{from}");
    app.post_with(
        path,
        FORM,
        body.to_string(),
        cookie,
        &[
            ("accept", "text/html,application/xhtml+xml"),
            ("referer", &referer),
        ],
    )
    .await
}

fn location(response: &crate::support::Response) -> String {
    response
        .headers
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn pages_arrive_whole_with_their_content_not_a_loading_placeholder() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    crate::support::ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    let tokens = app.get(routes::TOKENS, Some(&owner)).await;
    assert_eq!(tokens.status, StatusCode::OK);
    for expected in [
        "<table",
        "API tokens, newest first",
        "aria-label=\"Status\"",
        &format!("href=\"{}\"", routes::NEW_TOKEN),
        &format!("action=\"{}\"", SignOut::PATH),
    ] {
        assert!(tokens.body.contains(expected), "missing {expected}");
    }
    assert!(!tokens.body.contains("Loading"), "a placeholder was sent");
    assert!(
        !tokens.body.contains("<template"),
        "content waits for a script"
    );

    let audit = app.get(routes::AUDIT_LOG, Some(&owner)).await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("Audit events, newest first"));
    let filtered = app
        .get(&format!("{}?status=revoked", routes::TOKENS), Some(&owner))
        .await;
    assert!(filtered.body.contains("aria-current=\"page\""));
}

#[tokio::test]
async fn a_refused_sign_in_without_javascript_returns_to_the_form_with_its_message() {
    let app = TestApp::new().await;
    let refused = plain_post(
        &app,
        SignIn::PATH,
        "email=owner%40pro.test&password=wrong",
        None,
        routes::SIGN_IN,
    )
    .await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    let back = location(&refused);
    assert!(
        back.contains(routes::SIGN_IN) && back.contains("__err"),
        "{back}"
    );
    let page = app.get(&back, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Incorrect email or password."));

    let signed_in = plain_post(
        &app,
        SignIn::PATH,
        "email=owner%40pro.test&password=trekmail-demo",
        None,
        routes::SIGN_IN,
    )
    .await;
    assert!(signed_in.status.is_redirection());
    assert_eq!(location(&signed_in), routes::TOKENS);
    assert!(signed_in.headers.get(header::SET_COOKIE).is_some());
}

#[tokio::test]
async fn a_token_is_created_without_javascript_and_revealed_once_on_a_page_nobody_caches() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let form = app.get(routes::NEW_TOKEN, Some(&owner)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("method=\"post\""));
    assert!(form
        .body
        .contains(&format!("action=\"{}\"", routes::NEW_TOKEN)));

    let before = app.snapshot().await;
    let created = plain_post(
        &app,
        routes::NEW_TOKEN,
        "name=Nightly+backup&expiration=30d&expiration_date=&scopes=domains%3Aread&scopes=mailboxes%3Aread&domain_mode=all",
        Some(&owner),
        routes::NEW_TOKEN,
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(
        created.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let plaintext = created
        .body
        .split("value=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|value| value.starts_with("tm_live_"))
        .expect("the reveal shows the plaintext")
        .to_string();
    assert!(created.body.contains("Token created"));
    assert!(
        created.body.contains(&format!(
            "curl -H &quot;Authorization: Bearer {plaintext}&quot; http://127.0.0.1:3000/api/v1/me"
        )) || created.body.contains(&format!(
            "curl -H \"Authorization: Bearer {plaintext}\" http://127.0.0.1:3000/api/v1/me"
        )),
        "a first call to copy"
    );
    assert!(created.body.contains("connecting-ai-agents"));
    let after = app.snapshot().await;
    assert_eq!(
        (after.0, after.2),
        (before.0 + 1, before.2 + 1),
        "one token, one event"
    );
    let stored: (String, String) =
        db::query("select token_hash, scopes from api_token order by api_token_id desc limit 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.0, sha256_hex(&plaintext));

    // The list never shows it again.
    let list = app.get(routes::TOKENS, Some(&owner)).await;
    assert!(list.body.contains("Nightly backup"));
    assert!(!list.body.contains(&plaintext));
}

#[tokio::test]
async fn a_refused_creation_without_javascript_shows_the_form_again_and_changes_nothing() {
    let app = TestApp::new().await;
    let nano = app.sign_in("owner@nano.test").await;
    let before = app.snapshot().await;
    let refused = plain_post(
        &app,
        routes::NEW_TOKEN,
        "name=&expiration=custom&expiration_date=1999-01-01&scopes=domains%3Adelete&domain_mode=selected",
        Some(&nano),
        routes::NEW_TOKEN,
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    for message in ["Enter a name", "domains:delete"] {
        assert!(refused.body.contains(message), "missing {message}");
    }
    // What was typed is kept.
    assert!(refused.body.contains("value=\"1999-01-01\""));
    assert_eq!(app.snapshot().await, before);

    for (content_type, status) in [
        ("application/json", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ] {
        let response = app
            .post(
                routes::NEW_TOKEN,
                content_type,
                "name=x".into(),
                Some(&nano),
            )
            .await;
        assert_eq!(response.status, status, "{content_type}");
    }
    let huge = format!("name={}", "a".repeat(70_000));
    let response = app.post(routes::NEW_TOKEN, FORM, huge, Some(&nano)).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    let forged = app
        .post_with(
            routes::NEW_TOKEN,
            FORM,
            "name=forged&expiration=30d&scopes=domains%3Aread&domain_mode=all".into(),
            Some(&nano),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let signed_out = app
        .post(routes::NEW_TOKEN, FORM, "name=x".into(), None)
        .await;
    assert!(signed_out.status.is_redirection());
    let member = app.sign_in("member@pro.test").await;
    let by_member = plain_post(
        &app,
        routes::NEW_TOKEN,
        "name=member&expiration=30d&scopes=domains%3Aread&domain_mode=all",
        Some(&member),
        routes::NEW_TOKEN,
    )
    .await;
    assert_eq!(by_member.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_token_is_revoked_without_javascript_after_a_confirmation_page() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let token = crate::support::ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    let id: i64 = crate::support::id(&app, "select max(api_token_id) from api_token").await;
    let confirm = app.get(&routes::revoke_token(id), Some(&owner)).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("This cannot be undone."));
    assert!(confirm
        .body
        .contains(&format!("action=\"{}\"", RevokeToken::PATH)));

    let revoked = plain_post(
        &app,
        RevokeToken::PATH,
        &format!("id={id}"),
        Some(&owner),
        &routes::revoke_token(id),
    )
    .await;
    assert!(revoked.status.is_redirection(), "{}", revoked.status);
    let back = location(&revoked);
    assert_eq!(back, format!("{}?revoked={id}", routes::TOKENS));
    let list = app.get(&back, Some(&owner)).await;
    assert!(list.body.contains("was revoked"), "a visible confirmation");
    let me = app.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);

    // Another account's token, or none: refused, on the page and in the post.
    assert_eq!(
        app.get(&routes::revoke_token(999_999), Some(&owner))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let before = app.snapshot().await;
    let missing = plain_post(
        &app,
        RevokeToken::PATH,
        "id=999999",
        Some(&owner),
        &routes::revoke_token(999_999),
    )
    .await;
    assert!(missing.status.is_redirection());
    assert!(location(&missing).contains("__err"));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn signing_out_without_javascript_returns_to_the_sign_in_page() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let out = plain_post(&app, SignOut::PATH, "", Some(&owner), routes::TOKENS).await;
    assert!(out.status.is_redirection());
    assert_eq!(location(&out), routes::SIGN_IN);
    assert!(app
        .get(routes::TOKENS, Some(&owner))
        .await
        .status
        .is_redirection());
}

#[tokio::test]
async fn the_list_says_what_a_downgrade_refuses_and_summarises_each_grant() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let ops = crate::support::ops_token(
        &app,
        "owner@pro.test",
        &[
            "domains:read",
            "domains:delete",
            "mailboxes:read",
            "mailboxes:message-tokens:manage",
        ],
        None,
    )
    .await;
    crate::support::ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    let mailbox = crate::support::acme_hello(&app).await;
    crate::support::message_token(&app, &ops, mailbox, &["messages:read"]).await;
    let before = app.get(routes::TOKENS, Some(&owner)).await.body;
    for expected in [
        "Custom · 4 scopes, 1 high-risk",
        "Read-only · 1 scope",
        "Message · messages:read",
    ] {
        assert!(before.contains(expected), "missing {expected}");
    }
    assert!(!before.contains("not available on your plan"));
    assert!(!before.contains("Refused"));

    db::query("update account set plan = 'starter' where name = 'Acme Pro'")
        .execute(&app.pool)
        .await
        .unwrap();
    let after = app.get(routes::TOKENS, Some(&owner)).await.body;
    assert!(
        after.contains(
            "Scopes not available on your plan: domains:delete, mailboxes:message-tokens:manage."
        ),
        "the row names what the plan refuses"
    );
    assert!(after.contains("Refused: message tokens need the Message API of Pro or Agency."));
}

#[tokio::test]
async fn a_revoked_row_shows_when_it_was_revoked_instead_of_its_expiry() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    crate::support::ops_token(&app, "owner@pro.test", &["domains:read"], None).await;
    let id = crate::support::id(&app, "select max(api_token_id) from api_token").await;
    let revoked = app
        .call_form::<RevokeToken>(&format!("id={id}"), Some(&owner))
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let list = app.get(routes::TOKENS, Some(&owner)).await.body;
    let row = list
        .split("<tr")
        .skip(1)
        .find(|row| row.contains(">Revoked</span>"))
        .expect("the revoked row");
    assert!(row.contains(">Revoked on</span>"), "{row}");
    assert!(
        !row.contains("in 30 days") && !row.contains("in 4 weeks"),
        "no future expiry: {row}"
    );
}
