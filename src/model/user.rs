//! Users (seeds 000, 001, 002): camelCase on the wire.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id.
    pub id: String,
    /// The fields a client may set.
    #[serde(flatten)]
    pub profile: Profile,
    /// Mobile push tokens (FCM, APN).
    pub push_tokens: Vec<PushToken>,
    /// Web push subscriptions.
    pub web_push_tokens: Vec<WebPushToken>,
    /// Has at least one valid push token or web push subscription.
    pub is_notifiable: bool,
    /// Has an open realtime feed connection.
    pub is_online: bool,
    /// Last request made with this user's token (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_time: Option<String>,
    /// When the user was first stored (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the user was last changed (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Bounce or complaint status (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_suppression_status: Option<Value>,
}

/// The settable scalar fields of a user, stored together as one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// E.164 phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Slack destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack_channel: Option<String>,
    /// Slack OAuth answer (shown to the secret key only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack_token: Option<Map<String, Value>>,
    /// A second unique name for the user; `GET /users/{identity}` finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// Application data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
}

/// Mobile push provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushProvider {
    /// Firebase Cloud Messaging.
    #[serde(rename = "FCM")]
    Fcm,
    /// Apple Push Notification service.
    #[serde(rename = "APN")]
    Apn,
}

/// A mobile push token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushToken {
    /// `FCM` or `APN`.
    #[serde(rename = "type")]
    pub provider: PushProvider,
    /// The token; tokens merge by this value.
    pub token: String,
    /// The device that holds it.
    pub device: Device,
    /// APN: `sandbox` or `production`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

/// A device that holds a push token or subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Required device id.
    pub device_id: String,
    /// App id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Advertising id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_id: Option<String>,
    /// Platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// A web push subscription as stored on a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebPushToken {
    /// `JSON.parse(JSON.stringify(pushSubscription))`.
    pub sub: PushSubscription,
    /// The device, if the client told us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
}

/// A browser `PushSubscription` in its JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushSubscription {
    /// The push service URL.
    pub endpoint: String,
    /// The user agent's keys.
    pub keys: SubscriptionKeys,
    /// Browsers include it (usually `null`); accepted and not stored.
    #[serde(default, skip_serializing)]
    pub expiration_time: Option<f64>,
}

/// `p256dh` and `auth`, base64url.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The user agent's ECDH public key (65-byte uncompressed P-256 point).
    pub p256dh: String,
    /// The 16-byte authentication secret.
    pub auth: String,
}

/// `GET /users` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    /// This page's users, in stable order.
    pub users: Vec<User>,
    /// Tokens to fetch this page again or the next one.
    pub pagination: Pagination,
}

/// Page tokens of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pagination {
    /// The token that fetched this page (`null` for the first page).
    #[serde(rename = "self")]
    pub this: Option<String>,
    /// The token of the next page, `null` at the end.
    pub next: Option<String>,
}

/// Status of an asynchronous operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperationStatus {
    /// Accepted, not finished.
    Pending,
    /// Finished.
    Succeeded,
    /// Gave up.
    Failed,
}

/// An asynchronous operation (`GET /operations/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// `op_…`.
    pub id: String,
    /// What it does, e.g. `user.delete`.
    pub kind: String,
    /// The resource it acts on.
    pub resource_id: String,
    /// Where it stands.
    pub status: OperationStatus,
    /// When it was accepted.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}
