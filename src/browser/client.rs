//! `new TidingsClient({baseUrl, apiKey, userId, userToken})`: the browser credentials of one
//! user, shared by `client.push` and every `client.feed(...)`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::error::{self, code};
use super::feed::Feed;
use super::http::{self, Method};
use super::js;
use super::push::PushClient;

/// The edge and the user's credentials.
pub(crate) struct Config {
    /// Without a trailing slash.
    pub base_url: String,
    /// The public key (`pk_...`).
    pub api_key: String,
    /// The user the token is for.
    pub user_id: String,
    /// The user token (replaceable with `setUserToken` when it expires).
    pub user_token: RefCell<Option<String>>,
}

impl Config {
    /// `/users/{userId}{rest}`.
    pub fn user_path(&self, rest: &str) -> String {
        format!("/users/{}{rest}", js::enc(&self.user_id))
    }

    /// `{base}/users/{userId}{rest}`.
    pub fn user_url(&self, rest: &str) -> String {
        format!("{}{}", self.base_url, self.user_path(rest))
    }

    /// Sends a request to one of the user's routes with `x-api-key` and `x-user-token`.
    pub async fn call(&self, method: Method, url: &str, body: Option<&JsValue>) -> Result<JsValue, JsValue> {
        let token = self.token()?;
        http::send(method, url, &[("x-api-key", &self.api_key), ("x-user-token", &token)], body).await
    }

    fn token(&self) -> Result<String, JsValue> {
        self.user_token.borrow().clone().ok_or_else(|| {
            error::new(code::INVALID_ARGUMENT, "this call needs a userToken: pass it to new TidingsClient(...)")
        })
    }
}

/// The entry point of the package: `new TidingsClient({baseUrl, apiKey, userId, userToken})`.
#[wasm_bindgen]
pub struct TidingsClient {
    config: Rc<Config>,
    push: JsValue,
}

#[wasm_bindgen]
impl TidingsClient {
    /// Takes `{baseUrl, apiKey, userId, userToken}`: the edge's URL (e.g.
    /// `https://tidings.example.com`), the public key, the user's id and the HS256 user token
    /// your backend signed for that user. Throws `invalid_argument` when one is missing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TidingsClientOptions")] options: JsValue,
    ) -> Result<TidingsClient, JsValue> {
        let text = |k: &str| js::get_string(&options, k).filter(|v| !v.is_empty());
        let base_url = text("baseUrl").unwrap_or_default().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(error::new(code::INVALID_ARGUMENT, "baseUrl must be an http(s) URL"));
        }
        let (Some(api_key), Some(user_id)) = (text("apiKey"), text("userId")) else {
            return Err(error::new(code::INVALID_ARGUMENT, "apiKey and userId must be non-empty strings"));
        };
        let config = Rc::new(Config { base_url, api_key, user_id, user_token: RefCell::new(text("userToken")) });
        let push = PushClient::new(config.clone()).into();
        Ok(TidingsClient { config, push })
    }

    /// Web Push: `isSupported()`, `permission()`, `subscribe({registration})`, `unsubscribe()`,
    /// `sync()`. The same object on every access.
    #[wasm_bindgen(getter, unchecked_return_type = "PushClient")]
    pub fn push(&self) -> JsValue {
        self.push.clone()
    }

    /// The in-app feed of this user, filtered by `filter` (`status`, `channel_type`, `topic`,
    /// `read`, `seen`, `archived`, and `limit`, the page size). Nothing is fetched until
    /// `fetch()` or `connect()`.
    pub fn feed(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "FeedFilter")] filter: Option<js_sys::Object>,
    ) -> Result<Feed, JsValue> {
        Feed::new(self.config.clone(), filter.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))
    }

    /// Replaces the user token (e.g. before the old one expires); feeds and push use it from
    /// their next request on (a connected feed uses it when it reconnects).
    #[wasm_bindgen(js_name = setUserToken)]
    pub fn set_user_token(&self, token: String) {
        *self.config.user_token.borrow_mut() = Some(token).filter(|t| !t.is_empty());
    }

    /// The user this client acts for.
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> String {
        self.config.user_id.clone()
    }

    /// The edge's base URL, without a trailing slash.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.config.base_url.clone()
    }
}
