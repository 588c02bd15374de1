//! `POST /notifications`: plan the deliveries (core), remember them under the idempotency key,
//! write each recipient's into their feed, and queue the web push ones.

use crate::app::Ctx;
use crate::feed::client;
use crate::feed::protocol::{Command, SendOptions};
use crate::http::{self, json, Answer};
use crate::limits;
use crate::platform::{new_id, now_ms};
use crate::store::{self, idempotency::Record};
use std::collections::{BTreeMap, HashMap, HashSet};
use tidings::jobs::Job;
use tidings::limits::RATE_LIMITED;
use tidings::model::{ChannelType, Delivery, DeliveryStatus, NotificationAccepted, Preferences};
use tidings::notify::{self, push, Notification};
use tidings::schedule::timing;
use tidings::time::parse_rfc3339;
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
    let now = now_ms();
    let n = notify::parse_at(body, now)?;
    if key.as_ref().is_some_and(|k| k.is_empty() || k.chars().count() > 255) {
        return Err(ApiError::field("Idempotency-Key", "invalid", "Idempotency-Key must be 1 to 255 characters").into());
    }
    let db = ctx.db()?;
    let prefs = store::preferences::get_many(&db, &n.recipients).await?;
    let reach = crate::channels::reach::Reach::of(&db, &ctx.config, &n, &n.recipients).await?;
    let notification_id = new_id("ntf");
    let zones = zones_for(&db, &n, &prefs).await?;
    let mut deliveries: Vec<Delivery> = Vec::new();
    let mut options = BTreeMap::new();
    for r in &n.recipients {
        let zone = crate::zone::of(zones.get(r).map(String::as_str));
        // A send for later is planned without preferences: they are read when it goes out.
        let later = n.when.is_some_and(|w| w.resolve(&*zone, now) > now);
        let p = prefs.get(r).filter(|_| !later);
        let mut planned = notify::plan(&n, &notification_id, r, p, reach.get(r), now, || new_id("dlv"));
        let digests = timing::hold(&mut planned, n.when, prefs.get(r), &*zone, now);
        options.insert(r.clone(), send_options(&n, prefs.get(r), digests));
        deliveries.extend(planned);
    }
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
    record_held(ctx, &accepted, now).await?;
    let carried = crate::send::deliver_with(
        &ctx.env,
        &ctx.request_id,
        &accepted.deliveries,
        n.ttl,
        n.urgency,
        now,
        single,
        &options,
    )
    .await?;
    if let Some(refused) = &carried.refused {
        return Err(limits::refusal(refused, "notifications to this user").into());
    }
    if !carried.failed.is_empty() {
        return Err(ApiError::Internal.into());
    }
    let skipped: HashMap<&str, &str> = carried.skipped.iter().map(|(id, why)| (id.as_str(), why.as_str())).collect();
    for d in accepted.deliveries.iter_mut() {
        if let Some(why) = skipped.get(d.id.as_str()) {
            d.status = DeliveryStatus::Skipped;
            d.reason = Some((*why).to_owned());
            (d.sent_at, d.deliver_at) = (None, None);
        }
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

/// The timezones of the recipients, when the send or their preferences need them.
async fn zones_for(
    db: &worker::D1Database,
    n: &Notification,
    prefs: &HashMap<String, Preferences>,
) -> Result<HashMap<String, String>, crate::http::Fail> {
    let timed = |p: &Preferences| {
        p.quiet_hours.is_some()
            || p.categories.values().chain(p.notifications.values()).any(|c| c.delivery.is_some() || c.window.is_some())
    };
    if n.when.is_none() && !prefs.values().any(timed) {
        return Ok(HashMap::new());
    }
    store::users::timezones(db, &n.recipients).await
}

/// What the recipient's feed needs beyond the deliveries: push options of held ones, dedupe,
/// the throttle in force (the notification's, else its preference's), digest keys.
fn send_options(n: &Notification, prefs: Option<&Preferences>, digests: BTreeMap<String, String>) -> SendOptions {
    let by_pref = prefs.and_then(|p| notify::prefs::ruling(p, n.category.as_deref(), n.topic.as_deref())?.throttle);
    let subject = n.topic.as_deref().or(n.category.as_deref()).unwrap_or("");
    SendOptions {
        ttl: n.ttl,
        urgency: n.urgency,
        dedupe: n.dedupe.clone(),
        throttle: n.throttle.or(by_pref).map(|t| (format!("topic:{subject}"), t)),
        digests,
    }
}

/// Before the feeds hold anything: records who a notification with held deliveries is for
/// (for `DELETE /notifications/{id}`), and a `wake_feed` lease per recipient due a lease after
/// its earliest held delivery (the sweeper's backstop of the feed's alarm).
async fn record_held(ctx: &Ctx, accepted: &NotificationAccepted, now: i64) -> Result<(), crate::http::Fail> {
    let mut first: BTreeMap<&str, i64> = BTreeMap::new();
    for d in accepted.deliveries.iter().filter(|d| d.status == DeliveryStatus::Scheduled) {
        let due = d.deliver_at.as_deref().and_then(parse_rfc3339).unwrap_or(now);
        let e = first.entry(d.recipient_id.as_str()).or_insert(due);
        *e = (*e).min(due);
    }
    if first.is_empty() {
        return Ok(());
    }
    let db = ctx.db()?;
    let users: Vec<String> = first.keys().map(|u| (*u).to_owned()).collect();
    let mut batch = vec![store::notifications::record(&db, &accepted.notification_id, &users, now)?];
    let mut by_delay: BTreeMap<u32, Vec<Job>> = BTreeMap::new();
    for (user, due) in first {
        let delay = ((due - now).max(0) as u64).div_ceil(1000).min(u64::from(u32::MAX)) as u32;
        let job = Job::WakeFeed { user_id: user.to_owned(), notification_id: accepted.notification_id.clone() };
        by_delay.entry(delay).or_default().push(job);
    }
    for (delay, jobs) in by_delay {
        batch.push(crate::jobs::lease(&ctx.env, &jobs, delay).await?);
    }
    db.batch(batch).await?;
    Ok(())
}

/// `DELETE /notifications/{notificationId}`: cancels, in each recipient's feed, what has not
/// gone out; answers the canceled deliveries.
pub async fn cancel(ctx: Ctx) -> Answer {
    let id = ctx.param().to_owned();
    let users = store::notifications::recipients(&ctx.db()?, &id).await?;
    if users.is_empty() {
        return Err(ApiError::NotFound { resource: "scheduled notification", id }.into());
    }
    let mut canceled: Vec<Delivery> = Vec::new();
    for user in &users {
        let command = Command::Cancel { notification_id: id.clone() };
        let mut answer = client::call(&ctx.env, user, &ctx.request_id, &command).await?;
        if answer.status_code() >= 300 {
            return Err(ApiError::Internal.into());
        }
        canceled.extend(answer.json::<Vec<Delivery>>().await?);
    }
    json(200, &serde_json::json!({"notification_id": id, "canceled": canceled}))
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
