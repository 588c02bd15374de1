//! When each delivery of a send goes out: now, at the send's schedule, after the user's quiet
//! hours, or at the end of a digest window; and, when a held delivery is due, what it becomes
//! under the preferences of that moment.

use super::digest::Window;
use super::quiet::{interrupts, quiet_until};
use super::{When, Zone};
use crate::model::{ChannelType, Delivery, DeliveryStatus, Preferences};
use crate::notify::prefs::{self, Decision};
use crate::time::rfc3339;
use std::collections::BTreeMap;

/// The digest a delivery joins: its channel and the preference that asks for it.
fn digest_key(d: &Delivery) -> String {
    match (&d.topic, &d.category) {
        (Some(t), _) => format!("{}:topic:{t}", d.channel_type.as_str()),
        (None, Some(c)) => format!("{}:category:{c}", d.channel_type.as_str()),
        (None, None) => d.channel_type.as_str().to_owned(),
    }
}

fn hold_until(d: &mut Delivery, due_ms: i64) {
    d.status = DeliveryStatus::Scheduled;
    d.deliver_at = Some(rfc3339(due_ms));
    d.sent_at = None;
}

/// Holds the deliveries of one recipient that must wait (status `scheduled`, `deliver_at`
/// set): all of them until the send's schedule when it lies ahead; otherwise those on
/// interrupting channels during quiet hours (unless `REQUIRED`), and those on other channels
/// than `in_app` whose preference asks for a digest. Returns the digest key of each delivery
/// that joins a digest (by delivery id). Skipped deliveries stay as they are.
pub fn hold(
    deliveries: &mut [Delivery],
    when: Option<When>,
    prefs: Option<&Preferences>,
    zone: &dyn Zone,
    now_ms: i64,
) -> BTreeMap<String, String> {
    let mut digests = BTreeMap::new();
    let due = when.map(|w| w.resolve(zone, now_ms)).filter(|&t| t > now_ms);
    for d in deliveries.iter_mut().filter(|d| d.status != DeliveryStatus::Skipped) {
        if let Some(t) = due {
            hold_until(d, t);
            continue;
        }
        if let Some(t) = quiet(d, prefs, zone, now_ms) {
            hold_until(d, t);
            continue;
        }
        if let Some(window) = digest_window(d, prefs) {
            hold_until(d, window.end(zone, now_ms));
            digests.insert(d.id.clone(), digest_key(d));
        }
    }
    digests
}

/// The digest window a delivery's preference asks for (never for `in_app`).
pub fn digest_window(d: &Delivery, prefs: Option<&Preferences>) -> Option<Window> {
    if d.channel_type == ChannelType::InApp {
        return None;
    }
    let p = prefs::ruling(prefs?, d.category.as_deref(), d.topic.as_deref())?;
    Window::of(p.delivery.unwrap_or_default(), p.window, p.digest_at.as_deref())
}

fn quiet(d: &Delivery, prefs: Option<&Preferences>, zone: &dyn Zone, now_ms: i64) -> Option<i64> {
    let p = prefs?;
    if !interrupts(d.channel_type) || prefs::required(p, d.category.as_deref(), d.topic.as_deref()) {
        return None;
    }
    quiet_until(p.quiet_hours.as_ref()?, zone, now_ms)
}

/// What a held delivery becomes when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// Goes out now: `in_app` is `delivered`, other channels `pending` for their sender.
    Go,
    /// Its preference now says no: `skipped` with this reason.
    Skip(&'static str),
    /// Quiet hours began in the meantime: wait until this instant.
    Wait(i64),
}

/// Decides a due delivery under the user's preferences at `now_ms` (they are read when it
/// goes out, not when it was asked for).
pub fn release(d: &Delivery, prefs: Option<&Preferences>, zone: &dyn Zone, now_ms: i64) -> Release {
    if let Some(p) = prefs {
        if let Decision::Skip(why) =
            prefs::evaluate(p, d.category.as_deref(), d.topic.as_deref(), d.channel_type, now_ms)
        {
            return Release::Skip(why);
        }
    }
    match quiet(d, prefs, zone, now_ms) {
        Some(t) if t > now_ms => Release::Wait(t),
        _ => Release::Go,
    }
}

