//! No dead buttons while the page's script loads. Controls that work only with the script carry
//! `data-needs-script`: a click on one before the islands are hydrated is remembered, the control
//! shows it is busy (`aria-busy`), and the click is replayed once the page is ready. Controls that
//! can work without the script are links or forms instead (Create token, Revoke, Sign out).

use leptos::prelude::*;

/// The attribute that marks a control needing the script.
pub const NEEDS_SCRIPT: &str = "data-needs-script";

/// Inline in the page head (with the page's CSP nonce), so it runs before any click can land.
pub const PENDING_CLICKS_SCRIPT: &str = r#"document.addEventListener("click",function(e){if(window.__leptos_hydrated)return;var c=e.target.closest&&e.target.closest("[data-needs-script]");if(!c||!c.id)return;e.preventDefault();e.stopPropagation();window.__pending_click=c.id;c.setAttribute("aria-busy","true");},true);"#;

/// The last island of every page: islands hydrate in document order, so when this one runs the
/// page is ready. It says so (`window.__leptos_hydrated`, which the end-to-end tests wait for),
/// replays a click made before, and keeps the page's relative times current.
#[island]
pub fn PageReady() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let _ = js_sys::Reflect::set(&window, &"__leptos_hydrated".into(), &true.into());
        // When the page became fully interactive (`make bench` reads it).
        if let Some(performance) = window.performance() {
            let _ = js_sys::Reflect::set(
                &window,
                &"__leptos_ready_at".into(),
                &performance.now().into(),
            );
        }
        let pending = js_sys::Reflect::get(&window, &"__pending_click".into())
            .ok()
            .and_then(|value| value.as_string());
        let _ = js_sys::Reflect::delete_property(&window, &"__pending_click".into());
        forget_confirmation(&window);
        // "in 6 days", "3 minutes ago" stay true while the page is open.
        let _ = set_interval_with_handle(
            keep_relative_times_current,
            std::time::Duration::from_secs(30),
        );
        let element = pending.and_then(|id| window.document()?.get_element_by_id(&id));
        if let Some(element) = element {
            let _ = element.remove_attribute("aria-busy");
            use wasm_bindgen::JsCast;
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                element.click();
            }
        }
    });
}

/// `?created=ID` / `?revoked=ID` ask the server for a one-time confirmation; once shown, they leave
/// the address bar, so a reload or a bookmark does not confirm the change again.
#[cfg(feature = "hydrate")]
fn forget_confirmation(window: &web_sys::Window) {
    let location = window.location();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
        return;
    };
    let kept = crate::ui::components::browser::without_confirmation(&search);
    if kept.len()
        == search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .count()
    {
        return;
    }
    let url = if kept.is_empty() {
        path
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Rewrites every relative time the server wrote (`data-relative-to` holds the instant in ms).
#[cfg(feature = "hydrate")]
fn keep_relative_times_current() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Ok(elements) = document.query_selector_all("[data-relative-to]") else {
        return;
    };
    let now = js_sys::Date::now() as i64;
    for index in 0..elements.length() {
        let Some(element) = elements.item(index) else {
            continue;
        };
        use wasm_bindgen::JsCast;
        let Ok(element) = element.dyn_into::<web_sys::Element>() else {
            continue;
        };
        if let Some(at) = element
            .get_attribute("data-relative-to")
            .and_then(|value| value.parse::<i64>().ok())
        {
            element.set_text_content(Some(&crate::domain::time::relative(at, now)));
        }
    }
}
