//! One webhook: the core builds and signs the request (Standard Webhooks), this fetches it, the
//! core classifies the answer. A 410 fails the delivery and is logged; the channel stays on
//! (the operator owns the URL, and one receiver's 410 should not silence every later event).

use crate::channels::Attempt;
use crate::config::Config;
use crate::http::Fail;
use crate::mobile::sender::raw_fetch;
use tidings::channel::Outcome;
use tidings::model::Delivery;
use tidings::users::StoredUser;
use tidings::webhook::message::{classify, prepare, WebhookUser};
use tidings::webhook::PROVIDER;
use worker::{console_error, console_warn};

/// POSTs delivery `d` for `user` to the configured receiver.
pub async fn send(config: &Config, user: &StoredUser, d: &Delivery, now: i64) -> Result<Attempt, Fail> {
    let settings = match config.webhook.settings(config.dev_mode) {
        None => return Ok(Attempt::Fail("channel_not_configured")),
        Some(Err(var)) => {
            console_error!("webhook channel: {var} is missing or malformed");
            return Ok(Attempt::Fail("channel_not_configured"));
        }
        Some(Ok(s)) => s,
    };
    let request = prepare(d, WebhookUser::new(&user.id, &user.profile), &settings.url, &settings.secret, now);
    let outcome = match raw_fetch(&request).await {
        None => Outcome::Retry { after: None, code: "network".into() },
        Some((status, headers, _)) => classify(status, |n| headers.get(n).ok().flatten()),
    };
    if outcome.code() == Some("http_410") {
        console_warn!("the webhook receiver answered 410 Gone for delivery {}; the channel stays configured", d.id);
    }
    Ok(Attempt::Answered { provider: PROVIDER, outcome })
}
