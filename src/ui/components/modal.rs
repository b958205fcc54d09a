//! A modal dialog on the native `<dialog>` element, which gives focus containment, an inert
//! page behind it, Escape to close and focus return for free.

use leptos::html;
use leptos::prelude::*;

/// Opens while `open` is true. Escape or the close control call `on_close`; the content is only
/// rendered while open, so nothing inside outlives a close.
/// The children are typed, not erased into an `AnyView`: erasing them would pull the async
/// hydration code of the whole dialog into the browser bundle (leptos PR #4438).
#[component]
pub fn Modal<C>(
    #[prop(into)] open: Signal<bool>,
    on_close: Callback<()>,
    /// Id of the element that names the dialog.
    labelled_by: &'static str,
    #[prop(optional, into)] class: String,
    children: TypedChildrenFn<C>,
) -> impl IntoView
where
    C: IntoView + 'static,
{
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(element) = dialog.get() else { return };
        if open.get() {
            if !element.open() {
                let _ = element.show_modal();
            }
        } else if element.open() {
            element.close();
        }
    });
    let children = children.into_inner();
    view! {
        <dialog
            node_ref=dialog
            aria-labelledby=labelled_by
            class=format!(
                "m-auto w-[calc(100%-1.5rem)] rounded-2xl bg-white p-0 text-slate-900 shadow-2xl ring-1 ring-slate-900/10 backdrop:bg-black/50 backdrop:backdrop-blur-sm {class}",
            )
            on:cancel=move |event: leptos::ev::Event| {
                event.prevent_default();
                on_close.run(());
            }
        >
            {move || open.get().then(|| children())}
        </dialog>
    }
}
