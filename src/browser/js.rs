//! Small JS helpers that work the same in a page and in a (module) service worker: globals
//! (`fetch`, timers), property access, base64url, time and timeouts.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::error::{self, code};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker).
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch(request: &web_sys::Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_raw(f: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout_raw(id: &JsValue);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval_raw(f: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval_raw(id: &JsValue);
    #[wasm_bindgen(catch)]
    fn atob(s: &str) -> Result<String, JsValue>;
    fn btoa(s: &JsValue) -> String;
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

/// `promise`, or a rejection with code `timeout` after `ms`.
pub async fn with_timeout(promise: Promise, ms: f64, what: &str) -> Result<JsValue, JsValue> {
    let message = format!("{what} did not finish within {} ms", ms as u64);
    let timeout = Promise::new(&mut |_, reject| {
        let err = error::new(code::TIMEOUT, &message);
        let f = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &err);
        });
        set_timeout_raw(f.unchecked_ref(), ms);
    });
    JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &timeout))).await
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

/// Whether `obj` has an own or inherited property `key` (even `undefined`).
pub fn has(obj: &JsValue, key: &str) -> bool {
    obj.is_object() && Reflect::has(obj, &JsValue::from_str(key)).unwrap_or(false)
}

/// `obj[key] = value` on a plain object built here (cannot fail).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Calls `obj[method](...args)` and returns its result (an exception becomes `Err`).
pub fn call(obj: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(obj, method)
        .dyn_into()
        .map_err(|_| error::new(code::UNSUPPORTED, &format!("{method} is not available in this environment")))?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(obj, &args)
}

/// Awaits `obj[method](...args)` when it returns a promise.
pub async fn call_async(obj: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let v = call(obj, method, args)?;
    match v.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

/// The current time as RFC 3339 (what the core's optimistic transitions stamp).
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// `bytes` as base64url without padding (through `btoa`).
pub fn b64url_encode(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes.iter().map(|&b| u16::from(b)).collect();
    let b64 = btoa(&js_sys::JsString::from_char_code(&units));
    b64.trim_end_matches('=')
        .chars()
        .map(|c| {
            if c == '+' {
                '-'
            } else if c == '/' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// base64url (padded or not) as bytes (through `atob`); `None` if it is not base64url.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let b64: String = s
        .chars()
        .map(|c| {
            if c == '-' {
                '+'
            } else if c == '_' {
                '/'
            } else {
                c
            }
        })
        .collect();
    Some(atob(&b64).ok()?.chars().map(|c| c as u8).collect())
}

/// `encodeURIComponent(s)`.
pub fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
