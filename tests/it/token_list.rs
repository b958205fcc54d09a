//! Finding tokens: search by name or prefix, the three orders with keyset paging, the bounded
//! counts of the status tabs, who revoked a row, and "Create similar".

use crate::support::TestApp;
use http::StatusCode;
use trekmail_tokens::api::tokens::{CountTokens, CreateToken, ListTokens, RevokeToken};
use trekmail_tokens::model::routes;
use trekmail_tokens::model::tokens::{CreatedToken, StatusCounts, TokenRow};
use trekmail_tokens::model::Page;
use trekmail_tokens::server::db;

async fn create(app: &TestApp, cookie: &str, name: &str) -> TokenRow {
    let body = crate::support::create_form(name);
    let response = app.call_json::<CreateToken>(body, Some(cookie)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json::<CreatedToken>().row
}

async fn names(app: &TestApp, cookie: &str, query: &str) -> Vec<String> {
    let page: Page<TokenRow> = app
        .call_form::<ListTokens>(query, Some(cookie))
        .await
        .json();
    page.rows.into_iter().map(|row| row.name).collect()
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn search_matches_a_name_anywhere_or_a_prefix_from_its_start_ignoring_case() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    create(&app, &owner, "Deploy bot").await;
    create(&app, &owner, "staging deploy").await;
    let billing = create(&app, &owner, "Billing export").await;
    create(&app, &owner, "100% sync").await;
    create(&app, &owner, "Été report").await;

    assert_eq!(
        names(&app, &owner, "q=DEPLOY").await,
        ["staging deploy", "Deploy bot"]
    );
    assert_eq!(names(&app, &owner, "q=%C3%A9T%C3%A9").await, ["Été report"]);
    // LIKE's wildcards are plain characters in a search.
    assert_eq!(names(&app, &owner, "q=%25").await, ["100% sync"]);
    assert!(names(&app, &owner, "q=_").await.is_empty());
    // The visible prefix, as copied from the list (with its "…"), in any case.
    let prefix = format!("{}…", billing.visible_prefix.to_uppercase());
    assert_eq!(
        names(&app, &owner, &format!("q={}", encode(&prefix))).await,
        ["Billing export"]
    );
    // A prefix matches from its start only; blank and oversized searches still answer.
    let middle = &billing.visible_prefix[3..];
    assert!(names(&app, &owner, &format!("q={}", encode(middle)))
        .await
        .is_empty());
    assert_eq!(names(&app, &owner, "q=++").await.len(), 5);
    let long = "x".repeat(5_000);
    assert!(names(&app, &owner, &format!("q={long}")).await.is_empty());
    // Another account's tokens are never found.
    let agency = app.sign_in("owner@agency.test").await;
    assert!(names(&app, &agency, "q=deploy").await.is_empty());
}

#[tokio::test]
async fn each_order_pages_through_every_token_once_both_ways() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let mut rows = Vec::new();
    for i in 0..45 {
        rows.push(create(&app, &owner, &format!("token {i:02}")).await);
    }
    // Expiries and last uses that tie, are missing, and run against creation order.
    let now = chrono::Utc::now().timestamp_millis();
    for (i, row) in rows.iter().enumerate() {
        let expires = match i % 5 {
            0 => None,
            n => Some(now + (10 - n as i64) * 86_400_000),
        };
        let used = (i % 3 != 0).then(|| now - (i as i64 % 7) * 60_000);
        db::query(
            "update api_token set expires_at = $1, last_used_at = $2 where api_token_id = $3",
        )
        .bind(expires)
        .bind(used)
        .bind(row.id)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let read = |id: i64| {
        let i = ids.iter().position(|x| *x == id).unwrap();
        let expires = match i % 5 {
            0 => None,
            n => Some(now + (10 - n as i64) * 86_400_000),
        };
        let used = (i % 3 != 0).then(|| now - (i as i64 % 7) * 60_000);
        (expires, used)
    };
    let mut by_expiry = ids.clone();
    by_expiry.sort_by_key(|id| (read(*id).0.unwrap_or(i64::MAX), std::cmp::Reverse(*id)));
    let mut by_use = ids.clone();
    by_use.sort_by_key(|id| {
        (
            std::cmp::Reverse(read(*id).1.unwrap_or(0)),
            std::cmp::Reverse(*id),
        )
    });
    let mut newest = ids.clone();
    newest.reverse();

    for (sort, expected) in [("", newest), ("expires", by_expiry), ("last_used", by_use)] {
        let mut seen = Vec::new();
        let mut pages: Vec<Page<TokenRow>> = Vec::new();
        let mut cursor = String::new();
        loop {
            let page: Page<TokenRow> = app
                .call_form::<ListTokens>(&format!("sort={sort}{cursor}"), Some(&owner))
                .await
                .json();
            seen.extend(page.rows.iter().map(|r| r.id));
            pages.push(page.clone());
            match page.older {
                Some(after) => cursor = format!("&after={after}"),
                None => break,
            }
        }
        assert_eq!(seen, expected, "order {sort:?}");
        assert_eq!(
            pages.iter().map(|p| p.rows.len()).collect::<Vec<_>>(),
            [20, 20, 5]
        );
        let back: Page<TokenRow> = app
            .call_form::<ListTokens>(
                &format!("sort={sort}&before={}", pages[2].newer.unwrap()),
                Some(&owner),
            )
            .await
            .json();
        assert_eq!(back.rows, pages[1].rows, "back, order {sort:?}");
        assert_eq!(back.newer, pages[1].newer);
        assert_eq!(back.older, pages[1].older);
    }
}

#[tokio::test]
async fn status_tabs_count_for_the_search_and_stop_at_a_thousand() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    create(&app, &owner, "Keep alpha").await;
    let expired = create(&app, &owner, "Old alpha").await;
    let revoked = create(&app, &owner, "Gone beta").await;
    db::query("update api_token set expires_at = 1 where api_token_id = $1")
        .bind(expired.id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.call_form::<RevokeToken>(&format!("id={}", revoked.id), Some(&owner))
        .await;
    let counts = |q: &'static str| {
        let (app, owner) = (&app, &owner);
        async move {
            let response = app.call_form::<CountTokens>(q, Some(owner)).await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.body);
            response.json::<StatusCounts>()
        }
    };
    let all = StatusCounts {
        all: 3,
        active: 1,
        expiring: 0,
        paused: 0,
        expired: 1,
        revoked: 1,
    };
    assert_eq!(counts("").await, all);
    let alpha = StatusCounts {
        all: 2,
        active: 1,
        expiring: 0,
        paused: 0,
        expired: 1,
        revoked: 0,
    };
    assert_eq!(counts("q=alpha").await, alpha);

    // A huge account costs a bounded count, and the tab says so.
    db::query(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1200)
         insert into api_token (account_id, kind, name, token_hash, visible_prefix, scopes,
                                all_domains, created_at)
         select account_id, 'ops', 'bulk ' || i, 'bulk-hash-' || i, 'tm_live_bulk' || i,
                'domains:read', 1, 1
           from n, (select account_id from account where name = 'Acme Pro') as pro",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let capped = counts("").await;
    assert_eq!((capped.all, capped.active), (1_001, 1_001));
    let page = app.get(routes::TOKENS, Some(&owner)).await;
    assert!(page.body.contains(">1,000+<"), "the tab says 1,000+");
    assert!(page.body.contains(">1<"), "the Revoked tab says 1");
}

