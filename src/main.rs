//! The server binary: reads settings, opens the database and serves the app.
//! Kept apart from `lib.rs` so the integration tests can build the same app in-process.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use leptos::config::get_configuration;
    use trekmail_tokens::server::config::Config;
    use trekmail_tokens::startup as app;

    // Settings first: a bad one stops the server (exit code 2) before anything is opened.
    let config = Config::from_env();
    keep_large_allocations_returnable();
    let _log_writer = trekmail_tokens::server::telemetry::init(config.log_format);

    let mut leptos_options = get_configuration(None)
        .expect("BUG: the [package.metadata.leptos] settings or LEPTOS_* variables are invalid")
        .leptos_options;
    // `cargo leptos build` writes the assets' content hashes beside the binary it built; the
    // pages must then name the hashed files, whoever starts the binary and with whatever
    // variables (LEPTOS_HASH_FILES is only set by `cargo leptos serve`).
    let hash_file = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(leptos_options.hash_file.as_ref())));
    leptos_options.hash_files |= hash_file.is_some_and(|path| path.exists());
    let addr = leptos_options.site_addr;
    let database = trekmail_tokens::server::db::describe(&config.database_url);
    let state = match app::build_state(config, leptos_options).await {
        Ok(state) => state,
        Err(error) => {
            eprintln!("cannot open the database ({database}): {error}");
            std::process::exit(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error}");
            std::process::exit(1);
        }
    };
    tokio::spawn(trekmail_tokens::server::maintenance::run_forever(
        state.clone(),
    ));
    tokio::spawn(trekmail_tokens::server::webhooks::deliver::run_forever(
        state.pool.clone(),
        state.config.webhooks_allow_private,
    ));
    // Only servers sharing a database share their request counts (a SQLite file has one server).
    if state.pool.engine() == trekmail_tokens::server::db::Engine::Postgres {
        tokio::spawn(
            trekmail_tokens::server::rest::rate_limit::ApiRateLimiter::sync_forever(
                state.api_rate_limiter.clone(),
            ),
        );
    }
    tracing::info!("listening on http://{addr}");
    trekmail_tokens::server::serve::serve(listener, app::router(state.clone()), shutdown_signal())
        .await;
    // The request log's last queued requests (bounded: a database that cannot take them must not
    // keep the process from stopping).
    let flushed = tokio::time::timeout(std::time::Duration::from_secs(5), state.activity.flush());
    if flushed.await.is_err() {
        tracing::warn!("stopped without writing the request log's last requests");
    }
    tracing::info!("stopped");
}

/// Ctrl-C, or SIGTERM (what service managers and container runtimes send): the server stops
/// accepting, lets the requests in flight finish (for at most `SHUTDOWN_GRACE`), and the log
/// writer flushes on the way out.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!("stopping: finishing the requests in flight");
    tokio::spawn(async {
        tokio::time::sleep(SHUTDOWN_GRACE).await;
        eprintln!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway");
        std::process::exit(1);
    });
}

/// glibc serves allocations of 128 KiB and more with their own mappings, returned to the system
/// when freed, but after the first such free it raises that threshold to the freed size: from
/// then on, Argon2's 19 MiB blocks and large request bodies come from the heap and stay resident
/// after they are freed (60 simultaneous sign-ins left the server at 112 MB instead of 17). A fixed
/// threshold keeps the first behaviour, so memory returns to its idle level after a burst.
#[cfg(all(feature = "ssr", target_os = "linux", target_env = "gnu"))]
fn keep_large_allocations_returnable() {
    // SAFETY: mallopt only changes the allocator's tuning (it takes the allocator's own lock).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(all(feature = "ssr", not(all(target_os = "linux", target_env = "gnu"))))]
fn keep_large_allocations_returnable() {}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser build has no main; `lib.rs` exports `hydrate()` instead.
}
