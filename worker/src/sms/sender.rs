//! One SMS: the core composes the text and prepares `POST /v2/messages`, this fetches it, the
//! core classifies the answer; an accepted message's Telnyx id is remembered so that its
//! delivery receipt (`message.finalized`) finds the delivery.

use crate::channels::Attempt;
use crate::config::Config;
use crate::http::Fail;
use crate::mobile::sender::raw_fetch;
use crate::store;
use tidings::channel::Outcome;
use tidings::model::{ChannelType, Delivery};
use tidings::sms::telnyx::{self, Account};
use tidings::sms::{self, SmsError, OPTED_OUT, PROVIDER};
use tidings::users::StoredUser;
use worker::{console_error, Env};

/// Sends delivery `d` to `user`'s number.
pub async fn send(env: &Env, config: &Config, user: &StoredUser, d: &Delivery, now: i64) -> Result<Attempt, Fail> {
    let settings = match config.telnyx.settings(config.dev_mode) {
        None => return Ok(Attempt::Fail("channel_not_configured")),
        Some(Err(e)) => {
            console_error!("{e}");
            return Ok(Attempt::Fail("channel_not_configured"));
        }
        Some(Ok(s)) => s,
    };
    let Some(number) = user.profile.number.as_deref() else { return Ok(Attempt::Skip("no_address")) };
    // A STOP may have arrived between the send and this job.
    if user.sms_opted_out {
        return Ok(Attempt::Skip(OPTED_OUT));
    }
    let Some(message) = sms::message(&d.data) else { return Ok(Attempt::Fail("empty_message")) };
    let account = Account { api_key: &settings.api_key, sender: &settings.sender, endpoint: &settings.endpoint };
    let request = match telnyx::prepare(&account, number, &message.text, settings.webhook_url.as_deref()) {
        Ok(r) => r,
        Err(SmsError::Empty) => return Ok(Attempt::Fail("empty_message")),
        Err(e) => {
            console_error!("{e}");
            return Ok(Attempt::Fail("channel_not_configured"));
        }
    };
    let outcome = match raw_fetch(&request).await {
        None => Outcome::Retry { after: None, code: "network".into() },
        Some((status, headers, body)) => telnyx::classify(status, |n| headers.get(n).ok().flatten(), &body),
    };
    if let Outcome::Sent { provider_message_id: Some(id) } = &outcome {
        store::sms::remember(&env.d1("DB")?, id, &d.id, &user.id, now).await?;
    }
    Ok(Attempt::Answered { provider: PROVIDER, outcome })
}

/// The segments an SMS delivery's text travels in (recorded on the delivery); `None` for other
/// channels. The text is a pure function of the delivery's `data`, so this is what was sent.
pub fn segments(d: &Delivery) -> Option<u32> {
    (d.channel_type == ChannelType::Sms).then(|| sms::message(&d.data).map(|m| m.count.segments)).flatten()
}
