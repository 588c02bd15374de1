//! One Web Push request: RFC 8291 body (WebCrypto), VAPID `Authorization` (JWT cached per
//! push-service origin), `TTL`/`Urgency`/`Topic` headers; and what the push service answered.

use crate::config::Config;
use crate::webcrypto::WebCrypto;
use base64::Engine;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
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
        }
    }
}

/// The VAPID key and JWT cache of this isolate.
struct Vapid {
    key: CryptoKey,
    public_b64: String,
    subject: String,
    jwts: RefCell<HashMap<String, (String, i64)>>,
}

thread_local! {
    static VAPID: RefCell<Option<(String, Rc<Vapid>)>> = const { RefCell::new(None) };
}

/// Encrypts and sends Web Push messages.
pub struct Sender {
    crypto: WebCrypto,
    vapid: Rc<Vapid>,
}

/// Why no sender could be made.
#[derive(Debug)]
pub struct NotConfigured(pub &'static str);

impl Sender {
    /// A sender with the deployment's VAPID key (imported once per isolate).
    pub async fn new(config: &Config) -> Result<Sender, NotConfigured> {
        let crypto = WebCrypto::new().map_err(|_| NotConfigured("crypto.subtle"))?;
        let cached = VAPID.with(|v| {
            v.borrow().as_ref().filter(|(pk, _)| *pk == config.vapid_public_key).map(|(_, vapid)| vapid.clone())
        });
        if let Some(vapid) = cached {
            return Ok(Sender { crypto, vapid });
        }
        let private: [u8; 32] = B64URL
            .decode(&config.vapid_private_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(NotConfigured("TIDINGS_VAPID_PRIVATE_KEY"))?;
        let public: [u8; 65] = B64URL
            .decode(&config.vapid_public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(NotConfigured("TIDINGS_VAPID_PUBLIC_KEY"))?;
        let key = crypto.import_signing_key(&private, &public).await.map_err(|_| NotConfigured("VAPID key pair"))?;
        let vapid = Rc::new(Vapid {
            key,
            public_b64: config.vapid_public_key.clone(),
            subject: config.vapid_subject.clone(),
            jwts: RefCell::new(HashMap::new()),
        });
        VAPID.with(|v| *v.borrow_mut() = Some((config.vapid_public_key.clone(), vapid.clone())));
        Ok(Sender { crypto, vapid })
    }

    /// `vapid t=…, k=…` for `endpoint`, from the per-origin cache while it has an hour left.
    async fn authorization(&self, endpoint: &str, now_s: i64) -> Result<String, webpush::VapidError> {
        let claims = Claims::new(endpoint, &self.vapid.subject, now_s)?;
        let cached =
            self.vapid.jwts.borrow().get(&claims.aud).filter(|(_, exp)| exp - now_s > JWT_REFRESH_SECONDS).cloned();
        let jwt = match cached {
            Some((jwt, _)) => jwt,
            None => {
                let jwt = webpush::sign_jwt(&self.crypto, &self.vapid.key, &claims).await?;
                self.vapid.jwts.borrow_mut().insert(claims.aud.clone(), (jwt.clone(), claims.exp));
                jwt
            }
        };
        Ok(webpush::authorization(&jwt, &self.vapid.public_b64))
    }

    /// The encrypted body and headers for one message to `sub`.
    pub async fn prepare(
        &self,
        sub: &WebPushToken,
        message: &Message<'_>,
    ) -> Result<(Vec<u8>, Vec<(&'static str, String)>), String> {
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
            ("authorization", self.authorization(&sub.sub.endpoint, message.now_s).await.map_err(|e| e.to_string())?),
            ("ttl", message.ttl.to_string()),
            ("urgency", message.urgency.as_str().to_owned()),
            ("content-encoding", "aes128gcm".to_owned()),
            ("content-type", "application/octet-stream".to_owned()),
        ];
        if let Some(topic) = message.topic {
            headers.push(("topic", topic.to_owned()));
        }
        Ok((body, headers))
    }

    /// Sends one message to `sub` and classifies the answer.
    pub async fn send(&self, sub: &WebPushToken, message: &Message<'_>) -> Result<Outcome, String> {
        let (body, headers) = self.prepare(sub, message).await?;
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
