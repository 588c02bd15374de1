//! Time zones as the scheduler needs them: a zone answers one question (its UTC offset at an
//! instant); everything else (local wall time of an instant, the instant of a local wall time
//! across DST gaps and overlaps) is derived here, the same way whatever answers it (the IANA
//! database natively, `Intl` in workerd).

use crate::time::{civil_from_days, days_from_civil};

/// A time zone: its UTC offset (seconds, east positive) at an instant (ms since the epoch).
pub trait Zone {
    /// The offset in force at `instant_ms`.
    fn offset_s(&self, instant_ms: i64) -> i32;
}

/// UTC, the zone of a user without `timezone`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Utc;

impl Zone for Utc {
    fn offset_s(&self, _: i64) -> i32 {
        0
    }
}

/// A local wall-clock time: seconds since 1970-01-01T00:00 of the local calendar (no zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Local(pub i64);

impl Local {
    /// The wall time at `date` (year, month, day) and `second_of_day`.
    pub fn new(y: i64, m: u32, d: u32, second_of_day: i64) -> Self {
        Local(days_from_civil(y, i64::from(m), i64::from(d)) * 86_400 + second_of_day)
    }

    /// Days since 1970-01-01 of its date.
    pub fn day(self) -> i64 {
        self.0.div_euclid(86_400)
    }

    /// Seconds since local midnight.
    pub fn second_of_day(self) -> i64 {
        self.0.rem_euclid(86_400)
    }

    /// Its date: (year, month, day).
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.day())
    }

    /// Day of the week, Monday = 0.
    pub fn weekday(self) -> i64 {
        // 1970-01-01 was a Thursday.
        (self.day() + 3).rem_euclid(7)
    }

    /// The same date at `second_of_day`, `days` later.
    pub fn at(self, days: i64, second_of_day: i64) -> Self {
        Local((self.day() + days) * 86_400 + second_of_day)
    }
}

/// The local wall time of `instant_ms` in `zone` (seconds resolution, rounded down).
pub fn local_at(zone: &dyn Zone, instant_ms: i64) -> Local {
    Local(instant_ms.div_euclid(1000) + i64::from(zone.offset_s(instant_ms)))
}

/// The instant (ms) of the local wall time `local` in `zone`. A time that happens twice (the
/// clocks went back) is its first occurrence; a time that never happens (the clocks went
/// forward over it) is the first instant after the gap, the transition itself.
pub fn resolve(zone: &dyn Zone, local: Local) -> i64 {
    const DAY_MS: i64 = 86_400_000;
    let wall_ms = local.0 * 1000;
    // Real zones change offset at most once within a day of any instant: the offsets a day
    // before and after are the only candidates.
    let before = zone.offset_s(wall_ms - DAY_MS);
    let after = zone.offset_s(wall_ms + DAY_MS);
    let candidate = |o: i32| {
        let t = wall_ms - i64::from(o) * 1000;
        (zone.offset_s(t) == o).then_some(t)
    };
    if let Some(t) = [candidate(before), candidate(after)].into_iter().flatten().min() {
        return t;
    }
    // A gap: the transition lies between the instant the wall time would have with the later
    // offset (still before it) and with the earlier one (already after it).
    let (lo, hi) = {
        let a = wall_ms - i64::from(before) * 1000;
        let b = wall_ms - i64::from(after) * 1000;
        (a.min(b), a.max(b))
    };
    transition_in(zone, lo, hi).unwrap_or(hi)
}

/// The first instant of `(lo, hi]` whose offset differs from `lo`'s (whole seconds: zones change
/// on the second), if any.
fn transition_in(zone: &dyn Zone, lo: i64, hi: i64) -> Option<i64> {
    let first = zone.offset_s(lo);
    let (mut lo_s, mut hi_s) = (lo.div_euclid(1000), hi.div_euclid(1000) + 1);
    if zone.offset_s(hi_s * 1000) == first {
        return None;
    }
    while hi_s - lo_s > 1 {
        let mid = lo_s + (hi_s - lo_s) / 2;
        if zone.offset_s(mid * 1000) == first {
            lo_s = mid;
        } else {
            hi_s = mid;
        }
    }
    Some(hi_s * 1000)
}

/// The instant of the next `second_of_day` wall time strictly after `now_ms` (today's, or the
/// next day's when today's has passed).
pub fn next_daily(zone: &dyn Zone, second_of_day: i64, now_ms: i64) -> i64 {
    let today = local_at(zone, now_ms);
    (0..=2).map(|d| resolve(zone, today.at(d, second_of_day))).find(|&t| t > now_ms).unwrap_or(now_ms)
}
