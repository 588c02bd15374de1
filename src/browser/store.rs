//! The push registration record, kept in IndexedDB (database `tidings`, object store `push`,
//! key = the service worker registration's `scope`). The page writes it when it registers a
//! subscription; the service worker reads it (it shares the origin's IndexedDB) to find the
//! edge, the public key, the user and the subscription token, even days later with no page open.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransactionMode};

use super::error::{self, code};
use super::js;

const DB: &str = "tidings";
const STORE: &str = "push";

/// What the edge knows about this browser's subscription, and how to reach it.
#[derive(Debug, Clone, PartialEq)]
pub struct PushRecord {
    /// The edge.
    pub base_url: String,
    /// The public key.
    pub api_key: String,
    /// The user the subscription is registered for.
    pub user_id: String,
    /// The registered subscription.
    pub endpoint: String,
    /// Its keys, to notice a changed subscription with the same endpoint.
    pub p256dh: String,
    /// Its auth secret.
    pub auth: String,
    /// Lets the service worker replace this subscription (`pushsubscriptionchange`).
    pub subscription_token: String,
}

/// The record's fields as stored (camelCase).
const FIELDS: [&str; 7] = ["baseUrl", "apiKey", "userId", "endpoint", "p256dh", "auth", "subscriptionToken"];

impl PushRecord {
    fn values(&self) -> [&str; 7] {
        [
            &self.base_url,
            &self.api_key,
            &self.user_id,
            &self.endpoint,
            &self.p256dh,
            &self.auth,
            &self.subscription_token,
        ]
    }

    fn to_js(&self) -> JsValue {
        let pairs: Vec<(&str, &str)> = FIELDS.into_iter().zip(self.values()).collect();
        super::wire::object(&pairs).into()
    }

    fn from_js(v: &JsValue) -> Option<Self> {
        let [base_url, api_key, user_id, endpoint, p256dh, auth, subscription_token] =
            FIELDS.map(|k| js::get_string(v, k));
        Some(PushRecord {
            base_url: base_url?,
            api_key: api_key?,
            user_id: user_id?,
            endpoint: endpoint?,
            p256dh: p256dh?,
            auth: auth?,
            subscription_token: subscription_token?,
        })
    }
}

/// Resolves with the request's result, rejects with its error.
async fn request(req: &IdbRequest) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let err = Closure::once_into_js(move || {
            let e = js::get(&r, "error");
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    }))
    .await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let factory: IdbFactory = js::get_some(&js::global(), "indexedDB")
        .ok_or_else(|| error::new(code::UNSUPPORTED, "IndexedDB is not available here"))?
        .unchecked_into();
    let req = factory.open_with_u32(DB, 1)?;
    let r = req.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Ok(db) = r.result() {
            let _ = db.unchecked_into::<IdbDatabase>().create_object_store(STORE);
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    Ok(request(&req).await?.unchecked_into())
}

/// The record of the registration with this scope.
pub async fn get(scope: &str) -> Result<Option<PushRecord>, JsValue> {
    let db = open().await?;
    let store = db.transaction_with_str(STORE)?.object_store(STORE)?;
    let v = request(&store.get(&JsValue::from_str(scope))?).await;
    db.close();
    Ok(PushRecord::from_js(&v?))
}

/// Stores the record of the registration with this scope.
pub async fn put(scope: &str, record: &PushRecord) -> Result<(), JsValue> {
    let db = open().await?;
    let store = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?.object_store(STORE)?;
    let v = request(&store.put_with_key(&record.to_js(), &JsValue::from_str(scope))?).await;
    db.close();
    v.map(drop)
}

/// Forgets the record of the registration with this scope.
pub async fn delete(scope: &str) -> Result<(), JsValue> {
    let db = open().await?;
    let store = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?.object_store(STORE)?;
    let v = request(&store.delete(&JsValue::from_str(scope))?).await;
    db.close();
    v.map(drop)
}
