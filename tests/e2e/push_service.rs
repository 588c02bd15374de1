//! The local push service (tests/fakes/push.mjs, started once per test process): it decrypts
//! each message with `http_ece` and the subscription's own key (RFC 8291), verifies the VAPID
//! JWT with node:crypto as a public push service does (RFC 8292), records what it got, and
//! answers the statuses a test scripts for each subscription (201, 404, 410, 413, 429 with
//! Retry-After, 500, ...). Nothing in it is Tidings' own code.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Child, ChildStdin};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tidings::webpush::Claims;

/// One message as the push service received and understood it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Request headers, lower-case names.
    pub headers: HashMap<String, String>,
    /// The raw (encrypted) body.
    pub body: Vec<u8>,
    /// The decrypted plaintext, or why it did not decrypt.
    pub plaintext: Result<Vec<u8>, String>,
    /// The VAPID claims, or why the JWT did not verify.
    pub claims: Result<Claims, String>,
    /// The status the service answered.
    pub answered: u16,
}

/// The wire form of [`Received`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    headers: HashMap<String, Value>,
    body: String,
    plaintext: Option<String>,
    plaintext_error: Option<String>,
    claims: Option<Claims>,
    claims_error: Option<String>,
    answered: u16,
}

impl From<Wire> for Received {
    fn from(w: Wire) -> Self {
        let b64 = |s: &str| STANDARD.decode(s).unwrap_or_default();
        Received {
            headers: w.headers.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned())).collect(),
            body: b64(&w.body),
            plaintext: w.plaintext.map(|p| b64(&p)).ok_or(w.plaintext_error.unwrap_or_default()),
            claims: w.claims.ok_or(w.claims_error.unwrap_or_default()),
            answered: w.answered,
        }
    }
}

/// The service: one per test process, shared.
pub struct PushService {
    pub origin: String,
    _process: Mutex<(Child, ChildStdin)>,
}

static SERVICE: OnceLock<PushService> = OnceLock::new();

/// The shared push service, started on first use.
pub fn push_service() -> &'static PushService {
    SERVICE.get_or_init(|| {
        let (info, process) = crate::fakes::start("push.mjs");
        PushService { origin: info["origin"].as_str().expect("origin").to_owned(), _process: Mutex::new(process) }
    })
}

/// A browser-side subscription: what `PushSubscription.toJSON()` would give.
pub struct Sub {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    /// The application server key it was created with, when a test named one.
    pub server_key: Option<String>,
}

impl Sub {
    /// The `{sub: {...}}` body of `POST /users/{id}/webpush` (with `applicationServerKey` when
    /// the subscription was created with a named key).
    pub fn json(&self) -> Value {
        let mut body =
            serde_json::json!({"sub": {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}});
        if let Some(key) = &self.server_key {
            body["applicationServerKey"] = key.as_str().into();
        }
        body
    }
}

impl PushService {
    /// A new subscription, created with the edge's current VAPID key (from `/vapid`), whose
    /// messages are answered with `script` in order (the last status repeats).
    pub fn subscribe(&self, script: &[u16]) -> Sub {
        let current = crate::support::edge().vapid_public_key.clone();
        let mut sub = self.subscribe_with_key(script, &current);
        sub.server_key = None;
        sub
    }

    /// A new subscription created with application server key `server_key` (base64url).
    pub fn subscribe_with_key(&self, script: &[u16], server_key: &str) -> Sub {
        let made: Value = ureq::post(&format!("{}/_subscribe", self.origin))
            .timeout(Duration::from_secs(5))
            .send_json(serde_json::json!({ "script": script, "serverKey": server_key }))
            .expect("subscribe at the push service")
            .into_json()
            .expect("subscription JSON");
        let s = |k: &str| made[k].as_str().expect("subscription field").to_owned();
        Sub { endpoint: s("endpoint"), p256dh: s("p256dh"), auth: s("auth"), server_key: Some(server_key.to_owned()) }
    }

    /// What the subscription has received so far.
    pub fn received(&self, sub: &Sub) -> Vec<Received> {
        let id = sub.endpoint.rsplit('/').next().unwrap_or_default();
        let got: Vec<Wire> = ureq::get(&format!("{}/_received/{id}", self.origin))
            .timeout(Duration::from_secs(5))
            .call()
            .expect("read the push service")
            .into_json()
            .expect("received JSON");
        got.into_iter().map(Received::from).collect()
    }

    /// Waits up to `secs` for at least `n` messages.
    pub fn wait_for(&self, sub: &Sub, n: usize, secs: u64) -> Vec<Received> {
        crate::support::eventually(secs, || Some(self.received(sub)).filter(|r| r.len() >= n))
            .unwrap_or_else(|| self.received(sub))
    }
}
