//! `POST /notifications`: plan the deliveries (core), remember them under the idempotency key,
//! write each recipient's into their feed, and queue the web push ones.

use crate::app::Ctx;
use crate::http::{self, json, Answer};
use crate::limits;
use crate::platform::{new_id, now_ms};
use crate::store::{self, idempotency::Record};
use std::collections::HashSet;
use tidings::limits::RATE_LIMITED;
use tidings::model::{ChannelType, Delivery, DeliveryStatus, NotificationAccepted};
use tidings::notify::{self, push};
use tidings::{ids, ApiError};
use worker::Response;

pub async fn send(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let key = ctx.req.headers().get("idempotency-key")?;
    accept(&ctx, &body, key).await
}

/// Validates, plans and carries out a `POST /notifications` body (also the demo page's dev
/// route): the 202 answer, or the stored one for a repeated `Idempotency-Key`.
pub async fn accept(ctx: &Ctx, body: &[u8], key: Option<String>) -> Answer {
    let n = notify::parse(body)?;
    if key.as_ref().is_some_and(|k| k.is_empty() || k.chars().count() > 255) {
        return Err(ApiError::field("Idempotency-Key", "invalid", "Idempotency-Key must be 1 to 255 characters").into());
    }
    let db = ctx.db()?;
    let now = now_ms();
    let prefs = store::preferences::get_many(&db, &n.recipients).await?;
    let reach = crate::channels::reach::Reach::of(&db, &ctx.config, &n, &n.recipients).await?;
    let notification_id = new_id("ntf");
    let deliveries: Vec<Delivery> = n
        .recipients
        .iter()
        .flat_map(|r| notify::plan(&n, &notification_id, r, prefs.get(r), reach.get(r), now, || new_id("dlv")))
        .collect();
    check_push_payloads(ctx, &deliveries, now)?;
    let mut accepted = NotificationAccepted { notification_id, deliveries };
    if let Some(key) = &key {
        let planned = serde_json::to_string(&accepted)?;
        match store::idempotency::begin(&db, key, &ids::fingerprint(body), &planned, now).await? {
            Record::Mismatch => {
                return Err(ApiError::Conflict {
                    field: "Idempotency-Key",
                    message: "this Idempotency-Key was used with a different request body in the last 24 hours".into(),
                }
                .into())
            }
            Record::Replay(stored) => return replay(&stored),
            Record::Run(stored) => accepted = serde_json::from_str(&stored)?,
        }
    }
    // One recipient over their limit is refused (429, nothing written; a retry with the same
    // Idempotency-Key runs again); in a multi-recipient send their deliveries are `skipped`.
    let single = n.recipients.len() == 1;
    let carried =
        crate::send::deliver(&ctx.env, &ctx.request_id, &accepted.deliveries, n.ttl, n.urgency, now, single).await?;
    if let Some(refused) = &carried.refused {
        return Err(limits::refusal(refused, "notifications to this user").into());
    }
    if !carried.failed.is_empty() {
        return Err(ApiError::Internal.into());
    }
    if !carried.rate_limited.is_empty() {
        let limited: HashSet<&str> = carried.rate_limited.iter().map(String::as_str).collect();
        for d in accepted.deliveries.iter_mut().filter(|d| limited.contains(d.id.as_str())) {
            d.status = DeliveryStatus::Skipped;
            d.reason = Some(RATE_LIMITED.to_owned());
            d.sent_at = None;
        }
    }
    if let Some(key) = &key {
        store::idempotency::finish(&db, key, &serde_json::to_string(&accepted)?).await?;
    }
    json(202, &accepted)
}

/// Refuses (413) a web push notification whose payload would not fit one encrypted message,
/// so it is not discovered later by the sender.
fn check_push_payloads(ctx: &Ctx, deliveries: &[Delivery], now: i64) -> Result<(), ApiError> {
    let exp = now / 1000 + push::ACTION_TOKEN_SECONDS;
    for d in deliveries.iter().filter(|d| d.channel_type == ChannelType::WebPush) {
        let token = push::action_token(&ctx.config.secret_key, &d.recipient_id, &d.id, exp);
        push::payload_bytes(&push::payload(d, token)).map_err(|size| ApiError::PushPayloadTooLarge { size })?;
    }
    Ok(())
}

fn replay(stored: &str) -> Answer {
    let mut r = Response::ok(stored)?.with_status(202);
    r.headers_mut().set("content-type", "application/json")?;
    r.headers_mut().set("idempotent-replayed", "true")?;
    Ok(r)
}
