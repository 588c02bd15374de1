//! When a notification goes out: `send_at` (an instant) or `deliver_at_local` (a wall time in
//! each recipient's zone), parsed at the API and resolved per recipient.

use super::zone::{local_at, next_daily, resolve, Local, Zone};
use crate::time::{days_from_civil, parse_rfc3339};
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// The furthest ahead a send may be scheduled (a year, leap day included).
pub const MAX_AHEAD_MS: i64 = 366 * 86_400_000;

/// A parsed schedule of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum When {
    /// `send_at`: this instant (ms).
    At {
        /// Milliseconds since the epoch.
        ms: i64,
    },
    /// `deliver_at_local: "HH:MM"`: the next time the recipient's clock shows it.
    Daily {
        /// Seconds since local midnight.
        second_of_day: i64,
    },
    /// `deliver_at_local: "YYYY-MM-DDTHH:MM"`: that wall time in the recipient's zone.
    Local {
        /// The wall time.
        local: i64,
    },
}

fn two(s: &str) -> Option<i64> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// `HH:MM` (00:00 to 23:59) as seconds since midnight.
pub fn parse_hh_mm(s: &str) -> Option<i64> {
    let (h, m) = s.split_once(':')?;
    let (h, m) = (two(h)?, two(m)?);
    (h < 24 && m < 60).then_some(h * 3600 + m * 60)
}

fn parse_local_date_time(s: &str) -> Option<Local> {
    let (date, time) = s.split_once('T')?;
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, two(m)?, two(d)?);
    // The date must exist: it survives a round trip through the calendar.
    let day = days_from_civil(y, m, d);
    let (ry, rm, rd) = crate::time::civil_from_days(day);
    if (ry, i64::from(rm), i64::from(rd)) != (y, m, d) {
        return None;
    }
    Some(Local(day * 86_400 + parse_hh_mm(time)?))
}

/// Parses the schedule fields of a send (`send_at`, `deliver_at_local`; at most one); with
/// `now_ms`, also refuses times more than a year ahead of it.
pub fn parse(
    send_at: Option<&str>,
    deliver_at_local: Option<&str>,
    now_ms: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<When> {
    match (send_at, deliver_at_local) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            errors.push(FieldError::new("deliver_at_local", "conflict", "give send_at or deliver_at_local, not both"));
            None
        }
        (Some(s), None) => match parse_rfc3339(s) {
            None => {
                errors.push(FieldError::new(
                    "send_at",
                    "invalid",
                    "send_at must be an RFC 3339 timestamp with an offset, e.g. 2026-12-01T09:00:00Z",
                ));
                None
            }
            Some(ms) if now_ms.is_some_and(|now| ms > now + MAX_AHEAD_MS) => {
                errors.push(FieldError::new("send_at", "out_of_range", "send_at must be at most a year ahead"));
                None
            }
            Some(ms) => Some(When::At { ms }),
        },
        (None, Some(s)) => {
            if let Some(second_of_day) = parse_hh_mm(s) {
                return Some(When::Daily { second_of_day });
            }
            match parse_local_date_time(s) {
                // Every zone is within a day of UTC: a year and a day ahead of now is out of range anywhere.
                Some(l) if now_ms.is_some_and(|now| l.0 * 1000 > now + MAX_AHEAD_MS + 86_400_000) => {
                    errors.push(FieldError::new(
                        "deliver_at_local",
                        "out_of_range",
                        "deliver_at_local must be at most a year ahead",
                    ));
                    None
                }
                Some(l) => Some(When::Local { local: l.0 }),
                None => {
                    errors.push(FieldError::new(
                        "deliver_at_local",
                        "invalid",
                        "deliver_at_local must be HH:MM or YYYY-MM-DDTHH:MM (the recipient's local time)",
                    ));
                    None
                }
            }
        }
    }
}

impl When {
    /// The instant (ms) this schedule means for a recipient in `zone`, never before `now_ms`
    /// (a time already past goes out now; `HH:MM` past today means tomorrow).
    pub fn resolve(self, zone: &dyn Zone, now_ms: i64) -> i64 {
        match self {
            When::At { ms } => ms.max(now_ms),
            When::Daily { second_of_day } => next_daily(zone, second_of_day, now_ms),
            When::Local { local } => resolve(zone, Local(local)).max(now_ms),
        }
    }
}

/// Whether `instant_ms` shows `local` on `zone`'s clock, or is the first instant after a gap
/// that `local` falls in (the promise of [`When::resolve`]).
pub fn shows(zone: &dyn Zone, instant_ms: i64, local: Local) -> bool {
    let seen = local_at(zone, instant_ms);
    seen == local
        || (seen > local
            && local_at(zone, instant_ms - 1000) < local
            && zone.offset_s(instant_ms - 1000) != zone.offset_s(instant_ms))
}
