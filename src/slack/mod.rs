//! Slack from the edge, the pure part: where a user's `slackChannel` points ([`channel`]), what
//! a delivery says in Slack (text fallback plus Block Kit, [`message`]), and the Web API and
//! incoming-webhook `prepare`/`classify` pairs ([`api`]).
//!
//! No I/O, no clocks. The worker fetches what [`api`] prepares and records what it classifies.

pub mod api;
pub mod channel;
pub mod message;

pub use channel::Target;

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