/// Applies a [`Release::Go`] or [`Release::Skip`] to `d` at `now_ms`.
pub fn apply(d: &mut Delivery, r: Release, now_ms: i64) {
    let now = rfc3339(now_ms);
    d.updated_at = now.clone();
    match r {
        Release::Go if d.channel_type == ChannelType::InApp => {
            d.status = DeliveryStatus::Delivered;
            d.sent_at = Some(now);
        }
        Release::Go => d.status = DeliveryStatus::Pending,
        Release::Skip(why) => {
            d.status = DeliveryStatus::Skipped;
            d.reason = Some(why.to_owned());
        }
        Release::Wait(t) => d.deliver_at = Some(rfc3339(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{self, Reach};
    use crate::schedule::Utc;

    const NOON: i64 = 1_780_315_200_000; // 2026-06-01T12:00:00Z

    fn planned(body: &str) -> Vec<Delivery> {
        let n = notify::parse(body.as_bytes()).unwrap();
        let mut i = 0;
        notify::plan(
            &n,
            "ntf_1",
            "ada",
            None,
            |_| Reach::Ready,
            NOON,
            || {
                i += 1;
                format!("dlv_{i}")
            },
        )
    }

    fn prefs(json: &str) -> Preferences {
        notify::prefs::parse_with(json.as_bytes(), 1).unwrap()
    }

    #[test]
    fn a_send_at_ahead_holds_every_channel() {
        let mut ds = planned(r#"{"to":"ada","channels":["in_app","web_push"],"data":{"subject":"s"}}"#);
        let when = Some(When::At { ms: NOON + 5_000 });
        assert!(hold(&mut ds, when, None, &Utc, NOON).is_empty());
        assert!(ds.iter().all(|d| d.status == DeliveryStatus::Scheduled && d.sent_at.is_none()));
        assert_eq!(ds[0].deliver_at.as_deref(), Some("2026-06-01T12:00:05.000Z"));
        // A time already past is now.
        let mut ds = planned(r#"{"to":"ada","channels":["in_app"],"data":{"subject":"s"}}"#);
        hold(&mut ds, Some(When::At { ms: NOON - 1 }), None, &Utc, NOON);
        assert_eq!(ds[0].status, DeliveryStatus::Delivered);
    }

    #[test]
    fn quiet_hours_hold_push_but_not_in_app_nor_required() {
        let p =
            prefs(r#"{"quiet_hours":{"start":"11:00","end":"13:00"},"categories":{"security":{"status":"REQUIRED"}}}"#);
        let mut ds = planned(r#"{"to":"ada","channels":["in_app","web_push","mobile_push"],"data":{"subject":"s"}}"#);
        hold(&mut ds, None, Some(&p), &Utc, NOON);
        let statuses: Vec<_> = ds.iter().map(|d| d.status).collect();
        use DeliveryStatus::*;
        assert_eq!(statuses, vec![Delivered, Scheduled, Scheduled]);
        assert_eq!(ds[1].deliver_at.as_deref(), Some("2026-06-01T13:00:00.000Z"));
        let mut ds = planned(r#"{"to":"ada","category":"security","channels":["web_push"],"data":{"subject":"s"}}"#);
        hold(&mut ds, None, Some(&p), &Utc, NOON);
        assert_eq!(ds[0].status, Pending);
        // When a held delivery comes due inside new quiet hours it waits again; opted out, skipped.
        let d = &planned(r#"{"to":"ada","channels":["web_push"],"data":{"subject":"s"}}"#)[0];
        assert_eq!(release(d, Some(&p), &Utc, NOON), Release::Wait(NOON + 3_600_000));
        assert_eq!(release(d, Some(&p), &Utc, NOON + 3_600_000), Release::Go);
        let out = prefs(r#"{"categories":{"news":{"status":"OPTED_OUT"}}}"#);
        let d = &planned(r#"{"to":"ada","category":"news","channels":["in_app"],"data":{"subject":"s"}}"#)[0];
        assert_eq!(release(d, Some(&out), &Utc, NOON), Release::Skip("opted_out"));
    }

    #[test]
    fn a_digest_preference_holds_push_until_the_window_ends() {
        let p = prefs(r#"{"notifications":{"t":{"status":"OPTED_IN","delivery":"hourly"}}}"#);
        let mut ds = planned(r#"{"to":"ada","topic":"t","channels":["in_app","web_push"],"data":{"subject":"s"}}"#);
        let digests = hold(&mut ds, None, Some(&p), &Utc, NOON + 60_000);
        assert_eq!(ds[0].status, DeliveryStatus::Delivered);
        assert_eq!(ds[1].deliver_at.as_deref(), Some("2026-06-01T13:00:00.000Z"));
        assert_eq!(digests.get("dlv_2").map(String::as_str), Some("web_push:topic:t"));
    }
}
