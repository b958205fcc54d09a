//! The frame both dashboard tables share: a captioned table that scrolls sideways inside a
//! focusable region when it is wider than the screen, and becomes a list of cards on phones.
//!
//! On narrow screens (below Tailwind's `md`) each row is a card: the row header and the cells
//! marked [`CARD_TOP`] come first, every other cell shows its column name above its value
//! (`data-label`, through [`CARD_CELL`]), and the column headers are kept for screen readers only.

use leptos::prelude::*;

/// A cell that shows its `data-label` above its value on a phone card.
pub const CARD_CELL: &str = "px-4 py-3 max-md:order-4 max-md:w-[calc(50%-0.25rem)] max-md:px-0 max-md:py-1 max-md:before:block max-md:before:text-xs max-md:before:font-semibold max-md:before:text-slate-600 max-md:before:content-[attr(data-label)]";
/// The same, taking the card's whole width.
pub const CARD_CELL_WIDE: &str = "px-4 py-3 max-md:order-4 max-md:w-full max-md:px-0 max-md:py-1 max-md:before:block max-md:before:text-xs max-md:before:font-semibold max-md:before:text-slate-600 max-md:before:content-[attr(data-label)]";
/// The row header on a phone card: first, and at least half the line, so the labelled cells
/// start on a line of their own below it and its status and actions.
pub const CARD_TITLE: &str =
    "px-4 py-3 max-md:order-1 max-md:min-w-[50%] max-md:flex-1 max-md:px-0 max-md:py-1";
/// A cell kept beside the title on a phone card (status, actions), unlabelled.
pub const CARD_TOP: &str = "px-4 py-3 max-md:order-2 max-md:px-0 max-md:py-1";
/// A row: a table row, or a card on phones.
pub const CARD_ROW: &str = "align-top max-md:flex max-md:flex-wrap max-md:items-start max-md:gap-x-2 max-md:px-4 max-md:py-3";

#[component]
pub fn DataTable(
    /// Names the table for screen readers and its scroll region.
    #[prop(into)]
    caption: String,
    columns: Vec<&'static str>,
    /// The `<tr>` rows.
    children: Children,
    #[prop(optional)] tour: Option<&'static str>,
) -> impl IntoView {
    let region_label = caption.clone();
    view! {
        // `relative` keeps the table's visually hidden labels inside the scroll box; without it they
        // widen the whole page on phones. The region takes focus so keyboard users can scroll it.
        <div
            role="region"
            aria-label=region_label
            tabindex="0"
            class="relative mt-4 overflow-x-auto rounded-2xl bg-white shadow-sm ring-1 ring-slate-900/5 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm max-md:block" data-tour=tour>
                <caption class="sr-only">{caption}</caption>
                <thead class="bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600 max-md:sr-only">
                    <tr>
                        {columns
                            .into_iter()
                            .map(|column| view! { <th scope="col" class="px-4 py-3">{column}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100 max-md:block">{children()}</tbody>
            </table>
        </div>
    }
}
