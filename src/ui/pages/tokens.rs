//! The Tokens tab: the filterable list, creation and revocation.

use crate::api::tokens::{account_domains, list_tokens, CreateToken, RevokeToken};
use crate::domain::status::{StatusFilter, TokenStatus};
use crate::domain::time;
use crate::domain::token::TokenKind;
use crate::model::routes;
use crate::model::tokens::TokenRow;
use crate::model::Cursor;
use crate::ui::components::common::{
    use_cursor, FilterNav, LoadError, Pager, StatusBadge, BUTTON_PRIMARY, BUTTON_SMALL,
};
use crate::ui::components::create_token::CreateTokenDialog;
use crate::ui::components::revoke::RevokeDialog;
use crate::ui::components::tour::register_create_dialog;
use crate::ui::pages::agents_layout::ViewerResource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The status filter from the URL (`?status=active`).
fn use_status_filter() -> Memo<StatusFilter> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| StatusFilter::from_query(q.get("status").as_deref())))
}

#[component]
pub fn TokensPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let (filter, cursor) = (use_status_filter(), use_cursor());
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || {
            (
                filter.get(),
                cursor.get(),
                create.version().get(),
                revoke.version().get(),
            )
        },
        |(filter, cursor, _, _)| {
            list_tokens(
                filter.query_value().map(String::from),
                cursor.after,
                cursor.before,
            )
        },
    );
    let domains = Resource::new(|| (), |_| account_domains());
    let create_open = RwSignal::new(false);
    register_create_dialog(create_open);
    let revoke_target = RwSignal::new(None::<TokenRow>);
    let announcement = RwSignal::new(String::new());

    // Close the confirmation once the revocation succeeded, and say so.
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            if let Some(token) = revoke_target.get_untracked() {
                announcement.set(format!("“{}” was revoked.", token.name));
            }
            revoke_target.set(None);
        }
    });
    let open_create = move |_| {
        create.clear();
        create_open.set(true);
    };

    view! {
        <Title text="Tokens · AI Agents & API · TrekMail" />
        <section aria-labelledby="tokens-title">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <div>
                    <h2 id="tokens-title" class="text-lg font-semibold">"API tokens"</h2>
                    <p class="text-sm text-slate-600">"Ops tokens (tm_live_…) and the message tokens (tm_msg_…) they mint."</p>
                </div>
                <button type="button" class=BUTTON_PRIMARY on:click=open_create data-tour="create-token">"Create token"</button>
            </div>

            <StatusFilterNav filter attr:data-tour="status-filter" />
            <p role="status" class="sr-only">{move || announcement.get()}</p>

            <Transition fallback=|| view! { <p class="py-8 text-sm text-slate-500">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(page) => {
                            let base_query = filter.get_untracked().query_value().map(|s| format!("status={s}")).unwrap_or_default();
                            let unfiltered = filter.get_untracked() == StatusFilter::All && cursor.get_untracked() == Cursor::default();
                            if page.rows.is_empty() {
                                view! { <EmptyState unfiltered on_create=Callback::new(move |_| { create.clear(); create_open.set(true); }) /> }.into_any()
                            } else {
                                view! {
                                    <TokenTable rows=page.rows.clone() now=page.now revoke_target />
                                    <Pager page base_query label="Token pages" />
                                }.into_any()
                            }
                        }
                        Err(error) => view! { <LoadError message=error.to_string() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>

        <Suspense>
            {move || Suspend::new(async move {
                let (Ok(viewer), Ok(domains)) = (viewer.await, domains.await) else {
                    return ().into_any();
                };
                view! { <CreateTokenDialog open=create_open access=viewer.access domains action=create /> }.into_any()
            })}
        </Suspense>
        <RevokeDialog target=revoke_target action=revoke />
    }
}

#[component]
fn StatusFilterNav(filter: Memo<StatusFilter>) -> impl IntoView {
    let options = StatusFilter::OPTIONS
        .into_iter()
        .map(|(option, label)| {
            let href = option
                .query_value()
                .map(|v| format!("?status={v}"))
                .unwrap_or_else(|| routes::TOKENS.into());
            (href, label, Signal::derive(move || filter.get() == option))
        })
        .collect();
    view! { <FilterNav label="Status" options /> }
}

#[component]
fn EmptyState(unfiltered: bool, on_create: Callback<()>) -> impl IntoView {
    view! {
        <div class="mt-6 rounded-2xl border-2 border-dashed border-slate-300 bg-white px-6 py-12 text-center" data-tour="token-list-empty">
            {if unfiltered {
                view! {
                    <h3 class="text-base font-semibold">"No API tokens yet"</h3>
                    <p class="mx-auto mt-2 max-w-lg text-sm text-slate-600">
                        "A token lets a script, a CI job or an AI agent call the TrekMail API as your account, limited to the scopes and domains you choose. You see it once when you create it; revoke it any time."
                    </p>
                    <button type="button" class=format!("mt-5 {BUTTON_PRIMARY}") on:click=move |_| on_create.run(())>
                        "Create token"
                    </button>
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

#[component]
fn TokenTable(
    rows: Vec<TokenRow>,
    now: i64,
    revoke_target: RwSignal<Option<TokenRow>>,
) -> impl IntoView {
    view! {
        // `relative` keeps the table's visually hidden labels inside the scroll box; without it they
        // widen the whole page on phones.
        <div class="relative mt-4 overflow-x-auto rounded-2xl bg-white shadow-sm ring-1 ring-slate-900/5">
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" data-tour="token-list">
                <caption class="sr-only">"API tokens, newest first"</caption>
                <thead class="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Token"</th>
                        <th scope="col" class="px-4 py-3">"Scopes"</th>
                        <th scope="col" class="px-4 py-3">"Domains"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Expires"</th>
                        <th scope="col" class="px-4 py-3">"Created"</th>
                        <th scope="col" class="px-4 py-3">"Last used"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows.into_iter().map(|row| view! { <TokenRowView row now revoke_target /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TokenRowView(
    row: TokenRow,
    now: i64,
    revoke_target: RwSignal<Option<TokenRow>>,
) -> impl IntoView {
    let revocable = row.status == TokenStatus::Active;
    let revoke_label = format!("Revoke {}", row.name);
    let target = row.clone();
    let scopes_shown: Vec<String> = row.scopes.iter().take(2).cloned().collect();
    let scopes_more = row.scopes.len().saturating_sub(2);
    view! {
        <tr class="align-top">
            <th scope="row" class="px-4 py-3 font-medium text-slate-900">
                {row.name.clone()}
                {(row.kind == TokenKind::Message).then(|| view! {
                    <div class="text-xs font-normal text-slate-500">
                        {format!("Message token for {}", row.mailbox.clone().unwrap_or_default())}
                    </div>
                })}
            </th>
            <td class="whitespace-nowrap px-4 py-3 font-mono text-xs text-slate-700">{format!("{}…", row.visible_prefix)}</td>
            <td class="px-4 py-3">
                <ul class="flex flex-wrap gap-1">
                    {scopes_shown.into_iter().map(|s| view! { <li><ScopeChip name=s /></li> }).collect_view()}
                </ul>
                {(scopes_more > 0).then(|| view! {
                    <details class="mt-1">
                        <summary class="cursor-pointer text-xs font-medium text-indigo-600">{format!("+{scopes_more} more")}</summary>
                        <ul class="mt-1 flex max-w-xs flex-wrap gap-1">
                            {row.scopes.iter().skip(2).cloned().map(|s| view! { <li><ScopeChip name=s /></li> }).collect_view()}
                        </ul>
                    </details>
                })}
            </td>
            <td class="px-4 py-3 text-slate-700">
                {match row.domains.clone() {
                    None => "All domains".to_string(),
                    Some(domains) => domains.join(", "),
                }}
            </td>
            <td class="px-4 py-3"><StatusBadge status=row.status /></td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                {match row.expires_at {
                    None => view! { <span>"Never"</span> }.into_any(),
                    Some(at) => view! {
                        <time datetime=time::iso(at) title=time::exact(at)>{time::date(at)}</time>
                        <div class="text-xs text-slate-500">{time::relative(at, now)}</div>
                    }.into_any(),
                }}
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                <time datetime=time::iso(row.created_at) title=time::exact(row.created_at)>{time::date(row.created_at)}</time>
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                {match (row.last_used_at, row.last_used_ip.clone()) {
                    (Some(at), ip) => view! {
                        <time datetime=time::iso(at) title=time::exact(at)>{time::relative(at, now)}</time>
                        {ip.map(|ip| view! { <div class="text-xs text-slate-500">{format!("from {ip}")}</div> })}
                    }.into_any(),
                    (None, _) => view! { <span class="text-slate-500">"Never"</span> }.into_any(),
                }}
            </td>
            <td class="px-4 py-3 text-right">
                {revocable.then(|| view! {
                    <button
                        type="button"
                        class=format!("{BUTTON_SMALL} text-rose-700")
                        aria-label=revoke_label
                        data-tour="revoke"
                        on:click=move |_| revoke_target.set(Some(target.clone()))
                    >
                        "Revoke"
                    </button>
                })}
            </td>
        </tr>
    }
}

#[component]
fn ScopeChip(name: String) -> impl IntoView {
    view! {
        <code class="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{name}</code>
    }
}
