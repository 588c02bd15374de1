//! Digests: the notifications of one window become one delivery at the window's end, in the
//! user's zone (hourly on the hour, daily at `digest_at`, weekly on Monday at `digest_at`, or a
//! custom `window` that opens with the first notification).

use super::when::parse_hh_mm;
use super::zone::{local_at, resolve, Zone};
use crate::model::Delivery;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The `reason` of a held delivery that went out inside another one's digest.
pub const DIGESTED: &str = "digested";
/// Default `digest_at`: 09:00.
pub const DEFAULT_DIGEST_AT_S: i64 = 9 * 3600;
/// Shortest custom `window` (seconds); dev mode allows 1.
pub const MIN_WINDOW_S: u32 = 60;
/// Items a digest carries in `data.items` (newest first); `data.count` counts them all.
pub const MAX_ITEMS: usize = 50;

/// A preference's `delivery`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// One by one, at once (no digest).
    #[default]
    Instant,
    /// On the hour.
    Hourly,
    /// Daily at `digest_at`.
    Daily,
    /// Mondays at `digest_at`.
    Weekly,
}

/// How a digest's window is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Window {
    /// A calendar cadence at `digest_at` (seconds since local midnight).
    Calendar {
        /// Hourly, daily or weekly.
        cadence: Cadence,
        /// Daily and weekly: when (seconds since local midnight).
        digest_at: i64,
    },
    /// `window` seconds from the first notification.
    Custom {
        /// Seconds.
        seconds: u32,
    },
}

impl Window {
    /// The window a preference asks for (`None`: instant delivery). A custom `window` wins
    /// over the cadence; a malformed `digest_at` (refused at the API) reads as the default.
    pub fn of(cadence: Cadence, window_s: Option<u32>, digest_at: Option<&str>) -> Option<Window> {
        if let Some(seconds) = window_s {
            return Some(Window::Custom { seconds });
        }
        let digest_at = digest_at.and_then(parse_hh_mm).unwrap_or(DEFAULT_DIGEST_AT_S);
        (cadence != Cadence::Instant).then_some(Window::Calendar { cadence, digest_at })
    }

    /// When the window that `opened_ms` falls in ends (strictly after it), in `zone`.
    pub fn end(self, zone: &dyn Zone, opened_ms: i64) -> i64 {
        let now = local_at(zone, opened_ms);
        let first_after = |candidates: &mut dyn Iterator<Item = super::zone::Local>| {
            candidates.map(|l| resolve(zone, l)).find(|&t| t > opened_ms).unwrap_or(opened_ms)
        };
        match self {
            Window::Custom { seconds } => opened_ms + i64::from(seconds) * 1000,
            Window::Calendar { cadence: Cadence::Instant, .. } => opened_ms,
            Window::Calendar { cadence: Cadence::Hourly, .. } => {
                let hour = now.second_of_day() / 3600 * 3600;
                first_after(&mut (1..=3).map(|h| now.at(0, hour + h * 3600)))
            }
            Window::Calendar { cadence: Cadence::Daily, digest_at } => {
                first_after(&mut (0..=2).map(|d| now.at(d, digest_at)))
            }
            Window::Calendar { cadence: Cadence::Weekly, digest_at } => {
                let monday = -now.weekday();
                first_after(&mut [0, 7, 14].into_iter().map(|d| now.at(monday + d, digest_at)))
            }
        }
    }
}

/// The one delivery a window's notifications (`items`, oldest first, all on one channel for one
/// user) become: the newest one's fields, with `data.count`, `data.items[]` (each original
/// `data`, newest first, at most [`MAX_ITEMS`]) and a subject that says how many.
pub fn collapse(items: &[Delivery], id: String, now: &str) -> Option<Delivery> {
    let newest = items.last()?;
    let count = items.len();
    let list: Vec<Value> = items.iter().rev().take(MAX_ITEMS).map(|d| d.data.clone()).collect();
    let subject = match count {
        1 => "1 new notification".to_owned(),
        n => format!("{n} new notifications"),
    };
    let body = newest.data.get("subject").or_else(|| newest.data.get("body")).cloned().unwrap_or(Value::Null);
    let mut d = newest.clone();
    d.id = id;
    d.data = json!({"subject": subject, "body": body, "count": count, "items": list});
    if let Some(url) = newest.data.get("url") {
        d.data["url"] = url.clone();
    }
    d.created_at = now.to_owned();
    d.updated_at = now.to_owned();
    Some(d)
}
