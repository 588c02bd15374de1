//! The `SendWebPush` job: one delivery to every valid subscription of its user.
//! Any accepted → `sent`; 429/5xx/network → retried (Retry-After or the configured schedule)
//! up to `MAX_ATTEMPTS`; 404/410 → subscription removed; 401/403, or a subscription made with a
//! VAPID key that is neither the current nor the previous one → subscription marked invalid;
//! no subscription left or everything refused → `failed` with the reason. A retry is a new
//! generation of the delivery's lease (`jobs::submit`), due after its delay plus a lease.

use super::sender::{Message, Outcome, Sender};
use crate::config::Config;
use crate::feed::status;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::jobs::Job;
use tidings::model::{Delivery, DeliveryStatus};
use tidings::notify::push::{self, MAX_ATTEMPTS};
use tidings::notify::Urgency;
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
            return status::set(env, d, DeliveryStatus::Failed, Some("vapid_not_configured"), None).await;
        }
    };
    // A repeat of a job that already ran (a crashed consumer, a swept lease, a re-run bulk
    // batch) finds its delivery no longer pending, or not in the feed at all: it sends nothing.
    // One exception: a retry to some devices of a delivery that another device accepted.
    let current = status::current(env, d).await?;
    let mut subs = store::users::valid_web_push(&db, user).await?;
    // Stored before the allowlist (or before it changed): never sent to.
    let stored = subs.len();
    subs.retain(|(s, _)| config.push_hosts.allows(&s.sub.endpoint));
    let not_allowed = subs.len() < stored;
    if not_allowed {
        console_error!("{} stored push endpoint(s) not on TIDINGS_PUSH_HOSTS skipped", stored - subs.len());
    }
    let valid = subs.len();
    if let Some(only) = only {
        subs.retain(|(s, _)| only.contains(&s.sub.endpoint));
    }
    let other_device_accepted = current == Some(DeliveryStatus::Sent) && only.is_some() && subs.len() < valid;
    if current != Some(DeliveryStatus::Pending) && !other_device_accepted {
        return Ok(());
    }
    if subs.is_empty() {
        let reason = match (only.is_some(), not_allowed) {
            (true, _) => "subscription_gone",
            (false, true) => "endpoint_not_allowed",
            (false, false) => "no_subscription",
        };
        return status::set(env, d, DeliveryStatus::Failed, Some(reason), None).await;
    }
    let token = push::action_token(&config.secret_key, user, &d.id, now / 1000 + push::ACTION_TOKEN_SECONDS);
    let mut p = push::payload(d, token);
    // The badge's count when it is known and fits: the size was checked without it when the
    // notification was accepted, so the count never makes a delivery fail.
    p.unread_count = status::unread_count(env, d).await.ok();
    let mut bytes = push::payload_bytes(&p);
    if bytes.is_err() {
        p.unread_count = None;
        bytes = push::payload_bytes(&p);
    }
    let payload = match bytes {
        Ok(p) => p,
        Err(_) => return status::set(env, d, DeliveryStatus::Failed, Some("payload_too_large"), None).await,
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
        crate::jobs::submit(env, &[job], delay).await?;
    } else if !retry.is_empty() {
        failure.get_or_insert(Outcome::Retry(None));
    }
    if accepted {
        status::set(env, d, DeliveryStatus::Sent, None, None).await
    } else if let (Some(outcome), false) = (failure, retrying) {
        status::set(env, d, DeliveryStatus::Failed, Some(&outcome.reason()), None).await
    } else {
        Ok(())
    }
}
