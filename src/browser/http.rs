//! Calls to the edge: one `fetch` wrapper that sends JSON, reads JSON, and turns every failure
//! into a `TidingsError` (the envelope's code, or `network_error`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

use super::error::{self, code};
use super::js;

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
    let h = Headers::new()?;
    for (k, v) in headers {
        h.set(k, v)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        h.set("content-type", "application/json")?;
        init.set_body(&js_sys::JSON::stringify(body)?.into());
    }
    init.set_headers(&h);
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|_| error::new(code::INVALID_ARGUMENT, &format!("{url} is not a valid URL")))?;
    let response: Response =
        JsFuture::from(js::fetch(&request)).await.map_err(|e| error::network(&e, url))?.unchecked_into();
    let status = response.status();
    let request_id = response.headers().get("x-request-id").ok().flatten();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p).await.map_err(|e| error::network(&e, url))?.as_string().unwrap_or_default(),
        Err(e) => return Err(error::network(&e, url)),
    };
    let json = if text.is_empty() { Ok(JsValue::UNDEFINED) } else { js_sys::JSON::parse(&text) };
    if response.ok() {
        json.map_err(|_| {
            error::new(code::INVALID_RESPONSE, &format!("{method} {url} answered with a body that is not JSON"))
        })
    } else {
        Err(error::from_answer(status, &json.unwrap_or(JsValue::UNDEFINED), request_id))
    }
}
