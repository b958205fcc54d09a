//! Unknown URLs.

use crate::model::routes;
use leptos::prelude::*;
use leptos_meta::Title;

/// A 404 page; the status is set during server rendering.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · TrekMail" />
        <main class="mx-auto max-w-lg px-6 py-24 text-center">
            <p class="text-sm font-semibold text-indigo-600">"404"</p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight">"Page not found"</h1>
            <p class="mt-4 text-slate-600">"There is nothing at this address."</p>
            <a href=routes::TOKENS class="mt-6 inline-block font-semibold text-indigo-600 hover:underline">
                "Go to your API tokens"
            </a>
        </main>
    }
}
