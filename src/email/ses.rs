//! Amazon SES v2 `SendEmail` (`POST /v2/email/outbound-emails`): the configuration, `prepare`
//! (the JSON body, signed with SigV4, service `ses`) and `classify` (what SES answered).

use super::sigv4::{self, Credentials};
use super::template::{self, EmailContent};
use super::EmailError;
use crate::channel::{retry_after, HttpRequest, Outcome};
use crate::validate::B64URL;
use base64::Engine;
use serde_json::{json, Value};

/// The SigV4 service name of SES.
pub const SERVICE: &str = "ses";
/// The SendEmail path.
pub const PATH: &str = "/v2/email/outbound-emails";
/// The `EmailTags` name carrying the delivery id (SES event notifications echo it back).
pub const TAG_DELIVERY: &str = "tidings_delivery";
/// The `EmailTags` name carrying the user id, base64url (tag values allow `[A-Za-z0-9_-]`).
pub const TAG_USER: &str = "tidings_user";
/// Longest header value SES takes.
const MAX_HEADER: usize = 995;
/// Longest tag value SES takes.
const MAX_TAG: usize = 256;

/// The SES endpoint of `region`.
pub fn default_endpoint(region: &str) -> String {
    format!("https://email.{region}.amazonaws.com")
}

/// SES, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesConfig {
    /// `TIDINGS_SES_REGION`, e.g. `eu-west-1`.
    pub region: String,
    /// The signing credentials.
    pub credentials: Credentials,
    /// `TIDINGS_EMAIL_FROM`: `addr` or `Name <addr>`.
    pub from: String,
    /// `TIDINGS_SES_CONFIGURATION_SET` (event publishing to SNS lives there).
    pub configuration_set: Option<String>,
    /// Base URL (`TIDINGS_SES_ENDPOINT` or the region's).
    pub endpoint: String,
}

/// Whether `region` looks like an AWS region (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`).
pub fn region_ok(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The address inside `TIDINGS_EMAIL_FROM` (`addr` or `Name <addr>`), when it is one.
pub fn from_address(from: &str) -> Option<&str> {
    let from = from.trim();
    let addr = match from.rfind('<') {
        Some(i) if from.ends_with('>') => &from[i + 1..from.len() - 1],
        Some(_) => return None,
        None => from,
    };
    crate::validate::email("from", addr).ok().map(|_| addr)
}

/// One line, for a header: line breaks become spaces.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

/// The subject: `data.subject`, else the body's first line (at most 78 characters), else
/// `Notification`.
pub fn subject(subject: Option<&str>, body: Option<&str>) -> String {
    let s = subject.map(one_line).filter(|s| !s.is_empty());
    let from_body =
        || body.and_then(|b| b.lines().map(str::trim).find(|l| !l.is_empty())).map(|l| l.chars().take(78).collect());
    s.or_else(from_body).unwrap_or_else(|| "Notification".into())
}

fn content(data: &str) -> Value {
    json!({ "Data": data, "Charset": "UTF-8" })
}

/// The `SendEmail` request of one email to `to`, signed at `now_ms`.
pub fn prepare(
    config: &SesConfig,
    to: &str,
    c: &EmailContent,
    delivery_id: &str,
    user_id: &str,
    now_ms: i64,
) -> Result<HttpRequest, EmailError> {
    let mut headers = Vec::new();
    let list_unsubscribe = c.unsubscribe_url.as_deref().map(|u| format!("<{u}>"));
    if let Some(list_unsubscribe) =
        list_unsubscribe.filter(|l| l.len() <= MAX_HEADER && l.bytes().all(|b| (b' '..=b'~').contains(&b)))
    {
        headers.push(json!({ "Name": "List-Unsubscribe", "Value": list_unsubscribe }));
        headers.push(json!({ "Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click" }));
    }
    let mut tags = vec![json!({ "Name": TAG_DELIVERY, "Value": delivery_id })];
    let user_tag = B64URL.encode(user_id);
    if user_tag.len() <= MAX_TAG {
        tags.push(json!({ "Name": TAG_USER, "Value": user_tag }));
    }
    let mut body = json!({
        "FromEmailAddress": config.from,
        "Destination": { "ToAddresses": [to] },
        "Content": { "Simple": {
            "Subject": content(&c.subject),
            "Body": { "Text": content(&template::text(c)), "Html": content(&template::html(c)) },
            "Headers": headers,
        } },
        "EmailTags": tags,
    });
    if let Some(set) = &config.configuration_set {
        body["ConfigurationSetName"] = set.clone().into();
    }
    let mut request = HttpRequest {
        method: "POST",
        url: format!("{}{PATH}", config.endpoint.trim_end_matches('/')),
        headers: vec![("content-type", "application/json".into())],
        body: body.to_string().into_bytes(),
    };
    sigv4::sign(&mut request, &config.credentials, &config.region, SERVICE, now_ms)
        .ok_or(EmailError::Config("TIDINGS_SES_ENDPOINT"))?;
    Ok(request)
}

/// The error code of an SES answer: `x-amzn-ErrorType` (up to `:`), else the body's `__type`
/// (after `#`) or `code`, else `http_<status>`.
pub fn error_code(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> String {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let from_header = header("x-amzn-errortype").map(|v| v.split(':').next().unwrap_or_default().trim().to_owned());
    let from_body = json["__type"]
        .as_str()
        .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
        .or_else(|| json["code"].as_str().or(json["Code"].as_str()).map(str::to_owned));
    from_header.filter(|c| !c.is_empty()).or(from_body).unwrap_or_else(|| format!("http_{status}"))
}

/// What SES's answer means: 200 → `Sent` (`MessageId`); throttling (`TooManyRequestsException`,
/// `LimitExceededException`, 429) and 5xx → `Retry`; anything else (`MessageRejected`,
/// `MailFromDomainNotVerifiedException`, `AccountSuspendedException`, `SendingPausedException`,
/// a refused signature) → `Failed` with SES's code.
pub fn classify(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Outcome {
    if (200..300).contains(&status) {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        return Outcome::Sent { provider_message_id: json["MessageId"].as_str().map(str::to_owned) };
    }
    let after = retry_after(header("retry-after").as_deref());
    let code = error_code(status, header, body);
    match (status, code.as_str()) {
        (_, "TooManyRequestsException" | "LimitExceededException" | "Throttling" | "ThrottlingException") => {
            Outcome::Retry { after, code }
        }
        (429 | 500..=599, _) => Outcome::Retry { after, code },
        _ => Outcome::Failed { code },
    }
}
