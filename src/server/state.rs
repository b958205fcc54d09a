//! Shared state: handed to axum handlers as router state and to server functions as context.

use super::activity::ActivityLog;
use super::config::Config;
use super::db::Pool;
use super::rest::rate_limit::ApiRateLimiter;
use super::rest::token_cache::TokenCache;
use super::throttle::LoginThrottle;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::collections::HashMap;
use std::sync::Arc;

/// Cloned for every request by each middleware layer and the route, so it is one `Arc`: a deep
/// copy of the Leptos options here once cost half of a `/healthz` request, and seven reference
/// counts shared by two cores a fifth of what was left.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub leptos_options: Arc<LeptosOptions>,
    pub pool: Pool,
    pub config: Arc<Config>,
    pub login_throttle: Arc<LoginThrottle>,
    pub api_rate_limiter: Arc<ApiRateLimiter>,
    pub token_cache: Arc<TokenCache>,
    /// The per-token request log's queue.
    pub activity: Arc<ActivityLog>,
    /// Each server function's path and the content type it reads.
    pub server_fn_content_types: Arc<HashMap<&'static str, &'static str>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}
