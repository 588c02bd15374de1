//! `POST /notifications`: plan the deliveries (core), remember them under the idempotency key,
//! write each recipient's into their feed, and queue the web push ones.

use crate::app::Ctx;
use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::{self, json, Answer, Fail};
use crate::platform::{new_id, now_ms};
use crate::store::{self, idempotency::Record};
use futures_util::future::join_all;
use std::collections::BTreeMap;
use tidings::jobs::Job;
use tidings::model::{ChannelType, Delivery, DeliveryStatus, NotificationAccepted};
use tidings::notify::{self, push, Notification};
use tidings::{ids, ApiError};
use worker::Response;

/// Feed writes in flight at once.
const CONCURRENCY: usize = 32;

pub async fn send(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let n = notify::parse(&body)?;
    let key = ctx.req.headers().get("idempotency-key")?;
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 255) {
        return Err(ApiError::field("Idempotency-Key", "invalid", "Idempotency-Key must be 1 to 255 characters").into());
    }
    let db = ctx.db()?;
    let now = now_ms();
    let prefs = store::preferences::get_many(&db, &n.recipients).await?;
    let notification_id = new_id("ntf");
    let deliveries: Vec<Delivery> = n
        .recipients
        .iter()
        .flat_map(|r| notify::plan(&n, &notification_id, r, prefs.get(r), now, || new_id("dlv")))
        .collect();
    check_push_payloads(&ctx, &deliveries, now)?;
    let mut accepted = NotificationAccepted { notification_id, deliveries };
    if let Some(key) = &key {
        let planned = serde_json::to_string(&accepted)?;
        match store::idempotency::begin(&db, key, &ids::fingerprint(&body), &planned, now).await? {
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
    carry_out(&ctx, &n, &accepted, now).await?;
    if let Some(key) = &key {
        store::idempotency::finish(&db, key).await?;
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

/// Creates missing users, writes every recipient's deliveries into their feed (idempotent by
/// delivery id, so a repeat after a crash is safe), then queues the web push deliveries.
pub async fn carry_out(ctx: &Ctx, n: &Notification, accepted: &NotificationAccepted, now: i64) -> Result<(), Fail> {
    let db = ctx.db()?;
    store::users::ensure_all(&db, &n.recipients, now)?.run().await?;
    let mut by_user: BTreeMap<&str, Vec<Delivery>> = BTreeMap::new();
    for d in &accepted.deliveries {
        by_user.entry(d.recipient_id.as_str()).or_default().push(d.clone());
    }
    let commands: Vec<(&str, Command)> =
        by_user.into_iter().map(|(u, deliveries)| (u, Command::Insert { deliveries })).collect();
    for chunk in commands.chunks(CONCURRENCY) {
        let answers =
            join_all(chunk.iter().map(|(user, cmd)| client::call(&ctx.env, user, &ctx.request_id, cmd))).await;
        for answer in answers {
            let response = answer?;
            if response.status_code() >= 300 {
                worker::console_error!("feed insert answered {}", response.status_code());
                return Err(ApiError::Internal.into());
            }
        }
    }
    let jobs: Vec<Job> = accepted
        .deliveries
        .iter()
        .filter(|d| d.channel_type == ChannelType::WebPush && d.status == DeliveryStatus::Pending)
        .map(|d| Job::SendWebPush {
            delivery: Box::new(d.clone()),
            ttl: n.ttl,
            urgency: n.urgency,
            attempt: 0,
            endpoints: None,
        })
        .collect();
    crate::jobs::enqueue(&ctx.env, &jobs, 0).await?;
    Ok(())
}
