//! The service worker entry points, run inside a real (module) service worker in headless
//! Chromium against a real edge: `handlePush` (shows the notification, reports seen with the
//! action token), `handleNotificationClick` (closes it, reports clicked), and
//! `handleSubscriptionChange` (replaces the subscription with the stored subscription token).
//! Events are constructed in the worker scope (`new PushEvent`, `new NotificationEvent`);
//! Chromium has no `PushSubscriptionChangeEvent`, so that one is an `ExtendableEvent` with the
//! two subscriptions defined on it.

#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect};
use tidings::browser::{handle_notification_click, handle_push, handle_subscription_change};
use tidings::model::Delivery;
use tidings::notify::push::{action_token, payload};
use tidings_browser_tests::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_service_worker);

#[wasm_bindgen(inline_js = r#"
export function pushEvent(data) { return new PushEvent("push", data === undefined ? {} : { data }); }
export function clickEvent(notification) { return new NotificationEvent("notificationclick", { notification }); }
export function changeEvent(oldSubscription, newSubscription) {
  const e = new ExtendableEvent("pushsubscriptionchange");
  Object.defineProperty(e, "oldSubscription", { value: oldSubscription });
  Object.defineProperty(e, "newSubscription", { value: newSubscription });
  return e;
}
export function shown(tag) { return self.registration.getNotifications({ tag }); }
export function registration() { return self.registration; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = pushEvent)]
    fn push_event(data: Option<String>) -> JsValue;
    #[wasm_bindgen(js_name = clickEvent)]
    fn click_event(notification: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = changeEvent)]
    fn change_event(old: &JsValue, new: &JsValue) -> JsValue;
    fn shown(tag: &str) -> js_sys::Promise;
    fn registration() -> JsValue;
}

fn edge_options() -> Object {
    let o = Object::new();
    Reflect::set(&o, &"baseUrl".into(), &BASE.into()).unwrap();
    Reflect::set(&o, &"apiKey".into(), &PUBLIC_KEY.into()).unwrap();
    o
}

/// A delivery of `user` and the push payload the edge would send for it.
async fn delivered(user: &str, subject: &str) -> (String, String) {
    let id = notify(user, subject).await;
    let d: Delivery = serde_json::from_value(delivery(user, &id).await).expect("a delivery");
    let exp = (js_sys::Date::now() / 1000.0) as i64 + 3600;
    let p = payload(&d, action_token(SECRET_KEY, user, &id, exp));
    (id, serde_json::to_string(&p).unwrap())
}

async fn notifications(tag: &str) -> Array {
    wait(shown(tag)).await.expect("getNotifications").unchecked_into()
}

#[wasm_bindgen_test]
async fn push_shows_the_notification_and_reports_it_seen() {
    let user = unique("sw-push");
    let (id, json) = delivered(&user, "Hello").await;
    let out = wait(handle_push(push_event(Some(json)), Some(edge_options()))).await.expect("handlePush");
    assert_eq!(get(&out, "delivery_id").as_string(), Some(id.clone()));
    let shown = notifications(&id).await;
    assert_eq!(shown.length(), 1, "one notification, tagged with the delivery id");
    let n = shown.get(0);
    assert_eq!(get(&n, "title").as_string().as_deref(), Some("Hello"));
    assert_eq!(get(&n, "body").as_string().as_deref(), Some("b"));
    assert_eq!(get(&get(&n, "data"), "delivery_id").as_string(), Some(id.clone()));
    let d = delivery(&user, &id).await;
    assert!(d["seen_at"].is_string(), "seen reported with the action token: {d}");
    assert!(d["read_at"].is_null());

    // A push that is not a Tidings payload is left to the app.
    let out = wait(handle_push(push_event(Some("{\"hello\":1}".into())), Some(edge_options()))).await.unwrap();
    assert!(out.is_null());
    let out = wait(handle_push(push_event(None), None)).await.unwrap();
    assert!(out.is_null());
}

#[wasm_bindgen_test]
async fn click_closes_the_notification_and_reports_it_clicked() {
    let user = unique("sw-click");
    let (id, json) = delivered(&user, "Click me").await;
    wait(handle_push(push_event(Some(json)), Some(edge_options()))).await.expect("handlePush");
    let n = notifications(&id).await.get(0);
    assert!(!n.is_undefined(), "the notification is shown");
    let out = wait(handle_notification_click(click_event(&n), Some(edge_options()))).await.expect("click");
    assert_eq!(notifications(&id).await.length(), 0, "closed");
    let scope = get(&registration(), "scope").as_string().unwrap();
    let expected = format!("{}/x", scope.trim_end_matches('/').split('/').take(3).collect::<Vec<_>>().join("/"));
    assert_eq!(get(&out, "url").as_string(), Some(expected));
    let d = delivery(&user, &id).await;
    assert!(d["clicked_at"].is_string() && d["read_at"].is_string(), "clicked reported: {d}");
}

#[wasm_bindgen_test]
async fn handlers_find_the_edge_in_the_stored_registration_and_replace_a_changed_subscription() {
    let user = unique("sw-change");
    let reg = registration();
    let ea = format!("https://fcm.googleapis.com/fcm/send/{}", unique("a"));
    let eb = format!("https://fcm.googleapis.com/fcm/send/{}", unique("b"));
    let ec = format!("https://fcm.googleapis.com/fcm/send/{}", unique("c"));
    let sub_a = fake_subscription(&ea, P256DH, AUTH);

    // The page side (here, in the worker itself) registers the subscription.
    let c = client(&user);
    let push = c.push();
    let opts = Object::new();
    Reflect::set(&opts, &"registration".into(), &reg).unwrap();
    Reflect::set(&opts, &"subscription".into(), &sub_a).unwrap();
    let subscribe: Function = get(&push, "subscribe").unchecked_into();
    wait(subscribe.call1(&push, &opts).unwrap().unchecked_into()).await.expect("subscribe");
    assert_eq!(endpoints(&user).await, [ea.as_str()]);

    // No options: the handlers use the stored record.
    let (id, json) = delivered(&user, "Stored").await;
    wait(handle_push(push_event(Some(json)), None)).await.expect("handlePush");
    assert!(delivery(&user, &id).await["seen_at"].is_string());

    // The push service rotated the subscription.
    let sub_b = fake_subscription(&eb, P256DH, AUTH);
    let st = wait(handle_subscription_change(change_event(&sub_a, &sub_b), None)).await.expect("change");
    assert_eq!(get(&st, "endpoint").as_string(), Some(eb.clone()));
    assert_eq!(endpoints(&user).await, [eb.as_str()]);

    // Again, without the old subscription: the stored endpoint and the new token are used.
    let sub_c = fake_subscription(&ec, P256DH, AUTH);
    wait(handle_subscription_change(change_event(&JsValue::NULL, &sub_c), None)).await.expect("second change");
    assert_eq!(endpoints(&user).await, [ec.as_str()]);

    // After unsubscribing, nothing is stored: a change has nothing to replace.
    let unsubscribe: Function = get(&push, "unsubscribe").unchecked_into();
    let opts = Object::new();
    Reflect::set(&opts, &"registration".into(), &reg).unwrap();
    Reflect::set(&opts, &"subscription".into(), &sub_c).unwrap();
    wait(unsubscribe.call1(&push, &opts).unwrap().unchecked_into()).await.expect("unsubscribe");
    assert!(endpoints(&user).await.is_empty());
    let out = wait(handle_subscription_change(change_event(&sub_c, &sub_a), None)).await.expect("nothing stored");
    assert!(out.is_null(), "no stored registration: nothing to do");
}
