//! The whole HTTP application: pages, server functions, static files and middleware.
//! `main.rs` serves it; the integration tests drive it in-process.

use super::config::Config;
use super::db;
use super::page_guard::guard_pages;
use super::rest::access::ApiRateLimiter;
use super::security::{reject_cross_site, security_headers};
use super::state::AppState;
use super::throttle::LoginThrottle;
use crate::app::{shell, App};
use axum::response::Redirect;
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;

/// Connects to the database (applying migrations) and seeds demo data when configured.
pub async fn build_state(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, sqlx::Error> {
    let pool = db::connect(&config.database_url).await?;
    if config.demo && super::demo::seed_if_empty(&pool).await? {
        tracing::info!("seeded the demo accounts");
    }
    Ok(AppState {
        leptos_options,
        pool,
        login_throttle: Arc::new(LoginThrottle::default()),
        api_rate_limiter: Arc::new(ApiRateLimiter::per_minute(config.api_rate_limit)),
        config: Arc::new(config),
    })
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/", get(|| async { Redirect::to("/agents/tokens") }))
        .route("/healthz", get(|| async { "ok" }))
        .merge(super::rest::router(state.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), guard_pages))
        .layer(middleware::from_fn(reject_cross_site))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}
