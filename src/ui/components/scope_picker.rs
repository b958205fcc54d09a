//! The scope checkboxes of the create form, grouped by family. Which boxes are enabled comes from
//! [`PlanAccess::allows`], the same rule the server enforces.

use crate::domain::plan::PlanAccess;
use crate::domain::scope::{families, Risk, Scope};
use crate::domain::scope_presets::DRIVE_PRESETS;
use crate::ui::components::common::{FieldError, BUTTON_SMALL};
use leptos::prelude::*;

/// `initial`: the boxes checked in the server's HTML. `interactive`: the quick-selection buttons,
/// which need the script (the dialog has them; the page without JavaScript does not).
#[component]
pub fn ScopePicker(
    access: PlanAccess,
    selected: RwSignal<Vec<String>>,
    initial: Vec<String>,
    interactive: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let allowed: Vec<String> = access
        .allowed_scopes()
        .into_iter()
        .map(String::from)
        .collect();
    let allowed_read: Vec<String> = access
        .allowed_scopes()
        .into_iter()
        .filter(|scope| scope.is_read_only())
        .map(String::from)
        .collect();
    let count = move || selected.with(Vec::len);
    let total_allowed = allowed.len();
    let locked_count = Scope::all().count() - total_allowed;
    let select_all = {
        let allowed = allowed.clone();
        move |_| selected.set(allowed.clone())
    };

    view! {
        <fieldset aria-describedby="scopes-help scopes-error">
            <legend class="text-sm font-semibold text-slate-900">"Scopes"</legend>
            // The tour's spotlight: the explanation and the quick choices, not the whole (tall) list,
            // so its popover can sit beside them instead of over them.
            <div data-tour="token-scopes">
            <p id="scopes-help" class="mt-1 text-sm text-slate-600">
                {access.summary()}
                " Grant only what the token needs."
            </p>
            {interactive.then(|| view! {
            <div class="mt-3 flex flex-wrap items-center gap-2">
                <button type="button" class=BUTTON_SMALL on:click=select_all>
                    "Select all allowed"
                </button>
                <button type="button" class=BUTTON_SMALL on:click=move |_| selected.set(allowed_read.clone())>
                    "Read-only"
                </button>
                <button type="button" class=BUTTON_SMALL on:click=move |_| selected.set(Vec::new())>
                    "Clear"
                </button>
                {drive_presets(access, selected)}
                <span class="ml-auto text-xs text-slate-600" aria-live="polite">
                    {move || format!("{} of {total_allowed} allowed scopes selected", count())}
                </span>
            </div>
            })}
            </div>
            <FieldError id="scopes-error" message=error />
            <ScopeFamilies access selected initial locked=false />
            {(locked_count > 0).then(|| view! {
                <details class="mt-3 rounded-xl border border-slate-200 bg-slate-50 px-3 py-2" data-tour="locked-scopes">
                    <summary class="cursor-pointer text-sm font-semibold text-slate-800">
                        {if locked_count == 1 { "1 more scope needs a higher plan".to_string() } else { format!("{locked_count} more scopes need a higher plan") }}
                    </summary>
                    <p class="mt-2 text-sm text-slate-700">
                        "Each says which plan unlocks it. To grant them, upgrade your plan in Billing; tokens you create now keep working after an upgrade."
                    </p>
                    <ScopeFamilies access selected initial=Vec::new() locked=true />
                </details>
            })}
        </fieldset>
    }
}

/// The scopes the plan allows (`locked` false) or those it does not (`locked` true), grouped by
/// family. Columns rather than a grid, so families of different lengths leave no gaps.
#[component]
fn ScopeFamilies(
    access: PlanAccess,
    selected: RwSignal<Vec<String>>,
    initial: Vec<String>,
    locked: bool,
) -> impl IntoView {
    let families = families()
        .into_iter()
        .filter_map(|(family, scopes)| {
            let scopes: Vec<Scope> = scopes
                .into_iter()
                .filter(|scope| access.allows(*scope) != locked)
                .collect();
            (!scopes.is_empty()).then_some((family, scopes))
        })
        .map(|(family, scopes)| {
            view! {
                <fieldset class="mb-3 break-inside-avoid rounded-xl border border-slate-200 bg-white p-3">
                    <legend class="px-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
                        {family}
                    </legend>
                    <ul class="space-y-2">
                        {scopes
                            .into_iter()
                            .map(|scope| {
                                let checked = initial.iter().any(|n| n == scope.name());
                                view! { <ScopeOption scope access selected initially=checked /> }
                            })
                            .collect_view()}
                    </ul>
                </fieldset>
            }
        })
        .collect_view();
    view! { <div class="mt-2 gap-3 sm:columns-2">{families}</div> }
}

#[component]
fn ScopeOption(
    scope: Scope,
    access: PlanAccess,
    selected: RwSignal<Vec<String>>,
    initially: bool,
) -> impl IntoView {
    let name = scope.name();
    let id = format!("scope-{}", name.replace(':', "-"));
    let described_by = format!("{id}-about");
    let enabled = access.allows(scope);
    let info = scope.info();
    let checked = move || enabled && selected.with(|s| s.iter().any(|n| n == name));
    let toggle = move |event| {
        let on = event_target_checked(&event);
        selected.update(|s| {
            s.retain(|n| n != name);
            if on {
                s.push(name.to_string());
            }
        });
    };
    view! {
        <li class="flex items-start gap-2">
            <input
                type="checkbox"
                id=id.clone()
                name="scopes"
                value=name
                class="mt-0.5 size-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
                disabled=!enabled
                checked=enabled && initially
                aria-describedby=described_by.clone()
                prop:checked=checked
                on:change=toggle
            />
            <div class="min-w-0 text-sm leading-5">
                <label for=id class=if enabled { "font-mono text-[13px] font-medium text-slate-900" } else { "font-mono text-[13px] font-medium text-slate-700" }>
                    {name}
                </label>
                <div id=described_by class="text-slate-600">
                    {info.description}
                    {(info.risk == Risk::HighRisk)
                        .then(|| {
                            view! {
                                <span class="ml-1 inline-flex rounded bg-rose-50 px-1.5 text-xs font-medium text-rose-700 ring-1 ring-inset ring-rose-600/20">
                                    "High risk"
                                </span>
                            }
                        })}
                    {access
                        .unlocked_by(scope)
                        .map(|plan| {
                            view! {
                                <span class="ml-1 inline-flex rounded bg-slate-200 px-1.5 text-xs font-medium text-slate-800">
                                    {format!("Requires {plan}")}
                                </span>
                            }
                        })}
                </div>
            </div>
        </li>
    }
}

/// The article's Drive recipes as one-click selections, when the plan allows Drive at all; each
/// keeps only what the plan allows.
fn drive_presets(access: PlanAccess, selected: RwSignal<Vec<String>>) -> impl IntoView {
    let drive_allowed =
        Scope::parse("drive:account:read").is_some_and(|scope| access.allows(scope));
    drive_allowed.then(|| {
        view! {
            {DRIVE_PRESETS
                .iter()
                .map(|(label, names)| {
                    let names: Vec<String> = names
                        .iter()
                        .filter_map(|name| Scope::parse(name))
                        .filter(|scope| access.allows(*scope))
                        .map(|scope| scope.name().to_string())
                        .collect();
                    view! {
                        <button type="button" class=BUTTON_SMALL on:click=move |_| selected.set(names.clone())>
                            {*label}
                        </button>
                    }
                })
                .collect_view()}
            <p class="w-full text-xs text-slate-600">
                "Permanent cleanup (drive:…:purge) belongs in a separate, tightly controlled token."
            </p>
        }
    })
}
