//! The feed object's schedule: deliveries held until their time (`send_at`,
//! `deliver_at_local`, quiet hours, digest windows), one alarm for the earliest, dedupe and
//! throttle per user.
//!
//! When the alarm fires, the due deliveries are decided under the preferences of that moment
//! (`tidings::schedule::timing::release`), a digest's deliveries collapse into one, and what
//! goes out takes the ordinary send path: push leases recorded (D1), the deliveries written to
//! the feed (and its sockets), the push jobs enqueued. A lost alarm is covered twice: every
//! command that changes the schedule re-arms it, and each scheduled notification records a
//! `wake_feed` lease per recipient (due a lease after its time) that the sweeper turns into a
//! `Fire` command; the lease is removed when nothing of the notification is held any more.

use super::object::{Change, Feed, Refusal};
use super::protocol::SendOptions;
use super::schedule_sql::Held;
use super::sql::FeedSql;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use std::collections::BTreeMap;
use tidings::jobs::{wake_lease, Job};
use tidings::model::{Delivery, DeliveryStatus};
use tidings::notify::Urgency;
use tidings::schedule::digest::{collapse, DIGESTED};
use tidings::schedule::repeat::{is_duplicate, DUPLICATE, THROTTLED};
use tidings::schedule::timing::{apply, release, Release};
use tidings::time::{parse_rfc3339, rfc3339};
use worker::{console_error, Result, ScheduledTime};

/// Held deliveries released per alarm; more re-arm the alarm at once.
const PER_FIRE: i64 = 500;

/// How long before its earliest due time the object is woken (see `fire`).
const WARM_UP_MS: i64 = 2_000;

/// How soon a failed wake-up is tried again.
const RETRY_MS: i64 = 5_000;

/// Whom a release is for, read before the due instant.
struct Owner {
    user: String,
    prefs: Option<tidings::model::Preferences>,
    zone: Box<dyn tidings::schedule::Zone>,
}

/// Whether a stored reason is one of this module's (a repeat of the send reports it again).
pub fn is_repeat_reason(reason: &str) -> bool {
    reason == DUPLICATE || reason == THROTTLED
}

/// Push options kept with a held delivery.
#[derive(serde::Serialize, serde::Deserialize)]
struct Send {
    ttl: u32,
    urgency: Urgency,
}

fn skip(d: &mut Delivery, reason: &str) {
    d.status = DeliveryStatus::Skipped;
    d.reason = Some(reason.to_owned());
    d.sent_at = None;
    d.deliver_at = None;
}

/// Dedupe, then throttle, the fresh deliveries of one notification to this user: a repeat of
/// the dedupe key inside its window, or a send past the throttle, skips all of them. A
/// throttled send does not open a dedupe window. Returns what was skipped.
pub fn repeats(sql: &FeedSql, fresh: &mut [Delivery], o: &SendOptions, now: i64) -> Result<Vec<(String, String)>> {
    let Some(notification_id) =
        fresh.iter().find(|d| d.status != DeliveryStatus::Skipped).map(|d| d.notification_id.clone())
    else {
        return Ok(Vec::new());
    };
    let mut reason = None;
    if let Some(dd) = &o.dedupe {
        let key = format!("key:{}", dd.key);
        if let Some((first, n)) = sql.dedupe(&key)? {
            if n != notification_id && is_duplicate(Some(first), dd.window_s, now) {
                reason = Some(DUPLICATE);
            }
        }
    }
    if let (None, Some((key, t))) = (reason, &o.throttle) {
        let mut log = sql.throttle_log(key)?;
        if t.admit(&mut log, now) {
            sql.set_throttle_log(key, &log)?;
        } else {
            reason = Some(THROTTLED);
        }
    }
    let Some(reason) = reason else {
        if let Some(dd) = &o.dedupe {
            let key = format!("key:{}", dd.key);
            if sql.dedupe(&key)?.is_none_or(|(first, _)| !is_duplicate(Some(first), dd.window_s, now)) {
                sql.set_dedupe(&key, now, &notification_id)?;
            }
        }
        return Ok(Vec::new());
    };
    let mut skipped = Vec::new();
    for d in fresh.iter_mut().filter(|d| d.status != DeliveryStatus::Skipped) {
        skip(d, reason);
        skipped.push((d.id.clone(), reason.to_owned()));
    }
    Ok(skipped)
}

