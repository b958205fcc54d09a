//! Drives the real application in-process: the same router `main.rs` serves, on a fresh database
//! per test, seeded with the demo accounts. The database is a SQLite file, or, when
//! `TREKMAIL_TEST_POSTGRES` names a PostgreSQL server (`make rust-test-pg` starts a private one), a
//! PostgreSQL database created for the test and dropped after it.

#![allow(dead_code)] // not every helper is used by every area

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Extension;
use axum::Router;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tower::ServiceExt;
use trekmail_tokens::api::tokens::CreateToken;
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::model::tokens::CreatedToken;
use trekmail_tokens::server::config::Config;
use trekmail_tokens::server::db;
use trekmail_tokens::server::db::Pool;
use trekmail_tokens::server::state::AppState;
use trekmail_tokens::startup::{build_state, router};

/// The longest one request (or building an app) may take before the test fails, naming it. Far
/// above a slow machine's worst (SQLite's busy timeout is 5 s, Argon2 waits at most 5 s), and far
/// below the whole run's limit, so a hang fails in seconds with the test's name.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(30);

/// Awaits `future`, failing the test if it takes longer than `limit`.
pub async fn within<T>(
    limit: Duration,
    what: impl std::fmt::Display,
    future: impl std::future::Future<Output = T>,
) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {limit:?}"))
}

/// The address every test request appears to come from.
pub const CLIENT_IP: [u8; 4] = [203, 0, 113, 7];
pub const PASSWORD: &str = "trekmail-demo";

pub struct TestApp {
    pub router: Router,
    pub pool: Pool,
    pub state: AppState,
    _database: TestDatabase,
}

/// Where a test's data lives; removed when the test ends.
pub enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres(PostgresDatabase),
    /// Another server's: that server's test removes it.
    Shared,
}

