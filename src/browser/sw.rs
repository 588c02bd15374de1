//! Service worker entry points: `handlePush`, `handleNotificationClick`,
//! `handleSubscriptionChange`. Each calls `event.waitUntil` with the work it starts (when the
//! event allows it) and returns that promise too, so it can also be awaited or chained.
//!
//! Where the edge is: `options.baseUrl` / `options.apiKey` when given, else the record
//! `client.push.subscribe()` stored in IndexedDB for this registration's scope (see `store`).
//! Which user: the action token of the payload (`base64url({"u","d","e"}).signature`), which
//! also authorizes marking that one delivery seen/clicked without a user token.

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::error::{self, code};
use super::http;
use super::js;
use super::push;
use super::store::{self, PushRecord};

/// The members of a push payload (`crate::notify::push::PushPayload`) the handlers use.
#[derive(Clone)]
struct Payload {
    delivery_id: String,
    title: Option<String>,
    body: Option<String>,
    url: Option<String>,
    icon: Option<String>,
    action_token: String,
}

impl Payload {
    /// A Tidings payload (it has `delivery_id` and `action_token`), else `None`.
    fn read(v: &JsValue) -> Option<Self> {
        let s = |k| js::get_string(v, k);
        Some(Payload {
            delivery_id: s("delivery_id")?,
            title: s("title"),
            body: s("body"),
            url: s("url"),
            icon: s("icon"),
            action_token: s("action_token")?,
        })
    }
}

/// The edge as the service worker sees it.
struct Edge {
    base_url: String,
    api_key: String,
    record: Option<PushRecord>,
}

/// `options.registration`, else the service worker's own `self.registration`.
fn registration(options: &JsValue) -> Result<JsValue, JsValue> {
    js::get_some(options, "registration")
        .or_else(|| js::get_some(&js::global(), "registration"))
        .ok_or_else(|| error::new(code::UNSUPPORTED, "no service worker registration: call this from a service worker"))
}

/// The edge from `options`, completed by the stored record of `registration`'s scope.
async fn edge(options: &JsValue, registration: &JsValue) -> Option<Edge> {
    let record = match js::get_string(registration, "scope") {
        Some(scope) => store::get(&scope).await.unwrap_or(None),
        None => None,
    };
    let base_url = js::get_string(options, "baseUrl")
        .or_else(|| record.as_ref().map(|r| r.base_url.clone()))?
        .trim_end_matches('/')
        .to_owned();
    let api_key = js::get_string(options, "apiKey").or_else(|| record.as_ref().map(|r| r.api_key.clone()))?;
    Some(Edge { base_url, api_key, record })
}

/// The user id inside an action token (`u` of its base64url JSON claims).
fn token_user(token: &str) -> Option<String> {
    let claims = js::b64url_decode(token.split('.').next()?)?;
    js::get_string(&js_sys::JSON::parse(std::str::from_utf8(&claims).ok()?).ok()?, "u")
}

/// `PATCH /users/{u}/deliveries/{d}` with the payload's action token; `patch` is `seen` or
/// `clicked` (set to `true`).
async fn report(edge: &Edge, p: &Payload, patch: &str) -> Result<(), JsValue> {
    let user = token_user(&p.action_token)
        .or_else(|| edge.record.as_ref().map(|r| r.user_id.clone()))
        .ok_or_else(|| error::new(code::INVALID_ARGUMENT, "the payload's action token names no user"))?;
    let url = format!("{}/users/{}/deliveries/{}", edge.base_url, js::enc(&user), js::enc(&p.delivery_id));
    let headers = [("x-api-key", edge.api_key.as_str()), ("x-action-token", p.action_token.as_str())];
    let body = Object::new();
    js::set(&body, patch, &JsValue::TRUE);
    http::send("PATCH", &url, &headers, Some(&body.into())).await.map(drop)
}

fn warn(what: &str, e: &JsValue) {
    web_sys::console::warn_2(&JsValue::from_str(what), e);
}

