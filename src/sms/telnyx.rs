//! Telnyx Messaging: `prepare` (one `POST /v2/messages`) and `classify` (what Telnyx's answer
//! means for the delivery).

use super::SmsError;
use crate::channel::{retry_after, HttpRequest, Outcome};
use serde_json::{json, Value};

/// The default Telnyx API origin (`TIDINGS_TELNYX_ENDPOINT` overrides it).
pub const DEFAULT_ENDPOINT: &str = "https://api.telnyx.com";

/// Who the message is sent from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A Telnyx number (E.164) or alphanumeric sender id: `from`.
    From(String),
    /// A messaging profile that picks the number: `messaging_profile_id`.
    Profile(String),
}

/// What a Telnyx send needs besides the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account<'a> {
    /// The API key (`Authorization: Bearer`).
    pub api_key: &'a str,
    /// `from` or `messaging_profile_id`.
    pub sender: &'a Sender,
    /// The API origin.
    pub endpoint: &'a str,
}

/// The `POST /v2/messages` request sending `text` to `to`; Telnyx reports the message's fate to
/// `webhook_url` (`message.sent`, `message.finalized`), or without one to the messaging
/// profile's webhook URL.
pub fn prepare(
    account: &Account<'_>,
    to: &str,
    text: &str,
    webhook_url: Option<&str>,
) -> Result<HttpRequest, SmsError> {
    if text.is_empty() {
        return Err(SmsError::Empty);
    }
    let mut body = json!({ "to": to, "text": text });
    if let Some(url) = webhook_url {
        body["webhook_url"] = url.into();
    }
    match account.sender {
        Sender::From(from) => body["from"] = from.clone().into(),
        Sender::Profile(id) => body["messaging_profile_id"] = id.clone().into(),
    }
    Ok(HttpRequest {
        method: "POST",
        url: format!("{}/v2/messages", account.endpoint.trim_end_matches('/')),
        headers: vec![
            ("authorization", format!("Bearer {}", account.api_key)),
            ("content-type", "application/json".into()),
            ("accept", "application/json".into()),
        ],
        body: body.to_string().into_bytes(),
    })
}

/// What Telnyx's answer means: 2xx → `Sent` with `data.id`; 429 and 5xx → `Retry` (after
/// `Retry-After`); any other status → `Failed` with the first `errors[].code` (e.g. `40310`
/// invalid `to`, `10009` authentication failed), or `http_<status>` when there is none.
pub fn classify(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Outcome {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Outcome::Sent { provider_message_id: json["data"]["id"].as_str().map(str::to_owned) };
    }
    let code = error_code(&json["errors"]).unwrap_or_else(|| format!("http_{status}"));
    if status == 429 || status >= 500 {
        Outcome::Retry { after: retry_after(header("retry-after").as_deref()), code }
    } else {
        Outcome::Failed { code }
    }
}

/// The first `code` of a Telnyx `errors` array (a string in Telnyx's answers; a number
/// accepted too).
pub(crate) fn error_code(errors: &Value) -> Option<String> {
    let code = &errors.as_array()?.first()?["code"];
    match code {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