/// The PostgreSQL server the tests run against, if any (an administrator's URL).
pub fn postgres_server() -> Option<String> {
    std::env::var("TREKMAIL_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

impl TestDatabase {
    /// A fresh, empty database on the engine this run tests, and its URL.
    pub async fn create() -> (TestDatabase, String) {
        match postgres_server() {
            Some(server) => {
                let database = PostgresDatabase::create(&server).await;
                let url = database.url.clone();
                (TestDatabase::Postgres(database), url)
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/test.db", dir.path().display());
                (TestDatabase::Sqlite(dir), url)
            }
        }
    }
}

/// A database of its own on the test server, dropped (with its connections) when the test ends.
pub struct PostgresDatabase {
    server: String,
    name: String,
    pub url: String,
}

impl PostgresDatabase {
    async fn create(server: &str) -> PostgresDatabase {
        use sqlx::Connection as _;
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(server)
            .await
            .unwrap_or_else(|error| panic!("cannot reach the test PostgreSQL server: {error}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let (base, _) = server.rsplit_once('/').expect("a URL naming a database");
        PostgresDatabase {
            server: server.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own.
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            use sqlx::Connection as _;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "drop database if exists {name} with (force)"
                )))
                .execute(&mut admin)
                .await?;
                admin.close().await
            })
        });
        if let Ok(Err(error)) = dropped.join() {
            eprintln!("could not drop test database {}: {error}", self.name);
        }
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn app_error(&self) -> AppError {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", self.body))
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", self.body))
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    /// A test app whose settings `adjust` changes first (e.g. a low API rate limit).
    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> TestApp {
        within(
            REQUEST_LIMIT,
            "building the test app",
            Self::build(adjust, |_| {}),
        )
        .await
    }

    /// A test app whose Leptos options `adjust` changes first (e.g. another site root).
    pub async fn with_options(adjust: impl FnOnce(&mut LeptosOptions)) -> TestApp {
        within(
            REQUEST_LIMIT,
            "building the test app",
            Self::build(|_| {}, adjust),
        )
        .await
    }

    async fn build(
        adjust: impl FnOnce(&mut Config),
        adjust_options: impl FnOnce(&mut LeptosOptions),
    ) -> TestApp {
        let (database, url) = TestDatabase::create().await;
        let mut config = Config::for_database(&url);
        config.demo = true;
        adjust(&mut config);
        let mut options = LeptosOptions::builder()
            .output_name("trekmail-tokens")
            .build();
        adjust_options(&mut options);
        let state = build_state(config, options).await.unwrap();
        let pool = state.pool.clone();
        let kept = state.clone();
        // What `into_make_service_with_connect_info` gives every request of the real server.
        let router = router(state).layer(Extension(ConnectInfo(SocketAddr::from((
            CLIENT_IP, 40_000,
        )))));
        TestApp {
            router,
            pool,
            state: kept,
            _database: database,
        }
    }

    /// A second app server on the same database, as a load balancer would have beside this one:
    /// its own pool, throttle, rate limiter and (on SQLite) token cache.
    pub async fn another_server(&self) -> TestApp {
        let config = Config::clone(&self.state.config);
        let options = LeptosOptions::clone(&self.state.leptos_options);
        let build = async {
            let state = build_state(config, options).await.unwrap();
            TestApp {
                pool: state.pool.clone(),
                router: router(state.clone()).layer(Extension(ConnectInfo(SocketAddr::from((
                    CLIENT_IP, 40_000,
                ))))),
                state,
                _database: TestDatabase::Shared,
            }
        };
        within(REQUEST_LIMIT, "building another server", build).await
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let what = format!("{} {}", request.method(), request.uri());
        within(REQUEST_LIMIT, what, self.send_unbounded(request)).await
    }

    async fn send_unbounded(&self, request: Request<Body>) -> Response {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = Request::get(path).header(header::HOST, "127.0.0.1:3000");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Calls server function `F` with a form-encoded body (its default encoding).
    pub async fn call_form<F: ServerFn>(&self, body: &str, cookie: Option<&str>) -> Response {
        self.post(
            F::PATH,
            "application/x-www-form-urlencoded",
            body.to_string(),
            cookie,
        )
        .await
    }

    /// Calls server function `F` with a JSON body.
    pub async fn call_json<F: ServerFn>(
        &self,
        body: serde_json::Value,
        cookie: Option<&str>,
    ) -> Response {
        self.post(F::PATH, "application/json", body.to_string(), cookie)
            .await
    }

    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        cookie: Option<&str>,
    ) -> Response {
        self.post_with(path, content_type, body, cookie, &[]).await
    }

    /// The same with extra headers (added after the usual ones).
    pub async fn post_with(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = Request::post(path).header(header::HOST, "127.0.0.1:3000");
        // The page's own origin, unless the test sends another.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("origin"))
        {
            request = request.header(header::ORIGIN, "http://127.0.0.1:3000");
        }
        // A script's call asks for JSON, unless the test sends another Accept.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("accept"))
        {
            request = request.header(header::ACCEPT, "application/json");
        }
        request = request
            .header(header::CONTENT_TYPE, content_type)
            .header(header::USER_AGENT, "integration-test/1.0");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Signs in and returns the `Cookie` header value for later requests.
    pub async fn sign_in(&self, email: &str) -> String {
        let response = self
            .call_form::<trekmail_tokens::api::session::SignIn>(
                &format!("email={}&password={PASSWORD}", email.replace('@', "%40")),
                None,
            )
            .await;
        assert!(
            response.status.is_success() || response.status.is_redirection(),
            "sign-in failed: {} {}",
            response.status,
            response.body
        );
        let set_cookie = response
            .headers
            .get(header::SET_COOKIE)
            .expect("a session cookie")
            .to_str()
            .unwrap();
        set_cookie.split(';').next().unwrap().to_string()
    }

    /// Calls the REST API. `token` goes in `Authorization: Bearer`; a `body` is sent as JSON.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Response {
        self.api_with(method, path, token, body.map(|b| b.to_string()), &[])
            .await
    }

    /// The same with a raw body and extra headers (a `Content-Type` among them replaces JSON's).
    pub async fn api_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, "trekmail-mcp/1.10.0");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let sets_type = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !sets_type {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body.unwrap_or_default())).unwrap())
            .await
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        let (count,): (i64,) = db::query(sql).fetch_one(&self.pool).await.unwrap();
        count
    }

    /// [`TestApp::count`] with `$1` bound to `value`.
    pub async fn count_bound(&self, sql: &'static str, value: i64) -> i64 {
        let (count,): (i64,) = db::query(sql)
            .bind(value)
            .fetch_one(&self.pool)
            .await
            .unwrap();
        count
    }

    /// [`TestApp::count`] with `$1` bound to `text`.
    pub async fn count_bound_text(&self, sql: &'static str, text: &str) -> i64 {
        let (count,): (i64,) = db::query(sql)
            .bind(text)
            .fetch_one(&self.pool)
            .await
            .unwrap();
        count
    }

    /// Tokens and audit events: what a refused request must leave untouched.
    pub async fn snapshot(&self) -> (i64, i64, i64) {
        (
            self.count("select count(*) from api_token").await,
            self.count("select count(*) from api_token where revoked_at is not null")
                .await,
            self.count("select count(*) from audit_event").await,
        )
    }
}

