//! Errors as JS sees them: an `Error` named `TidingsError` with a stable `code` (the edge
//! envelope's `error.code`, or one of the client-side [`code`]s), `status` (HTTP status, 0 when
//! no answer came), `requestId`, `fix` and `details`. They are made in one place,
//! `tidingsError` of `bindings.js`, which also turns the edge's answers into them.

use wasm_bindgen::prelude::*;

/// Codes made by the Rust side; the others come from the edge envelope (`unauthenticated`,
/// `forbidden`, `not_found`, `validation_failed`, `rate_limited`, ...) or from `bindings.js` and
/// `push.js` (`network_error`, `timeout`, `unsupported`, `permission_denied`). All of them are
/// listed in `TidingsErrorCode` (types.rs).
pub mod code {
    /// A bad argument: missing option, wrong type, unknown filter field.
    pub const INVALID_ARGUMENT: &str = "invalid_argument";
}

#[wasm_bindgen(module = "/src/browser/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = tidingsError)]
    fn tidings_error(code: &str, message: &str) -> JsValue;
}

/// A `TidingsError` with `code` and `message`, no HTTP answer.
pub fn new(code: &str, message: &str) -> JsValue {
    tidings_error(code, message)
}

/// An error about one field: `{message} `{field}``.
pub fn field(code: &str, message: &str, field: &str) -> JsValue {
    let mut m = String::from(message);
    m.push_str(" `");
    m.push_str(field);
    m.push('`');
    tidings_error(code, &m)
}
