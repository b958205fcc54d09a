//! The Tokens tab: the filterable list, rendered on the server. Creating and revoking are links
//! to their own pages, which the `TokenDialogs` island turns into dialogs once it is hydrated.

use crate::api::tokens::{
    account_domains, count_attention, count_tokens, find_token, list_tokens, recent_leak_reports,
};
use crate::domain::attention::AttentionCounts;
use crate::domain::status::StatusFilter;
use crate::domain::time;
use crate::domain::token_query::{TokenQuery, TokenSort, MAX_SEARCH_CHARS};
use crate::model::routes;
use crate::model::tokens::{StatusCounts, TokenRow};
use crate::model::{Cursor, Page};
use crate::ui::components::attention_panel::{AttentionFilterNote, AttentionPanel, LeakBanner};
use crate::ui::components::common::{
    use_cursor, FilterNav, FilterOption, LoadError, Notice, Pager, BUTTON_SECONDARY, INPUT,
};
use crate::ui::components::token_dialogs::{CreateTokenButton, TokenDialogs};
use crate::ui::components::token_table::TokenTable;
use crate::ui::pages::agents_layout::ViewerResource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the list says after a change made on another page or in a dialog (`?created=ID`,
/// `?paused=ID`…): a visible confirmation, and the row highlighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Created(i64),
    Revoked(i64),
    Rotated(i64),
    Paused(i64),
    Resumed(i64),
    ExpirationChanged(i64),
    AllowlistChanged(i64),
    AccessChanged(i64),
}

impl Change {
    /// The first of [`routes::CHANGE_KEYS`] the URL holds.
    fn from_query(query: &leptos_router::params::ParamsMap) -> Option<Change> {
        routes::CHANGE_KEYS.into_iter().find_map(|key| {
            let id = query.get(key)?.parse::<i64>().ok()?;
            Some(match key {
                "created" => Change::Created(id),
                "revoked" => Change::Revoked(id),
                "rotated" => Change::Rotated(id),
                "paused" => Change::Paused(id),
                "resumed" => Change::Resumed(id),
                "expiration_changed" => Change::ExpirationChanged(id),
                "allowlist_changed" => Change::AllowlistChanged(id),
                _ => Change::AccessChanged(id),
            })
        })
    }

    fn id(self) -> i64 {
        match self {
            Change::Created(id)
            | Change::Revoked(id)
            | Change::Rotated(id)
            | Change::Paused(id)
            | Change::Resumed(id)
            | Change::ExpirationChanged(id)
            | Change::AllowlistChanged(id)
            | Change::AccessChanged(id) => id,
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
            Change::Rotated(_) => format!("{name} was rotated. Replace the old secret wherever it is used before its grace period ends."),
            Change::Paused(_) => format!("{name} was paused. The API refuses it until you resume it."),
            Change::Resumed(_) => format!("{name} was resumed. The API accepts it again."),
            Change::ExpirationChanged(_) => {
                let when = token
                    .map(|row| {
                        row.expires_at
                            .map_or_else(|| "never expires".into(), |at| format!("expires {}", time::exact(at)))
                    })
                    .unwrap_or_default();
                format!("{name}'s expiration was changed: it {when}.")
            }
            Change::AllowlistChanged(_) => format!("{name}'s allowed IP addresses were saved."),
            Change::AccessChanged(_) => format!(
                "{name}'s access was changed; the API uses it from the next request. The Audit Log shows before and after."
            ),
        }
    }
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let query = use_query_map();
    let (status, q, sort, attention) = query.with_untracked(|query| {
        (
            query.get("status"),
            query.get("q"),
            query.get("sort"),
            query.get("attention"),
        )
    });
    let view_query = TokenQuery::from_query(status.as_deref(), q.as_deref(), sort.as_deref())
        .with_attention(attention.as_deref());
    let change = query.with_untracked(Change::from_query);
    // After "Revoke all…": how many tokens it revoked.
    let emergency =
        query.with_untracked(|q| q.get("emergency").and_then(|n| n.parse::<usize>().ok()));
    let cursor = use_cursor().get_untracked();
    let tokens = {
        let (status, q) = (status.clone(), q.clone());
        Resource::new(
            || (),
            move |_| {
                list_tokens(
                    status.clone(),
                    q.clone(),
                    sort.clone(),
                    attention.clone(),
                    cursor.after,
                    cursor.before,
                )
            },
        )
    };
    let counts = Resource::new(|| (), move |_| count_tokens(q.clone()));
    let attention_counts = Resource::new(|| (), |_| count_attention());
    let leaks = Resource::new(|| (), |_| recent_leak_reports());
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
            {move || {
                let view_query = view_query.clone();
                Suspend::new(async move {
                let (viewer, domains, tokens) = (viewer.await, domains.await, tokens.await);
                let (changed, counts) = (changed.await, counts.await.ok());
                let attention_counts = attention_counts.await.ok();
                let leaks = leaks.await.ok().flatten();
                let notice = change.map(|change| change.message(changed.as_ref())).or_else(|| {
                    emergency.map(|count| match count {
                        0 => "There was no active token to revoke.".to_string(),
                        1 => "1 token was revoked. The API refuses it from now on.".to_string(),
                        n => format!("{n} tokens were revoked. The API refuses them from now on."),
                    })
                });
                let (Ok(viewer), Ok(domains)) = (viewer, domains) else {
                    return view! { <LoadError message="The tokens could not be loaded. Please reload the page." /> }.into_any();
                };
                view! {
                    <TokenDialogs access=viewer.access policy=viewer.policy.clone() domains>
                        <TokensSection view_query counts attention_counts leaks cursor notice highlight=change.map(Change::id) access=viewer.access tokens=tokens.clone() />
                    </TokenDialogs>
                }.into_any()
            })}}
        </Suspense>
    }
}

