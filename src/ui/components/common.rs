//! Small shared pieces.

use crate::domain::status::TokenStatus;
use crate::model::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

/// The coloured status pill of a token.
#[component]
pub fn StatusBadge(status: TokenStatus) -> impl IntoView {
    let colours = match status {
        TokenStatus::Active => "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
        TokenStatus::Paused => "bg-slate-100 text-slate-700 ring-slate-500/30",
        TokenStatus::Expired => "bg-amber-50 text-amber-800 ring-amber-600/20",
        TokenStatus::Revoked => "bg-rose-50 text-rose-700 ring-rose-600/20",
    };
    view! {
        <span class=format!(
            "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {colours}",
        )>{status.label()}</span>
    }
}

/// A field's error message, announced when it appears.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id class="mt-1 min-h-0 text-sm text-rose-700" aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// "Newer" / "Older" links of a keyset-paginated list, keeping the other query parameters.
#[component]
pub fn Pager<T: Clone + Send + Sync + 'static>(
    page: Page<T>,
    /// The current query (e.g. `status=active`), without cursor parameters.
    base_query: String,
    label: &'static str,
) -> impl IntoView {
    let link = move |key: &str, id: i64| {
        let mut query = base_query.clone();
        if !query.is_empty() {
            query.push('&');
        }
        format!("?{query}{key}={id}")
    };
    let newer = page.newer.map(|id| link("before", id));
    let older = page.older.map(|id| link("after", id));
    let link_class = "rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600";
    (newer.is_some() || older.is_some()).then(|| {
        view! {
            <nav aria-label=label class="flex items-center justify-end gap-2 pt-4">
                {newer.map(|href| view! { <a href=href class=link_class>"← Newer"</a> })}
                {older.map(|href| view! { <a href=href class=link_class>"Older →"</a> })}
            </nav>
        }
    })
}

/// A visible confirmation of a change, announced to screen readers too. It takes focus when the
/// page loads (`autofocus`, no script needed), so focus is not lost after a dialog closed.
#[component]
pub fn Notice(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <p role="status" tabindex="-1" autofocus class="mt-4 focus:outline-none rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm font-medium text-emerald-900">
            {message}
        </p>
    }
}

/// A friendly block for a failed load.
#[component]
pub fn LoadError(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800">
            {message}
        </div>
    }
}

/// What a page shows when what it loads could not be: a thing that does not exist, or belongs to
/// another account, gets `missing` and a 404 status (the same answer for both, so a page never
/// tells which ids exist); any other failure its own message.
#[component]
pub fn LoadFailure(error: AppError, missing: &'static str) -> impl IntoView {
    if error != AppError::NotFound {
        return view! { <LoadError message=error.to_string() /> };
    }
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! { <LoadError message=missing /> }
}

/// The end of a form: "Cancel", a link back to `cancel`, then the form's submit button.
#[component]
pub fn FormActions(
    #[prop(into)] cancel: String,
    #[prop(into)] submit: String,
    /// A change that cannot be undone (revoke, delete): the button is red.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    view! {
        <div class="flex flex-wrap justify-end gap-3">
            <a href=cancel class=BUTTON_SECONDARY>"Cancel"</a>
            <button type="submit" class=if danger { BUTTON_DANGER } else { BUTTON_PRIMARY }>{submit}</button>
        </div>
    }
}

/// [`LoadFailure`]'s message for a token.
pub const TOKEN_MISSING: &str = "This token does not exist, or belongs to another account.";

pub const BUTTON_PRIMARY: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-60";
pub const BUTTON_SECONDARY: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60";
pub const BUTTON_DANGER: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-rose-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-rose-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-rose-600 disabled:opacity-60";
pub const BUTTON_SMALL: &str = "rounded-md px-2 py-1 text-xs font-semibold text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600";
pub const BUTTON_SMALL_DANGER: &str = "inline-block rounded-md px-2 py-1 text-xs font-semibold text-rose-700 ring-1 ring-inset ring-rose-300 hover:bg-rose-50 focus-visible:outline-2 focus-visible:outline-rose-600";
pub const INPUT: &str = "block w-full rounded-lg border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-[invalid=true]:ring-rose-500";

/// One link of a [`FilterNav`].
pub struct FilterOption {
    pub href: String,
    pub label: &'static str,
    /// How many rows it holds, when known ("12", "1,000+").
    pub count: Option<String>,
    pub current: Signal<bool>,
}

/// A row of filter links (kept in the URL, so a filtered view survives reload and can be shared).
#[component]
pub fn FilterNav(label: &'static str, options: Vec<FilterOption>) -> impl IntoView {
    view! {
        <nav aria-label=label class="mt-4">
            <ul class="inline-flex flex-wrap gap-1 rounded-xl bg-slate-100 p-1">
                {options
                    .into_iter()
                    .map(|option| {
                        let current = option.current;
                        view! {
                            <li>
                                <a
                                    href=option.href
                                    aria-current=move || current.get().then_some("page")
                                    class="flex items-center gap-1.5 rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 hover:text-slate-900 aria-[current=page]:bg-white aria-[current=page]:text-slate-900 aria-[current=page]:shadow-sm focus-visible:outline-2 focus-visible:outline-indigo-600"
                                >
                                    {option.label}
                                    {option.count.map(|count| view! {
                                        <span class="rounded-full bg-slate-200 px-1.5 text-xs font-semibold tabular-nums text-slate-700">{count}</span>
                                    })}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// What a server action's last answer refused, as the text to show: after a call from a dialog,
/// or, without JavaScript, from the refusal the server put in the page's URL.
pub fn action_error<A, T>(action: ServerAction<A>) -> impl Fn() -> Option<String> + Copy
where
    A: leptos::server_fn::ServerFn<Output = T> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    A::Error: Clone + std::fmt::Display + Send + Sync + 'static,
    ServerAction<A>: Copy,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    }
}

/// The keyset cursor in the URL (`?after=` / `?before=`).
pub fn use_cursor() -> Memo<crate::model::Cursor> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        query.with(|q| crate::model::Cursor {
            after: q.get("after").and_then(|v| v.parse().ok()),
            before: q.get("before").and_then(|v| v.parse().ok()),
        })
    })
}
