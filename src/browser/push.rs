//! `client.push`: this browser's Web Push subscription, registered at the edge for the user.
//!
//! The registration is recorded in IndexedDB (see `store`) under the service worker
//! registration's scope, with the `subscription_token` the edge returns; the service worker
//! reads it to re-register a changed subscription (`handleSubscriptionChange`) and to find the
//! edge when its handlers get no options.
//!
//! Test seam: `subscribe`, `unsubscribe` and `sync` take an optional `subscription` (a
//! `PushSubscription`, or any object with `endpoint`, `toJSON()` and optionally
//! `unsubscribe()`), used instead of asking `registration.pushManager`. Headless browsers never
//! resolve `pushManager.subscribe()` (no push service), so tests inject one; apps may pass a
//! subscription they made themselves.

use std::rc::Rc;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use super::client::Config;
use super::error::{self, code};
use super::http;
use super::js;
use super::store::{self, PushRecord};
use super::wire;
use crate::model::{PushSubscription, SubscriptionKeys};

/// How long `pushManager.subscribe()` may take by default.
const SUBSCRIBE_TIMEOUT_MS: f64 = 15_000.0;
/// How long to wait for `navigator.serviceWorker.ready` when no registration is passed.
const READY_TIMEOUT_MS: f64 = 5_000.0;

/// Whether this environment has the Push API and notifications.
pub(crate) fn supported() -> bool {
    let g: JsValue = js::global().into();
    js::has(&g, "PushManager") && js::has(&g, "Notification") && js::has(&g, "ServiceWorkerRegistration")
}

/// `Notification.permission`, or `unsupported`.
pub(crate) fn permission() -> String {
    js::get_string(&js::get(&js::global(), "Notification"), "permission").unwrap_or_else(|| "unsupported".into())
}

/// `GET /vapid` → the application server key for `pushManager.subscribe`.
pub(crate) async fn vapid_key(base_url: &str) -> Result<String, JsValue> {
    let answer = http::send("GET", &format!("{base_url}/vapid"), &[], None).await?;
    js::get_string(&answer, "publicKey")
        .ok_or_else(|| error::new(code::INVALID_RESPONSE, "GET /vapid answered without a publicKey"))
}

/// `registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey})`, given up
/// after `timeout_ms` (code `timeout`).
pub(crate) async fn create_subscription(
    registration: &JsValue,
    key: &str,
    timeout_ms: f64,
) -> Result<JsValue, JsValue> {
    let manager = push_manager(registration)?;
    let opts = Object::new();
    js::set(&opts, "userVisibleOnly", &JsValue::TRUE);
    js::set(&opts, "applicationServerKey", &JsValue::from_str(key));
    let p: Promise = js::call(&manager, "subscribe", &[&opts])?.dyn_into()?;
    js::with_timeout(p, timeout_ms, "pushManager.subscribe()").await
}

/// The subscription's JSON form (`toJSON()`): endpoint and keys.
pub(crate) fn subscription_json(sub: &JsValue) -> Result<PushSubscription, JsValue> {
    let json = js::call(sub, "toJSON", &[])?;
    let keys = js::get(&json, "keys");
    let text = |v: &JsValue, k| js::get_string(v, k).filter(|s| !s.is_empty());
    match (text(&json, "endpoint"), text(&keys, "p256dh"), text(&keys, "auth")) {
        (Some(endpoint), Some(p256dh), Some(auth)) => {
            Ok(PushSubscription { endpoint, keys: SubscriptionKeys { p256dh, auth }, expiration_time: None })
        }
        _ => Err(error::new(code::INVALID_ARGUMENT, "the push subscription has no endpoint, keys.p256dh or keys.auth")),
    }
}

/// `{endpoint, keys: {p256dh, auth}}`, as the edge takes it.
pub(crate) fn subscription_js(s: &PushSubscription) -> JsValue {
    let o = wire::object(&[("endpoint", &s.endpoint)]);
    js::set(&o, "keys", &wire::object(&[("p256dh", &s.keys.p256dh), ("auth", &s.keys.auth)]));
    o.into()
}

fn push_manager(registration: &JsValue) -> Result<JsValue, JsValue> {
    js::get_some(registration, "pushManager")
        .ok_or_else(|| error::new(code::UNSUPPORTED, "this registration has no pushManager (Push API not available)"))
}

/// The application server key a subscription was made with, base64url.
fn key_of(sub: &JsValue) -> Option<String> {
    let buf = js::get_some(&js::get(sub, "options"), "applicationServerKey")?;
    Some(js::b64url_encode(&js_sys::Uint8Array::new(&buf).to_vec()))
}

