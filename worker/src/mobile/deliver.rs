//! The `SendMobilePush` job: one delivery to every valid token of its user (FCM and APNs
//! mixed). Any accepted → `sent` (with `provider`, `provider_message_id`); dead tokens pruned,
//! refused ones marked invalid; 429/5xx/network retried per token (Retry-After or the
//! schedule) up to `MAX_ATTEMPTS`; nothing accepted → `failed` with `reason` and `provider_code`.

use super::sender::Sender;
use crate::config::Config;
use crate::feed::client;
use crate::feed::protocol::{Command, ProviderReport};
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::channel::Outcome;
use tidings::jobs::Job;
use tidings::mobile::content;
use tidings::model::{Delivery, DeliveryFilter, DeliveryPage, DeliveryStatus};
use tidings::notify::push::{self, MAX_ATTEMPTS};
use tidings::notify::Urgency;
use tidings::time::rfc3339;
use worker::{console_error, Env};

/// Carries out one `SendMobilePush` job; `only` restricts a retry to the tokens that asked for it.
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
    let fail =
        |reason: &str, report: ProviderReport| set_status(env, d, DeliveryStatus::Failed, Some(reason.into()), report);
    let sender = match Sender::new(&config.mobile, config.dev_mode).await {
        Ok(s) if s.any() => s,
        Ok(_) => return fail("channel_not_configured", ProviderReport::default()).await,
        Err(e) => {
            console_error!("mobile push is misconfigured: {e}");
            return fail("channel_not_configured", ProviderReport::default()).await;
        }
    };
    if attempt == 0 && !still_pending(env, d).await? {
        return Ok(());
    }
    let mut tokens = store::push_tokens::valid_for(&db, &[user.to_owned()]).await?.remove(user).unwrap_or_default();
    tokens.retain(|t| sender.serves(t) && only.is_none_or(|o| o.contains(&t.token)));
    if tokens.is_empty() {
        let reason = if only.is_some() { "token_gone" } else { "no_address" };
        return fail(reason, ProviderReport { attempts: Some(attempt), ..Default::default() }).await;
    }
    let badge = unread_count(env, d).await?;
    let token = push::action_token(&config.secret_key, user, &d.id, now / 1000 + push::ACTION_TOKEN_SECONDS);
    let c = content::content(d, token, ttl, urgency, badge);

    let mut accepted: Option<ProviderReport> = None;
    let mut retry: Vec<String> = Vec::new();
    let mut retry_after: Option<u32> = None;
    let mut last_retry: Option<(&'static str, Outcome)> = None;
    let mut last_final: Option<(&'static str, Outcome)> = None;
    for t in &tokens {
        let (provider, outcome) = sender.send(t, &c, now / 1000).await;
        match &outcome {
            Outcome::Sent { provider_message_id } => {
                accepted.get_or_insert(ProviderReport {
                    provider: Some(provider.as_str().into()),
                    provider_message_id: provider_message_id.clone(),
                    attempts: Some(attempt + 1),
                    provider_code: None,
                });
                continue;
            }
            Outcome::Retry { after, .. } => {
                retry.push(t.token.clone());
                retry_after = retry_after.max(*after);
                last_retry = Some((provider.as_str(), outcome));
                continue;
            }
            Outcome::Gone { .. } => store::push_tokens::prune(&db, user, &t.token).await?,
            Outcome::Invalid { .. } | Outcome::Refresh { .. } => {
                store::push_tokens::invalidate(&db, user, &t.token, now).await?
            }
            Outcome::Failed { .. } => {}
        }
        last_final = Some((provider.as_str(), outcome));
    }

    // Tokens that asked to be retried are, even when another device already took it (as Web Push).
    let next = attempt + 1;
    let retrying = !retry.is_empty() && next < MAX_ATTEMPTS;
    if retrying {
        let delay = push::retry_delay(&config.retry_schedule, next, retry_after);
        let job =
            Job::SendMobilePush { delivery: Box::new(d.clone()), ttl, urgency, attempt: next, tokens: Some(retry) };
        crate::jobs::submit(env, &[job], delay).await?;
    }
    if let Some(report) = accepted {
        return set_status(env, d, DeliveryStatus::Sent, None, report).await;
    }
    if retrying {
        return Ok(());
    }
    let (provider, outcome) = last_retry.or(last_final).unwrap_or(("", Outcome::Failed { code: "no_answer".into() }));
    let report = ProviderReport {
        provider: Some(provider.to_owned()).filter(|p| !p.is_empty()),
        provider_message_id: None,
        attempts: Some(next),
        provider_code: outcome.code().map(str::to_owned),
    };
    fail(outcome.reason(), report).await
}

/// The user's unread count (the feed's own, as the bell shows it): the app icon's badge.
async fn unread_count(env: &Env, d: &Delivery) -> Result<u64, Fail> {
    let command = Command::List { filter: DeliveryFilter::default(), limit: 1, after: None, before: None };
    let mut answer = client::call(env, &d.recipient_id, &format!("job_{}", d.id), &command).await?;
    if answer.status_code() >= 300 {
        return Err(tidings::ApiError::Internal.into());
    }
    let page: DeliveryPage<serde_json::Value> = answer.json().await?;
    Ok(page.meta.unread_count)
}

/// Whether the delivery is still `pending` in its feed (a repeated job sends nothing twice).
async fn still_pending(env: &Env, d: &Delivery) -> Result<bool, Fail> {
    let mut answer =
        client::call(env, &d.recipient_id, &format!("job_{}", d.id), &Command::Get { id: d.id.clone() }).await?;
    if answer.status_code() >= 300 {
        return Ok(false);
    }
    let current: Delivery = answer.json().await?;
    Ok(current.status == DeliveryStatus::Pending)
}

async fn set_status(
    env: &Env,
    d: &Delivery,
    status: DeliveryStatus,
    reason: Option<String>,
    report: ProviderReport,
) -> Result<(), Fail> {
    let command = Command::Status { id: d.id.clone(), status, reason, now: rfc3339(now_ms()), report: Some(report) };
    let answer = client::call(env, &d.recipient_id, &format!("job_{}", d.id), &command).await?;
    if answer.status_code() >= 300 {
        console_error!("status update of {} answered {}", d.id, answer.status_code());
        return Err(tidings::ApiError::Internal.into());
    }
    Ok(())
}
