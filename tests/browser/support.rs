//! Shared by the browser tests (this crate's library): the edge under test (compile-time settings written by
//! `scripts/test-browser.sh`), admin calls with the secret key, user tokens, fakes for the one
//! browser seam that cannot work headless (push subscriptions), polling.

use js_sys::{Object, Promise};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use tidings::browser::TidingsClient;

/// The edge under test (`scripts/test-browser.sh` starts it and sets these at compile time).
pub const BASE: &str = match option_env!("TIDINGS_TEST_BASE_URL") {
    Some(v) => v,
    None => "http://127.0.0.1:8787",
};
pub const PUBLIC_KEY: &str = match option_env!("TIDINGS_TEST_PUBLIC_KEY") {
    Some(v) => v,
    None => "pk_test",
};
pub const SECRET_KEY: &str = match option_env!("TIDINGS_TEST_SECRET_KEY") {
    Some(v) => v,
    None => "sk_test",
};
pub const USER_TOKEN_SECRET: &str = match option_env!("TIDINGS_TEST_USER_TOKEN_SECRET") {
    Some(v) => v,
    None => "test-user-token-secret",
};

/// The RFC 8291 example user agent keys: a valid P-256 point and a 16-byte auth secret.
pub const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
pub const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

#[wasm_bindgen(inline_js = r#"
export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

export async function http(method, url, headers, body) {
  const h = Object.assign({}, headers);
  if (body !== undefined) h["content-type"] = "application/json";
  const r = await fetch(url, { method, headers: h, body });
  return [r.status, await r.text()];
}

// Records every WebSocket the package opens (the package calls the global constructor), so a
// test can drop one as a network failure would.
export function recordSockets() {
  if (!globalThis.__tidingsSockets) {
    const Real = globalThis.WebSocket;
    const list = [];
    const Recording = function (url, protocols) {
      const s = protocols === undefined ? new Real(url) : new Real(url, protocols);
      list.push(s);
      return s;
    };
    Recording.prototype = Real.prototype;
    Object.assign(Recording, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
    globalThis.WebSocket = Recording;
    globalThis.__tidingsSockets = list;
  }
  return globalThis.__tidingsSockets;
}

// A PushSubscription look-alike: headless Chromium never resolves pushManager.subscribe().
export function fakeSubscription(endpoint, p256dh, auth) {
  return {
    endpoint,
    expirationTime: null,
    options: { applicationServerKey: null, userVisibleOnly: true },
    unsubscribed: false,
    toJSON() { return { endpoint, expirationTime: null, keys: { p256dh, auth } }; },
    unsubscribe() { this.unsubscribed = true; return Promise.resolve(true); },
  };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_js(ms: f64) -> Promise;
    #[wasm_bindgen(js_name = http)]
    fn http_js(method: &str, url: &str, headers: &JsValue, body: Option<String>) -> Promise;
    #[wasm_bindgen(js_name = recordSockets)]
    pub fn record_sockets() -> js_sys::Array;
    #[wasm_bindgen(js_name = fakeSubscription)]
    pub fn fake_subscription(endpoint: &str, p256dh: &str, auth: &str) -> JsValue;
}

pub async fn sleep(ms: u32) {
    let _ = JsFuture::from(sleep_js(ms as f64)).await;
}

/// Awaits a promise the package returned.
pub async fn wait(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// A value unique to this run.
pub fn unique(prefix: &str) -> String {
    let r = (js_sys::Math::random() * 1e9) as u64;
    format!("{prefix}-{}-{r}", js_sys::Date::now() as u64)
}

/// An HS256 user token for `user`, valid for an hour (what the customer's backend signs).
pub fn user_token(user: &str) -> String {
    let exp = (js_sys::Date::now() / 1000.0) as i64 + 3600;
    tidings::auth::sign_user_token(user, exp, USER_TOKEN_SECRET)
}

/// The options object of `new TidingsClient(...)`.
pub fn options(user: &str, token: &str) -> JsValue {
    // The package's start function (it does not run for a dependency of the test program).
    tidings::browser::start();
    let o = Object::new();
    for (k, v) in [("baseUrl", BASE), ("apiKey", PUBLIC_KEY), ("userId", user), ("userToken", token)] {
        js_sys::Reflect::set(&o, &k.into(), &v.into()).unwrap();
    }
    o.into()
}

/// A client for `user` with a valid token.
pub fn client(user: &str) -> TidingsClient {
    TidingsClient::new(options(user, &user_token(user))).expect("client")
}

/// An admin call with the secret key: (status, JSON body or `Null`).
pub async fn admin(method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let headers = Object::new();
    js_sys::Reflect::set(&headers, &"authorization".into(), &format!("Bearer {SECRET_KEY}").into()).unwrap();
    let r = JsFuture::from(http_js(method, &format!("{BASE}{path}"), &headers, body.map(|b| b.to_string())))
        .await
        .expect("admin call reached the edge");
    let r: js_sys::Array = r.into();
    let status = r.get(0).as_f64().unwrap() as u16;
    let text = r.get(1).as_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends `user` an in-app notification; returns the in-app delivery's id.
pub async fn notify(user: &str, subject: &str) -> String {
    let (status, body) = admin(
        "POST",
        "/notifications",
        Some(json!({"to": [user], "channels": ["in_app"], "data": {"subject": subject, "body": "b", "url": "/x"}})),
    )
    .await;
    assert_eq!(status, 202, "POST /notifications: {body}");
    body["deliveries"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["channel_type"] == "in_app"))
        .and_then(|d| d["id"].as_str())
        .expect("an in-app delivery")
        .to_owned()
}

/// The delivery as the edge has it.
pub async fn delivery(user: &str, id: &str) -> Value {
    let (status, body) = admin("GET", &format!("/users/{user}/deliveries/{id}"), None).await;
    assert_eq!(status, 200, "GET delivery: {body}");
    body
}

/// The user's registered web push endpoints.
pub async fn endpoints(user: &str) -> Vec<String> {
    let (status, body) = admin("GET", &format!("/users/{user}"), None).await;
    assert_eq!(status, 200, "GET user: {body}");
    body["webPushTokens"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["sub"]["endpoint"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// `obj[key]`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Polls `check` every 50 ms until it holds; panics with `what` after `ms`.
pub async fn until(what: &str, ms: u32, mut check: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    while !check() {
        if js_sys::Date::now() - start > ms as f64 {
            panic!("timed out after {ms} ms waiting for: {what}");
        }
        sleep(50).await;
    }
}