/// What `subscribe`, `unsubscribe` and `sync` resolve to.
pub(crate) fn status(endpoint: Option<&str>, changed: bool) -> JsValue {
    let o = Object::new();
    js::set(&o, "subscribed", &JsValue::from(endpoint.is_some()));
    js::set(&o, "endpoint", &endpoint.map_or(JsValue::NULL, JsValue::from_str));
    js::set(&o, "changed", &JsValue::from(changed));
    o.into()
}

/// `options.registration`, else `navigator.serviceWorker.ready`.
async fn registration(options: &JsValue) -> Result<JsValue, JsValue> {
    if let Some(r) = js::get_some(options, "registration") {
        return Ok(r);
    }
    let container = js::get_some(&js::get(&js::global(), "navigator"), "serviceWorker")
        .ok_or_else(|| error::new(code::UNSUPPORTED, "service workers are not available here"))?;
    let ready: Promise = js::get(&container, "ready").dyn_into()?;
    js::with_timeout(ready, READY_TIMEOUT_MS, "navigator.serviceWorker.ready").await
}

fn scope_of(registration: &JsValue) -> Result<String, JsValue> {
    js::get_string(registration, "scope")
        .ok_or_else(|| error::new(code::INVALID_ARGUMENT, "registration must be a ServiceWorkerRegistration"))
}

/// The browser's current subscription: the injected one when `options` has `subscription`
/// (even `null`), else `pushManager.getSubscription()`.
async fn current_subscription(registration: &JsValue, options: &JsValue) -> Result<Option<JsValue>, JsValue> {
    if js::has(options, "subscription") {
        return Ok(js::get_some(options, "subscription"));
    }
    let v = js::call_async(&push_manager(registration)?, "getSubscription", &[]).await?;
    Ok((!v.is_null() && !v.is_undefined()).then_some(v))
}

/// `DELETE /users/{id}/webpush?endpoint=…`; an unknown endpoint is fine.
async fn remove_at_edge(config: &Config, endpoint: &str) -> Result<(), JsValue> {
    let url = config.user_url(&format!("/webpush?endpoint={}", js::enc(endpoint)));
    match config.call("DELETE", &url, None).await {
        Ok(_) => Ok(()),
        Err(e) if error::has_code(&e, "not_found") => Ok(()),
        Err(e) => Err(e),
    }
}

/// Registers `sub` at the edge unless the record says it already is (same user, endpoint and
/// keys); a replaced subscription is removed at the edge.
async fn register(config: &Config, scope: &str, sub: &JsValue, device: Option<JsValue>) -> Result<JsValue, JsValue> {
    let json = subscription_json(sub)?;
    let old = store::get(scope).await.unwrap_or(None);
    let same = |r: &PushRecord| {
        r.user_id == config.user_id
            && r.base_url == config.base_url
            && r.endpoint == json.endpoint
            && r.p256dh == json.keys.p256dh
            && r.auth == json.keys.auth
    };
    if old.as_ref().is_some_and(same) {
        return Ok(status(Some(&json.endpoint), false));
    }
    // The edge validates `device` (and names the field it refuses).
    let body = Object::new();
    js::set(&body, "sub", &subscription_js(&json));
    if let Some(device) = &device {
        js::set(&body, "device", device);
    }
    let answer = config.call("POST", &config.user_url("/webpush"), Some(&body.into())).await?;
    let token = js::get_string(&answer, "subscription_token")
        .ok_or_else(|| error::new(code::INVALID_RESPONSE, "the edge did not return a subscription_token"))?;
    if let Some(old) = old.filter(|o| o.endpoint != json.endpoint && o.user_id == config.user_id) {
        // The browser's subscription changed: the old endpoint is dead.
        let _ = remove_at_edge(config, &old.endpoint).await;
    }
    let record = PushRecord {
        base_url: config.base_url.clone(),
        api_key: config.api_key.clone(),
        user_id: config.user_id.clone(),
        endpoint: json.endpoint.clone(),
        p256dh: json.keys.p256dh,
        auth: json.keys.auth,
        subscription_token: token,
    };
    if let Err(e) = store::put(scope, &record).await {
        web_sys::console::warn_2(&"tidings: could not store the push registration".into(), &e);
    }
    Ok(status(Some(&json.endpoint), true))
}

