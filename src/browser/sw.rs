//! Service worker entry points: `handlePush`, `handleNotificationClick`,
//! `handleSubscriptionChange`. The work is done by `push.js`; this file gives them their place
//! in the API and their types. Each calls `event.waitUntil` with the work it starts (when the
//! event allows it) and returns that promise too, so it can also be awaited or chained.
//!
//! Where the edge is: `options.baseUrl` / `options.apiKey` when given, else the record
//! `client.push.subscribe()` stored in IndexedDB for this registration's scope.
//! Which user: the action token of the payload (`base64url({"u","d","e"}).signature`), which
//! also authorizes marking that one delivery seen/clicked without a user token.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/push.js")]
extern "C" {
    #[wasm_bindgen(js_name = handlePush)]
    fn handle_push_js(event: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = handleNotificationClick)]
    fn handle_notification_click_js(event: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = handleSubscriptionChange)]
    fn handle_subscription_change_js(event: &JsValue, options: &JsValue) -> Promise;
}

fn opts(options: Option<Object>) -> JsValue {
    options.map(Into::into).unwrap_or(JsValue::UNDEFINED)
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
    handle_push_js(&event, &opts(options))
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
    handle_notification_click_js(&event, &opts(options))
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
    handle_subscription_change_js(&event, &opts(options))
}