/// Hands `promise` to `event.waitUntil` (untrusted, synthetic events refuse: the caller then
/// waits on the returned promise) and returns it.
fn extend(event: &JsValue, promise: Promise) -> Promise {
    let _ = js::call(event, "waitUntil", &[&promise]);
    promise
}

/// `push` event: shows the notification of a Tidings payload (`title`, `body`, `icon`; the
/// payload itself as `notification.data`, the delivery id as `tag`) and reports it `seen` with
/// the action token (unless `options.reportSeen === false`). Resolves to the payload, or to
/// `null` for a push that is not a Tidings payload (show your own notification then).
#[wasm_bindgen(js_name = handlePush, unchecked_return_type = "Promise<PushPayload | null>")]
pub fn handle_push(
    #[wasm_bindgen(unchecked_param_type = "PushEventLike")] event: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ServiceWorkerOptions")] options: Option<Object>,
) -> Promise {
    let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
    let data = js::get(&event, "data");
    let raw = if data.is_null() || data.is_undefined() { None } else { js::call(&data, "json", &[]).ok() };
    let payload = raw.as_ref().and_then(Payload::read);
    let work = async move {
        let (Some(p), Some(raw)) = (payload, raw) else { return Ok(JsValue::NULL) };
        let registration = registration(&options)?;
        let n = Object::new();
        js::set(&n, "tag", &JsValue::from_str(&p.delivery_id));
        js::set(&n, "data", &raw);
        if let Some(body) = &p.body {
            js::set(&n, "body", &JsValue::from_str(body));
        }
        if let Some(icon) = &p.icon {
            js::set(&n, "icon", &JsValue::from_str(icon));
        }
        let title = JsValue::from_str(p.title.as_deref().unwrap_or(""));
        js::call_async(&registration, "showNotification", &[&title, &n]).await?;
        if js::get(&options, "reportSeen") != JsValue::FALSE {
            match edge(&options, &registration).await {
                Some(edge) => {
                    if let Err(e) = report(&edge, &p, "seen").await {
                        warn("tidings: could not report the notification seen", &e);
                    }
                }
                None => warn("tidings: no baseUrl/apiKey (options or a stored registration)", &JsValue::NULL),
            }
        }
        Ok(raw)
    };
    extend(&event, future_to_promise(work))
}

/// `notificationclick` event: closes the notification, reports the delivery `clicked` with the
/// action token, and focuses an open window whose URL is the payload's `url` (resolved against
/// the registration's scope; `options.defaultUrl` when the payload has none), or opens one.
/// Resolves to `{url, window}` (`window` is `null` when none could be focused or opened).
#[wasm_bindgen(js_name = handleNotificationClick, unchecked_return_type = "Promise<NotificationClickResult>")]
pub fn handle_notification_click(
    #[wasm_bindgen(unchecked_param_type = "NotificationEventLike")] event: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ServiceWorkerOptions")] options: Option<Object>,
) -> Promise {
    let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
    let notification = js::get(&event, "notification");
    let _ = js::call(&notification, "close", &[]);
    let payload = Payload::read(&js::get(&notification, "data"));
    let work = async move {
        let registration = registration(&options)?;
        // Start the report first; focusing must not wait for the network.
        let reported = match (&payload, edge(&options, &registration).await) {
            (Some(p), Some(edge)) => {
                let p = p.clone();
                Some(future_to_promise(async move { report(&edge, &p, "clicked").await.map(|_| JsValue::UNDEFINED) }))
            }
            _ => None,
        };
        let target = payload.as_ref().and_then(|p| p.url.clone()).or_else(|| js::get_string(&options, "defaultUrl"));
        let scope = js::get_string(&registration, "scope").unwrap_or_default();
        let url = target.and_then(|u| absolute(&u, &scope));
        let window = match &url {
            Some(u) => focus_or_open(u).await,
            None => JsValue::NULL,
        };
        if let Some(r) = reported {
            if let Err(e) = JsFuture::from(r).await {
                warn("tidings: could not report the notification clicked", &e);
            }
        }
        let out = Object::new();
        js::set(&out, "url", &url.map_or(JsValue::NULL, |u| JsValue::from_str(&u)));
        js::set(&out, "window", &window);
        Ok(out.into())
    };
    extend(&event, future_to_promise(work))
}

