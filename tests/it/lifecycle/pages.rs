//! The lifecycle without JavaScript: each change page is a plain form; rotation answers with the
//! reveal on a page nobody caches; Edit access reviews before it saves; refusals come back to the
//! page that sent them, next to their field.

use super::{create, setup};
use crate::support::Response;
use http::{header, StatusCode};
use leptos::server_fn::ServerFn;
use serde_json::json;
use trekmail_tokens::api::lifecycle::{SetTokenIpAllowlist, SetTokenPaused};
use trekmail_tokens::model::routes;

async fn plain_post(s: &super::Setup, path: &str, body: &str, from: &str) -> Response {
    let referer = format!("http://127.0.0.1:3000{from}");
    s.app
        .post_with(
            path,
            "application/x-www-form-urlencoded",
            body.to_string(),
            Some(&s.cookie),
            &[
                ("accept", "text/html,application/xhtml+xml"),
                ("referer", &referer),
            ],
        )
        .await
}

fn location(response: &Response) -> String {
    response
        .headers
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_change_page_is_a_plain_form_and_a_foreign_token_is_a_404() {
    let s = setup().await;
    let id = s.id();
    for (change, says) in [
        ("pause", "Pause “deploy bot”?"),
        ("expiration", "Change the expiration of “deploy bot”"),
        ("ip-allowlist", "Allowed IP addresses of “deploy bot”"),
        ("rotate", "Rotate token"),
        ("edit", "Edit access of “deploy bot”"),
    ] {
        let page = s
            .app
            .get(&routes::token_change(id, change), Some(&s.cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{change}");
        assert!(page.body.contains(says), "{change}");
        assert!(page.body.contains("method=\"post\""), "{change}");
        let missing = s
            .app
            .get(&routes::token_change(999_999, change), Some(&s.cookie))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{change}");
    }
    for page in [routes::TOKEN_POLICY, routes::EMERGENCY_REVOKE] {
        let page = s.app.get(page, Some(&s.cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let member = s.app.sign_in("member@pro.test").await;
    let refused = s
        .app
        .get(&routes::token_change(id, "rotate"), Some(&member))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pausing_and_a_refused_allowlist_work_with_plain_forms() {
    let s = setup().await;
    let id = s.id();
    let pause_page = routes::token_change(id, "pause");
    let paused = plain_post(
        &s,
        SetTokenPaused::PATH,
        &format!("id={id}&paused=true"),
        &pause_page,
    )
    .await;
    assert!(paused.status.is_redirection(), "{}", paused.status);
    assert_eq!(location(&paused), format!("{}?paused={id}", routes::TOKENS));
    let list = s.app.get(&location(&paused), Some(&s.cookie)).await;
    assert!(list.body.contains("was paused"));

    let allowlist_page = routes::token_change(id, "ip-allowlist");
    let before = s.app.snapshot().await;
    let refused = plain_post(
        &s,
        SetTokenIpAllowlist::PATH,
        &format!("id={id}&ip_allowlist=0.0.0.0%2F0"),
        &allowlist_page,
    )
    .await;
    assert!(refused.status.is_redirection());
    // Back to the page that sent it (the browser's Referer), the refusal in the URL.
    let back = location(&refused).replace("http://127.0.0.1:3000", "");
    assert!(
        back.starts_with(&allowlist_page) && back.contains("__err"),
        "{back}"
    );
    let page = s.app.get(&back, Some(&s.cookie)).await;
    assert!(
        page.body.contains("allows every address"),
        "the refusal next to its field"
    );
    assert_eq!(s.app.snapshot().await, before);
}

#[tokio::test]
async fn a_rotation_without_javascript_reveals_the_new_secret_once() {
    let s = setup().await;
    let page = routes::token_change(s.id(), "rotate");
    let rotated = plain_post(&s, &page, "grace=24h", &page).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert_eq!(
        rotated.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    assert!(rotated.body.contains("Token rotated"));
    assert!(rotated.body.contains("keeps working until"));
    let secret = rotated
        .body
        .split("value=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|value| value.starts_with("tm_live_"))
        .expect("the reveal shows the new secret")
        .to_string();
    assert_ne!(secret, s.token.token);
    assert_eq!(s.me(&secret).await.status, StatusCode::OK);
    assert_eq!(s.events("token_rotated").await, 1);

    // A bad grace comes back on the form and changes nothing.
    let other = create(&s.app, &s.cookie, "second", json!({})).await;
    let page = routes::token_change(other.row.id, "rotate");
    let before = s.app.snapshot().await;
    let refused = plain_post(&s, &page, "grace=forever", &page).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("Choose how long the old secret keeps working"));
    assert_eq!(s.app.snapshot().await, before);
}

#[tokio::test]
async fn edit_access_without_javascript_reviews_then_saves() {
    let s = setup().await;
    let page = routes::token_change(s.id(), "edit");
    let form = "name=renamed&scopes=domains%3Aread&domain_mode=all";
    let before = s.app.snapshot().await;
    let review = plain_post(&s, &page, &format!("step=review&{form}"), &page).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(review.body.contains("Name: deploy bot → renamed"));
    assert!(review.body.contains("Save changes"));
    assert_eq!(s.app.snapshot().await, before, "a review changes nothing");
    assert_eq!(s.row(s.id()).await.name, "deploy bot");

    let saved = plain_post(&s, &page, &format!("step=save&{form}"), &page).await;
    assert!(
        saved.status.is_redirection(),
        "{} {}",
        saved.status,
        saved.body
    );
    assert_eq!(
        location(&saved),
        format!("{}?access_changed={}", routes::TOKENS, s.id())
    );
    assert_eq!(s.row(s.id()).await.name, "renamed");
    assert_eq!(s.events("token_access_changed").await, 1);
}
