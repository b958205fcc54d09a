//! TrekMail Tokens: the "AI Agents & API → Tokens" area of an email-hosting dashboard.
//!
//! Layers point one way: `ui` (and `app`) → `api` (server functions) → `server` (services,
//! REST, HTTP) → `model` → `domain`. A module imports only from its own layer or those below;
//! `startup` (and `main.rs`) assemble them all. `tests/it/layers.rs` checks this.

// The nested view types of the pages exceed the default limit in release (size-optimised) builds.
#![recursion_limit = "256"]

/// Server functions and the types they exchange with the browser.
pub mod api;
/// The HTML shell, the `App` component and its routes.
pub mod app;
/// Pure product rules shared by server and browser.
pub mod domain;
/// The types server functions exchange with the browser (below `api`, beside `domain`).
pub mod model;
/// Server-only code: database, sessions, services, HTTP.
#[cfg(feature = "ssr")]
pub mod server;
/// The composition root: builds the whole HTTP application from all the layers.
#[cfg(feature = "ssr")]
pub mod startup;
/// Pages and components.
pub mod ui;

/// Starts the browser side. Only islands hydrate (`hydrate_islands` runs them in document order);
/// the rest of the page stays the server's HTML. The last island marks the page ready.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
