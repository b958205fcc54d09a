//! "Needs attention": each kind counted for the panel and filtering the list, on live tokens only.

use crate::lifecycle::{create, setup};
use http::StatusCode;
use serde_json::json;
use trekmail_tokens::api::tokens::{CountAttention, ListTokens};
use trekmail_tokens::domain::activity::DAY_MS;
use trekmail_tokens::domain::attention::{Attention, AttentionCounts};
use trekmail_tokens::domain::plan::{Plan, PlanAccess};
use trekmail_tokens::model::tokens::TokenRow;
use trekmail_tokens::model::Page;
use trekmail_tokens::server::db::{self, now_ms};

#[tokio::test]
async fn each_kind_is_counted_and_filters_the_list() {
    let s = setup().await;
    let (app, cookie) = (&s.app, &s.cookie);
    let forever = create(app, cookie, "forever", json!({ "expiration": "never" })).await;
    let every: Vec<String> = PlanAccess::new(Plan::Pro, false)
        .allowed_scopes()
        .into_iter()
        .map(|scope| scope.name().to_string())
        .collect();
    let broad = create(app, cookie, "broad", json!({ "scopes": every })).await;
    let risky = create(
        app,
        cookie,
        "risky",
        json!({ "scopes": ["domains:read", "mailboxes:delete"] }),
    )
    .await;
    // Both created 40 days ago; `risky` never used, `broad` used 100 days ago.
    let old = now_ms() - 40 * DAY_MS;
    for id in [risky.row.id, broad.row.id] {
        db::query("update api_token set created_at = $1 where api_token_id = $2")
            .bind(old)
            .bind(id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    db::query("update api_token set last_used_at = $1 where api_token_id = $2")
        .bind(now_ms() - 100 * DAY_MS)
        .bind(broad.row.id)
        .execute(&app.pool)
        .await
        .unwrap();
    // A revoked never-expiring token needs nothing.
    let gone = create(app, cookie, "gone", json!({ "expiration": "never" })).await;
    let revoked = app
        .call_form::<trekmail_tokens::api::tokens::RevokeToken>(
            &format!("id={}", gone.row.id),
            Some(cookie),
        )
        .await;
    assert!(revoked.status.is_success());

    let counts: AttentionCounts = app
        .call_form::<CountAttention>("", Some(cookie))
        .await
        .json();
    let ids = |attention: Attention| async move {
        let page = app
            .call_form::<ListTokens>(&format!("attention={}", attention.as_str()), Some(cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let page: Page<TokenRow> = page.json();
        let mut ids: Vec<i64> = page.rows.iter().map(|row| row.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(Attention::NeverExpires).await, [forever.row.id]);
    assert_eq!(ids(Attention::Idle).await, [broad.row.id, risky.row.id]);
    // `broad` holds the plan's high-risk scopes too, and never used them.
    assert_eq!(
        ids(Attention::UnusedHighRisk).await,
        [broad.row.id, risky.row.id]
    );
    assert_eq!(ids(Attention::AllScopes).await, [broad.row.id]);
    assert_eq!(counts, AttentionCounts([1, 2, 2, 1]));

    // An unknown word shows the whole list rather than an error.
    let all: Page<TokenRow> = app
        .call_form::<ListTokens>("attention=stale", Some(cookie))
        .await
        .json();
    assert!(all.rows.len() >= 5);
    // The panel is on the page, each count linking to its list.
    let page = app.get("/agents/tokens", Some(cookie)).await;
    assert!(
        page.body.contains("Needs attention"),
        "{}",
        &page.body[..500]
    );
    assert!(page.body.contains("href=\"/agents/tokens?attention=idle\""));
    let filtered = app.get("/agents/tokens?attention=idle", Some(cookie)).await;
    assert!(filtered.body.contains("Showing: Idle tokens"));
    assert!(filtered.body.contains(">risky<"));
    assert!(!filtered.body.contains(">forever<"));
    let _ = s.id();
}
