//! FCM HTTP v1: the service account, the OAuth2 token exchange, `prepare` (one
//! `messages:send` request per token) and `classify` (what FCM's answer means).

use super::content::Content;
use super::MobileError;
use crate::channel::{retry_after, HttpRequest, Outcome};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The default FCM base URL (`TIDINGS_FCM_ENDPOINT` overrides it).
pub const DEFAULT_ENDPOINT: &str = "https://fcm.googleapis.com";
/// The OAuth2 grant type of the service-account flow (RFC 7523).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Largest notification + data FCM takes, in bytes.
pub const MAX_PAYLOAD: usize = 4096;

/// The members of a Google service account JSON key that the flow needs (others ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceAccount {
    /// The Firebase project.
    pub project_id: String,
    /// The assertion's `iss`.
    pub client_email: String,
    /// PKCS#8 PEM of the RSA key.
    pub private_key: String,
    /// The assertion's `aud` and where it is exchanged.
    pub token_uri: String,
    /// Goes into the assertion's `kid`, when present.
    #[serde(default)]
    pub private_key_id: Option<String>,
}

impl ServiceAccount {
    /// Parses `TIDINGS_FCM_SERVICE_ACCOUNT` (the JSON file as downloaded).
    pub fn parse(json: &str) -> Result<ServiceAccount, MobileError> {
        let sa: ServiceAccount =
            serde_json::from_str(json).map_err(|_| MobileError::Config("TIDINGS_FCM_SERVICE_ACCOUNT"))?;
        let bad = [
            (sa.project_id.is_empty(), "TIDINGS_FCM_SERVICE_ACCOUNT.project_id"),
            (sa.client_email.is_empty(), "TIDINGS_FCM_SERVICE_ACCOUNT.client_email"),
            (super::pem_to_der(&sa.private_key).is_none(), "TIDINGS_FCM_SERVICE_ACCOUNT.private_key"),
            (!sa.token_uri.starts_with("http"), "TIDINGS_FCM_SERVICE_ACCOUNT.token_uri"),
        ];
        match bad.iter().find(|(b, _)| *b) {
            Some((_, what)) => Err(MobileError::Config(what)),
            None => Ok(sa),
        }
    }
}

fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The token request: the signed assertion exchanged at `token_uri`.
pub fn token_request(token_uri: &str, assertion: &str) -> HttpRequest {
    HttpRequest {
        method: "POST",
        url: token_uri.to_owned(),
        headers: vec![("content-type", "application/x-www-form-urlencoded".into())],
        body: format!("grant_type={}&assertion={}", form_escape(GRANT_TYPE), form_escape(assertion)).into_bytes(),
    }
}

/// An access token and its lifetime in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token.
    pub token: String,
    /// Seconds it lasts from now.
    pub expires_in: i64,
}

/// Reads the token endpoint's answer: the access token, or what to do with the delivery
/// (`Retry` on 429/5xx; `Failed` with the OAuth2 `error`, e.g. `invalid_grant`).
pub fn parse_token(status: u16, retry_after_value: Option<&str>, body: &[u8]) -> Result<AccessToken, Outcome> {
    #[derive(Deserialize)]
    struct Answer {
        access_token: Option<String>,
        expires_in: Option<i64>,
        error: Option<String>,
    }
    let answer: Option<Answer> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        if let Some(Answer { access_token: Some(token), expires_in, .. }) = answer {
            return Ok(AccessToken { token, expires_in: expires_in.unwrap_or(3600) });
        }
        return Err(Outcome::Failed { code: "token_response_malformed".into() });
    }
    let code = answer.and_then(|a| a.error).unwrap_or_else(|| format!("http_{status}"));
    if status == 429 || status >= 500 {
        Err(Outcome::Retry { after: retry_after(retry_after_value), code })
    } else {
        Err(Outcome::Failed { code })
    }
}

/// Keys FCM refuses in `data`.
fn reserved(key: &str) -> bool {
    matches!(key, "from" | "notification" | "message_type" | "collapse_key")
        || key.starts_with("google")
        || key.starts_with("gcm")
}

