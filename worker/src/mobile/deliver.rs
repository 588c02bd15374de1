//! The `SendMobilePush` job: one delivery to every valid token of its user (FCM and APNs
//! mixed). Any accepted → `sent` (with `provider`, `provider_message_id`); dead tokens pruned,
//! refused ones marked invalid; 429/5xx/network retried per token (Retry-After or the
//! schedule) up to `MAX_ATTEMPTS`; nothing accepted → `failed` with `reason` and `provider_code`.

use super::sender::Sender;
use crate::config::Config;
use crate::feed::protocol::ProviderReport;
use crate::feed::status;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::channel::Outcome;
use tidings::jobs::Job;
use tidings::mobile::content;
use tidings::model::{Delivery, DeliveryStatus};
use tidings::notify::push::{self, MAX_ATTEMPTS};
use tidings::notify::Urgency;
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
    let fail = |reason: &'static str, report: ProviderReport| {
        status::set(env, d, DeliveryStatus::Failed, Some(reason), Some(report))
    };
    let sender = match Sender::new(&config.mobile, config.dev_mode).await {
        Ok(s) if s.any() => s,
        Ok(_) => return fail("channel_not_configured", ProviderReport::default()).await,
        Err(e) => {
            console_error!("mobile push is misconfigured: {e}");
            return fail("channel_not_configured", ProviderReport::default()).await;
        }
    };
    if attempt == 0 && status::current(env, d).await? != Some(DeliveryStatus::Pending) {
        return Ok(());
    }
    let mut tokens = store::push_tokens::valid_for(&db, &[user.to_owned()]).await?.remove(user).unwrap_or_default();
    tokens.retain(|t| sender.serves(t) && only.is_none_or(|o| o.contains(&t.token)));
    if tokens.is_empty() {
        let reason = if only.is_some() { "token_gone" } else { "no_address" };
        return fail(reason, ProviderReport { attempts: Some(attempt), ..Default::default() }).await;
    }
    let badge = status::unread_count(env, d).await?;
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
                    segments: None,
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
        return status::set(env, d, DeliveryStatus::Sent, None, Some(report)).await;
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
        segments: None,
    };
    fail(outcome.reason(), report).await
}
