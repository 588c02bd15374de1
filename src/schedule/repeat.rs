//! Deduplication and throttling, per user: what a repeat inside a window is.

use serde::{Deserialize, Serialize};

/// The `reason` of a delivery skipped as a repeat of its `dedupe_key`.
pub const DUPLICATE: &str = "duplicate";
/// The `reason` of a delivery skipped by a throttle.
pub const THROTTLED: &str = "throttled";

/// Default `dedupe_window`: a day, in seconds.
pub const DEFAULT_DEDUPE_WINDOW_S: u32 = 86_400;
/// Longest `dedupe_window` and throttle `per`: 30 days, in seconds.
pub const MAX_WINDOW_S: u32 = 30 * 86_400;
/// Largest throttle `max`.
pub const MAX_THROTTLE: u32 = 1000;

/// `throttle: {max, per}`: at most `max` notifications per `per` seconds, per user and topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// Notifications allowed in a window (1..=1000).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    pub max: u32,
    /// Window length, seconds (1..=30 days).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    pub per: u32,
}

impl Throttle {
    /// Whether its numbers are in range.
    pub fn is_valid(self) -> bool {
        (1..=MAX_THROTTLE).contains(&self.max) && (1..=MAX_WINDOW_S).contains(&self.per)
    }

    /// Admits one more send at `now_ms` given the times of the earlier admitted ones (`log`,
    /// any order): true and the send is logged, or false (throttled) and nothing changes. The
    /// window slides: a send is counted for `per` seconds after it was admitted. Times that
    /// can no longer count are dropped from the log.
    pub fn admit(self, log: &mut Vec<i64>, now_ms: i64) -> bool {
        let since = now_ms - i64::from(self.per) * 1000;
        log.retain(|&t| t > since);
        if log.len() >= self.max as usize {
            return false;
        }
        log.push(now_ms);
        true
    }
}

/// Whether a send with a dedupe key first seen at `first_ms` (none: never) is a duplicate at
/// `now_ms` under a window of `window_s` seconds. The window runs from the first send; a
/// duplicate does not extend it.
pub fn is_duplicate(first_ms: Option<i64>, window_s: u32, now_ms: i64) -> bool {
    first_ms.is_some_and(|t| now_ms < t + i64::from(window_s) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_inside_the_window_is_a_duplicate_and_after_it_is_not() {
        assert!(!is_duplicate(None, 60, 0));
        assert!(is_duplicate(Some(1_000), 60, 1_000));
        assert!(is_duplicate(Some(1_000), 60, 60_999));
        assert!(!is_duplicate(Some(1_000), 60, 61_000));
    }

    #[test]
    fn throttle_slides_and_forgets_old_sends() {
        let t = Throttle { max: 2, per: 10 };
        let mut log = Vec::new();
        assert!(t.admit(&mut log, 0));
        assert!(t.admit(&mut log, 5_000));
        assert!(!t.admit(&mut log, 9_999));
        assert_eq!(log, vec![0, 5_000]);
        // The first send stops counting 10 s after it.
        assert!(t.admit(&mut log, 10_000));
        assert!(!t.admit(&mut log, 14_999));
        assert!(t.admit(&mut log, 15_000));
        assert_eq!(log, vec![10_000, 15_000]);
        assert!(!Throttle { max: 0, per: 10 }.is_valid());
        assert!(!Throttle { max: 1, per: 0 }.is_valid());
        assert!(Throttle { max: 1000, per: MAX_WINDOW_S }.is_valid());
    }
}
