//! Browser-only helpers, called from event handlers (which never run on the server).

/// Copies `text` to the clipboard; `false` when the browser refused.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Loads `url` as a new page (the list is rendered on the server, so a change shows by loading it).
pub fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// The query pairs of `search` (`?a=1&b=2`) without the one-time confirmation keys.
pub fn without_confirmation(search: &str) -> Vec<&str> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !pair.is_empty()
                && !crate::model::routes::CHANGE_KEYS.contains(&name)
                && name != crate::model::routes::EMERGENCY_KEY
        })
        .collect()
}

/// This page's list again, as it is filtered and paged now, with `key=id` added (`revoked=7`):
/// the server then confirms the change and highlights the row.
pub fn this_list_with(key: &str, id: i64) -> String {
    let location = web_sys::window().map(|window| window.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    let search = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let mut pairs = without_confirmation(&search);
    let added = format!("{key}={id}");
    pairs.push(&added);
    format!("{path}?{}", pairs.join("&"))
}