// ---- The REST API: tokens and mailboxes of the demo accounts ------------------------------

pub static NAMES: AtomicUsize = AtomicUsize::new(0);

/// A create-form submission for the `CreateToken` server function: 30 days, `domains:read`,
/// all domains.
pub fn create_form(name: &str) -> Value {
    json!({ "form": {
        "name": name,
        "expiration": "30d",
        "expiration_date": "",
        "scopes": ["domains:read"],
        "domain_mode": "all",
        "domain_ids": []
    }})
}

/// Creates an ops token in the dashboard (as the owner would) and returns its plaintext.
pub async fn ops_token(
    app: &TestApp,
    owner: &str,
    scopes: &[&str],
    domains: Option<&[i64]>,
) -> String {
    let cookie = app.sign_in(owner).await;
    let name = format!("token {}", NAMES.fetch_add(1, Ordering::SeqCst));
    let body = json!({ "form": {
        "name": name,
        "expiration": "30d",
        "expiration_date": "",
        "scopes": scopes,
        "domain_mode": if domains.is_some() { "selected" } else { "all" },
        "domain_ids": domains.unwrap_or(&[]),
    }});
    let response = app.call_json::<CreateToken>(body, Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json::<CreatedToken>().token
}

pub async fn id(app: &TestApp, sql: &'static str) -> i64 {
    app.count(sql).await
}

pub async fn acme_hello(app: &TestApp) -> i64 {
    id(app, "select m.mailbox_id from mailbox m join domain d on d.domain_id = m.domain_id where d.name = 'acme.test' and m.local_part = 'hello'").await
}

pub async fn acme_shop_orders(app: &TestApp) -> i64 {
    id(app, "select m.mailbox_id from mailbox m join domain d on d.domain_id = m.domain_id where d.name = 'acme-shop.test' and m.local_part = 'orders'").await
}

/// Mints a message token with an ops token; returns (id, plaintext).
pub async fn message_token(
    app: &TestApp,
    ops: &str,
    mailbox_id: i64,
    scopes: &[&str],
) -> (i64, String) {
    let response = app
        .api(
            "POST",
            &format!("/api/v1/mailboxes/{mailbox_id}/message-tokens"),
            Some(ops),
            Some(json!({ "name": "Support agent", "scopes": scopes, "expires_in": "30d" })),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let body: Value = response.json();
    (
        body["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_string(),
    )
}

pub fn error(response: &Response) -> Value {
    let body: Value = response.json();
    assert!(body["error"]["request_id"].is_string(), "{}", response.body);
    body["error"].clone()
}

/// Checks a refusal's status and code (naming `what` when it fails) and returns its error object.
pub fn assert_api_error(
    response: &Response,
    status: impl Into<u16>,
    code: &str,
    what: &str,
) -> Value {
    assert_eq!(
        response.status.as_u16(),
        status.into(),
        "{what}: {}",
        &response.body[..response.body.len().min(300)]
    );
    let error = error(response);
    assert_eq!(error["code"], code, "{what}");
    error
}

pub fn code(response: &Response) -> String {
    error(response)["code"].as_str().unwrap().to_string()
}

/// The error object without its request id, to compare two replies.
pub fn error_without_id(response: &Response) -> Value {
    let mut error = error(response);
    error.as_object_mut().unwrap().remove("request_id");
    error
}
