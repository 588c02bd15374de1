//! The `SendChannel` job: one delivery on a single-address channel (`email`, `sms`, `slack`,
//! `webhook`). Accepted → `sent` with `provider`, `provider_message_id`, `attempts`;
//! 429/5xx/network → retried (Retry-After or the schedule) up to `MAX_ATTEMPTS`; refused →
//! `failed` with `reason` and `provider_code`. A repeat of a job whose delivery is no longer
//! `pending` (a crashed consumer, a swept lease) sends nothing.

use super::Attempt;
use crate::config::Config;
use crate::feed::protocol::ProviderReport;
use crate::feed::status;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::channel::Outcome;
use tidings::jobs::Job;
use tidings::model::{ChannelType, Delivery, DeliveryStatus};
use tidings::notify::push::{self, MAX_ATTEMPTS};
use tidings::users::StoredUser;
use worker::Env;

/// Carries out one `SendChannel` job.
pub async fn run(env: &Env, d: &Delivery, attempt: u32) -> Result<(), Fail> {
    if status::current(env, d).await? != Some(DeliveryStatus::Pending) {
        return Ok(());
    }
    let config = Config::from_env(env);
    let db = env.d1("DB")?;
    let user = match store::users::find_id(&db, &d.recipient_id).await? {
        Some(user) => user,
        // The webhook needs no address: a user never stored is sent as its id.
        None if d.channel_type == ChannelType::Webhook => {
            StoredUser { id: d.recipient_id.clone(), ..Default::default() }
        }
        None => return status::set(env, d, DeliveryStatus::Skipped, Some("no_address"), None).await,
    };
    let next = attempt + 1;
    match send(env, &config, &user, d, now_ms()).await? {
        Attempt::Skip(reason) => status::set(env, d, DeliveryStatus::Skipped, Some(reason), None).await,
        Attempt::Fail(reason) => status::set(env, d, DeliveryStatus::Failed, Some(reason), None).await,
        Attempt::Answered { outcome: Outcome::Retry { after, .. }, .. } if next < MAX_ATTEMPTS => {
            let delay = push::retry_delay(&config.retry_schedule, next, after);
            crate::jobs::submit(env, &[Job::SendChannel { delivery: Box::new(d.clone()), attempt: next }], delay).await
        }
        Attempt::Answered { provider, outcome } => {
            let report = ProviderReport {
                provider: Some(provider.to_owned()),
                provider_message_id: match &outcome {
                    Outcome::Sent { provider_message_id } => provider_message_id.clone(),
                    _ => None,
                },
                attempts: Some(next),
                provider_code: outcome.code().map(str::to_owned),
                segments: crate::sms::sender::segments(d),
            };
            match outcome {
                Outcome::Sent { .. } => status::set(env, d, DeliveryStatus::Sent, None, Some(report)).await,
                other => status::set(env, d, DeliveryStatus::Failed, Some(other.reason()), Some(report)).await,
            }
        }
    }
}

/// Sends `d` on its channel to `user`. Each channel adds its arm here:
/// `ChannelType::Email => crate::email::send(env, config, user, d, now).await,`
async fn send(env: &Env, config: &Config, user: &StoredUser, d: &Delivery, now: i64) -> Result<Attempt, Fail> {
    match d.channel_type {
        ChannelType::Sms => crate::sms::sender::send(env, config, user, d, now).await,
        ChannelType::Webhook => crate::webhook::sender::send(config, user, d, now).await,
        ChannelType::Slack => crate::slack::send(env, config, user, d, now).await,
        _ => Ok(Attempt::Fail("channel_not_configured")),
    }
}
