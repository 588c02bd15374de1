//! The `SendWebPush` job: one delivery to every valid subscription of its user.
//! Any accepted → `sent`; 429/5xx/network → retried (Retry-After or the configured schedule)
//! up to `MAX_ATTEMPTS`; 404/410 → subscription removed; 401/403, or a subscription made with a
//! VAPID key that is neither the current nor the previous one → subscription marked invalid;
//! no subscription left or everything refused → `failed` with the reason.

use super::sender::{Message, Outcome, Sender};
use crate::config::Config;
use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::jobs::Job;
use tidings::model::{Delivery, DeliveryStatus};
use tidings::notify::push::{self, MAX_ATTEMPTS};
use tidings::notify::Urgency;
use tidings::time::rfc3339;
use worker::{console_error, Env};

/// Carries out one `SendWebPush` job.
pub async fn run(
    env: &Env,
    d: &Delivery,
    ttl: u32,
    urgency: Urgency,
    attempt: u32,
    only: Option<&[String]>,
) -> Result<(), Fail> {
    let config = Config::from_env(env);
    let now = now_ms();
    let db = env.d1("DB")?;
    let user = d.recipient_id.as_str();
    let sender = match Sender::new(&config).await {
        Ok(s) => s,
        Err(missing) => {
            console_error!("web push is not configured: {}", missing.0);
            return set_status(env, d, DeliveryStatus::Failed, Some("vapid_not_configured".into())).await;
        }
    };
    if attempt == 0 && !still_pending(env, d).await? {
        // A repeat of a job that already ran (a crashed consumer, a re-run bulk batch).
        return Ok(());
    }
    let mut subs = store::users::valid_web_push(&db, user).await?;
    if let Some(only) = only {
        subs.retain(|(s, _)| only.contains(&s.sub.endpoint));
    }
    if subs.is_empty() {
        let reason = if only.is_some() { "subscription_gone" } else { "no_subscription" };
        return set_status(env, d, DeliveryStatus::Failed, Some(reason.into())).await;
    }
    let token = push::action_token(&config.secret_key, user, &d.id, now / 1000 + push::ACTION_TOKEN_SECONDS);
    let payload = match push::payload_bytes(&push::payload(d, token)) {
        Ok(p) => p,
        Err(_) => return set_status(env, d, DeliveryStatus::Failed, Some("payload_too_large".into())).await,
    };
    let message =
        Message { payload: &payload, ttl, urgency, topic: push::topic_header(d.topic.as_deref()), now_s: now / 1000 };

    let mut accepted = false;
    let mut retry: Vec<String> = Vec::new();
    let mut retry_after: Option<u32> = None;
    let mut failure: Option<Outcome> = None;
    for (sub, key) in &subs {
        let outcome = sender.send(sub, key.as_deref(), &message).await.unwrap_or_else(|e| {
            console_error!("web push request could not be built: {e}");
            Outcome::Rejected(0)
        });
        let endpoint = sub.sub.endpoint.as_str();
        match outcome {
            Outcome::Accepted => accepted = true,
            Outcome::Retry(after) => {
                retry.push(endpoint.to_owned());
                retry_after = retry_after.max(after);
            }
            Outcome::Gone => {
                store::users::remove_web_push(&db, user, endpoint).await?;
            }
            Outcome::Unauthorized | Outcome::KeyRetired => {
                store::users::invalidate_web_push(&db, user, endpoint, now).await?
            }
            Outcome::TooLarge | Outcome::Rejected(_) => {}
        }
        if !matches!(outcome, Outcome::Accepted | Outcome::Retry(_)) {
            failure.get_or_insert(outcome);
        }
    }

    let next = attempt + 1;
    let retrying = !retry.is_empty() && next < MAX_ATTEMPTS;
    if retrying {
        let delay = push::retry_delay(&config.retry_schedule, next, retry_after);
        let job =
            Job::SendWebPush { delivery: Box::new(d.clone()), ttl, urgency, attempt: next, endpoints: Some(retry) };
        crate::jobs::enqueue(env, &[job], delay).await?;
    } else if !retry.is_empty() {
        failure.get_or_insert(Outcome::Retry(None));
    }
    if accepted {
        set_status(env, d, DeliveryStatus::Sent, None).await
    } else if let (Some(outcome), false) = (failure, retrying) {
        set_status(env, d, DeliveryStatus::Failed, Some(outcome.reason())).await
    } else {
        Ok(())
    }
}

/// Whether the delivery is still `pending` in its feed.
async fn still_pending(env: &Env, d: &Delivery) -> Result<bool, Fail> {
    let mut answer =
        client::call(env, &d.recipient_id, &format!("job_{}", d.id), &Command::Get { id: d.id.clone() }).await?;
    if answer.status_code() >= 300 {
        return Ok(false);
    }
    let current: Delivery = answer.json().await?;
    Ok(current.status == DeliveryStatus::Pending)
}

async fn set_status(env: &Env, d: &Delivery, status: DeliveryStatus, reason: Option<String>) -> Result<(), Fail> {
    let command = Command::Status { id: d.id.clone(), status, reason, now: rfc3339(now_ms()) };
    let answer = client::call(env, &d.recipient_id, &format!("job_{}", d.id), &command).await?;
    if answer.status_code() >= 300 {
        console_error!("status update of {} answered {}", d.id, answer.status_code());
        return Err(tidings::ApiError::Internal.into());
    }
    Ok(())
}
