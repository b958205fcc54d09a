//! The account and the Email Verifier.

use super::*;
use trekmail_tokens::server::db;

#[tokio::test]
async fn nano_tokens_verify_addresses_and_spend_credits() {
    let app = TestApp::new().await;
    let token = ops_token(
        &app,
        "owner@nano.test",
        &["verify:read", "verify:write"],
        None,
    )
    .await;
    let credits: Value = app
        .api("GET", "/api/v1/verify/credits", Some(&token), None)
        .await
        .json();
    assert_eq!(credits["credits_remaining"], 1000);
    let quick: Value = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "jane@company.io" })),
        )
        .await
        .json();
    assert_eq!(quick["status"], "valid");
    assert_eq!(quick["credits_charged"], 1);
    let deep: Value = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "jane@gmial.com", "mode": "deep" })),
        )
        .await
        .json();
    assert_eq!(deep["status"], "risky");
    assert_eq!(deep["did_you_mean"], "jane@gmail.com");
    assert_eq!(deep["credits_remaining"], 997);
    let invalid: Value = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "not-an-address" })),
        )
        .await
        .json();
    assert_eq!(invalid["status"], "invalid");
    assert_eq!(invalid["score"], 0);
    // Nano has no Drive without the add-on, and no account:read.
    for path in ["/api/v1/account", "/api/v1/drive/addon"] {
        assert_eq!(
            code(&app.api("GET", path, Some(&token), None).await),
            "insufficient_scope"
        );
    }
    db::query("update account set verify_credits = 1 where name = 'Nano Co'")
        .execute(&app.pool)
        .await
        .unwrap();
    let broke = app
        .api(
            "POST",
            "/api/v1/verify",
            Some(&token),
            Some(json!({ "email": "a@company.io", "mode": "deep" })),
        )
        .await;
    // Not a plan code: the adapter would blame the subscription.
    assert_eq!(code(&broke), "insufficient_credits");
    assert_eq!(
        app.count("select verify_credits from account where name = 'Nano Co'")
            .await,
        1
    );

    let drive = ops_token(&app, "owner@nano-drive.test", &["drive:addon:read"], None).await;
    let addon: Value = app
        .api("GET", "/api/v1/drive/addon", Some(&drive), None)
        .await
        .json();
    assert_eq!(addon["active"], true);
    assert_eq!(addon["size_gb"], 100);
    assert_eq!(addon["in_grace"], false);
}

#[tokio::test]
async fn account_reports_plan_limits_and_usage() {
    let app = TestApp::new().await;
    let token = ops_token(&app, "owner@agency.test", &["account:read"], None).await;
    let account: Value = app
        .api("GET", "/api/v1/account", Some(&token), None)
        .await
        .json();
    assert_eq!(account["plan"], "agency");
    assert_eq!(account["limits"]["forwarding_targets_per_mailbox"], 30);
    assert_eq!(account["usage"]["domains"], 2);
    assert_eq!(account["usage"]["mailboxes"], 4);
    assert_eq!(account["usage"]["active_ops_tokens"], 1);
}
