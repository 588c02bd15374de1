//! The npm package `tidings` (feature `browser`): the feed's state machine in wasm, for the
//! package's JS. `make pkg` builds it with wasm-pack into `pkg/`.
//!
//! Rust decides, JS does the I/O. The wasm exports one class, `FeedCore` ([`feed`]): the core
//! [`FeedState`](crate::feed::state::FeedState) behind methods that take the edge's answers and
//! realtime messages (as `JSON.parse`d values) and answer what they mean: counts, optimistic
//! operations confirmed or rolled back, event order, when to refetch or resume. It awaits
//! nothing and holds no closure, socket or timer. The API is plain JS, shipped as wasm-bindgen
//! snippets: `client.js` (`TidingsClient`, `client.push`, the service worker handlers),
//! `feed.js` (`client.feed(filter)`: fetch, the socket, timers, listeners), `push.js` (Web
//! Push, IndexedDB, `clients`) and `bindings.js` (requests to the edge, `TidingsError`).
//! Futures, closures and web-sys bindings were a third of the wasm; the API surface in
//! wasm-bindgen glue was another sixth.
//!
//! The API's JS classes are declared here too ([`TidingsClient`], [`Feed`], the handlers), for
//! Rust callers (the package's wasm-bindgen tests, tests/browser/).

#[cfg(target_arch = "wasm32")]
mod alloc;
pub mod error;
pub mod feed;
mod items;
mod js;
mod wire;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

pub use feed::{Feed, FeedCore};

#[wasm_bindgen(module = "/src/browser/client.js")]
extern "C" {
    /// `new TidingsClient({baseUrl, apiKey, userId, userToken})`: the user's browser
    /// credentials, `client.feed(filter)` and `client.push`.
    pub type TidingsClient;
    /// Throws `invalid_argument` when an option is missing or not valid.
    #[wasm_bindgen(constructor, catch)]
    pub fn new(options: JsValue) -> Result<TidingsClient, JsValue>;
    /// The in-app feed of this user with `filter`; throws `invalid_argument` for a bad filter.
    #[wasm_bindgen(method, catch)]
    pub fn feed(this: &TidingsClient, filter: Option<Object>) -> Result<Feed, JsValue>;
    /// Replaces the user token.
    #[wasm_bindgen(method, js_name = setUserToken)]
    pub fn set_user_token(this: &TidingsClient, token: String);
    /// `client.push`: Web Push (`isSupported`, `permission`, `subscribe`, `unsubscribe`, `sync`).
    #[wasm_bindgen(method, getter)]
    pub fn push(this: &TidingsClient) -> JsValue;

    /// Gives `client.js` the `FeedCore` class (through one instance), once, at start.
    fn register(core: FeedCore);
}

#[wasm_bindgen(module = "/src/browser/push.js")]
extern "C" {
    /// The service worker's `push` handler.
    #[wasm_bindgen(js_name = handlePush)]
    pub fn handle_push(event: JsValue, options: Option<Object>) -> Promise;
    /// The service worker's `notificationclick` handler.
    #[wasm_bindgen(js_name = handleNotificationClick)]
    pub fn handle_notification_click(event: JsValue, options: Option<Object>) -> Promise;
    /// The service worker's `pushsubscriptionchange` handler.
    #[wasm_bindgen(js_name = handleSubscriptionChange)]
    pub fn handle_subscription_change(event: JsValue, options: Option<Object>) -> Promise;
}

/// Runs when the module is instantiated (`init()`): hands `client.js` the `FeedCore` class.
/// A program that links this crate into its own wasm (the package's wasm-bindgen tests) calls
/// it itself: its dependencies' start functions do not run.
#[wasm_bindgen(start)]
pub fn start() {
    register(FeedCore::empty());
}
