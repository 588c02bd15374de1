//! One Web Push request: RFC 8291 body (WebCrypto), VAPID `Authorization` signed with the key
//! the subscription was made with (the current or the previous one; JWT cached per key and
//! push-service origin), `TTL`/`Urgency`/`Topic` headers; and what the push service answered.

use crate::config::Config;
use crate::webcrypto::WebCrypto;
use base64::Engine;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tidings::auth::Rotating;
use tidings::model::WebPushToken;
use tidings::notify::Urgency;
use tidings::validate::B64URL;
use tidings::webpush::{self, Claims, WebPushCrypto};
use wasm_bindgen::JsValue;
use web_sys::CryptoKey;
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// A cached JWT is replaced when less than this is left of it.
const JWT_REFRESH_SECONDS: i64 = 3600;

/// What a push service's answer means for the subscription and the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 200/201/202: accepted.
    Accepted,
    /// 404/410: the subscription is gone.
    Gone,
    /// 401/403: our VAPID credentials were refused for it.
    Unauthorized,
    /// 413: too large.
    TooLarge,
    /// 429, 5xx or a network error: try again (after `Retry-After` seconds, when given).
    Retry(Option<u32>),
    /// Any other status.
    Rejected(u16),
    /// Not sent: the subscription was made with a VAPID key that is neither the current nor
    /// the previous one, so no push service would accept our signature for it.
    KeyRetired,
}

impl Outcome {
    /// Maps a status (and `Retry-After`) to an outcome.
    pub fn of(status: u16, retry_after: Option<u32>) -> Outcome {
        match status {
            200..=202 => Outcome::Accepted,
            404 | 410 => Outcome::Gone,
            401 | 403 => Outcome::Unauthorized,
            413 => Outcome::TooLarge,
            429 | 500..=599 => Outcome::Retry(retry_after),
            other => Outcome::Rejected(other),
        }
    }

    /// The delivery's failure reason when this is final.
    pub fn reason(self) -> String {
        match self {
            Outcome::Accepted => "accepted".into(),
            Outcome::Gone => "subscription_gone".into(),
            Outcome::Unauthorized => "vapid_rejected".into(),
            Outcome::TooLarge => "payload_too_large".into(),
            Outcome::Retry(_) => "retries_exhausted".into(),
            Outcome::Rejected(code) => format!("push_service_{code}"),
            Outcome::KeyRetired => "vapid_key_retired".into(),
        }
    }
}

/// One VAPID key pair, imported, with its JWTs by push-service origin.
struct Vapid {
    key: CryptoKey,
    public_b64: String,
    subject: String,
    jwts: RefCell<HashMap<String, (String, i64)>>,
}

thread_local! {
    /// The key pairs this isolate imported, by public key (current and previous).
    static VAPID: RefCell<HashMap<String, Rc<Vapid>>> = RefCell::new(HashMap::new());
}

/// Encrypts and sends Web Push messages.
pub struct Sender {
    crypto: WebCrypto,
    current: Rc<Vapid>,
    previous: Option<Rc<Vapid>>,
}

