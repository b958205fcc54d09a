//! Drives the real application in-process: the same router `main.rs` serves, on a fresh SQLite
//! database per test, seeded with the demo accounts.

#![allow(dead_code)] // each test file uses a different part of this

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Extension;
use axum::Router;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use leptos::server_fn::ServerFn;
use std::net::SocketAddr;
use tower::ServiceExt;
use trekmail_tokens::api::error::AppError;
use trekmail_tokens::server::app::{build_state, router};
use trekmail_tokens::server::config::Config;
use trekmail_tokens::server::db::Pool;

/// The address every test request appears to come from.
pub const CLIENT_IP: [u8; 4] = [203, 0, 113, 7];
pub const PASSWORD: &str = "trekmail-demo";

pub struct TestApp {
    pub router: Router,
    pub pool: Pool,
    _dir: tempfile::TempDir,
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
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/test.db", dir.path().display());
        let mut config = Config::for_database(&url);
        config.demo = true;
        adjust(&mut config);
        let options = LeptosOptions::builder()
            .output_name("trekmail-tokens")
            .build();
        let state = build_state(config, options).await.unwrap();
        let pool = state.pool.clone();
        // What `into_make_service_with_connect_info` gives every request of the real server.
        let router = router(state).layer(Extension(ConnectInfo(SocketAddr::from((
            CLIENT_IP, 40_000,
        )))));
        TestApp {
            router,
            pool,
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
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
        let mut request = Request::post(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, "integration-test/1.0");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
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
        let (count,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await.unwrap();
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
