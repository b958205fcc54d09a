//! Signed webhooks: endpoints added and deleted by the owner only, token events written to the
//! outbox with the change, delivered signed to a receiver on this machine, retried (never
//! redirected) until they succeed or the schedule ends, and kept across a restart.

mod delivery;
mod endpoints;

use crate::support::{ops_token, within, TestApp, REQUEST_LIMIT};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response as AxumResponse};
use http::StatusCode;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use trekmail_tokens::model::webhooks::CreatedEndpoint;
use trekmail_tokens::server::db;
use trekmail_tokens::server::webhooks::{self, deliver};

/// What the receiver answers to its next request (then 204 once the script runs out).
#[derive(Clone, Copy)]
pub enum Answer {
    Status(u16),
    Redirect,
    /// Answers 204 after this many milliseconds.
    Slow(u64),
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Clone, Default)]
struct ReceiverState {
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

/// A webhook receiver on 127.0.0.1, stopped when dropped.
pub struct Receiver {
    pub url: String,
    state: ReceiverState,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(script: &[Answer]) -> Receiver {
        let state = ReceiverState::default();
        state.script.lock().unwrap().extend(script.iter().copied());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .route("/elsewhere", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { url, state, server }
    }

    pub fn got(&self) -> Vec<Received> {
        self.state.got.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> AxumResponse {
    let path = uri.path().to_string();
    state.got.lock().unwrap().push(Received {
        path,
        headers,
        body,
    });
    let answer = state.script.lock().unwrap().pop_front();
    match answer {
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
        Some(Answer::Redirect) => axum::response::Redirect::temporary("/elsewhere").into_response(),
        Some(Answer::Slow(ms)) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            StatusCode::NO_CONTENT.into_response()
        }
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// A browser's form post to the add page.
pub async fn add_endpoint(
    app: &TestApp,
    cookie: &str,
    url: &str,
    events: &[&str],
) -> crate::support::Response {
    let mut form = vec![("url", url)];
    form.extend(events.iter().map(|event| ("events", *event)));
    let body = serde_urlencoded::to_string(&form).unwrap();
    app.post_with(
        trekmail_tokens::model::routes::NEW_WEBHOOK,
        "application/x-www-form-urlencoded",
        body,
        Some(cookie),
        &[("accept", "text/html")],
    )
    .await
}

/// Adds an endpoint as `owner` and returns it with its secret (read from the database: the page
/// shows it once, and the tests check that separately).
pub async fn endpoint(app: &TestApp, owner: &str, url: &str, events: &[&str]) -> CreatedEndpoint {
    let cookie = app.sign_in(owner).await;
    let added = add_endpoint(app, &cookie, url, events).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let (id, secret): (i64, String) = db::query(
        "select webhook_endpoint_id, secret from webhook_endpoint order by webhook_endpoint_id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let rows = webhooks::list_endpoints(&app.pool, account_of(app, owner).await)
        .await
        .unwrap();
    let row = rows.into_iter().find(|row| row.id == id).unwrap();
    CreatedEndpoint { row, secret }
}

pub async fn account_of(app: &TestApp, email: &str) -> i64 {
    app.count_bound_text("select account_id from app_user where email = $1", email)
        .await
}

/// Runs the worker's pass at `now` (bounded: a hung delivery fails the test).
pub async fn deliver_at(app: &TestApp, now: i64) -> usize {
    let client = deliver::client(true);
    within(
        REQUEST_LIMIT,
        "delivering webhooks",
        deliver::deliver_due(&app.pool, &client, true, now),
    )
    .await
    .unwrap()
}

/// Runs passes at `now` until nothing is due (each pass sends one delivery per endpoint); returns
/// how many were attempted.
pub async fn deliver_all(app: &TestApp, now: i64) -> usize {
    let mut total = 0;
    for _ in 0..100 {
        match deliver_at(app, now).await {
            0 => return total,
            attempted => total += attempted,
        }
    }
    panic!("deliveries were still due after 100 passes");
}

pub fn now() -> i64 {
    trekmail_tokens::server::db::now_ms()
}
