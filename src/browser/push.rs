//! `client.push`: this browser's Web Push subscription, registered at the edge for the user.
//! The work is done by `push.js` (pushManager, IndexedDB, the edge); this file gives it its
//! place in the API and its types. See `push.js` for the stored registration and the test
//! seam (an injected `subscription`).

use std::rc::Rc;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

use super::client::Config;
use super::js;
use super::wire;

#[wasm_bindgen(module = "/src/browser/push.js")]
extern "C" {
    #[wasm_bindgen(js_name = isSupported)]
    fn is_supported_js() -> bool;
    #[wasm_bindgen(js_name = permission)]
    fn permission_js() -> String;
    #[wasm_bindgen(js_name = subscribe)]
    fn subscribe_js(config: &Object, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = unsubscribe)]
    fn unsubscribe_js(config: &Object, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = sync)]
    fn sync_js(config: &Object, options: &JsValue) -> Promise;
}

/// `client.push`: Web Push for this user in this browser.
#[wasm_bindgen]
pub struct PushClient {
    config: Rc<Config>,
}

impl PushClient {
    pub(crate) fn new(config: Rc<Config>) -> Self {
        PushClient { config }
    }

    /// `{baseUrl, apiKey, userId, userToken}` for `push.js`, with the current token.
    fn config(&self) -> Object {
        let c = &self.config;
        let o = wire::object(&[("baseUrl", &c.base_url), ("apiKey", &c.api_key), ("userId", &c.user_id)]);
        if let Some(token) = c.user_token.borrow().as_deref() {
            js::set(&o, "userToken", &JsValue::from_str(token));
        }
        o
    }
}

#[wasm_bindgen]
impl PushClient {
    /// Whether this browser has the Push API, service workers and notifications.
    #[wasm_bindgen(js_name = isSupported)]
    pub fn is_supported(&self) -> bool {
        is_supported_js()
    }

    /// `"granted"`, `"denied"`, `"default"` (not asked yet) or `"unsupported"`.
    #[wasm_bindgen(unchecked_return_type = "NotificationPermission | \"unsupported\"")]
    pub fn permission(&self) -> String {
        permission_js()
    }

    /// Subscribes this browser (asking for permission if never asked) and registers the
    /// subscription at the edge. Idempotent: an unchanged subscription is not sent again
    /// (`changed: false`); a changed one is registered and the old one removed at the edge.
    /// Options: `registration` (required), `subscription` (use this one instead of asking the
    /// browser; the test seam), `device`, `timeoutMs` for `pushManager.subscribe()` (15 s).
    #[wasm_bindgen(unchecked_return_type = "Promise<PushStatus>")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PushSubscribeOptions")] options: JsValue,
    ) -> Promise {
        subscribe_js(&self.config(), &options)
    }

    /// Unsubscribes the browser and removes the subscription at the edge. Options:
    /// `registration` (default `navigator.serviceWorker.ready`), `subscription`.
    #[wasm_bindgen(unchecked_return_type = "Promise<PushStatus>")]
    pub fn unsubscribe(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PushOptions")] options: Option<Object>,
    ) -> Promise {
        unsubscribe_js(&self.config(), &options.map(Into::into).unwrap_or(JsValue::UNDEFINED))
    }

    /// Brings the edge in line with the browser without prompting: registers the browser's
    /// current subscription if it changed, removes the registered one if the browser has none
    /// (or permission was revoked), and re-subscribes (then registers the new subscription and
    /// removes the old one at the edge) when the subscription was made with another VAPID key
    /// than the edge's current one (`GET /vapid`), as after a key rotation. Call it on every
    /// page load. Options as for `unsubscribe`, and `timeoutMs` for `pushManager.subscribe()`.
    #[wasm_bindgen(unchecked_return_type = "Promise<PushStatus>")]
    pub fn sync(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PushOptions")] options: Option<Object>,
    ) -> Promise {
        sync_js(&self.config(), &options.map(Into::into).unwrap_or(JsValue::UNDEFINED))
    }
}
