//! The tour's reach into the browser: following the page while it scrolls and resizes, finding
//! and highlighting targets, measuring them, and waiting for frames.

use super::*;
use crate::api::session::FinishTour;
use crate::model::session::TOUR_DONE_COOKIE;
use leptos::server_fn::ServerFn;

thread_local! {
    /// The browser's one running tour watch. Kept out of the reactive arena: its listeners live
    /// only in the browser, and the server never creates one.
    static PAGE_WATCH: RefCell<Option<PageWatch>> = const { RefCell::new(None) };
}

/// What the current step points at, once the page is ready.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Spot {
    /// Still opening the dialog, switching tabs or waiting for the list.
    Pending,
    /// These `data-tour` targets, highlighted together; `fallback` when it is the fallback target.
    Elements {
        names: Vec<&'static str>,
        fallback: bool,
    },
    /// No target: a centered popover, with the fallback text when the step has one.
    Centered { fallback: bool },
}

impl Spot {
    pub(super) fn uses_fallback(&self) -> bool {
        matches!(
            self,
            Spot::Elements { fallback: true, .. } | Spot::Centered { fallback: true }
        )
    }
}

/// Keeps the spotlight and popover on their target while anything scrolls (the page or the
/// create dialog's body), the window resizes, or the target or popover changes size; and hands
/// every key pressed while the tour runs to [`Tour::on_key`].
pub(super) struct PageWatch {
    on_change: Closure<dyn FnMut()>,
    on_key: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
    observer: web_sys::ResizeObserver,
}

impl PageWatch {
    pub(super) fn start(tour: Tour) -> Option<PageWatch> {
        let window = web_sys::window()?;
        let frame_pending = Rc::new(Cell::new(false));
        // Many scroll events a frame collapse into one reposition.
        let on_change = Closure::<dyn FnMut()>::new(move || {
            if !frame_pending.replace(true) {
                let frame_pending = frame_pending.clone();
                leptos::leptos_dom::helpers::request_animation_frame(move || {
                    frame_pending.set(false);
                    tour.reposition();
                });
            }
        });
        let callback = on_change.as_ref().unchecked_ref();
        // Scroll events do not bubble; a capturing listener on the window sees every scroller.
        let options = web_sys::AddEventListenerOptions::new();
        options.set_capture(true);
        options.set_passive(true);
        window
            .add_event_listener_with_callback_and_add_event_listener_options(
                "scroll", callback, &options,
            )
            .ok()?;
        window
            .add_event_listener_with_callback("resize", callback)
            .ok()?;
        let observer = web_sys::ResizeObserver::new(callback).ok()?;
        // Capturing, so the tour sees a key before whatever element has focus acts on it.
        let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |event: web_sys::KeyboardEvent| tour.on_key(&event),
        );
        window
            .add_event_listener_with_callback_and_bool(
                "keydown",
                on_key.as_ref().unchecked_ref(),
                true,
            )
            .ok()?;
        Some(PageWatch {
            on_change,
            on_key,
            observer,
        })
    }

    /// Replaces the page's watch (`None` stops watching).
    pub(super) fn set(watch: Option<PageWatch>) {
        PAGE_WATCH.with(|slot| *slot.borrow_mut() = watch);
    }

    /// Watches these targets and the popover for size changes, instead of the previous ones.
    pub(super) fn observe(targets: &[web_sys::Element], popover: Option<&web_sys::Element>) {
        PAGE_WATCH.with(|slot| {
            let Some(watch) = &*slot.borrow() else {
                return;
            };
            watch.observer.disconnect();
            for target in targets.iter().chain(popover) {
                watch.observer.observe(target);
            }
        });
    }
}

