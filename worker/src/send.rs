//! The send path shared by `POST /notifications` and bulk jobs: planned deliveries in,
//! users created, web push leases recorded, feeds written, web push queued.

use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::Fail;
use crate::store;
use futures_util::future::join_all;
use std::collections::BTreeMap;
use tidings::jobs::Job;
use tidings::model::{ChannelType, Delivery, DeliveryStatus};
use tidings::notify::Urgency;
use worker::{console_error, Env};

/// Feed writes in flight at once.
const CONCURRENCY: usize = 32;

/// Creates the recipients that do not exist, writes each one's deliveries into their feed
/// (idempotent by delivery id, so a repeat after a crash writes nothing twice) and queues the
/// pending web push deliveries of the users whose feed write succeeded. Returns the users
/// whose feed write failed.
pub async fn carry_out(
    env: &Env,
    request_id: &str,
    deliveries: &[Delivery],
    ttl: u32,
    urgency: Urgency,
    now: i64,
) -> Result<Vec<String>, Fail> {
    let mut by_user: BTreeMap<&str, Vec<Delivery>> = BTreeMap::new();
    for d in deliveries {
        by_user.entry(d.recipient_id.as_str()).or_default().push(d.clone());
    }
    let users: Vec<String> = by_user.keys().map(|u| (*u).to_owned()).collect();
    let pushes: Vec<Job> = deliveries
        .iter()
        .filter(|d| d.channel_type == ChannelType::WebPush && d.status == DeliveryStatus::Pending)
        .map(|d| Job::SendWebPush { delivery: Box::new(d.clone()), ttl, urgency, attempt: 0, endpoints: None })
        .collect();
    // The web push leases are recorded before any feed is written: a crash after this point
    // leaves them to the sweeper (a lease whose delivery never reached its feed sends nothing).
    let db = env.d1("DB")?;
    let mut batch = vec![store::users::ensure_all(&db, &users, now)?];
    if !pushes.is_empty() {
        batch.push(crate::jobs::lease(env, &pushes, 0).await?);
    }
    let results = db.batch(batch).await?;
    let taken = results.get(1).map(store::leases::taken).transpose()?.unwrap_or_default();
    let commands: Vec<(&str, Command)> =
        by_user.into_iter().map(|(u, deliveries)| (u, Command::Insert { deliveries })).collect();
    let mut failed = Vec::new();
    for chunk in commands.chunks(CONCURRENCY) {
        let answers = join_all(chunk.iter().map(|(user, cmd)| client::call(env, user, request_id, cmd))).await;
        for ((user, _), answer) in chunk.iter().zip(answers) {
            match answer {
                Ok(r) if r.status_code() < 300 => {}
                Ok(r) => {
                    console_error!("feed insert for a user answered {}", r.status_code());
                    failed.push((*user).to_owned());
                }
                Err(_) => failed.push((*user).to_owned()),
            }
        }
    }
    let ready: Vec<Job> = pushes
        .into_iter()
        .filter(|j| !matches!(j, Job::SendWebPush { delivery, .. } if failed.contains(&delivery.recipient_id)))
        .collect();
    crate::jobs::send(env, &ready, &taken, 0).await?;
    Ok(failed)
}
