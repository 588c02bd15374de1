//! Rate limits: `max` requests (or sends) per fixed window of `window` seconds, one counter per
//! key. A window opens with the first request after the previous one ended, so keys do not all
//! reset at the same instant. Only allowed requests are counted, so a client that keeps
//! retrying while limited is served as soon as its window ends. Pure: the counter is stored by
//! the caller (the `Limiter` Durable Object, or a user's feed object for sends) and `now_ms` is
//! passed in.

use crate::model::{Delivery, DeliveryStatus};
use serde::{Deserialize, Serialize};

/// The `reason` of a delivery skipped because its recipient had too many notifications.
pub const RATE_LIMITED: &str = "rate_limited";

/// At most `max` per `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// How many are allowed in one window (at least 1).
    pub max: u32,
    /// The window, seconds (at least 1).
    pub window: u32,
}

/// A configured limit that is neither `<max>/<seconds>` nor `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a rate limit is <max>/<seconds> (max at least 1, 1 to 86400 seconds) or off")]
pub struct InvalidLimit;

/// Longest window accepted in configuration: one day.
pub const MAX_WINDOW_SECONDS: u32 = 86_400;

impl RateLimit {
    /// Parses a configured limit: `"<max>/<seconds>"` (`"1000/60"`), or `off` for none.
    /// `Err` for anything else, so the caller can fall back to the default and say so.
    pub fn parse(text: &str) -> Result<Option<RateLimit>, InvalidLimit> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let (max, window) = text.split_once('/').ok_or(InvalidLimit)?;
        let number = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        match (number(max), number(window)) {
            (Some(max), Some(window)) if max >= 1 && (1..=MAX_WINDOW_SECONDS).contains(&window) => {
                Ok(Some(RateLimit { max, window }))
            }
            _ => Err(InvalidLimit),
        }
    }

    /// A configured limit, or `default` when the text is empty or not valid.
    pub fn configured(text: &str, default: Option<RateLimit>) -> Option<RateLimit> {
        if text.trim().is_empty() {
            return default;
        }
        RateLimit::parse(text).unwrap_or(default)
    }
}

/// One key's counter: when its window opened and how many were allowed in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// Milliseconds since the epoch.
    pub window_start_ms: i64,
    /// Allowed so far in the window.
    pub count: u32,
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether it is allowed (and was counted).
    pub allowed: bool,
    /// The limit.
    pub limit: u32,
    /// The window, seconds.
    pub window: u32,
    /// How many more the window allows.
    pub remaining: u32,
    /// Seconds until the window ends (at least 1): `Retry-After` when refused.
    pub reset: u32,
}

/// Takes `cost` (≥ 1) from `counter` at `now_ms`: the counter to store and the decision. A
/// clock that went backwards counts in the current window.
pub fn take(limit: RateLimit, counter: Counter, now_ms: i64, cost: u32) -> (Counter, Decision) {
    let window_ms = i64::from(limit.window) * 1000;
    let current = if now_ms >= counter.window_start_ms.saturating_add(window_ms) || counter.count == 0 {
        Counter { window_start_ms: now_ms, count: 0 }
    } else {
        counter
    };
    let allowed = current.count.saturating_add(cost) <= limit.max;
    let next = if allowed { Counter { count: current.count + cost, ..current } } else { current };
    let left_ms = (next.window_start_ms.saturating_add(window_ms) - now_ms).clamp(0, window_ms);
    let reset = u32::try_from((left_ms + 999) / 1000).unwrap_or(limit.window).max(1);
    let decision = Decision {
        allowed,
        limit: limit.max,
        window: limit.window,
        remaining: limit.max.saturating_sub(next.count),
        reset,
    };
    (next, decision)
}

