//! Small JS helpers that work the same in a page and in a (module) service worker: timers,
//! property access, time, URL encoding.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_raw(f: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout_raw(id: &JsValue);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval_raw(f: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval_raw(id: &JsValue);
}

/// A pending `setTimeout` or `setInterval`; cleared on drop.
pub struct Timer {
    id: JsValue,
    interval: bool,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Runs `f` once after `ms`.
    pub fn once(ms: f64, f: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(f);
        let id = set_timeout_raw(callback.as_ref().unchecked_ref(), ms);
        Timer { id, interval: false, _callback: callback }
    }

    /// Runs `f` every `ms`.
    pub fn every(ms: f64, f: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(f);
        let id = set_interval_raw(callback.as_ref().unchecked_ref(), ms);
        Timer { id, interval: true, _callback: callback }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if self.interval {
            clear_interval_raw(&self.id);
        } else {
            clear_timeout_raw(&self.id);
        }
    }
}

/// `globalThis`.
pub fn global() -> Object {
    js_sys::global()
}

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

/// `obj[key]` unless it is `undefined` or `null`.
pub fn get_some(obj: &JsValue, key: &str) -> Option<JsValue> {
    let v = get(obj, key);
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

/// `obj[key] = value` on a plain object built here (cannot fail).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// The current time as RFC 3339 (what the core's optimistic transitions stamp).
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// `encodeURIComponent(s)`.
pub fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
