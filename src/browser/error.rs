//! Errors as JS sees them: an `Error` named `TidingsError` with a stable `code` (the edge
//! envelope's `error.code`, or one of the client-side [`code`]s), `status` (HTTP status, 0 when
//! no answer came), `requestId`, `fix` and `details`. This is the one place errors are made.

use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js;

/// Codes made in the browser; the others come from the edge envelope (`unauthenticated`,
/// `forbidden`, `not_found`, `validation_failed`, `rate_limited`, ...).
pub mod code {
    /// `fetch` failed: offline, DNS, CORS refused, connection reset.
    pub const NETWORK_ERROR: &str = "network_error";
    /// A browser API or the edge did not answer in time (e.g. `pushManager.subscribe`).
    pub const TIMEOUT: &str = "timeout";
    /// This environment lacks what the call needs (Push API, service workers, IndexedDB).
    pub const UNSUPPORTED: &str = "unsupported";
    /// The user has not granted (or has denied) notification permission.
    pub const PERMISSION_DENIED: &str = "permission_denied";
    /// A bad argument: missing option, wrong type, unknown filter field.
    pub const INVALID_ARGUMENT: &str = "invalid_argument";
    /// The edge answered 2xx with a body this version does not understand.
    pub const INVALID_RESPONSE: &str = "invalid_response";
}

/// A `TidingsError` with `code` and `message`, no HTTP answer.
pub fn new(code: &str, message: &str) -> JsValue {
    make(code, message, 0, None, JsValue::NULL, JsValue::NULL)
}

/// A `TidingsError` from an edge answer with status `status`: the envelope's code, message,
/// fix and details when `body` is one, else a code derived from the status.
pub fn from_answer(status: u16, body: &JsValue, request_id: Option<String>) -> JsValue {
    let e = js::get(body, "error");
    let code = js::get_string(&e, "code").unwrap_or_else(|| fallback_code(status).to_owned());
    let message = js::get_string(&e, "message").unwrap_or_else(|| format!("the edge answered HTTP {status}"));
    let request_id =
        request_id.or_else(|| js::get_string(&e, "request_id")).or_else(|| js::get_string(body, "trackingId"));
    let fix = js::get_some(&e, "fix").unwrap_or(JsValue::NULL);
    let details = js::get_some(&e, "details").unwrap_or(JsValue::NULL);
    make(&code, &message, status, request_id.as_deref(), fix, details)
}

/// `network_error` for a `fetch` that rejected with `cause`.
pub fn network(cause: &JsValue, url: &str) -> JsValue {
    let why = cause.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default();
    new(code::NETWORK_ERROR, &format!("could not reach {url}: {why}"))
}

/// Whether `err` is a `TidingsError` with this code.
pub fn has_code(err: &JsValue, code: &str) -> bool {
    js::get_string(err, "code").as_deref() == Some(code)
}

fn fallback_code(status: u16) -> &'static str {
    match status {
        400 | 405 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        429 => "rate_limited",
        502 => "provider_error",
        503 => "unavailable",
        _ => "internal",
    }
}

fn make(code: &str, message: &str, status: u16, request_id: Option<&str>, fix: JsValue, details: JsValue) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("TidingsError");
    let obj: &Object = err.unchecked_ref();
    js::set(obj, "code", &JsValue::from_str(code));
    js::set(obj, "status", &JsValue::from(status));
    js::set(obj, "requestId", &request_id.map_or(JsValue::NULL, JsValue::from_str));
    js::set(obj, "fix", &fix);
    js::set(obj, "details", &details);
    err.into()
}
