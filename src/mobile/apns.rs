//! APNs, token-based: `prepare` (one `POST /3/device/{token}` per device) and `classify`
//! (what APNs's answer means). The provider token is made in [`super::jwt`].

use super::content::Content;
use super::MobileError;
use crate::channel::{retry_after, HttpRequest, Outcome};
use crate::model::PushToken;
use serde_json::{json, Value};

/// APNs for production builds.
pub const PRODUCTION: &str = "https://api.push.apple.com";
/// APNs for development (sandbox) builds.
pub const SANDBOX: &str = "https://api.sandbox.push.apple.com";
/// Largest payload APNs takes for an alert, in bytes.
pub const MAX_PAYLOAD: usize = 4096;
/// Longest `apns-collapse-id`, in bytes.
pub const MAX_COLLAPSE_ID: usize = 64;

/// The deployment's APNs settings (the key itself stays with the crypto provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsConfig {
    /// `TIDINGS_APNS_KEY_ID`: the provider token's `kid`.
    pub key_id: String,
    /// `TIDINGS_APNS_TEAM_ID`: the provider token's `iss`.
    pub team_id: String,
    /// `TIDINGS_APNS_TOPIC`: the app's bundle id (a token's `device.app_id` overrides it).
    pub topic: String,
    /// `TIDINGS_APNS_ENDPOINT`: replaces both hosts (tests, proxies); written as
    /// `production,sandbox`, it replaces each (local fakes of both hosts).
    pub endpoint: Option<String>,
    /// The sandbox half of a `production,sandbox` `TIDINGS_APNS_ENDPOINT`.
    pub sandbox_endpoint: Option<String>,
}

/// The base URL for a token: production for `environment: "production"`, the sandbox
/// otherwise, unless `TIDINGS_APNS_ENDPOINT` overrides them.
pub fn base_url<'a>(config: &'a ApnsConfig, token: &PushToken) -> &'a str {
    let production = token.environment.as_deref() == Some("production");
    let overridden = if production {
        config.endpoint.as_ref()
    } else {
        config.sandbox_endpoint.as_ref().or(config.endpoint.as_ref())
    };
    match overridden {
        Some(e) => e.trim_end_matches('/'),
        None if production => PRODUCTION,
        None => SANDBOX,
    }
}

fn path_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The request for one device `token`, authorized by `provider_token`.
pub fn prepare(
    c: &Content,
    token: &PushToken,
    config: &ApnsConfig,
    provider_token: &str,
    now_s: i64,
) -> Result<HttpRequest, MobileError> {
    let mut alert = serde_json::Map::new();
    if let Some(t) = &c.title {
        alert.insert("title".into(), t.clone().into());
    }
    if let Some(b) = &c.body {
        alert.insert("body".into(), b.clone().into());
    }
    let mut aps = json!({ "alert": alert, "sound": "default", "badge": c.badge });
    if let Some(topic) = &c.topic {
        aps["thread-id"] = topic.clone().into();
    }
    let mut body = c.custom();
    body.insert("aps".into(), aps);
    let body = Value::Object(body).to_string().into_bytes();
    if body.len() > MAX_PAYLOAD {
        return Err(MobileError::PayloadTooLarge(body.len()));
    }
    let topic = token.device.app_id.as_deref().filter(|t| !t.is_empty()).unwrap_or(&config.topic);
    let mut headers = vec![
        ("authorization", format!("bearer {provider_token}")),
        ("apns-topic", topic.to_owned()),
        ("apns-push-type", "alert".into()),
        ("apns-priority", if c.high() { "10" } else { "5" }.into()),
        ("apns-expiration", super::fcm::expiration(c.ttl, now_s)),
        ("content-type", "application/json".into()),
    ];
    if let Some(collapse) = c.topic.as_deref().filter(|t| !t.is_empty() && t.len() <= MAX_COLLAPSE_ID) {
        headers.push(("apns-collapse-id", collapse.to_owned()));
    }
    Ok(HttpRequest {
        method: "POST",
        url: format!("{}/3/device/{}", base_url(config, token), path_escape(&token.token)),
        headers,
        body,
    })
}

/// What APNs's answer means: `apns-id` on success; otherwise by its `reason`.
pub fn classify(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Outcome {
    if status == 200 {
        return Outcome::Sent { provider_message_id: header("apns-id") };
    }
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = json["reason"].as_str().map_or_else(|| format!("http_{status}"), str::to_owned);
    match (status, code.as_str()) {
        (410, _) | (_, "Unregistered" | "BadDeviceToken" | "DeviceTokenNotForTopic") => Outcome::Gone { code },
        (_, "ExpiredProviderToken" | "InvalidProviderToken") => Outcome::Refresh { code },
        (429, _) | (500..=599, _) => Outcome::Retry { after: retry_after(header("retry-after").as_deref()), code },
        _ => Outcome::Failed { code },
    }
}
