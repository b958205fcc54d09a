//! Following a request through the logs: every line logged while it runs carries its request id
//! (the one in its `X-Request-Id` header and its error envelope), the closing line carries the
//! route, status, latency and the API token's visible prefix, and no token is ever logged.

use crate::support::{acme_hello, ops_token, TestApp};
use http::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Arc, Mutex};

const PRO: &str = "owner@pro.test";

/// Log lines written while `run` runs on this thread, as JSON objects.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The JSON lines `server::telemetry` writes with `TREKMAIL_LOG_FORMAT=json`.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("info")
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    fn lines_of(&self, request_id: &str) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|line| line["span"]["id"] == request_id)
            .collect()
    }
}

#[tokio::test] // one thread: the subscriber set here sees every line the request logs
async fn one_request_can_be_followed_through_the_logs_by_its_id() {
    let app = TestApp::new().await;
    let ops = ops_token(&app, PRO, &["mailboxes:message-tokens:manage"], None).await;
    let mailbox = acme_hello(&app).await;
    let logs = Captured::default();
    let guard = logs.install();
    let minted = app
        .api_with(
            "POST",
            &format!("/api/v1/mailboxes/{mailbox}/message-tokens"),
            Some(&ops),
            Some(json!({ "name": "Traced", "scopes": ["messages:read"] }).to_string()),
            &[("x-request-id", "trace-me-0001")],
        )
        .await;
    let refused = app
        .api_with(
            "POST",
            &format!("/api/v1/mailboxes/{mailbox}/message-tokens"),
            Some(&ops),
            Some(json!({ "name": "", "scopes": ["messages:read"] }).to_string()),
            &[("x-request-id", "a b")], // not safe to log: replaced
        )
        .await;
    drop(guard);
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    assert_eq!(minted.headers["x-request-id"], "trace-me-0001");

    let lines = logs.lines_of("trace-me-0001");
    let messages: Vec<&str> = lines
        .iter()
        .map(|line| line["fields"]["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["message token created", "request finished"],
        "{}",
        logs.text()
    );
    let span = &lines[1]["span"];
    assert_eq!(span["method"], "POST");
    assert_eq!(span["route"], "/api/v1/mailboxes/{id}/message-tokens");
    assert_eq!(span["status"], 201);
    assert!(span["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        span["token"].as_str().unwrap(),
        &ops[..16],
        "the visible prefix"
    );

    // The refused request got a fresh id, the same in its header, its envelope and its lines.
    let id = refused.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let body: Value = refused.json();
    assert_eq!(body["error"]["request_id"], id);
    let lines = logs.lines_of(id);
    assert_eq!(lines.len(), 1, "{}", logs.text());
    assert_eq!(lines[0]["span"]["status"], 422);

    let minted: Value = minted.json();
    let text = logs.text();
    assert!(!text.contains(&ops), "the ops token is never logged");
    assert!(
        !text.contains(minted["token"].as_str().unwrap()),
        "nor a minted one"
    );
}

#[tokio::test]
async fn pages_and_server_functions_get_an_id_too() {
    let app = TestApp::new().await;
    for path in ["/sign-in", "/healthz", "/no-such-page"] {
        let response = app.get(path, None).await;
        let id = response.headers["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 36, "{path}: {id}");
    }
}
