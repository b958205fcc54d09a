//! Requests per day as a picture: an SVG drawn on the server (no script, no chart library), one
//! stacked bar per day — succeeded below, failed above — with its numbers in the bar's tooltip and
//! the whole chart summarised in its accessible name.

use crate::domain::activity::DAY_MS;
use crate::domain::time;
use crate::model::activity::DayCount;
use leptos::prelude::*;

const WIDTH: i64 = 600;
const PLOT_HEIGHT: i64 = 140;
const TOP: i64 = 14;
const LEFT: i64 = 36;

#[component]
pub fn ActivityChart(days: Vec<DayCount>) -> impl IntoView {
    let succeeded: i64 = days.iter().map(|day| day.succeeded).sum();
    let failed: i64 = days.iter().map(|day| day.failed).sum();
    let most = days
        .iter()
        .map(|day| day.succeeded + day.failed)
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (WIDTH - LEFT) / i64::try_from(days.len().max(1)).unwrap_or(1);
    let bar = (slot * 7 / 10).max(1);
    let height = |count: i64| count * PLOT_HEIGHT / most;
    let summary = format!(
        "Requests per day over the last {} days: {} in all, {succeeded} succeeded, {failed} failed.",
        days.len(),
        succeeded + failed
    );
    let (first, last) = (
        days.first().map(|day| time::date(day.day * DAY_MS)),
        days.last().map(|day| time::date(day.day * DAY_MS)),
    );
    let baseline = TOP + PLOT_HEIGHT;
    let name = summary.clone();
    view! {
        <figure class="mt-3">
            <svg
                role="img"
                aria-label=name
                viewBox=format!("0 0 {WIDTH} {}", baseline + 22)
                class="h-auto w-full"
                xmlns="http://www.w3.org/2000/svg"
            >
                <title>{summary}</title>
                <line x1=LEFT y1=baseline x2=WIDTH y2=baseline class="stroke-slate-300" stroke-width="1" />
                <line x1=LEFT y1=TOP x2=WIDTH y2=TOP class="stroke-slate-200" stroke-width="1" stroke-dasharray="3 3" />
                <text x=LEFT - 6 y=TOP + 4 text-anchor="end" class="fill-slate-600 text-[10px]">{most.to_string()}</text>
                <text x=LEFT - 6 y=baseline + 4 text-anchor="end" class="fill-slate-600 text-[10px]">"0"</text>
                {days
                    .iter()
                    .enumerate()
                    .map(|(index, day)| {
                        let x = LEFT + i64::try_from(index).unwrap_or(0) * slot + (slot - bar) / 2;
                        let ok = height(day.succeeded);
                        let bad = height(day.failed);
                        let label = format!(
                            "{}: {} succeeded, {} failed",
                            time::date(day.day * DAY_MS),
                            day.succeeded,
                            day.failed
                        );
                        view! {
                            <g>
                                <title>{label}</title>
                                <rect x=x y=baseline - ok width=bar height=ok class="fill-emerald-500" />
                                <rect x=x y=baseline - ok - bad width=bar height=bad class="fill-rose-500" />
                                // An empty day still answers a pointer with its tooltip.
                                <rect x=x y=TOP width=bar height=PLOT_HEIGHT fill="transparent" />
                            </g>
                        }
                    })
                    .collect_view()}
                <text x=LEFT y=baseline + 16 class="fill-slate-600 text-[10px]">{first}</text>
                <text x=WIDTH y=baseline + 16 text-anchor="end" class="fill-slate-600 text-[10px]">{last}</text>
            </svg>
            <figcaption class="mt-2 flex flex-wrap gap-4 text-xs text-slate-700">
                <span class="inline-flex items-center gap-1.5">
                    <span aria-hidden="true" class="inline-block size-3 rounded-sm bg-emerald-500"></span>
                    {format!("Succeeded: {succeeded}")}
                </span>
                <span class="inline-flex items-center gap-1.5">
                    <span aria-hidden="true" class="inline-block size-3 rounded-sm bg-rose-500"></span>
                    {format!("Refused or failed: {failed}")}
                </span>
            </figcaption>
        </figure>
    }
}