/// `data` as FCM wants it: string values (others as their JSON text), reserved keys dropped.
pub fn string_data(custom: Map<String, Value>) -> Map<String, Value> {
    custom
        .into_iter()
        .filter(|(k, _)| !reserved(k))
        .map(|(k, v)| match v {
            Value::String(s) => (k, Value::String(s)),
            other => (k, Value::String(other.to_string())),
        })
        .collect()
}

/// The `messages:send` request for one device `token`, authorized by `access_token`.
pub fn prepare(
    c: &Content,
    token: &str,
    project_id: &str,
    endpoint: &str,
    access_token: &str,
    now_s: i64,
) -> Result<HttpRequest, MobileError> {
    let mut notification = Map::new();
    if let Some(t) = &c.title {
        notification.insert("title".into(), t.clone().into());
    }
    if let Some(b) = &c.body {
        notification.insert("body".into(), b.clone().into());
    }
    let data = string_data(c.custom());
    let size =
        serde_json::to_vec(&notification).map_or(0, |v| v.len()) + serde_json::to_vec(&data).map_or(0, |v| v.len());
    if size > MAX_PAYLOAD {
        return Err(MobileError::PayloadTooLarge(size));
    }
    let mut android = json!({ "ttl": format!("{}s", c.ttl), "priority": if c.high() { "HIGH" } else { "NORMAL" } });
    let mut aps = json!({ "badge": c.badge, "sound": "default" });
    let mut apns_headers = json!({
        "apns-priority": if c.high() { "10" } else { "5" },
        "apns-expiration": expiration(c.ttl, now_s),
    });
    if let Some(topic) = &c.topic {
        android["collapse_key"] = topic.clone().into();
        aps["thread-id"] = topic.clone().into();
        apns_headers["apns-collapse-id"] = topic.clone().into();
    }
    let message = json!({
        "message": {
            "token": token,
            "notification": notification,
            "data": data,
            "android": android,
            "apns": { "headers": apns_headers, "payload": { "aps": aps } },
        }
    });
    Ok(HttpRequest {
        method: "POST",
        url: format!("{}/v1/projects/{}/messages:send", endpoint.trim_end_matches('/'), project_id),
        headers: vec![
            ("authorization", format!("Bearer {access_token}")),
            ("content-type", "application/json; charset=UTF-8".into()),
        ],
        body: message.to_string().into_bytes(),
    })
}

/// `apns-expiration`: when the message stops being worth delivering (`0`: now or never).
pub(crate) fn expiration(ttl: u32, now_s: i64) -> String {
    if ttl == 0 {
        "0".into()
    } else {
        (now_s + i64::from(ttl)).to_string()
    }
}

/// What FCM's answer means: `name` on success; otherwise by the `FcmError` code (or the
/// Google status) and the HTTP status, as the issue lists them.
pub fn classify(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Outcome {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Outcome::Sent { provider_message_id: json["name"].as_str().map(str::to_owned) };
    }
    let error = &json["error"];
    let details = error["details"].as_array().map(Vec::as_slice).unwrap_or_default();
    let fcm_code = details
        .iter()
        .find(|d| d["@type"].as_str().is_some_and(|t| t.ends_with("google.firebase.fcm.v1.FcmError")))
        .and_then(|d| d["errorCode"].as_str());
    let code = fcm_code.or(error["status"].as_str()).map_or_else(|| format!("http_{status}"), str::to_owned);
    let about_token = details.iter().any(|d| {
        d["fieldViolations"]
            .as_array()
            .is_some_and(|v| v.iter().any(|f| f["field"].as_str().is_some_and(|f| f.ends_with("token"))))
    }) || error["message"].as_str().is_some_and(|m| m.contains("registration token"));
    match (status, code.as_str()) {
        (_, "UNREGISTERED") | (404, _) => Outcome::Gone { code },
        (_, "INVALID_ARGUMENT") if about_token => Outcome::Gone { code },
        (_, "SENDER_ID_MISMATCH") | (403, _) => Outcome::Invalid { code },
        (401, _) => Outcome::Refresh { code },
        (429, _) | (500..=599, _) => Outcome::Retry { after: retry_after(header("retry-after").as_deref()), code },
        _ => Outcome::Failed { code },
    }
}
