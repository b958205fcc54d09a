//! "Needs attention" on the Tokens page: how many live tokens never expire, sit idle, hold
//! high-risk scopes they never used, or hold every scope; each count links to those tokens.

use crate::domain::attention::{Attention, AttentionCounts};
use crate::domain::token_query::TokenQuery;
use crate::model::routes;
use leptos::prelude::*;

/// The list showing only tokens of `attention` (and nothing else narrowing it).
pub fn attention_href(attention: Attention) -> String {
    let view = TokenQuery {
        attention: Some(attention),
        ..TokenQuery::default()
    };
    format!("{}?{}", routes::TOKENS, view.to_query_string())
}

/// Nothing when no token needs a look.
#[component]
pub fn AttentionPanel(counts: Option<AttentionCounts>) -> impl IntoView {
    let counts = counts.unwrap_or_default();
    let items: Vec<(Attention, u32)> = Attention::ALL
        .into_iter()
        .map(|attention| (attention, counts.get(attention)))
        .filter(|(_, count)| *count > 0)
        .collect();
    (!items.is_empty()).then(|| view! {
        <section aria-labelledby="attention-title" class="mt-4 rounded-xl border border-slate-200 bg-white px-4 py-3">
            <h3 id="attention-title" class="text-sm font-semibold text-slate-900">"Needs attention"</h3>
            <ul class="mt-1 flex flex-wrap gap-x-5 gap-y-1 text-sm">
                {items.into_iter().map(|(attention, count)| view! {
                    <li>
                        <a href=attention_href(attention) class="font-medium text-indigo-700 underline-offset-2 hover:underline">
                            {attention.describe(count)}
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}

/// Above a list filtered to one kind: what it shows, and the way back.
#[component]
pub fn AttentionFilterNote(attention: Attention) -> impl IntoView {
    view! {
        <p class="mt-4 flex flex-wrap items-center gap-3 text-sm">
            <span class="font-semibold text-slate-900">{format!("Showing: {}", attention.heading())}</span>
            <a href=routes::TOKENS class="font-semibold text-indigo-700 hover:underline">"Show all tokens"</a>
        </p>
    }
}

/// Tokens a leak report revoked in the last 30 days: how many, and when the latest was.
#[component]
pub fn LeakBanner(leaks: Option<(i64, i64)>) -> impl IntoView {
    leaks.map(|(count, latest)| {
        let tokens = if count == 1 { "token was" } else { "tokens were" };
        view! {
            <p class="mt-4 rounded-xl border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-900">
                <strong class="font-semibold">{format!("{count} {tokens} revoked after a leak report")}</strong>
                {format!(
                    " in the last 30 days, the latest on {}: someone found the secret where it should not be. Replace it where it was used. ",
                    crate::domain::time::exact(latest)
                )}
                <a href=format!("{}?actor=Leak%20report", routes::AUDIT_LOG) class="font-semibold underline">"Where the reports came from"</a>
            </p>
        }
    })
}