impl Drop for PageWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
        if let Some(window) = web_sys::window() {
            let callback = self.on_change.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback_and_bool("scroll", callback, true);
            let _ = window.remove_event_listener_with_callback("resize", callback);
            let _ = window.remove_event_listener_with_callback_and_bool(
                "keydown",
                self.on_key.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}

/// Resolves after the browser's next frame (all pending effects and renders have run by then).
pub(super) async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

pub(super) fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

pub(super) fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

pub(super) fn current_url() -> String {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    format!("{}{search}", current_path())
}

pub(super) fn viewport_size() -> (f64, f64) {
    document()
        .and_then(|d| d.document_element())
        .map(|root| {
            (
                f64::from(root.client_width()),
                f64::from(root.client_height()),
            )
        })
        .unwrap_or((0.0, 0.0))
}

/// The first element marked `data-tour="{name}"` that takes up space on the page.
pub(super) fn find_target(name: &str) -> Option<web_sys::Element> {
    let element = document()?
        .query_selector(&format!("[{TARGET_ATTRIBUTE}=\"{name}\"]"))
        .ok()??;
    let rect = element.get_bounding_client_rect();
    (rect.width() > 0.0 && rect.height() > 0.0).then_some(element)
}

/// The Tokens tab has loaded its list (or its empty state).
pub(super) fn tokens_list_settled() -> bool {
    find_target("token-list").is_some() || find_target("token-list-empty").is_some()
}

/// Where the step should point, or `None` while the page is not ready to tell.
pub(super) fn find_spot(step: &Step) -> Option<Spot> {
    let with_companion = |name: &'static str, fallback: bool| {
        let mut names: Vec<&'static str> = step
            .companion
            .filter(|companion| find_target(companion).is_some())
            .into_iter()
            .collect();
        names.push(name);
        Spot::Elements { names, fallback }
    };
    if find_target(step.target).is_some() {
        return Some(with_companion(step.target, false));
    }
    match &step.fallback {
        Some(Fallback {
            target: Some(name), ..
        }) if find_target(name).is_some() => Some(with_companion(name, true)),
        // Without its own target, a step on the Tokens tab knows its target is missing once the
        // list has loaded.
        Some(Fallback { target: None, .. }) if step.tab == Tab::Tokens && tokens_list_settled() => {
            Some(Spot::Centered { fallback: true })
        }
        _ => None,
    }
}

pub(super) fn spot_elements(spot: &Spot) -> Vec<web_sys::Element> {
    match spot {
        Spot::Elements { names, .. } => names.iter().filter_map(|name| find_target(name)).collect(),
        Spot::Pending | Spot::Centered { .. } => Vec::new(),
    }
}

pub(super) fn clear_highlight() {
    let Some(highlighted) = document().and_then(|d| {
        d.query_selector_all(&format!("[{HIGHLIGHT_ATTRIBUTE}]"))
            .ok()
    }) else {
        return;
    };
    for index in 0..highlighted.length() {
        if let Some(element) = highlighted
            .item(index)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
        {
            let _ = element.remove_attribute(HIGHLIGHT_ATTRIBUTE);
        }
    }
}

pub(super) fn dom_rect(element: &web_sys::Element) -> Rect {
    let rect = element.get_bounding_client_rect();
    Rect::new(rect.left(), rect.top(), rect.width(), rect.height())
}

/// The part of `element` that is not clipped away by its scrolling ancestors (the create
/// dialog's body, the table's horizontal scroller).
pub(super) fn visible_rect(element: &web_sys::Element) -> Option<Rect> {
    let window = web_sys::window()?;
    let mut rect = dom_rect(element);
    let mut ancestor = element.parent_element();
    while let Some(parent) = ancestor {
        if let Ok(Some(style)) = window.get_computed_style(&parent) {
            let clips = |axis: &str| {
                style
                    .get_property_value(axis)
                    .is_ok_and(|value| value != "visible")
            };
            let (clips_x, clips_y) = (clips("overflow-x"), clips("overflow-y"));
            if clips_x || clips_y {
                let bounds = dom_rect(&parent);
                let clip = Rect::new(
                    if clips_x { bounds.left } else { rect.left },
                    if clips_y { bounds.top } else { rect.top },
                    if clips_x { bounds.width } else { rect.width },
                    if clips_y { bounds.height } else { rect.height },
                );
                rect = rect.intersect(clip)?;
            }
        }
        ancestor = parent.parent_element();
    }
    Some(rect)
}

pub(super) fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}