/// The per-recipient limit over new deliveries to one user, in order: each notification with a
/// delivery that preferences did not skip costs one; past the limit, every delivery of that
/// notification becomes `skipped` with reason [`RATE_LIMITED`]. Returns the counter to store
/// and the first refusal (a single-recipient send answers 429 with it and writes nothing).
pub fn limit_recipient(
    limit: RateLimit,
    mut counter: Counter,
    now_ms: i64,
    deliveries: &mut [Delivery],
) -> (Counter, Option<Decision>) {
    let mut refusal = None;
    let mut decided: Vec<(String, bool)> = Vec::new();
    for i in 0..deliveries.len() {
        let notification = deliveries[i].notification_id.clone();
        let allowed = match decided.iter().find(|(n, _)| *n == notification) {
            Some((_, allowed)) => *allowed,
            None => {
                let costs =
                    deliveries.iter().any(|d| d.notification_id == notification && d.status != DeliveryStatus::Skipped);
                let allowed = !costs || {
                    let (next, decision) = take(limit, counter, now_ms, 1);
                    counter = next;
                    if !decision.allowed {
                        refusal.get_or_insert(decision);
                    }
                    decision.allowed
                };
                decided.push((notification, allowed));
                allowed
            }
        };
        if !allowed {
            let d = &mut deliveries[i];
            d.status = DeliveryStatus::Skipped;
            d.reason = Some(RATE_LIMITED.to_owned());
            d.sent_at = None;
        }
    }
    (counter, refusal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChannelType;
    use proptest::prelude::*;

    const L: RateLimit = RateLimit { max: 3, window: 10 };

    #[test]
    fn parses_limits() {
        assert_eq!(RateLimit::parse("1000/60"), Ok(Some(RateLimit { max: 1000, window: 60 })));
        assert_eq!(RateLimit::parse(" 5 / 2 "), Ok(Some(RateLimit { max: 5, window: 2 })));
        assert_eq!(RateLimit::parse("OFF"), Ok(None));
        for bad in ["", "10", "0/60", "10/0", "10/86401", "-1/60", "1e3/60", "10/60s", "99999999999/60"] {
            assert_eq!(RateLimit::parse(bad), Err(InvalidLimit), "{bad}");
        }
        let d = Some(RateLimit { max: 7, window: 1 });
        assert_eq!(RateLimit::configured("", d), d);
        assert_eq!(RateLimit::configured("nonsense", d), d);
        assert_eq!(RateLimit::configured("off", d), None);
    }

    #[test]
    fn a_burst_past_the_limit_is_refused_until_the_window_ends() {
        let mut c = Counter::default();
        let t0 = 1_000_000;
        for i in 0..3 {
            let (next, d) = take(L, c, t0 + i, 1);
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i as u32);
            c = next;
        }
        let (c2, d) = take(L, c, t0 + 2_500, 1);
        assert_eq!(d, Decision { allowed: false, limit: 3, window: 10, remaining: 0, reset: 8 });
        assert_eq!(c2, c, "refusals are not counted");
        let (_, d) = take(L, c, t0 + 9_999, 1);
        assert_eq!((d.allowed, d.reset), (false, 1));
        let (c3, d) = take(L, c, t0 + 10_000, 1);
        assert!(d.allowed);
        assert_eq!(c3, Counter { window_start_ms: t0 + 10_000, count: 1 });
    }

    #[test]
    fn cost_takes_several_at_once() {
        let (c, d) = take(L, Counter::default(), 0, 3);
        assert!(d.allowed && d.remaining == 0);
        assert!(!take(L, c, 1, 1).1.allowed);
        assert!(!take(L, Counter::default(), 0, 4).1.allowed);
    }

    fn delivery(n: &str, channel: ChannelType, status: DeliveryStatus) -> Delivery {
        let v = serde_json::json!({
            "id": format!("dlv_{n}_{}", channel.as_str()), "notification_id": n, "recipient_id": "u",
            "channel_type": channel.as_str(), "status": status.as_str(), "data": {},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "sent_at": if status == DeliveryStatus::Delivered { Some("2026-01-01T00:00:00Z") } else { None },
        });
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_notification_costs_one_whatever_its_channels() {
        let limit = RateLimit { max: 2, window: 60 };
        let mut ds = vec![
            delivery("n1", ChannelType::InApp, DeliveryStatus::Delivered),
            delivery("n1", ChannelType::WebPush, DeliveryStatus::Pending),
            delivery("n2", ChannelType::InApp, DeliveryStatus::Skipped),
            delivery("n3", ChannelType::InApp, DeliveryStatus::Delivered),
            delivery("n4", ChannelType::InApp, DeliveryStatus::Delivered),
            delivery("n4", ChannelType::WebPush, DeliveryStatus::Pending),
        ];
        let (c, refusal) = limit_recipient(limit, Counter::default(), 1_000, &mut ds);
        assert_eq!(c.count, 2, "n1 and n3; n2 was skipped by preferences and costs nothing");
        let r = refusal.expect("n4 is over");
        assert_eq!((r.allowed, r.limit, r.window, r.reset), (false, 2, 60, 60));
        let statuses: Vec<_> = ds.iter().map(|d| (d.status, d.reason.as_deref())).collect();
        assert_eq!(
            statuses,
            vec![
                (DeliveryStatus::Delivered, None),
                (DeliveryStatus::Pending, None),
                (DeliveryStatus::Skipped, None),
                (DeliveryStatus::Delivered, None),
                (DeliveryStatus::Skipped, Some(RATE_LIMITED)),
                (DeliveryStatus::Skipped, Some(RATE_LIMITED)),
            ]
        );
        assert!(ds[4].sent_at.is_none());
    }

    proptest! {
        /// However requests arrive, no window allows more than `max`, and a refusal's
        /// `reset` is exactly when the window ends.
        #[test]
        fn never_more_than_max_per_window(
            max in 1u32..20, window in 1u32..30, gaps in prop::collection::vec(0i64..4_000, 1..200),
        ) {
            let limit = RateLimit { max, window };
            let mut c = Counter::default();
            let mut now = 5_000_000i64;
            let mut allowed_at: Vec<i64> = Vec::new();
            for g in gaps {
                now += g;
                let (next, d) = take(limit, c, now, 1);
                prop_assert!(d.reset >= 1 && d.reset <= window);
                if d.allowed {
                    allowed_at.push(now);
                } else {
                    let end = next.window_start_ms + i64::from(window) * 1000;
                    prop_assert_eq!(i64::from(d.reset), ((end - now) + 999) / 1000);
                    prop_assert_eq!(next.count, max);
                }
                let in_window = allowed_at.iter().filter(|t| **t >= next.window_start_ms).count();
                prop_assert!(in_window as u32 <= max);
                c = next;
            }
        }
    }
}