/// Why no sender could be made.
#[derive(Debug)]
pub struct NotConfigured(pub &'static str);

impl Sender {
    /// A sender with the deployment's VAPID keys (each imported once per isolate): the current
    /// pair, and the previous one when `TIDINGS_VAPID_*_PREVIOUS` are set.
    pub async fn new(config: &Config) -> Result<Sender, NotConfigured> {
        let crypto = WebCrypto::new().map_err(|_| NotConfigured("crypto.subtle"))?;
        let subject = &config.vapid_subject;
        let current = import(&crypto, &config.vapid_public_key, &config.vapid_private_key, subject)
            .await
            .map_err(|_| NotConfigured("TIDINGS_VAPID_PUBLIC_KEY / TIDINGS_VAPID_PRIVATE_KEY"))?;
        let (public, private) = (&config.vapid_public_key_previous, &config.vapid_private_key_previous);
        let previous =
            if public.is_empty() && private.is_empty() {
                None
            } else {
                Some(import(&crypto, public, private, subject).await.map_err(|_| {
                    NotConfigured("TIDINGS_VAPID_PUBLIC_KEY_PREVIOUS / TIDINGS_VAPID_PRIVATE_KEY_PREVIOUS")
                })?)
            };
        Ok(Sender { crypto, current, previous })
    }

    /// The key pair for a subscription made with `key`: `None` (a row from before keys were
    /// recorded) is the current key; a key neither current nor previous has none.
    fn vapid_for(&self, key: Option<&str>) -> Option<&Vapid> {
        let previous = self.previous.as_ref().map_or("", |v| v.public_b64.as_str());
        let public = webpush::vapid::signing_key(key, Rotating { current: &self.current.public_b64, previous })?;
        [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|v| v.public_b64 == public)
            .map(|v| &**v)
    }

    /// `vapid t=…, k=…` for `endpoint`, from the key's per-origin cache while it has an hour left.
    async fn authorization(&self, vapid: &Vapid, endpoint: &str, now_s: i64) -> Result<String, webpush::VapidError> {
        let claims = Claims::new(endpoint, &vapid.subject, now_s)?;
        let cached = vapid.jwts.borrow().get(&claims.aud).filter(|(_, exp)| exp - now_s > JWT_REFRESH_SECONDS).cloned();
        let jwt = match cached {
            Some((jwt, _)) => jwt,
            None => {
                let jwt = webpush::sign_jwt(&self.crypto, &vapid.key, &claims).await?;
                vapid.jwts.borrow_mut().insert(claims.aud.clone(), (jwt.clone(), claims.exp));
                jwt
            }
        };
        Ok(webpush::authorization(&jwt, &vapid.public_b64))
    }

    /// The encrypted body and headers for one message to `sub`, made with VAPID key `key`
    /// (`None`: the current one); `Ok(None)` when that key is retired.
    pub async fn prepare(
        &self,
        sub: &WebPushToken,
        key: Option<&str>,
        message: &Message<'_>,
    ) -> Result<Option<(Vec<u8>, Vec<(&'static str, String)>)>, String> {
        let Some(vapid) = self.vapid_for(key) else { return Ok(None) };
        let ua_public: [u8; 65] = B64URL
            .decode(&sub.sub.keys.p256dh)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("subscription p256dh is not a 65-byte key")?;
        let auth: [u8; 16] = B64URL
            .decode(&sub.sub.keys.auth)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("subscription auth is not 16 bytes")?;
        let body = webpush::encrypt(&self.crypto, message.payload, &ua_public, &auth, crate::platform::random())
            .await
            .map_err(|e| e.to_string())?;
        let mut headers = vec![
            (
                "authorization",
                self.authorization(vapid, &sub.sub.endpoint, message.now_s).await.map_err(|e| e.to_string())?,
            ),
            ("ttl", message.ttl.to_string()),
            ("urgency", message.urgency.as_str().to_owned()),
            ("content-encoding", "aes128gcm".to_owned()),
            ("content-type", "application/octet-stream".to_owned()),
        ];
        if let Some(topic) = message.topic {
            headers.push(("topic", topic.to_owned()));
        }
        Ok(Some((body, headers)))
    }

    /// Sends one message to `sub`, made with VAPID key `key`, and classifies the answer.
    pub async fn send(&self, sub: &WebPushToken, key: Option<&str>, message: &Message<'_>) -> Result<Outcome, String> {
        let Some((body, headers)) = self.prepare(sub, key, message).await? else { return Ok(Outcome::KeyRetired) };
        let h = Headers::new();
        for (name, value) in &headers {
            h.set(name, value).map_err(|e| e.to_string())?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(h).with_body(Some(JsValue::from(Uint8Array::from(&body[..]))));
        let request = Request::new_with_init(&sub.sub.endpoint, &init).map_err(|e| e.to_string())?;
        Ok(match Fetch::Request(request).send().await {
            Ok(response) => {
                let retry_after =
                    response.headers().get("retry-after").ok().flatten().and_then(|v| v.trim().parse().ok());
                Outcome::of(response.status_code(), retry_after)
            }
            Err(_) => Outcome::Retry(None),
        })
    }
}

/// One message's content and push options.
pub struct Message<'a> {
    /// The plaintext (the JSON payload, ≤ 3993 bytes).
    pub payload: &'a [u8],
    /// Push time-to-live, seconds.
    pub ttl: u32,
    /// Push urgency.
    pub urgency: Urgency,
    /// `Topic` header, when the notification's topic is a valid one.
    pub topic: Option<&'a str>,
    /// Now, seconds since the epoch.
    pub now_s: i64,
}

/// The imported pair `(public, private)` (base64url), from this isolate's cache when it has it.
async fn import(crypto: &WebCrypto, public: &str, private: &str, subject: &str) -> Result<Rc<Vapid>, ()> {
    if let Some(v) = VAPID.with(|c| c.borrow().get(public).cloned()) {
        return Ok(v);
    }
    let private: [u8; 32] = B64URL.decode(private).ok().and_then(|b| b.try_into().ok()).ok_or(())?;
    let public_bytes: [u8; 65] = B64URL.decode(public).ok().and_then(|b| b.try_into().ok()).ok_or(())?;
    let key = crypto.import_signing_key(&private, &public_bytes).await.map_err(|_| ())?;
    let vapid = Rc::new(Vapid {
        key,
        public_b64: public.to_owned(),
        subject: subject.to_owned(),
        jwts: RefCell::new(HashMap::new()),
    });
    VAPID.with(|c| c.borrow_mut().insert(public.to_owned(), vapid.clone()));
    Ok(vapid)
}
