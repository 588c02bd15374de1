//! One email: the delivery's content, the core's `prepare` (SendEmail v2 JSON, SigV4), a
//! fetch, the core's `classify`. A user without an address is `no_address`, a suppressed one
//! `suppressed` (both `skipped`).

use crate::channels::Attempt;
use crate::config::Config;
use crate::http::Fail;
use serde_json::Value;
use tidings::channel::Outcome;
use tidings::email::template::EmailContent;
use tidings::email::{ses, unsubscribe, PROVIDER};
use tidings::model::Delivery;
use tidings::users::StoredUser;
use worker::{console_error, Env};

/// The email of delivery `d` to `user`, as its template renders it.
pub fn content(config: &Config, public_url: &str, user: &StoredUser, d: &Delivery) -> EmailContent {
    let text = |k: &str| d.data.get(k).and_then(Value::as_str).map(str::to_owned);
    let token = unsubscribe::token(&config.secret_key, &user.id, d.topic.as_deref(), d.category.as_deref());
    EmailContent {
        subject: ses::subject(text("subject").as_deref(), text("body").as_deref()),
        body: text("body"),
        url: text("url"),
        unsubscribe_url: token.map(|t| unsubscribe::url(public_url, &t)),
    }
}

/// Sends delivery `d` to `user`'s address.
pub async fn send(_env: &Env, config: &Config, user: &StoredUser, d: &Delivery, now: i64) -> Result<Attempt, Fail> {
    let settings = match config.email.settings(config.dev_mode) {
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            console_error!("{e}");
            return Ok(Attempt::Fail("channel_not_configured"));
        }
        None => return Ok(Attempt::Fail("channel_not_configured")),
    };
    let Some(to) = user.profile.email.as_deref().filter(|e| !e.is_empty()) else {
        return Ok(Attempt::Skip("no_address"));
    };
    if user.email_suppression.is_some() {
        return Ok(Attempt::Skip("suppressed"));
    }
    let c = content(config, &settings.public_url, user, d);
    let request = match ses::prepare(&settings.ses, to, &c, &d.id, &user.id, now) {
        Ok(r) => r,
        Err(e) => {
            console_error!("email request could not be made: {e}");
            return Ok(Attempt::Fail("request_failed"));
        }
    };
    let outcome = match crate::mobile::sender::raw_fetch(&request).await {
        Some((status, headers, body)) => ses::classify(status, |n| headers.get(n).ok().flatten(), &body),
        None => Outcome::Retry { after: None, code: "network".into() },
    };
    Ok(Attempt::Answered { provider: PROVIDER, outcome })
}