#[component]
fn TokensSection(
    view_query: TokenQuery,
    counts: Option<StatusCounts>,
    attention_counts: Option<AttentionCounts>,
    leaks: Option<(i64, i64)>,
    cursor: Cursor,
    notice: Option<String>,
    highlight: Option<i64>,
    access: crate::domain::plan::PlanAccess,
    tokens: Result<Page<TokenRow>, crate::model::error::AppError>,
) -> impl IntoView {
    let base_query = view_query.to_query_string();
    let unfiltered = view_query.is_unfiltered() && cursor == Cursor::default();
    let sort_label = TokenSort::OPTIONS
        .iter()
        .find(|(sort, _)| *sort == view_query.sort)
        .map_or("", |(_, label)| *label);
    let caption = format!("API tokens, {}", sort_label.to_lowercase());
    view! {
        <section aria-labelledby="tokens-title">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <div>
                    <h2 id="tokens-title" class="text-lg font-semibold">"API tokens"</h2>
                    <p class="text-sm text-slate-600">"Ops tokens (tm_live_…) and the message tokens (tm_msg_…) they mint."</p>
                </div>
                <div class="flex items-center gap-2">
                    <a href=routes::EMERGENCY_REVOKE class=BUTTON_SECONDARY>"Revoke all…"</a>
                    <a href=routes::TOKEN_POLICY class=BUTTON_SECONDARY>"Token policy"</a>
                    <CreateTokenButton tour_target=true />
                </div>
            </div>
            <LeakBanner leaks />
            <ExpiringNotice counts />
            <AttentionPanel counts=attention_counts />
            {view_query.attention.map(|attention| view! { <AttentionFilterNote attention /> })}
            <StatusFilterNav view_query=view_query.clone() counts />
            <SearchForm view_query />
            {match tokens {
                Ok(page) => {
                    view! {
                        {notice.map(|message| view! { <Notice message /> })}
                        {if page.rows.is_empty() {
                            view! { <EmptyState unfiltered /> }.into_any()
                        } else {
                            view! {
                                <TokenTable rows=page.rows.clone() now=page.now highlight access caption=caption.clone() />
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

/// "N tokens expire within 7 days", linking to them, whatever view the list shows.
#[component]
fn ExpiringNotice(counts: Option<StatusCounts>) -> impl IntoView {
    let count = counts.map_or(0, |counts| counts.expiring);
    (count > 0).then(|| {
        let href = list_href(&TokenQuery::default().with_status(StatusFilter::ExpiringSoon));
        let (text, advice) = if count == 1 {
            (
                "1 token expires within 7 days".to_string(),
                ". Change its expiration or rotate it before it stops working.",
            )
        } else {
            (
                format!(
                    "{} tokens expire within 7 days",
                    counts
                        .map(|c| c.label(StatusFilter::ExpiringSoon))
                        .unwrap_or_default()
                ),
                ". Change their expiration or rotate them before they stop working.",
            )
        };
        view! {
            <p class="mt-4 rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
                <a href=href class="font-semibold underline">{text}</a>
                {advice}
            </p>
        }
    })
}

/// The Tokens list showing `view` (no `?` when it is the default view).
fn list_href(view: &TokenQuery) -> String {
    match view.to_query_string() {
        query if query.is_empty() => routes::TOKENS.to_string(),
        query => format!("{}?{query}", routes::TOKENS),
    }
}

/// The status tabs, each with its count for the current search; they keep the search and order.
#[component]
fn StatusFilterNav(view_query: TokenQuery, counts: Option<StatusCounts>) -> impl IntoView {
    let options = StatusFilter::OPTIONS
        .into_iter()
        .map(|(status, label)| FilterOption {
            href: list_href(&view_query.with_status(status)),
            label,
            count: counts.map(|counts| counts.label(status)),
            current: Signal::stored(view_query.status == status),
        })
        .collect();
    view! { <FilterNav label="Status" options attr:data-tour="status-filter" /> }
}

/// Search by name or prefix and the order: a plain GET form, so it works without JavaScript and
/// the view stays in the URL. It keeps the status tab.
#[component]
fn SearchForm(view_query: TokenQuery) -> impl IntoView {
    let search = view_query
        .search
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let sort = view_query.sort;
    view! {
        <form method="get" action=routes::TOKENS role="search" aria-label="Find tokens" class="mt-3 flex flex-wrap items-end gap-2">
            {view_query.status.query_value().map(|status| view! { <input type="hidden" name="status" value=status /> })}
            {view_query.attention.map(|attention| view! { <input type="hidden" name="attention" value=attention.as_str() /> })}
            <div class="min-w-48 flex-1 sm:max-w-xs">
                <label for="token-search" class="block text-xs font-semibold text-slate-700">"Name or prefix"</label>
                <input id="token-search" type="search" name="q" value=search maxlength=MAX_SEARCH_CHARS placeholder="e.g. deploy or tm_live_3f9a" class=format!("mt-1 {INPUT}") />
            </div>
            <div>
                <label for="token-sort" class="block text-xs font-semibold text-slate-700">"Sort by"</label>
                <select id="token-sort" name="sort" class=format!("mt-1 {INPUT} pr-8")>
                    {TokenSort::OPTIONS
                        .into_iter()
                        .map(|(option, label)| view! {
                            <option value=option.form_value() selected=option == sort>{label}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>"Apply"</button>
            {view_query.search.is_some().then(|| {
                let mut cleared = view_query.clone();
                cleared.search = None;
                let href = list_href(&cleared);
                view! { <a href=href class="px-2 py-2 text-sm font-semibold text-indigo-700 hover:underline">"Clear search"</a> }
            })}
        </form>
    }
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