/// `new URL(url, base).href`.
fn absolute(url: &str, base: &str) -> Option<String> {
    let ctor: Function = js::get(&js::global(), "URL").dyn_into().ok()?;
    let u = js_sys::Reflect::construct(&ctor, &Array::of2(&url.into(), &base.into())).ok()?;
    js::get_string(&u, "href")
}

/// Focuses the window showing `url`, else opens one; `null` when the browser refuses.
async fn focus_or_open(url: &str) -> JsValue {
    let clients = js::get(&js::global(), "clients");
    let q = Object::new();
    js::set(&q, "type", &JsValue::from_str("window"));
    js::set(&q, "includeUncontrolled", &JsValue::TRUE);
    if let Ok(list) = js::call_async(&clients, "matchAll", &[&q]).await {
        let list: Array = list.unchecked_into();
        if let Some(c) = list.iter().find(|c| js::get_string(c, "url").as_deref() == Some(url)) {
            return js::call_async(&c, "focus", &[]).await.unwrap_or(JsValue::NULL);
        }
    }
    js::call_async(&clients, "openWindow", &[&JsValue::from_str(url)]).await.unwrap_or(JsValue::NULL)
}

/// `pushsubscriptionchange` event: registers the new subscription (`event.newSubscription`, or
/// a fresh one from `pushManager.subscribe` when the browser gives none) with the stored
/// subscription token, replacing the old endpoint at the edge; updates the stored record.
/// Resolves to `{subscribed, endpoint, changed}`, or `null` when nothing was registered from
/// this scope.
#[wasm_bindgen(js_name = handleSubscriptionChange, unchecked_return_type = "Promise<PushStatus | null>")]
pub fn handle_subscription_change(
    #[wasm_bindgen(unchecked_param_type = "SubscriptionChangeEventLike")] event: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ServiceWorkerOptions")] options: Option<Object>,
) -> Promise {
    let options: JsValue = options.map(Into::into).unwrap_or(JsValue::UNDEFINED);
    let old = js::get_some(&event, "oldSubscription");
    let new = js::get_some(&event, "newSubscription");
    let work = async move {
        let registration = registration(&options)?;
        let scope = js::get_string(&registration, "scope").unwrap_or_default();
        let Some(Edge { base_url, api_key, record: Some(record) }) = edge(&options, &registration).await else {
            warn("tidings: pushsubscriptionchange with no stored registration for", &JsValue::from_str(&scope));
            return Ok(JsValue::NULL);
        };
        let sub = match new {
            Some(s) => s,
            None => {
                let key = push::vapid_key(&base_url).await?;
                let timeout = js::get(&options, "timeoutMs").as_f64().unwrap_or(15_000.0);
                push::create_subscription(&registration, &key, timeout).await?
            }
        };
        let json = push::subscription_json(&sub)?;
        let old_endpoint = old.and_then(|o| js::get_string(&o, "endpoint")).unwrap_or_else(|| record.endpoint.clone());
        let body = Object::new();
        js::set(&body, "sub", &push::subscription_js(&json));
        js::set(&body, "old_endpoint", &JsValue::from_str(&old_endpoint));
        let url = format!("{base_url}/users/{}/webpush", js::enc(&record.user_id));
        let headers = [("x-api-key", api_key.as_str()), ("x-subscription-token", record.subscription_token.as_str())];
        let answer = http::send("POST", &url, &headers, Some(&body.into())).await?;
        let token = js::get_string(&answer, "subscription_token").unwrap_or(record.subscription_token);
        let updated = PushRecord {
            base_url,
            api_key,
            user_id: record.user_id,
            endpoint: json.endpoint.clone(),
            p256dh: json.keys.p256dh,
            auth: json.keys.auth,
            subscription_token: token,
        };
        store::put(&scope, &updated).await?;
        Ok(push::status(Some(&json.endpoint), true))
    };
    extend(&event, future_to_promise(work))
}
