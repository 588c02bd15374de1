//! The Slack requests and what Slack's answers mean: the Web API (`chat.postMessage`,
//! `conversations.open`) with a bearer token, and incoming webhooks.
//!
//! The Web API answers HTTP 200 with `{"ok": true, …}` or `{"ok": false, "error": "<code>"}`;
//! rate limiting is HTTP 429 with `Retry-After` (seconds) and `error: "ratelimited"`.
//! Incoming webhooks answer plain text: `ok` on 200, otherwise a code such as
//! `invalid_payload` (400), `invalid_token` (403), `action_prohibited` (403),
//! `channel_not_found` (404), `no_service` (404), `channel_is_archived` (410),
//! `rollup_error` (500).

use super::message::Message;
use super::SlackError;
use crate::channel::{retry_after, HttpRequest, Outcome};
use serde_json::{json, Map, Value};

/// The default Web API origin (`TIDINGS_SLACK_ENDPOINT` overrides it).
pub const DEFAULT_ENDPOINT: &str = "https://slack.com";
/// The only host incoming webhooks may be posted to.
pub const WEBHOOK_HOST: &str = "hooks.slack.com";

/// Web API error codes that mean the token no longer works: mark it invalid.
const TOKEN_DEAD: [&str; 6] =
    ["invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired", "org_login_required"];
/// Web API error codes that are Slack's trouble, not ours: try again.
const TRANSIENT: [&str; 5] = ["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"];
/// Incoming-webhook codes that mean the webhook itself is gone (app removed, hook revoked).
const HOOK_DEAD: [&str; 4] = ["invalid_token", "no_service", "no_team", "no_active_hooks"];

/// The bearer token for a user: `slackToken.access_token` (the OAuth v2 answer's bot token),
/// else the operator's `TIDINGS_SLACK_BOT_TOKEN`.
pub fn token(slack_token: Option<&Map<String, Value>>, bot_token: Option<&str>) -> Option<String> {
    slack_token
        .and_then(|t| t.get("access_token"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .or(bot_token.filter(|t| !t.is_empty()))
        .map(str::to_owned)
}

/// `slackToken.incoming_webhook.url`, when set.
pub fn webhook_url(slack_token: Option<&Map<String, Value>>) -> Option<&str> {
    slack_token?.get("incoming_webhook")?.get("url")?.as_str().filter(|u| !u.is_empty())
}

/// Whether an incoming webhook URL may be posted to: `https://hooks.slack.com/` and a path of
/// printable ASCII ([`WEBHOOK_PATTERN`]), or in dev mode `http://` to a loopback host (a
/// local fake).
pub fn webhook_url_ok(url: &str, dev_mode: bool) -> bool {
    if let Some(path) = url.strip_prefix("https://hooks.slack.com/") {
        return !path.is_empty() && path.chars().all(|c| ('!'..='~').contains(&c));
    }
    url.starts_with("http://")
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && crate::mobile::provider_url_ok(url, dev_mode)
}

/// `/openapi.json`'s pattern for `slackToken.incoming_webhook.url` (outside dev mode).
pub const WEBHOOK_PATTERN: &str = "^https://hooks\\.slack\\.com/[!-~]+$";

fn api(endpoint: &str, method: &str, token: &str, body: Value) -> HttpRequest {
    HttpRequest {
        method: "POST",
        url: format!("{}/api/{method}", endpoint.trim_end_matches('/')),
        headers: vec![
            ("authorization", format!("Bearer {token}")),
            ("content-type", "application/json; charset=utf-8".into()),
        ],
        body: body.to_string().into_bytes(),
    }
}

/// `chat.postMessage` of `message` to `channel` (an id or `#name`).
pub fn post_message(endpoint: &str, token: &str, channel: &str, message: &Message) -> HttpRequest {
    api(
        endpoint,
        "chat.postMessage",
        token,
        json!({
            "channel": channel,
            "text": message.text,
            "blocks": message.blocks,
            "unfurl_links": false,
            "unfurl_media": false,
        }),
    )
}

/// `conversations.open` of the direct message with `user` (a `U…`/`W…` id).
pub fn open_conversation(endpoint: &str, token: &str, user: &str) -> HttpRequest {
    api(endpoint, "conversations.open", token, json!({ "users": user }))
}

/// A POST of `message` to an incoming webhook (refused unless [`webhook_url_ok`]).
pub fn post_webhook(url: &str, message: &Message, dev_mode: bool) -> Result<HttpRequest, SlackError> {
    if !webhook_url_ok(url, dev_mode) {
        return Err(SlackError::WebhookUrl);
    }
    Ok(HttpRequest {
        method: "POST",
        url: url.to_owned(),
        headers: vec![("content-type", "application/json; charset=utf-8".into())],
        body: json!({ "text": message.text, "blocks": message.blocks }).to_string().into_bytes(),
    })
}

/// A Web API answer: `Ok(body)` when `ok: true`, else what it means for the delivery.
fn web_api(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Result<Value, Outcome> {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = json["error"].as_str().map_or_else(|| format!("http_{status}"), str::to_owned);
    let retry = |code: String| Outcome::Retry { after: retry_after(header("retry-after").as_deref()), code };
    if status == 429 || status >= 500 {
        return Err(retry(code));
    }
    if status == 200 && json["ok"] == Value::Bool(true) {
        return Ok(json);
    }
    if status != 200 || !json.is_object() {
        return Err(Outcome::Failed { code });
    }
    Err(match code.as_str() {
        c if TOKEN_DEAD.contains(&c) => Outcome::Invalid { code },
        c if TRANSIENT.contains(&c) => retry(code),
        _ => Outcome::Failed { code },
    })
}

/// What a `chat.postMessage` answer means: `Sent` with the message's `ts`; `Invalid` when the
/// token is dead (`invalid_auth`, `token_revoked`, `account_inactive`, …); `Retry` on 429,
/// `ratelimited`, 5xx and Slack's own errors; `Failed` with Slack's code otherwise
/// (`channel_not_found`, `not_in_channel`, `is_archived`, `invalid_blocks`, …).
pub fn classify_post(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Outcome {
    match web_api(status, header, body) {
        Ok(json) => Outcome::Sent { provider_message_id: json["ts"].as_str().map(str::to_owned) },
        Err(outcome) => outcome,
    }
}

/// What a `conversations.open` answer means: the DM's id (`channel.id`), or the outcome for
/// the delivery, as [`classify_post`] reads it (`user_not_found`, `cannot_dm_bot`, … fail).
pub fn classify_open(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Result<String, Outcome> {
    let json = web_api(status, header, body)?;
    json["channel"]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Outcome::Failed { code: "conversations_open_malformed".into() })
}

/// What an incoming webhook's answer means: `Sent` on 200 (no message id: webhooks give
/// none); `Invalid` when the webhook is gone (`invalid_token`, `no_service`, …: the app was
/// removed or the hook revoked); `Retry` on 429 and 5xx; `Failed` with the code otherwise.
pub fn classify_webhook(status: u16, header: impl Fn(&str) -> Option<String>, body: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(body);
    let word = text.trim();
    let code = if word.is_empty() || word.len() > 64 || word.contains(char::is_whitespace) {
        format!("http_{status}")
    } else {
        word.to_owned()
    };
    match status {
        200..=299 => Outcome::Sent { provider_message_id: None },
        429 | 500..=599 => Outcome::Retry { after: retry_after(header("retry-after").as_deref()), code },
        _ if HOOK_DEAD.contains(&code.as_str()) => Outcome::Invalid { code },
        _ => Outcome::Failed { code },
    }
}