/// Holds a `scheduled` delivery until its `deliver_at` (a digest's joins the open window).
pub fn hold(sql: &FeedSql, mut d: Delivery, o: &SendOptions, now: i64) -> Result<()> {
    let digest = o.digests.get(&d.id).map(String::as_str);
    let mut due = d.deliver_at.as_deref().and_then(parse_rfc3339).unwrap_or(now);
    if let Some(open) = digest.map(|k| sql.open_digest(k, now)).transpose()?.flatten() {
        due = open;
        d.deliver_at = Some(rfc3339(due));
    }
    let send = serde_json::to_string(&Send { ttl: o.ttl, urgency: o.urgency })
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    sql.hold(&d, due, digest, &send)?;
    Ok(())
}

impl Feed {
    /// Sets the alarm a warm-up ahead of the earliest held delivery (or clears it).
    pub(super) async fn arm(&self, sql: &FeedSql) -> Result<()> {
        let storage = self.state.storage();
        match sql.next_due()? {
            Some(t) => {
                let at = t - WARM_UP_MS;
                if storage.get_alarm().await? != Some(at) {
                    let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
                    storage.set_alarm(ScheduledTime::new(at)).await?;
                }
            }
            None => storage.delete_alarm().await?,
        }
        Ok(())
    }

    /// Sends what is due, then re-arms. Woken a warm-up early, the object reads the owner's
    /// preferences first, then waits for the due instant itself, so its cold start and that
    /// read are not counted against the send's time.
    pub(super) async fn fire(&self, sql: &FeedSql) -> Result<()> {
        let Some(first) = sql.next_due()? else { return self.arm(sql).await };
        let early = first - now_ms();
        if early > WARM_UP_MS {
            return self.arm(sql).await;
        }
        let owner = match self.owner_context(sql).await {
            Ok(Some(owner)) => owner,
            Ok(None) => {
                console_error!("a feed holds scheduled deliveries but knows no owner");
                return self.retry_soon().await;
            }
            Err(Fail(e)) => {
                console_error!("reading the owner of scheduled deliveries failed (retrying): {e}");
                return self.retry_soon().await;
            }
        };
        if early > 0 {
            worker::Delay::from(std::time::Duration::from_millis(early as u64)).await;
        }
        let now = now_ms();
        let due = sql.due(now, PER_FIRE)?;
        if !due.is_empty() {
            if let Err(Fail(e)) = self.release_due(sql, &owner, due, now).await {
                // The held rows stay and are tried again.
                console_error!("releasing scheduled deliveries failed (retrying): {e}");
                return self.retry_soon().await;
            }
        }
        self.arm(sql).await
    }

    /// After a failure, wakes again a few seconds later (not at once, which would spin).
    async fn retry_soon(&self) -> Result<()> {
        self.state.storage().set_alarm(RETRY_MS).await
    }

    /// The feed's owner with their preferences and zone, as the release decides under them.
    async fn owner_context(&self, sql: &FeedSql) -> std::result::Result<Option<Owner>, Fail> {
        let Some(user) = sql.owner()? else { return Ok(None) };
        let db = self.env.d1("DB")?;
        let (prefs, timezone) = store::preferences::with_timezone(&db, &user).await?;
        Ok(Some(Owner { user, prefs, zone: crate::zone::of(timezone.as_deref()) }))
    }

