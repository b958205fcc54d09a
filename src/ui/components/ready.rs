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
/// page is ready. It says so (`window.__leptos_hydrated`, which the end-to-end tests wait for)
/// and replays a click made before.
#[island]
pub fn PageReady() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let _ = js_sys::Reflect::set(&window, &"__leptos_hydrated".into(), &true.into());
        let pending = js_sys::Reflect::get(&window, &"__pending_click".into())
            .ok()
            .and_then(|value| value.as_string());
        let _ = js_sys::Reflect::delete_property(&window, &"__pending_click".into());
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
