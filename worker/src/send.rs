//! The send path shared by `POST /notifications` and bulk jobs: planned deliveries in,
//! users created, send leases recorded, feeds written, web and mobile push queued.

use crate::config::Config;
use crate::feed::client;
use crate::feed::protocol::{Command, Inserted, RecipientLimit, SendOptions};
use crate::http::Fail;
use crate::store;
use futures_util::future::join_all;
use std::collections::{BTreeMap, HashSet};
use tidings::jobs::Job;
use tidings::limits::Decision;
use tidings::model::{ChannelType, Delivery, DeliveryStatus};
use tidings::notify::Urgency;
use worker::{console_error, Env};

/// Feed writes in flight at once.
const CONCURRENCY: usize = 32;

/// What became of a send.
pub struct Carried {
    /// Users whose feed could not be written.
    pub failed: Vec<String>,
    /// Deliveries stored as skipped (`rate_limited`) because their recipient was over
    /// `TIDINGS_RATE_LIMIT_RECIPIENT`.
    pub rate_limited: Vec<String>,
    /// With `refuse`: the recipient's limit refused the send and nothing was written.
    pub refused: Option<Decision>,
    /// Deliveries stored as skipped as a duplicate or throttled, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The queued job that sends a pending delivery on its channel (none for in-app).
pub(crate) fn send_job(d: &Delivery, ttl: u32, urgency: Urgency) -> Option<Job> {
    let delivery = Box::new(d.clone());
    match d.channel_type {
        ChannelType::WebPush => Some(Job::SendWebPush { delivery, ttl, urgency, attempt: 0, endpoints: None }),
        ChannelType::MobilePush => Some(Job::SendMobilePush { delivery, ttl, urgency, attempt: 0, tokens: None }),
        ChannelType::Email | ChannelType::Sms | ChannelType::Slack | ChannelType::Webhook => {
            Some(Job::SendChannel { delivery, attempt: 0 })
        }
        ChannelType::InApp => None,
    }
}

/// [`deliver`] for bulk batches: over-limit recipients get skipped deliveries. Returns the
/// users whose feed write failed.
pub async fn carry_out(
    env: &Env,
    request_id: &str,
    deliveries: &[Delivery],
    ttl: u32,
    urgency: Urgency,
    now: i64,
) -> Result<Vec<String>, Fail> {
    Ok(deliver(env, request_id, deliveries, ttl, urgency, now, false).await?.failed)
}

/// Creates the recipients that do not exist, writes each one's deliveries into their feed
/// (idempotent by delivery id, so a repeat after a crash writes nothing twice; under the
/// per-recipient limit, counted in the same call) and queues the pending provider-channel
/// deliveries that were written. With `refuse` (a single recipient), a recipient over its limit gets
/// nothing written and the refusal is returned instead.
pub async fn deliver(
    env: &Env,
    request_id: &str,
    deliveries: &[Delivery],
    ttl: u32,
    urgency: Urgency,
    now: i64,
    refuse: bool,
) -> Result<Carried, Fail> {
    deliver_with(env, request_id, deliveries, ttl, urgency, now, refuse, &BTreeMap::new()).await
}

/// [`deliver`] with each recipient's [`SendOptions`] (held deliveries, dedupe, throttle, digests).
#[allow(clippy::too_many_arguments)]
pub async fn deliver_with(
    env: &Env,
    request_id: &str,
    deliveries: &[Delivery],
    ttl: u32,
    urgency: Urgency,
    now: i64,
    refuse: bool,
    options: &BTreeMap<String, SendOptions>,
) -> Result<Carried, Fail> {
    let limit = Config::from_env(env).limit_recipient.map(|limit| RecipientLimit { limit, refuse });
    let mut by_user: BTreeMap<&str, Vec<Delivery>> = BTreeMap::new();
    for d in deliveries {
        by_user.entry(d.recipient_id.as_str()).or_default().push(d.clone());
    }
    let users: Vec<String> = by_user.keys().map(|u| (*u).to_owned()).collect();
    let jobs: Vec<Job> = deliveries
        .iter()
        .filter(|d| d.status == DeliveryStatus::Pending)
        .filter_map(|d| send_job(d, ttl, urgency))
        .collect();
    // The send leases are recorded before any feed is written: a crash after this point leaves
    // them to the sweeper (a lease whose delivery never reached its feed, or was skipped there
    // by the recipient's limit, sends nothing).
    let db = env.d1("DB")?;
    let mut batch = vec![store::users::ensure_all(&db, &users, now)?];
    if !jobs.is_empty() {
        batch.push(crate::jobs::lease(env, &jobs, 0).await?);
    }
    let results = db.batch(batch).await?;
    let taken = results.get(1).map(store::leases::taken).transpose()?.unwrap_or_default();
    let commands: Vec<(&str, Command)> = by_user
        .into_iter()
        .map(|(u, deliveries)| (u, Command::Insert { deliveries, limit, options: options.get(u).cloned() }))
        .collect();
    let mut carried = Carried { failed: Vec::new(), rate_limited: Vec::new(), refused: None, skipped: Vec::new() };
    for chunk in commands.chunks(CONCURRENCY) {
        let answers = join_all(chunk.iter().map(|(user, cmd)| client::call(env, user, request_id, cmd))).await;
        for ((user, _), answer) in chunk.iter().zip(answers) {
            match answer {
                Ok(mut r) if r.status_code() < 300 => match r.json::<Inserted>().await {
                    Ok(inserted) => {
                        carried.rate_limited.extend(inserted.rate_limited);
                        carried.refused = carried.refused.or(inserted.refused);
                        carried.skipped.extend(inserted.skipped);
                    }
                    Err(e) => {
                        console_error!("feed insert answer did not parse: {e}");
                        carried.failed.push((*user).to_owned());
                    }
                },
                Ok(r) => {
                    console_error!("feed insert for a user answered {}", r.status_code());
                    carried.failed.push((*user).to_owned());
                }
                Err(_) => carried.failed.push((*user).to_owned()),
            }
        }
    }
    if carried.refused.is_some() {
        return Ok(carried);
    }
    let limited: HashSet<&str> =
        carried.rate_limited.iter().chain(carried.skipped.iter().map(|(id, _)| id)).map(String::as_str).collect();
    let ready: Vec<Job> = jobs
        .into_iter()
        .filter(|j| {
            j.delivery().is_some_and(|d| !carried.failed.contains(&d.recipient_id) && !limited.contains(d.id.as_str()))
        })
        .collect();
    crate::jobs::send(env, &ready, &taken, 0).await?;
    Ok(carried)
}
