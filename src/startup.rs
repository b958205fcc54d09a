//! The whole HTTP application: pages, server functions, static files and middleware.
//! `main.rs` serves it; the integration tests drive it in-process.

use crate::app::{shell, App};
use crate::model::routes;
use crate::server::assets::{self, serve_pkg, PKG_PREFIX};
use crate::server::config::Config;
use crate::server::db;
use crate::server::page_guard::guard_pages;
use crate::server::plain_forms::{keep_form_redirects, read_page_form};
use crate::server::rest::rate_limit::ApiRateLimiter;
use crate::server::rest::token_cache::TokenCache;
use crate::server::security::{
    page_policy, reject_cross_site, require_declared_content_type, security_headers,
};
use crate::server::state::{AppState, Shared};
use crate::server::telemetry;
use crate::server::throttle::LoginThrottle;
use axum::extract::{Request, State};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Connects to the database (applying migrations) and seeds demo data when configured.
pub async fn build_state(
    config: Config,
    leptos_options: LeptosOptions,
) -> Result<AppState, sqlx::Error> {
    let statement_timeout = std::time::Duration::from_millis(config.statement_timeout_ms);
    let pool = db::connect(&config.database_url, statement_timeout).await?;
    if config.demo && crate::server::demo::seed_if_empty(&pool).await? {
        tracing::info!("seeded the demo accounts");
    }
    if !config.request_log {
        // Before the first request: narrowing must know at once that requests go unlogged.
        crate::server::activity::note_log_off(&pool, db::now_ms()).await?;
    }
    Ok(AppState::new(Shared {
        leptos_options: Arc::new(leptos_options),
        login_throttle: Arc::new(LoginThrottle::new(pool.clone())),
        api_rate_limiter: Arc::new(ApiRateLimiter::per_minute(
            config.api_rate_limit,
            pool.clone(),
        )),
        token_cache: Arc::new(TokenCache::for_engine(pool.engine())),
        activity: Arc::new(crate::server::activity::ActivityLog::start(
            pool.clone(),
            config.request_log,
            config.api_rate_limit,
        )),
        pool,
        config: Arc::new(config),
        server_fn_content_types: Arc::new(crate::api::server_fn_content_types()),
    }))
}

/// The app's page routes, worked out once per process. Leptos works them out by rendering `App`
/// while a process-wide "do not load resources" switch is on; a page rendered on another thread
/// meanwhile gets resources that never resolve, and its response never ends (this hung the
/// in-process test suite, where each test builds a router while others render). `get_or_init`
/// makes every later caller wait until the one render is over.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole app: the REST API, the pages with their server functions, and the layers every
/// response passes through.
pub fn router(state: AppState) -> Router {
    let bench_routes = state.config.bench_routes;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::server::rest::router(state.clone()))
        .merge(dashboard(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        // Outermost: every response, refusals included, carries the id its log lines carry.
        .layer(PropagateRequestIdLayer::new(telemetry::REQUEST_ID))
        .layer(assets::compression())
        // A body trickled slower than this holds no connection for long (server/serve.rs).
        .layer(RequestBodyTimeoutLayer::new(
            crate::server::serve::BODY_READ_TIMEOUT,
        ))
        .layer(telemetry::trace_layer())
        .layer(telemetry::set_request_id())
        .layer(middleware::map_request(telemetry::drop_unsafe_request_id))
        .with_state(state.clone());
    // Added after the layers, so none of them runs for them.
    if bench_routes {
        app.route("/bench/bare", get(|| async { "ok" }))
            .route("/bench/rate-limit", get(bench_rate_limit).with_state(state))
    } else {
        app
    }
}

/// The per-token rate limiter alone, for 1,000 token ids in turn: `make bench-api` compares it
/// with `/bench/bare` to measure what the limiter costs an API request.
/// A limiter of its own (never synced, so no count is written for ids that are not tokens), with
/// the same code path and the same lock as the server's.
async fn bench_rate_limit(State(state): State<AppState>) -> &'static str {
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    static LIMITER: OnceLock<ApiRateLimiter> = OnceLock::new();
    let limiter = LIMITER.get_or_init(|| {
        ApiRateLimiter::per_minute(state.config.api_rate_limit, state.pool.clone())
    });
    let token_id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 1_000;
    match limiter.check(token_id) {
        Ok(()) => "ok",
        Err(_) => "limited",
    }
}

/// The browser's side: pages, their server functions and assets, behind the layers only a
/// browser needs (sign-in guard, cross-site refusal, plain-form redirects). The API and
/// `/healthz` never pass through them.
fn dashboard(state: &AppState) -> Router<AppState> {
    let routes = page_routes();
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let site_root = state.leptos_options.site_root.to_string();
    let hashed = state.leptos_options.hash_files;
    Router::new()
        .route("/", get(|| async { Redirect::to(routes::TOKENS) }))
        .route(routes::NEW_TOKEN, post(post_to_page))
        .route("/agents/tokens/{id}/rotate", post(post_to_page))
        .route("/agents/tokens/{id}/edit", post(post_to_page))
        .route(routes::NEW_WEBHOOK, post(post_to_page))
        .route(
            routes::AUDIT_EXPORT,
            get(crate::server::audit_export::export),
        )
        .route(
            &format!("{PKG_PREFIX}/{{*file}}"),
            get(move |request: Request| serve_pkg(site_root.clone(), hashed, request)),
        )
        .leptos_routes_with_context(
            state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(LeptosOptions::clone(&shell_options)),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            keep_form_redirects,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_declared_content_type,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            reject_cross_site,
        ))
        .layer(middleware::from_fn(page_policy))
}

/// A form posted to a page without JavaScript (the create page): the page renders its answer,
/// acting on the submitted fields it finds in its context.
async fn post_to_page(State(state): State<AppState>, request: Request) -> Response {
    let (request, submitted) = match read_page_form(request).await {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    let options = LeptosOptions::clone(&state.leptos_options);
    let once = crate::api::tokens::OncePerRequest::<crate::model::tokens::CreatedToken>::default();
    let once_changed = crate::api::tokens::OncePerRequest::<String>::default();
    let once_webhook =
        crate::api::tokens::OncePerRequest::<crate::model::webhooks::CreatedEndpoint>::default();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(submitted.clone());
            provide_context(once.clone());
            provide_context(once_changed.clone());
            provide_context(once_webhook.clone());
        },
        move || shell(options.clone()),
    );
    render(request).await
}