    async fn release_due(
        &self,
        sql: &FeedSql,
        owner: &Owner,
        due: Vec<Held>,
        now: i64,
    ) -> std::result::Result<(), Fail> {
        let Owner { user, prefs, zone } = owner;
        // A digest's deliveries due together go out as one; any other delivery on its own.
        let mut groups: BTreeMap<(String, i64), Vec<Held>> = BTreeMap::new();
        for h in due {
            let key = match &h.digest {
                Some(k) => (k.clone(), h.due_ms as i64),
                None => (h.id.clone(), h.due_ms as i64),
            };
            groups.entry(key).or_default().push(h);
        }
        let mut out: Vec<Delivery> = Vec::new();
        let mut jobs: Vec<Job> = Vec::new();
        let mut released: Vec<&Held> = Vec::new();
        let now_text = rfc3339(now);
        for group in groups.values() {
            let items: Vec<Delivery> = group.iter().map(Held::delivery).collect::<Result<_>>()?;
            let send: Send = serde_json::from_str(&group[0].send)?;
            let mut d = if group[0].digest.is_some() {
                let Some(d) = collapse(&items, items[0].id.clone(), &now_text) else { continue };
                d
            } else {
                items[0].clone()
            };
            let decision = release(&d, prefs.as_ref(), &**zone, now);
            if let Release::Wait(t) = decision {
                for mut item in items {
                    item.deliver_at = Some(rfc3339(t));
                    sql.rehold(&item, t, "scheduled")?;
                }
                continue;
            }
            apply(&mut d, decision, now);
            if d.status == DeliveryStatus::Pending {
                jobs.extend(crate::send::send_job(&d, send.ttl, send.urgency));
            }
            out.push(d);
            for mut other in items.into_iter().skip(1) {
                other.updated_at = now_text.clone();
                skip(&mut other, DIGESTED);
                out.push(other);
            }
            released.extend(group.iter());
        }
        // Leases first: a crash after this leaves the sends to the sweeper.
        let taken = if jobs.is_empty() {
            Vec::new()
        } else {
            store::leases::taken(&crate::jobs::lease(&self.env, &jobs, 0).await?.all().await?)?
        };
        let mut created = Vec::new();
        for d in out {
            if sql.insert(&d)? {
                created.push(Change::Created(d));
            }
        }
        for h in &released {
            sql.release(&h.id)?;
        }
        self.publish(sql, created)?;
        crate::jobs::send(&self.env, &jobs, &taken, 0).await?;
        let mut done: Vec<String> = Vec::new();
        for h in &released {
            let lease = wake_lease(&h.notification_id, user);
            if !done.contains(&lease) && !sql.holds_notification(&h.notification_id)? {
                done.push(lease);
            }
        }
        if let Err(Fail(e)) = store::leases::remove(&self.env.d1("DB")?, &done).await {
            console_error!("could not remove wake leases (the sweeper will): {e}");
        }
        Ok(())
    }

    /// Cancels what of a notification has not gone out: held deliveries, and pending ones not
    /// yet taken by their channel. Answers the canceled deliveries.
    pub(super) fn cancel(&self, sql: &FeedSql, notification_id: &str) -> std::result::Result<Vec<Delivery>, Refusal> {
        let now = rfc3339(now_ms());
        let mut canceled = Vec::new();
        for h in sql.held_of(notification_id)? {
            let mut d = h.delivery()?;
            d.status = DeliveryStatus::Canceled;
            d.updated_at = now.clone();
            sql.rehold(&d, h.due_ms as i64, "canceled")?;
            canceled.push(d);
        }
        let mut changes = Vec::new();
        for mut d in sql.pending_of(notification_id)? {
            d.status = DeliveryStatus::Canceled;
            d.updated_at = now.clone();
            sql.save(&d)?;
            canceled.push(d.clone());
            changes.push(Change::Updated(d));
        }
        self.publish(sql, changes)?;
        Ok(canceled)
    }
}
