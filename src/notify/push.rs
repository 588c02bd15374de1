//! The Web Push message of a delivery: its JSON payload, the action token it carries, and the
//! retry schedule of the sender.

use crate::auth::{constant_time_eq, hmac_sha256};
use crate::model::Delivery;
use crate::validate::B64URL;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Largest plaintext one RFC 8291 message carries (4096-byte record − 16 tag − 1 delimiter − 86 header).
pub const MAX_PAYLOAD: usize = 3993;
/// How long an action token stays valid: a week, so a notification can be opened days later.
pub const ACTION_TOKEN_SECONDS: i64 = 7 * 24 * 3600;
/// Attempts per subscription before a delivery is `failed`.
pub const MAX_ATTEMPTS: u32 = 5;

/// What the service worker receives (decrypted) in its `push` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushPayload {
    /// The delivery.
    pub delivery_id: String,
    /// Its notification.
    pub notification_id: String,
    /// `data.subject`.
    pub title: Option<String>,
    /// `data.body`.
    pub body: Option<String>,
    /// `data.url`: opened on click.
    pub url: Option<String>,
    /// `data.icon`.
    pub icon: Option<String>,
    /// Everything the sender put in `data`, minus the members above.
    pub data: Value,
    /// Lets the service worker mark this one delivery seen/read/clicked.
    pub action_token: String,
    /// The recipient's unread count when it was sent, for the app badge (absent when unknown
    /// or when it would not fit in [`MAX_PAYLOAD`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<u64>,
}

/// The payload of `d`, with its action token.
pub fn payload(d: &Delivery, action_token: String) -> PushPayload {
    let text = |k: &str| d.data.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut rest = d.data.clone();
    if let Value::Object(map) = &mut rest {
        for k in ["subject", "body", "url", "icon"] {
            map.remove(k);
        }
    }
    PushPayload {
        delivery_id: d.id.clone(),
        notification_id: d.notification_id.clone(),
        title: text("subject"),
        body: text("body"),
        url: text("url"),
        icon: text("icon"),
        data: rest,
        action_token,
        unread_count: None,
    }
}

/// The payload's bytes, or its size when it exceeds [`MAX_PAYLOAD`].
pub fn payload_bytes(p: &PushPayload) -> Result<Vec<u8>, usize> {
    let bytes = serde_json::to_vec(p).map_err(|_| usize::MAX)?;
    if bytes.len() > MAX_PAYLOAD {
        Err(bytes.len())
    } else {
        Ok(bytes)
    }
}

/// Signs `claims` for one purpose: `base64url(claims) "." base64url(HMAC(key(purpose), …))`,
/// the key derived from the deployment's secret key so tokens of one purpose never pass as
/// another's.
pub(crate) fn seal(secret: &str, purpose: &[u8], claims: &serde_json::Value) -> String {
    let body = B64URL.encode(claims.to_string());
    let sig = B64URL.encode(hmac_sha256(&hmac_sha256(secret.as_bytes(), purpose), body.as_bytes()));
    format!("{body}.{sig}")
}

/// The claims of a token made by [`seal`] for `purpose`, if its signature holds.
pub(crate) fn open<T: serde::de::DeserializeOwned>(secret: &str, purpose: &[u8], token: &str) -> Option<T> {
    let (body, sig) = token.split_once('.')?;
    let expected = hmac_sha256(&hmac_sha256(secret.as_bytes(), purpose), body.as_bytes());
    if secret.is_empty() || !constant_time_eq(&B64URL.decode(sig).ok()?, &expected) {
        return None;
    }
    serde_json::from_slice(&B64URL.decode(body).ok()?).ok()
}

const ACTION: &[u8] = b"tidings action token v1";
const SUBSCRIPTION: &[u8] = b"tidings subscription token v1";

/// A token that lets its bearer mark delivery `delivery_id` of `user_id` seen/read/clicked
/// until `exp` (seconds). Carried in each push payload for the service worker.
pub fn action_token(secret: &str, user_id: &str, delivery_id: &str, exp: i64) -> String {
    seal(secret, ACTION, &serde_json::json!({ "u": user_id, "d": delivery_id, "e": exp }))
}

/// The `(user_id, delivery_id)` an action token grants, if it is genuine and not expired.
pub fn verify_action_token(secret: &str, token: &str, now_s: i64) -> Option<(String, String)> {
    #[derive(Deserialize)]
    struct Claims {
        u: String,
        d: String,
        e: i64,
    }
    let c: Claims = open(secret, ACTION, token)?;
    (c.e > now_s).then_some((c.u, c.d))
}

