//! Domains, mailboxes and forwarding through a token's domain constraint.

use super::*;
use trekmail_tokens::server::db::Pool;

#[tokio::test]
async fn a_domain_constrained_token_sees_only_its_domains_and_404s_the_rest() {
    let app = TestApp::new().await;
    let acme = id(
        &app,
        "select domain_id from domain where name = 'acme.test'",
    )
    .await;
    let shop = id(
        &app,
        "select domain_id from domain where name = 'acme-shop.test'",
    )
    .await;
    let token = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, Some(&[acme])).await;
    let full = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;

    let domains: Value = app
        .api("GET", "/api/v1/domains", Some(&token), None)
        .await
        .json();
    assert_eq!(domains["data"].as_array().unwrap().len(), 1);
    assert_eq!(domains["data"][0]["name"], "acme.test");
    assert_eq!(domains["meta"]["total"], 1);
    let all: Value = app
        .api("GET", "/api/v1/domains", Some(&full), None)
        .await
        .json();
    assert_eq!(all["meta"]["total"], 3);

    let mailboxes: Value = app
        .api("GET", "/api/v1/mailboxes", Some(&token), None)
        .await
        .json();
    let addresses: Vec<&str> = mailboxes["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["billing@acme.test", "hello@acme.test", "support@acme.test"]
    );

    let orders = acme_shop_orders(&app).await;
    let missing = app
        .api("GET", "/api/v1/domains/999999", Some(&token), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let paths = [
        format!("/api/v1/domains/{shop}"),
        format!("/api/v1/mailboxes/{orders}"),
        format!("/api/v1/mailboxes/{orders}/forwarding"),
        format!("/api/v1/mailboxes/{orders}/message-tokens"),
        format!("/api/v1/mailboxes?domain_id={shop}"),
    ];
    for path in &paths {
        let hidden = app.api("GET", path, Some(&token), None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            error_without_id(&hidden),
            error_without_id(&missing),
            "{path}: same body as a missing id"
        );
        assert_eq!(
            app.api("GET", path, Some(&full), None).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let before = app.snapshot().await;
    let create = app
        .api(
            "POST",
            &format!("/api/v1/mailboxes/{orders}/message-tokens"),
            Some(&token),
            Some(json!({ "name": "x", "scopes": ["messages:read"] })),
        )
        .await;
    assert_eq!(create.status, StatusCode::NOT_FOUND);
    let forward = app
        .api(
            "PUT",
            &format!("/api/v1/mailboxes/{orders}/forwarding"),
            Some(&token),
            Some(json!({ "enabled": false, "keep_copy": true })),
        )
        .await;
    assert_eq!(forward.status, StatusCode::NOT_FOUND);
    // A message token on another domain cannot be revoked through the constrained token.
    let (other_message, _) = message_token(&app, &full, orders, &["messages:read"]).await;
    let after_mint = app.snapshot().await;
    let revoke = app
        .api(
            "DELETE",
            &format!("/api/v1/message-tokens/{other_message}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NOT_FOUND);
    assert_eq!(error_without_id(&revoke), error_without_id(&missing));
    assert_eq!(app.snapshot().await, after_mint);
    assert_eq!(after_mint.0, before.0 + 1);
}

#[tokio::test]
async fn forwarding_validates_every_target_and_the_plan_cap() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, ALL_PRO_OPS_SCOPES, None).await;
    let mailbox = acme_hello(&app).await;
    let path = format!("/api/v1/mailboxes/{mailbox}/forwarding");
    let initial: Value = app.api("GET", &path, Some(&token), None).await.json();
    assert_eq!(
        initial,
        json!({ "mailbox_id": mailbox, "address": "hello@acme.test", "enabled": false, "targets": [], "keep_copy": true, "destination_limit": 15 })
    );

    let saved = app.api("PUT", &path, Some(&token), Some(json!({ "enabled": true, "targets": ["Ops@Example.ORG", "me@company.io"], "keep_copy": false }))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let expected = json!({ "mailbox_id": mailbox, "address": "hello@acme.test", "enabled": true, "targets": ["Ops@example.org", "me@company.io"], "keep_copy": false, "destination_limit": 15 });
    assert_eq!(saved.json::<Value>(), expected);

    let too_many: Vec<String> = (0..16).map(|n| format!("t{n}@example.org")).collect();
    let bad_bodies = [
        (
            json!({ "enabled": true, "targets": ["ok@example.org", "not an address"], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets[1]"),
        ),
        (
            json!({ "enabled": true, "targets": ["hello@acme.test"], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets[0]"),
        ),
        (
            json!({ "enabled": true, "targets": ["a@example.org", "A@example.org"], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets[1]"),
        ),
        (
            json!({ "enabled": true, "targets": too_many, "keep_copy": true }),
            422,
            "limit_exceeded",
            Some("targets"),
        ),
        (
            json!({ "enabled": true, "targets": [], "keep_copy": true }),
            422,
            "validation_error",
            Some("targets"),
        ),
        (
            json!({ "enabled": "yes", "keep_copy": true }),
            422,
            "validation_error",
            Some("enabled"),
        ),
        (
            json!({ "keep_copy": true }),
            422,
            "validation_error",
            Some("enabled"),
        ),
        (
            json!({ "enabled": true, "targets": ["a@example.org"], "keep_copy": true, "mode": "x" }),
            422,
            "validation_error",
            Some("mode"),
        ),
    ];
    for (body, status, expected_code, field) in bad_bodies {
        let response = app
            .api("PUT", &path, Some(&token), Some(body.clone()))
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{body}: {}",
            response.body
        );
        assert_eq!(code(&response), expected_code, "{body}");
        assert_eq!(error(&response)["field"].as_str(), field, "{body}");
    }
    assert_eq!(
        app.api("GET", &path, Some(&token), None)
            .await
            .json::<Value>(),
        expected,
        "nothing changed"
    );

    // Disabling without targets keeps them for later.
    let off: Value = app
        .api(
            "PUT",
            &path,
            Some(&token),
            Some(json!({ "enabled": false, "keep_copy": true })),
        )
        .await
        .json();
    assert_eq!(off["enabled"], false);
    assert_eq!(off["targets"], json!(["Ops@example.org", "me@company.io"]));
}

#[tokio::test]
async fn searches_are_case_insensitive_and_take_wildcards_literally() {
    let app = TestApp::new().await;
    let token = ops_token(&app, PRO, &["domains:read", "mailboxes:read"], None).await;
    let total = |path: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let body: Value = app.api("GET", path, Some(&token), None).await.json();
            body["meta"]["total"].as_i64().unwrap()
        }
    };
    assert_eq!(total("/api/v1/domains?search=ACME").await, 3);
    assert_eq!(total("/api/v1/domains?search=acme-shop").await, 1);
    assert_eq!(
        total("/api/v1/domains?search=%25").await,
        0,
        "% is not a wildcard"
    );
    assert_eq!(
        total("/api/v1/domains?search=acme_shop").await,
        0,
        "_ is not a wildcard"
    );
    assert_eq!(total("/api/v1/mailboxes?search=hello%40acme").await, 1);
}

/// The mailbox list's order (domain name, then local part) is read from the indexes, a page at a
/// time, however many mailboxes a domain holds: SQLite sorted all of them for every page until
/// the domains' (account, name) index was declared unique (bench/RESULTS.md: 10,000 mailboxes).
#[tokio::test]
async fn the_mailbox_list_reads_its_order_from_the_indexes_without_sorting() {
    let app = TestApp::new().await;
    // SQLite's planner, and its plan's wording; PostgreSQL plans by statistics of its own.
    let Pool::Sqlite(pool) = &app.pool else {
        return;
    };
    let mut connection = pool.acquire().await.unwrap();
    sqlx::raw_sql(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000)
         insert into mailbox (domain_id, local_part, created_at)
         select (select min(domain_id) from domain where account_id = 2), 'bulk' || i, 0 from n;
         analyze;",
    )
    .execute(&mut *connection)
    .await
    .unwrap();
    // The list's query as server/mail/mod.rs builds it (SELECT_MAILBOXES, its order, a page).
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "explain query plan
         select m.mailbox_id, m.local_part, d.domain_id, d.name as domain, m.forwarding_enabled,
                m.forwarding_keep_copy, m.forwarding_targets, m.created_at
           from mailbox m join domain d on d.domain_id = m.domain_id where d.account_id = $1
          order by d.name, m.local_part limit 10 offset 0",
    )
    .bind(2_i64)
    .fetch_all(&mut *connection)
    .await
    .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|row| row.3).collect();
    assert!(
        plan.iter().all(|step| !step.contains("TEMP B-TREE")),
        "{plan:#?}"
    );
}
