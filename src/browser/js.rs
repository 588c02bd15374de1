//! Small JS helpers that work the same in a page and in a (module) service worker: property
//! access.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

/// `obj[key]`, `undefined` when missing or when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    // Functions are objects too (`Notification.permission` is a property of a constructor).
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as a string, if it is one.
pub fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}