#[tokio::test]
async fn a_revoked_row_says_when_and_by_whom_and_offers_create_similar() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let row = create(&app, &owner, "Nightly export").await;
    app.call_form::<RevokeToken>(&format!("id={}", row.id), Some(&owner))
        .await;
    let page: Page<TokenRow> = app
        .call_form::<ListTokens>("status=revoked", Some(&owner))
        .await
        .json();
    assert_eq!(page.rows[0].revoked_by.as_deref(), Some("owner@pro.test"));
    let html = app.get(routes::TOKENS, Some(&owner)).await.body;
    assert!(html.contains("by owner@pro.test"));
    assert!(html.contains(&format!("href=\"{}\"", routes::create_similar(row.id))));
    assert!(html.contains("Create similar"));
}

#[tokio::test]
async fn create_similar_fills_the_form_in_and_never_widens_it() {
    let app = TestApp::new().await;
    // The downgraded demo account: its all-scope token was made on Pro; it is on Nano now.
    let owner = app.sign_in("owner@downgraded.test").await;
    let page: Page<TokenRow> = app
        .call_form::<ListTokens>("q=deploy", Some(&owner))
        .await
        .json();
    let deploy = &page.rows[0];
    assert_eq!(deploy.name, "Deploy pipeline");
    let html = app
        .get(&routes::create_similar(deploy.id), Some(&owner))
        .await
        .body;
    assert!(html.contains("value=\"Deploy pipeline\""));
    assert!(html.contains("Filled in from “Deploy pipeline”"));
    assert!(html.contains("Left out, as your plan no longer allows them: account:read"));
    // Only the scopes Nano allows are checked.
    let checked: Vec<&str> = html
        .split("<input")
        .filter(|input| input.contains("name=\"scopes\"") && input.contains(" checked"))
        .filter_map(|input| input.split("value=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(checked, ["verify:read", "verify:write"]);

    // Another account's token fills nothing in.
    let pro = app.sign_in("owner@pro.test").await;
    let other = app
        .get(&routes::create_similar(deploy.id), Some(&pro))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Deploy pipeline"));
    assert!(other.body.contains("The token to copy was not found"));
    assert!(
        other.body.contains("name=\"name\""),
        "a fresh form is still offered"
    );
}
