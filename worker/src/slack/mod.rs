//! Slack at the edge (issue 14): the configuration, each user's reach on `slack`, and the
//! sender the `SendChannel` job calls. The request and the reading of Slack's answers are the
//! core's (`tidings::slack`); this module fetches, marks a refused user token invalid, and
//! says what came of it.

use crate::channels::Attempt;
use crate::config::{text, Config};
use crate::http::Fail;
use crate::store::slack::{invalidate, Refused};
use tidings::channel::{HttpRequest, Outcome};
use tidings::mobile::provider_url_ok;
use tidings::model::Delivery;
use tidings::notify::Reach;
use tidings::slack::{api, message, Route, PROVIDER};
use tidings::users::StoredUser;
use worker::{console_error, Env};

/// Slack's variables.
#[derive(Debug, Clone, Default)]
pub struct SlackConfig {
    /// `TIDINGS_SLACK_BOT_TOKEN`: posts for users whose `slackToken` has no `access_token`.
    pub bot_token: Option<String>,
    /// `TIDINGS_SLACK_ENDPOINT` (an origin; default `https://slack.com`); `None` when it is
    /// set to something unusable (logged), which turns Slack off.
    pub endpoint: Option<String>,
}

impl SlackConfig {
    /// Reads the variables.
    pub fn from_env(env: &Env, dev_mode: bool) -> Self {
        let endpoint = text(env, "TIDINGS_SLACK_ENDPOINT");
        let endpoint = match endpoint.trim() {
            "" => Some(api::DEFAULT_ENDPOINT.to_owned()),
            e if provider_url_ok(e, dev_mode) => Some(e.trim_end_matches('/').to_owned()),
            _ => {
                console_error!("TIDINGS_SLACK_ENDPOINT is not an https:// origin; Slack is off");
                None
            }
        };
        let bot_token = Some(text(env, "TIDINGS_SLACK_BOT_TOKEN")).filter(|t| !t.trim().is_empty());
        SlackConfig { bot_token, endpoint }
    }
}

/// Whether Slack can be used at all (users bring their own tokens, so it is on unless
/// `TIDINGS_SLACK_ENDPOINT` is unusable).
pub fn configured(config: &Config) -> bool {
    config.slack.endpoint.is_some()
}

/// A stored user's reach on `slack`.
pub fn reach(config: &Config, user: &StoredUser) -> Reach {
    tidings::slack::reach(&user.profile, user.slack_token_invalid, config.slack.bot_token.as_deref())
}

/// The status, a header reader and the body of one Slack call; a network failure is a retry.
async fn call(request: &HttpRequest) -> Result<(u16, worker::Headers, Vec<u8>), Outcome> {
    crate::mobile::sender::raw_fetch(request).await.ok_or(Outcome::Retry { after: None, code: "network".into() })
}

/// Sends delivery `d` to `user` on Slack.
pub async fn send(env: &Env, config: &Config, user: &StoredUser, d: &Delivery, now: i64) -> Result<Attempt, Fail> {
    let Some(endpoint) = config.slack.endpoint.as_deref() else {
        return Ok(Attempt::Skip("channel_not_configured"));
    };
    let route = match tidings::slack::route(&user.profile, user.slack_token_invalid, config.slack.bot_token.as_deref())
    {
        Ok(route) => route,
        Err(Reach::NoAddress) => return Ok(Attempt::Skip("no_address")),
        Err(Reach::Blocked(reason)) => return Ok(Attempt::Skip(reason)),
        Err(_) => return Ok(Attempt::Skip("channel_not_configured")),
    };
    let msg = message::of_delivery(d);
    let (outcome, refused) = match &route {
        Route::Webhook(url) => {
            let Ok(request) = api::post_webhook(url, &msg, config.dev_mode) else {
                return Ok(Attempt::Fail("webhook_url_not_allowed"));
            };
            let outcome = match call(&request).await {
                Ok((status, headers, body)) => api::classify_webhook(status, |n| headers.get(n).ok().flatten(), &body),
                Err(retry) => retry,
            };
            (outcome, Some(Refused::Webhook(url)))
        }
        Route::Api { token, own, target } => {
            let outcome = post(endpoint, token, target, &msg).await;
            if !own && matches!(outcome, Outcome::Invalid { .. }) {
                console_error!("Slack refused TIDINGS_SLACK_BOT_TOKEN: {:?}", outcome.code());
            }
            (outcome, own.then_some(Refused::AccessToken(token)))
        }
    };
    if let (Outcome::Invalid { .. }, Some(refused)) = (&outcome, refused) {
        invalidate(&env.d1("DB")?, &user.id, refused, now).await?;
    }
    Ok(Attempt::Answered { provider: PROVIDER, outcome })
}

/// `chat.postMessage` to `target`, opening the DM first for a user id.
async fn post(endpoint: &str, token: &str, target: &tidings::slack::Target, msg: &message::Message) -> Outcome {
    let channel = match target.post_channel() {
        Some(channel) => channel,
        None => {
            let tidings::slack::Target::User(user) = target else {
                return Outcome::Failed { code: "channel_not_found".into() };
            };
            match call(&api::open_conversation(endpoint, token, user)).await {
                Ok((status, headers, body)) => {
                    match api::classify_open(status, |n| headers.get(n).ok().flatten(), &body) {
                        Ok(dm) => dm,
                        Err(outcome) => return outcome,
                    }
                }
                Err(retry) => return retry,
            }
        }
    };
    match call(&api::post_message(endpoint, token, &channel, msg)).await {
        Ok((status, headers, body)) => api::classify_post(status, |n| headers.get(n).ok().flatten(), &body),
        Err(retry) => retry,
    }
}