/// Brings the target into view: centered when it fits, its top first when it is tall.
pub(super) fn scroll_into_view(elements: &[web_sys::Element]) {
    let (Some(window), Some(first)) = (web_sys::window(), elements.first()) else {
        return;
    };
    let behavior = if prefers_reduced_motion() {
        web_sys::ScrollBehavior::Instant
    } else {
        web_sys::ScrollBehavior::Smooth
    };
    let (_, viewport_height) = viewport_size();
    let union = elements
        .iter()
        .map(dom_rect)
        .reduce(Rect::union)
        .unwrap_or_default();
    let fits = union.height <= viewport_height * 0.8;
    if elements.len() > 1 && fits {
        // Several elements in the page's own scroller: center them together.
        let options = web_sys::ScrollToOptions::new();
        options.set_top(union.center_y() - viewport_height / 2.0);
        options.set_behavior(behavior);
        window.scroll_by_with_scroll_to_options(&options);
        return;
    }
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_behavior(behavior);
    options.set_block(if fits {
        web_sys::ScrollLogicalPosition::Center
    } else {
        web_sys::ScrollLogicalPosition::Start
    });
    options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
    first.scroll_into_view_with_scroll_into_view_options(&options);
}

/// Tells the server the tour is finished or dismissed, with a request the browser keeps alive
/// when the page reloads or closes at once (a plain server-function call is cancelled with its
/// page, and the invitation came back after a reload made right after dismissing it).
pub(super) fn send_tour_done() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // At once in this browser (a reload a moment later must not invite again), then for good on
    // the server for every other browser.
    if let Some(page) = document().and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok()) {
        let _ = page.set_cookie(&format!(
            "{TOUR_DONE_COOKIE}=1; Path=/; Max-Age=86400; SameSite=Lax"
        ));
    }
    let headers = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &headers,
        &"Content-Type".into(),
        &"application/x-www-form-urlencoded".into(),
    );
    let _ = js_sys::Reflect::set(&headers, &"Accept".into(), &"application/json".into());
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    // `keepalive` is not in web-sys's RequestInit yet; it is a plain field of the dictionary.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(""));
    // Fire and forget: if it fails, another browser (or this one tomorrow) invites again, no worse.
    let _ = window.fetch_with_str_and_init(<FinishTour as ServerFn>::PATH, &init);
}

/// What the tour hands to the next page when a step is on the other tab: each tab is its own
/// server-rendered page, so the tour leaves for it (without a history entry, leaving no trail
/// behind the Back button) and picks up there, in this tab's session storage.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) enum Handover {
    /// Show step `step` on arrival.
    At { step: usize, origin: Origin },
    /// The tour ended on the other tab: put the scroll position and focus back.
    Ended { scroll_y: f64 },
}

/// The scroll position the tour started from, and focus on the Guide button.
pub(super) fn restore_scroll_and_focus(scroll_y: f64) {
    if let Some(window) = web_sys::window() {
        window.scroll_to_with_x_and_y(window.scroll_x().unwrap_or(0.0), scroll_y);
    }
    // Found in the page, not through the button's node ref: on a page just loaded, the
    // button's island may not be hydrated yet.
    let button = document()
        .and_then(|page| page.get_element_by_id(GUIDE_BUTTON_ID))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        let _ = button.focus();
    }
}

/// Where the tour hands itself over to the next page.
const HANDOVER_KEY: &str = "trekmail-tour";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Leaves for `url` (replacing this history entry), handing `handover` to the page there.
pub(super) fn leave_for(url: &str, handover: &Handover) {
    if let (Some(storage), Ok(text)) = (session_storage(), serde_json::to_string(handover)) {
        let _ = storage.set_item(HANDOVER_KEY, &text);
    }
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(url);
    }
}

/// What the previous page handed over, once.
pub(super) fn take_handover() -> Option<Handover> {
    let storage = session_storage()?;
    let text = storage.get_item(HANDOVER_KEY).ok().flatten()?;
    let _ = storage.remove_item(HANDOVER_KEY);
    serde_json::from_str(&text).ok()
}