async fn subscribe(config: Rc<Config>, options: JsValue) -> Result<JsValue, JsValue> {
    let registration = js::get_some(&options, "registration").ok_or_else(|| {
        error::new(code::INVALID_ARGUMENT, "subscribe({registration}) needs the service worker registration")
    })?;
    let scope = scope_of(&registration)?;
    let device = js::get_some(&options, "device");
    if device.as_ref().is_some_and(|d| !d.is_object()) {
        return Err(error::new(code::INVALID_ARGUMENT, "device must be an object"));
    }
    let sub = match js::get_some(&options, "subscription") {
        Some(s) => s,
        None => {
            ensure_permission().await?;
            let key = vapid_key(&config.base_url).await?;
            let timeout = js::get(&options, "timeoutMs").as_f64().unwrap_or(SUBSCRIBE_TIMEOUT_MS);
            match current_subscription(&registration, &JsValue::UNDEFINED).await? {
                Some(s) if key_of(&s).is_none_or(|k| k == key) => s,
                Some(s) => {
                    // Made with another server key: it cannot receive our pushes.
                    let _ = js::call_async(&s, "unsubscribe", &[]).await;
                    create_subscription(&registration, &key, timeout).await?
                }
                None => create_subscription(&registration, &key, timeout).await?,
            }
        }
    };
    register(&config, &scope, &sub, device).await
}

/// Asks for notification permission when it was never asked; fails when it is not granted.
async fn ensure_permission() -> Result<(), JsValue> {
    if !supported() {
        return Err(error::new(code::UNSUPPORTED, "this browser has no Push API"));
    }
    let mut state = permission();
    if state == "default" {
        let n = js::get(&js::global(), "Notification");
        if js::has(&n, "requestPermission") {
            state = js::call_async(&n, "requestPermission", &[]).await?.as_string().unwrap_or_default();
        }
    }
    if state == "granted" {
        Ok(())
    } else {
        Err(error::new(code::PERMISSION_DENIED, &format!("notification permission is {state}")))
    }
}

async fn unsubscribe(config: Rc<Config>, options: JsValue) -> Result<JsValue, JsValue> {
    let registration = registration(&options).await?;
    let scope = scope_of(&registration)?;
    let record = store::get(&scope).await.unwrap_or(None);
    let browser = current_subscription(&registration, &options).await.unwrap_or(None);
    let mut endpoints: Vec<String> = Vec::new();
    if let Some(r) = record.as_ref().filter(|r| r.user_id == config.user_id) {
        endpoints.push(r.endpoint.clone());
    }
    if let Some(b) = &browser {
        if let Some(e) = js::get_string(b, "endpoint").filter(|e| !endpoints.contains(e)) {
            endpoints.push(e);
        }
        if js::has(b, "unsubscribe") {
            let _ = js::call_async(b, "unsubscribe", &[]).await;
        }
    }
    for e in &endpoints {
        remove_at_edge(&config, e).await?;
    }
    let _ = store::delete(&scope).await;
    Ok(status(None, !endpoints.is_empty() || record.is_some()))
}

async fn sync(config: Rc<Config>, options: JsValue) -> Result<JsValue, JsValue> {
    let registration = registration(&options).await?;
    let scope = scope_of(&registration)?;
    let injected = js::has(&options, "subscription");
    let mut browser = current_subscription(&registration, &options).await?;
    if !injected && permission() != "granted" {
        // Permission revoked: the browser's subscription no longer delivers.
        browser = None;
    }
    match browser {
        Some(sub) => register(&config, &scope, &sub, None).await,
        None => {
            let record = store::get(&scope).await.unwrap_or(None);
            if let Some(r) = &record {
                if r.user_id == config.user_id {
                    remove_at_edge(&config, &r.endpoint).await?;
                }
                let _ = store::delete(&scope).await;
            }
            Ok(status(None, record.is_some()))
        }
    }
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
}

#[wasm_bindgen]
impl PushClient {
    /// Whether this browser has the Push API, service workers and notifications.
    #[wasm_bindgen(js_name = isSupported)]
    pub fn is_supported(&self) -> bool {
        supported()
    }

    /// `"granted"`, `"denied"`, `"default"` (not asked yet) or `"unsupported"`.
    #[wasm_bindgen(unchecked_return_type = "NotificationPermission | \"unsupported\"")]
    pub fn permission(&self) -> String {
        permission()
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
        future_to_promise(subscribe(self.config.clone(), options))
    }

    /// Unsubscribes the browser and removes the subscription at the edge. Options:
    /// `registration` (default `navigator.serviceWorker.ready`), `subscription`.
    #[wasm_bindgen(unchecked_return_type = "Promise<PushStatus>")]
    pub fn unsubscribe(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PushOptions")] options: Option<Object>,
    ) -> Promise {
        future_to_promise(unsubscribe(self.config.clone(), options.map(Into::into).unwrap_or(JsValue::UNDEFINED)))
    }

    /// Brings the edge in line with the browser without prompting: registers the browser's
    /// current subscription if it changed, removes the registered one if the browser has none
    /// (or permission was revoked). Call it on every page load. Options as for `unsubscribe`.
    #[wasm_bindgen(unchecked_return_type = "Promise<PushStatus>")]
    pub fn sync(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PushOptions")] options: Option<Object>,
    ) -> Promise {
        future_to_promise(sync(self.config.clone(), options.map(Into::into).unwrap_or(JsValue::UNDEFINED)))
    }
}
