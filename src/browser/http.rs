//! Calls to the edge: `send` of `bindings.js` (JSON in and out; every failure a `TidingsError`).

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/browser/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = send)]
    fn send_js(method: &str, url: &str, headers: &Object, body: &JsValue) -> Promise;
}

/// `PATCH`, `POST`, ...
pub type Method = &'static str;

/// Sends `method url` with `headers` and `body` (a JS value sent as JSON); resolves to the
/// answer's JSON (`undefined` for an empty body), rejects with a `TidingsError`.
pub async fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&JsValue>,
) -> Result<JsValue, JsValue> {
    let h = super::wire::object(headers);
    JsFuture::from(send_js(method, url, &h, body.unwrap_or(&JsValue::UNDEFINED))).await
}
