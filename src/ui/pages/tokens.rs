//! The Tokens tab: the filterable list, rendered on the server. Creating and revoking are links
//! to their own pages, which the `TokenDialogs` island turns into dialogs once it is hydrated.

use crate::api::tokens::{account_domains, find_token, list_tokens};
use crate::domain::status::StatusFilter;
use crate::model::routes;
use crate::model::tokens::TokenRow;
use crate::model::{Cursor, Page};
use crate::ui::components::common::{use_cursor, FilterNav, LoadError, Notice, Pager};
use crate::ui::components::token_dialogs::{CreateTokenButton, TokenDialogs};
use crate::ui::components::token_table::TokenTable;
use crate::ui::pages::agents_layout::ViewerResource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the list says after a change made on another page or in a dialog (`?created=ID`,
/// `?revoked=ID`): a visible confirmation, and the row highlighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Created(i64),
    Revoked(i64),
}

impl Change {
    fn from_query(created: Option<String>, revoked: Option<String>) -> Option<Change> {
        let id = |value: Option<String>| value.and_then(|v| v.parse::<i64>().ok());
        id(created)
            .map(Change::Created)
            .or_else(|| id(revoked).map(Change::Revoked))
    }

    fn id(self) -> i64 {
        match self {
            Change::Created(id) | Change::Revoked(id) => id,
        }
    }

    /// `token`: the changed token, when it is the account's.
    fn message(self, token: Option<&TokenRow>) -> String {
        let name = token
            .map(|row| format!("“{}”", row.name))
            .unwrap_or_else(|| "The token".into());
        match self {
            Change::Created(_) => format!("{name} was created."),
            Change::Revoked(_) => format!("{name} was revoked. The API refuses it from now on."),
        }
    }
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let query = use_query_map();
    let filter = query.with_untracked(|q| StatusFilter::from_query(q.get("status").as_deref()));
    let change = query.with_untracked(|q| Change::from_query(q.get("created"), q.get("revoked")));
    let cursor = use_cursor().get_untracked();
    let tokens = Resource::new(
        || (),
        move |_| {
            list_tokens(
                filter.query_value().map(String::from),
                cursor.after,
                cursor.before,
            )
        },
    );
    let domains = Resource::new(|| (), |_| account_domains());
    // The changed token by id: it may not be on this page (a filter, or revoked off the list).
    let changed = Resource::new(
        || (),
        move |_| async move {
            match change {
                Some(change) => find_token(change.id()).await.ok(),
                None => None,
            }
        },
    );

    view! {
        <Title text="Tokens · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let (viewer, domains, tokens) = (viewer.await, domains.await, tokens.await);
                let changed = changed.await;
                let notice = change.map(|change| change.message(changed.as_ref()));
                let (Ok(viewer), Ok(domains)) = (viewer, domains) else {
                    return view! { <LoadError message="The tokens could not be loaded. Please reload the page." /> }.into_any();
                };
                view! {
                    <TokenDialogs access=viewer.access domains>
                        <TokensSection filter cursor notice highlight=change.map(Change::id) access=viewer.access tokens=tokens.clone() />
                    </TokenDialogs>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn TokensSection(
    filter: StatusFilter,
    cursor: Cursor,
    notice: Option<String>,
    highlight: Option<i64>,
    access: crate::domain::plan::PlanAccess,
    tokens: Result<Page<TokenRow>, crate::model::error::AppError>,
) -> impl IntoView {
    let base_query = filter
        .query_value()
        .map(|s| format!("status={s}"))
        .unwrap_or_default();
    let unfiltered = filter == StatusFilter::All && cursor == Cursor::default();
    view! {
        <section aria-labelledby="tokens-title">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <div>
                    <h2 id="tokens-title" class="text-lg font-semibold">"API tokens"</h2>
                    <p class="text-sm text-slate-600">"Ops tokens (tm_live_…) and the message tokens (tm_msg_…) they mint."</p>
                </div>
                <CreateTokenButton tour_target=true />
            </div>
            <StatusFilterNav filter />
            {match tokens {
                Ok(page) => {
                    view! {
                        {notice.map(|message| view! { <Notice message /> })}
                        {if page.rows.is_empty() {
                            view! { <EmptyState unfiltered /> }.into_any()
                        } else {
                            view! {
                                <TokenTable rows=page.rows.clone() now=page.now highlight access />
                                <Pager page base_query label="Token pages" />
                            }.into_any()
                        }}
                    }.into_any()
                }
                Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StatusFilterNav(filter: StatusFilter) -> impl IntoView {
    let options = StatusFilter::OPTIONS
        .into_iter()
        .map(|(option, label)| {
            let href = option
                .query_value()
                .map(|v| format!("{}?status={v}", routes::TOKENS))
                .unwrap_or_else(|| routes::TOKENS.into());
            (href, label, Signal::stored(filter == option))
        })
        .collect();
    view! { <FilterNav label="Status" options attr:data-tour="status-filter" /> }
}

#[component]
fn EmptyState(unfiltered: bool) -> impl IntoView {
    view! {
        <div class="mt-6 rounded-2xl border-2 border-dashed border-slate-300 bg-white px-6 py-12 text-center" data-tour="token-list-empty">
            {if unfiltered {
                view! {
                    <h3 class="text-base font-semibold">"No API tokens yet"</h3>
                    <p class="mx-auto mt-2 max-w-lg text-sm text-slate-600">
                        "A token lets a script, a CI job or an AI agent call the TrekMail API as your account, limited to the scopes and domains you choose. You see it once when you create it; revoke it any time."
                    </p>
                    <div class="mt-5">
                        <CreateTokenButton tour_target=false />
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <h3 class="text-base font-semibold">"No tokens match this filter"</h3>
                    <p class="mt-2 text-sm text-slate-600">
                        <a href=routes::TOKENS class="font-semibold text-indigo-600 hover:underline">"Show all tokens"</a>
                    </p>
                }
                    .into_any()
            }}
        </div>
    }
}
