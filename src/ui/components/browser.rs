//! Browser-only helpers, called from event handlers (which never run on the server).

use wasm_bindgen::JsCast;

/// Copies `text` to the clipboard; `false` when the browser refused.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Saves `text` as a file named `file_name` through a temporary object URL.
pub fn download_text(file_name: &str, text: &str) -> bool {
    let save = || -> Option<()> {
        let document = web_sys::window()?.document()?;
        let parts = js_sys_array(text);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/plain;charset=utf-8");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let anchor: web_sys::HtmlAnchorElement =
            document.create_element("a").ok()?.dyn_into().ok()?;
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
        web_sys::Url::revoke_object_url(&url).ok()
    };
    save().is_some()
}

fn js_sys_array(text: &str) -> wasm_bindgen::JsValue {
    let array = js_sys::Array::new();
    array.push(&wasm_bindgen::JsValue::from_str(text));
    array.into()
}
