//! Slack from the edge, the pure part: where a user's `slackChannel` points ([`channel`]), what
//! a delivery says in Slack (text fallback plus Block Kit, [`message`]), and the Web API and
//! incoming-webhook `prepare`/`classify` pairs ([`api`]).
//!
//! No I/O, no clocks. The worker fetches what [`api`] prepares and records what it classifies.

pub mod api;
pub mod channel;
pub mod message;

pub use channel::Target;

use crate::model::Profile;
use crate::notify::Reach;
use crate::FieldError;
use serde_json::{Map, Value};

/// The provider name recorded on a Slack delivery (`provider`).
pub const PROVIDER: &str = "slack";

/// Why a Slack request could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackError {
    /// No bearer token: neither `slackToken.access_token` nor `TIDINGS_SLACK_BOT_TOKEN`.
    #[error("no Slack token: the user has no slackToken.access_token and TIDINGS_SLACK_BOT_TOKEN is unset")]
    NoToken,
    /// `slackChannel` is missing or is a form that cannot be posted to (see [`Target`]).
    #[error("slackChannel is missing or cannot be posted to")]
    NoChannel,
    /// The incoming webhook URL is not on `hooks.slack.com` (or loopback in dev mode).
    #[error("the incoming webhook URL is not an https://hooks.slack.com/ URL")]
    WebhookUrl,
}

impl SlackError {
    /// The delivery's `reason` when a send stops here.
    pub fn reason(&self) -> &'static str {
        match self {
            SlackError::NoToken => "channel_not_configured",
            SlackError::NoChannel => "no_address",
            SlackError::WebhookUrl => "webhook_url_not_allowed",
        }
    }
}

/// How one Slack message goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// POST to the user's incoming webhook (`slackToken.incoming_webhook.url`).
    Webhook(String),
    /// `chat.postMessage` (after `conversations.open` for a user id).
    Api {
        /// The bearer token.
        token: String,
        /// Whether it is the user's own `slackToken.access_token` (else the operator's bot
        /// token): only the user's own is marked invalid when Slack refuses it.
        own: bool,
        /// Where to post.
        target: Target,
    },
}

/// Whether `target` is where the incoming webhook posts anyway (its `channel_id`, or its
/// `channel` name).
fn is_webhook_channel(target: &Target, token: &Map<String, Value>) -> bool {
    let hook = |k: &str| token.get("incoming_webhook").and_then(|h| h.get(k)).and_then(Value::as_str);
    match target {
        Target::Conversation(id) => hook("channel_id") == Some(id),
        Target::Name(name) => hook("channel").is_some_and(|c| c.trim_start_matches('#') == name),
        Target::User(_) | Target::Username(_) => false,
    }
}

/// How a user's Slack message goes out, or why it cannot.
///
/// The incoming webhook is used when the user asked for no other place: `slackChannel` is
/// unset, an `@name` (not postable), or the webhook's own channel. Otherwise the message goes
/// through the Web API to `slackChannel`, with the user's `slackToken.access_token`, else
/// `bot_token` (`TIDINGS_SLACK_BOT_TOKEN`). `token_invalid`: Slack refused the user's token
/// and no new `slackToken` was set since; nothing is sent for the user until one is.
pub fn route(profile: &Profile, token_invalid: bool, bot_token: Option<&str>) -> Result<Route, Reach> {
    let token = profile.slack_token.as_ref();
    if token_invalid && token.is_some() {
        return Err(Reach::Blocked("token_invalid"));
    }
    let target = profile.slack_channel.as_deref().and_then(channel::parse);
    if let Some(url) = api::webhook_url(token) {
        let other_place = target
            .as_ref()
            .is_some_and(|t| !matches!(t, Target::Username(_)) && !token.is_some_and(|m| is_webhook_channel(t, m)));
        if !other_place {
            return Ok(Route::Webhook(url.to_owned()));
        }
    }
    let target = match target {
        None => return Err(Reach::NoAddress),
        Some(Target::Username(_)) => return Err(Reach::Blocked(channel::USERNAME_UNSUPPORTED)),
        Some(t) => t,
    };
    let own = api::token(token, None);
    match (own, api::token(None, bot_token)) {
        (Some(token), _) => Ok(Route::Api { token, own: true, target }),
        (None, Some(token)) => Ok(Route::Api { token, own: false, target }),
        (None, None) => Err(Reach::NotConfigured),
    }
}

/// A user's reach on `slack` (see [`route`]).
pub fn reach(profile: &Profile, token_invalid: bool, bot_token: Option<&str>) -> Reach {
    route(profile, token_invalid, bot_token).map_or_else(|r| r, |_| Reach::Ready)
}

/// Refuses a `slackToken` (the OAuth v2 answer, stored as given) whose members we use are
/// unusable: `access_token` must be a non-empty string, `incoming_webhook.url` an
/// `https://hooks.slack.com/` URL (loopback `http://` in dev mode). Errors name the member.
pub fn check_token(field: &str, token: &Map<String, Value>, dev_mode: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(t) = token.get("access_token") {
        if !t.as_str().is_some_and(|t| !t.is_empty() && t.chars().count() <= 1024) {
            let f = format!("{field}.access_token");
            errors.push(FieldError::new(f.clone(), "invalid", format!("{f} must be a non-empty string")));
        }
    }
    if let Some(hook) = token.get("incoming_webhook") {
        let url = hook.get("url");
        if !hook.is_object() || url.is_some_and(|u| !u.as_str().is_some_and(|u| api::webhook_url_ok(u, dev_mode))) {
            let f = format!("{field}.incoming_webhook.url");
            errors.push(FieldError::new(
                f.clone(),
                "invalid",
                format!("{f} must be an https://{}/ URL", api::WEBHOOK_HOST),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests;
