//! The detail and narrow pages as the server renders them, with and without JavaScript.

use crate::lifecycle::setup;
use crate::support::acme_hello;
use http::{header, StatusCode};
use leptos::server_fn::ServerFn;
use trekmail_tokens::api::activity::NarrowToken;
use trekmail_tokens::model::routes;

#[tokio::test]
async fn the_detail_page_draws_the_chart_and_lists_what_the_token_did() {
    let s = setup().await;
    let secret = s.token.token.clone();
    let hello = acme_hello(&s.app).await;
    s.me(&secret).await;
    s.app
        .api(
            "GET",
            &format!("/api/v1/mailboxes/{hello}"),
            Some(&secret),
            None,
        )
        .await;
    s.app
        .api("GET", "/api/v1/domains/424242", Some(&secret), None)
        .await;
    s.app.state.activity.flush().await;

    let page = s
        .app
        .get(&routes::token_detail(s.id()), Some(&s.cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    for expected in [
        "<h2 class=\"text-xl font-semibold\">deploy bot</h2>",
        // A picture, named by its numbers.
        "<svg role=\"img\" aria-label=\"Requests per day over the last 30 days: 3 in all, 2 succeeded, 1 failed.\"",
        "mailboxes:read</code><span class=\"ml-1 font-semibold\">· used",
        "mailboxes:message-tokens:manage</code><span class=\"ml-1 font-semibold\">· not used",
        "Touched in the last 30 days: acme.test.",
        "Narrow to what it used",
        "203.0.113.7",
        "GET /api/v1/mailboxes/{id}",
        "404 not_found",
        "Token created",
        "Requests are kept for 90 days.",
    ] {
        assert!(body.contains(expected), "missing {expected}");
    }
    // The list links each name to its page.
    let list = s.app.get(routes::TOKENS, Some(&s.cookie)).await;
    assert!(list
        .body
        .contains(&format!("href=\"/agents/tokens/{}\"", s.id())));
    // Filters in the URL; a bad one is explained, not an error page.
    let filtered = s
        .app
        .get(
            &format!("{}?class=4xx", routes::token_detail(s.id())),
            Some(&s.cookie),
        )
        .await;
    assert!(filtered.body.contains("404 not_found"));
    assert!(!filtered.body.contains("GET /api/v1/me<"));
    let bad = s
        .app
        .get(
            &format!("{}?class=teapot", routes::token_detail(s.id())),
            Some(&s.cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("is not a status class"));

    for (path, who) in [
        (routes::token_detail(999_999), Some(s.cookie.clone())),
        (
            routes::token_change(999_999, "narrow"),
            Some(s.cookie.clone()),
        ),
    ] {
        let missing = s.app.get(&path, who.as_deref()).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
    }
    let member = s.app.sign_in("member@pro.test").await;
    let refused = s
        .app
        .get(&routes::token_detail(s.id()), Some(&member))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let signed_out = s.app.get(&routes::token_detail(s.id()), None).await;
    assert!(signed_out.status.is_redirection());
}

#[tokio::test]
async fn narrowing_works_as_a_plain_form() {
    let s = setup().await;
    s.me(&s.token.token).await;
    s.app.state.activity.flush().await;
    let page = routes::token_change(s.id(), "narrow");
    let confirm = s.app.get(&page, Some(&s.cookie)).await;
    assert_eq!(confirm.status, StatusCode::OK);
    // `/me` needs no scope: it used none of them.
    assert!(confirm.body.contains("Revoke it instead of narrowing it"));
    assert!(
        !confirm.body.contains("Narrow token</button>"),
        "no button without a change"
    );

    s.app
        .api("GET", "/api/v1/domains", Some(&s.token.token), None)
        .await;
    s.app.state.activity.flush().await;
    let confirm = s.app.get(&page, Some(&s.cookie)).await;
    assert!(confirm
        .body
        .contains("Scopes removed: mailboxes:read, mailboxes:message-tokens:manage"));
    assert!(confirm.body.contains("method=\"post\""));
    let referer = format!("http://127.0.0.1:3000{page}");
    let narrowed = s
        .app
        .post_with(
            NarrowToken::PATH,
            "application/x-www-form-urlencoded",
            format!("id={}", s.id()),
            Some(&s.cookie),
            &[("accept", "text/html"), ("referer", &referer)],
        )
        .await;
    assert!(narrowed.status.is_redirection(), "{}", narrowed.status);
    let location = narrowed.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(
        location,
        format!("{}?narrowed=1", routes::token_detail(s.id()))
    );
    let detail = s.app.get(location, Some(&s.cookie)).await;
    assert!(detail
        .body
        .contains("Token narrowed: it now holds only what it used."));
    assert!(detail.body.contains("Scopes removed: mailboxes:read"));
}