/// A token that lets its bearer replace `user_id`'s subscription `endpoint` (and nothing
/// else): the service worker's `pushsubscriptionchange`, which runs with no user token.
pub fn subscription_token(secret: &str, user_id: &str, endpoint: &str) -> String {
    seal(secret, SUBSCRIPTION, &serde_json::json!({ "u": user_id, "p": endpoint }))
}

/// The `(user_id, endpoint)` a subscription token grants, if it is genuine.
pub fn verify_subscription_token(secret: &str, token: &str) -> Option<(String, String)> {
    #[derive(Deserialize)]
    struct Claims {
        u: String,
        p: String,
    }
    open::<Claims>(secret, SUBSCRIPTION, token).map(|c| (c.u, c.p))
}

/// The push `Topic` header for a topic, when it is a valid one (≤ 32 base64url characters).
pub fn topic_header(topic: Option<&str>) -> Option<&str> {
    topic.filter(|t| {
        !t.is_empty() && t.len() <= 32 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Seconds to wait before attempt `attempt` (1-based retries): the push service's
/// `Retry-After` when it gave one, else `schedule[attempt - 1]` (the last entry repeats).
pub fn retry_delay(schedule: &[u32], attempt: u32, retry_after: Option<u32>) -> u32 {
    let fallback = schedule.get(attempt.saturating_sub(1) as usize).or(schedule.last()).copied().unwrap_or(60);
    retry_after.unwrap_or(fallback).min(12 * 3600)
}

/// Parses a retry schedule like `"30,120,600,1800"` (seconds); `None` if malformed.
pub fn parse_schedule(raw: &str) -> Option<Vec<u32>> {
    let v: Option<Vec<u32>> = raw.split(',').map(|s| s.trim().parse().ok()).collect();
    v.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::transition::tests_support::delivery;

    #[test]
    fn payload_lifts_the_well_known_members() {
        let mut d = delivery();
        d.data = serde_json::json!({"subject": "Hi", "body": "B", "url": "/x", "order": 7});
        let p = payload(&d, "tok".into());
        assert_eq!(
            (p.title.as_deref(), p.body.as_deref(), p.url.as_deref(), p.icon),
            (Some("Hi"), Some("B"), Some("/x"), None)
        );
        assert_eq!(p.data, serde_json::json!({"order": 7}));
        d.data = serde_json::json!({"subject": "x".repeat(MAX_PAYLOAD)});
        assert!(payload_bytes(&payload(&d, "t".into())).is_err());
    }

    #[test]
    fn action_tokens_are_scoped_and_expire() {
        let t = action_token("sk", "ada", "dlv_1", 100);
        assert_eq!(verify_action_token("sk", &t, 99), Some(("ada".into(), "dlv_1".into())));
        assert_eq!(verify_action_token("sk", &t, 100), None);
        assert_eq!(verify_action_token("other", &t, 99), None);
        assert_eq!(verify_action_token("", &t, 99), None);
        let forged = format!(
            "{}.{}",
            action_token("sk", "bob", "dlv_1", 100).split('.').next().unwrap(),
            t.split('.').nth(1).unwrap()
        );
        assert_eq!(verify_action_token("sk", &forged, 99), None);
    }

    #[test]
    fn tokens_of_the_previous_secret_key_verify_beside_the_current_ones() {
        use crate::auth::Rotating;
        let keys = Rotating { current: "sk_new", previous: "sk_old" };
        let action = action_token("sk_old", "ada", "dlv_1", 100);
        assert_eq!(keys.verify(|k| verify_action_token(k, &action, 99)), Some(("ada".into(), "dlv_1".into())));
        let sub = subscription_token("sk_old", "ada", "https://p/1");
        assert_eq!(keys.verify(|k| verify_subscription_token(k, &sub)), Some(("ada".into(), "https://p/1".into())));
        let retired = Rotating::single("sk_new");
        assert_eq!(retired.verify(|k| verify_action_token(k, &action, 99)), None);
        assert_eq!(retired.verify(|k| verify_subscription_token(k, &sub)), None);
    }

    #[test]
    fn schedule_and_topics() {
        assert_eq!(retry_delay(&[1, 2, 4], 1, None), 1);
        assert_eq!(retry_delay(&[1, 2, 4], 9, None), 4);
        assert_eq!(retry_delay(&[1, 2, 4], 2, Some(30)), 30);
        assert_eq!(parse_schedule("30, 120"), Some(vec![30, 120]));
        assert_eq!(parse_schedule("x"), None);
        assert_eq!(topic_header(Some("order-1")), Some("order-1"));
        assert_eq!(topic_header(Some("order.shipped")), None);
    }
}
