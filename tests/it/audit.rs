//! The Audit Log's search (action, token, actor, dates) and its exports: streamed CSV and JSON
//! Lines of exactly what the search finds, each export audited, owner only.

use crate::lifecycle::{create, setup};
use http::StatusCode;
use serde_json::{json, Value};
use trekmail_tokens::api::audit::ListAuditEvents;
use trekmail_tokens::model::audit::AuditRow;
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::model::{routes, Page};
use trekmail_tokens::server::db::{self, now_ms};

#[tokio::test]
async fn the_search_narrows_by_token_actor_and_dates_and_names_bad_values() {
    let s = setup().await;
    create(&s.app, &s.cookie, "ci runner", json!({})).await;
    let search = |query: &str| {
        let (app, cookie) = (&s.app, s.cookie.clone());
        let query = query.to_string();
        async move {
            app.call_form::<ListAuditEvents>(&query, Some(&cookie))
                .await
        }
    };
    let page: Page<AuditRow> = search("token=CI%20RUN").await.json();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].token_name, "ci runner");
    let page: Page<AuditRow> = search("actor=owner%40pro&action=token_created")
        .await
        .json();
    assert_eq!(page.rows.len(), 2);
    let today = trekmail_tokens::domain::time::to_datetime(now_ms())
        .format("%Y-%m-%d")
        .to_string();
    let page: Page<AuditRow> = search(&format!("from={today}&to={today}")).await.json();
    assert_eq!(page.rows.len(), 2);
    let page: Page<AuditRow> = search("to=2020-01-01").await.json();
    assert!(page.rows.is_empty());
    for (query, field) in [
        ("from=2026-02-30", "from"),
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("action=token_deleted", "action"),
    ] {
        match search(query).await.app_error() {
            AppError::Invalid(errors) => {
                assert!(errors.get(field).is_some(), "{query}: {errors:?}")
            }
            other => panic!("{query}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn both_exports_stream_what_the_search_finds_and_are_audited() {
    let s = setup().await;
    let risky = create(&s.app, &s.cookie, "=HYPERLINK(\"http://evil\")", json!({})).await;
    // 2,500 more events: the export reads three batches.
    let (account_id,): (i64,) =
        db::query("select account_id from api_token where api_token_id = $1")
            .bind(s.id())
            .fetch_one(&s.app.pool)
            .await
            .unwrap();
    // One of them of an action a later version added: skipped, without ending the export early
    // (it is in the first batch of 1,000).
    for n in 0..2_500 {
        db::query(
            "insert into audit_event (account_id, action, token_name, token_prefix, actor, ip, user_agent, created_at)
             values ($1, $4, $2, 'tm_live_bulk0000', 'owner@pro.test', '10.0.0.1', 'bulk', $3)",
        )
        .bind(account_id)
        .bind(format!("bulk {n}"))
        .bind(now_ms() - 10_000 + n)
        .bind(if n == 2_000 { "future_action" } else { "token_revoked" })
        .execute(&s.app.pool)
        .await
        .unwrap();
    }
    let csv = s
        .app
        .get(
            &format!("{}?format=csv", routes::AUDIT_EXPORT),
            Some(&s.cookie),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"trekmail-audit-log-"));
    assert_eq!(csv.headers["cache-control"], "no-store");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "id,time,action,token_name,token_prefix,actor,ip,user_agent,detail"
    );
    // The header, the export's own event (written before the file is read, so its first line),
    // 2,499 bulk events it knows and the two creations.
    assert_eq!(lines.len(), 1 + 2_499 + 2 + 1, "{}", &csv.body[..300]);
    assert!(
        lines[1].contains("audit_log_exported"),
        "newest first: {}",
        lines[1]
    );
    let ids: Vec<i64> = lines[1..]
        .iter()
        .map(|line| line.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first, no repeats"
    );
    // A name a spreadsheet would run is written as text.
    assert!(
        csv.body.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","),
        "formula defused"
    );
    let _ = risky;

    let jsonl = s
        .app
        .get(
            &format!("{}?format=jsonl&action=token_created", routes::AUDIT_EXPORT),
            Some(&s.cookie),
        )
        .await;
    assert_eq!(jsonl.status, StatusCode::OK);
    let events: Vec<Value> = jsonl
        .body
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|event| event["action"] == "token_created"));
    assert_eq!(events[1]["token_name"], "deploy bot");

    let details: Vec<(String,)> = db::query(
        "select detail from audit_event where action = 'audit_log_exported' order by audit_event_id",
    )
    .fetch_all(&s.app.pool)
    .await
    .unwrap();
    assert_eq!(
        details,
        [
            ("CSV export of every event".to_string(),),
            ("JSON Lines export of action Token created".to_string(),)
        ]
    );
}

#[tokio::test]
async fn an_export_is_refused_to_members_strangers_and_bad_searches() {
    let s = setup().await;
    let path = format!("{}?format=csv", routes::AUDIT_EXPORT);
    let member = s.app.sign_in("member@pro.test").await;
    let refused = s.app.get(&path, Some(&member)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("deploy bot"));
    let signed_out = s.app.get(&path, None).await;
    assert!(signed_out.status.is_redirection());
    for (query, says) in [
        ("format=xlsx", "format=csv or format=jsonl"),
        ("format=csv&from=someday", "YYYY-MM-DD"),
    ] {
        let bad = s
            .app
            .get(
                &format!("{}?{query}", routes::AUDIT_EXPORT),
                Some(&s.cookie),
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(bad.body.contains(says), "{query}: {}", bad.body);
    }
    assert_eq!(
        s.app
            .count("select count(*) from audit_event where action = 'audit_log_exported'")
            .await,
        0
    );
}
