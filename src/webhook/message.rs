//! The webhook request for one delivery and what the receiver's answer means.

use super::signature::{sign, Secret};
use crate::channel::{retry_after, HttpRequest, Outcome};
use crate::model::{Delivery, Profile};
use serde::Serialize;
use serde_json::{Map, Value};

/// The event type of every webhook Tidings sends.
pub const EVENT_TYPE: &str = "notification.delivery";

/// The recipient as a webhook shows it: the profile without secrets (never `slackToken`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookUser<'a> {
    /// The user's id.
    pub id: &'a str,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// E.164 phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    /// IANA time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<&'a str>,
    /// Slack destination (not a secret; the token is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_channel: Option<&'a str>,
    /// The user's second unique name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<&'a str>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<&'a str>,
    /// Application data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<&'a Map<String, Value>>,
}

impl<'a> WebhookUser<'a> {
    /// The secret-free view of user `id` with `profile`.
    pub fn new(id: &'a str, profile: &'a Profile) -> Self {
        WebhookUser {
            id,
            email: profile.email.as_deref(),
            number: profile.number.as_deref(),
            timezone: profile.timezone.as_deref(),
            slack_channel: profile.slack_channel.as_deref(),
            identity: profile.identity.as_deref(),
            friendly_name: profile.friendly_name.as_deref(),
            attributes: profile.attributes.as_ref(),
        }
    }
}

/// The body of a webhook: `{type, timestamp, data: {delivery, user}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payload<'a> {
    /// Always [`EVENT_TYPE`].
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When it was sent (RFC 3339).
    pub timestamp: String,
    /// The delivery and its recipient.
    pub data: PayloadData<'a>,
}

/// `data` of a webhook body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayloadData<'a> {
    /// The delivery as `GET /deliveries/{id}` shows it.
    pub delivery: &'a Delivery,
    /// Its recipient, without secrets.
    pub user: WebhookUser<'a>,
}

/// The signed `POST` of `delivery` for `user` to `url` at `now_ms`: headers `webhook-id`
/// (the delivery id, so a retry is recognisably the same message), `webhook-timestamp`
/// (Unix seconds) and `webhook-signature`.
pub fn prepare(delivery: &Delivery, user: WebhookUser<'_>, url: &str, secret: &Secret, now_ms: i64) -> HttpRequest {
    let now_s = now_ms.div_euclid(1000);
    let payload =
        Payload { kind: EVENT_TYPE, timestamp: crate::time::rfc3339(now_ms), data: PayloadData { delivery, user } };
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    HttpRequest {
        method: "POST",
        url: url.to_owned(),
        headers: vec![
            ("content-type", "application/json".into()),
            ("webhook-id", delivery.id.clone()),
            ("webhook-timestamp", now_s.to_string()),
            ("webhook-signature", sign(secret, &delivery.id, now_s, &body)),
        ],
        body,
    }
}

/// What the receiver's answer means: 2xx → `Sent`; 410 Gone → `Failed` (`http_410`; the
/// channel stays on, the worker logs it); anything else → `Retry` on the schedule (or after
/// `Retry-After`).
pub fn classify(status: u16, header: impl Fn(&str) -> Option<String>) -> Outcome {
    match status {
        200..=299 => Outcome::Sent { provider_message_id: None },
        410 => Outcome::Failed { code: "http_410".into() },
        _ => Outcome::Retry { after: retry_after(header("retry-after").as_deref()), code: format!("http_{status}") },
    }
}
