//! Quiet hours: a daily local window (`start` to `end`, possibly across midnight) in which
//! interrupting channels wait.

use super::when::parse_hh_mm;
use super::zone::{local_at, resolve, Zone};
use crate::model::{ChannelType, QuietHours};

/// Whether quiet hours hold back this channel: push and sms interrupt; `in_app`, `email`,
/// `slack` and `webhook` are never delayed.
pub fn interrupts(channel: ChannelType) -> bool {
    matches!(channel, ChannelType::WebPush | ChannelType::MobilePush | ChannelType::Sms)
}

/// When the quiet hours holding `now_ms` end (the instant), or `None` outside them. An empty
/// window (`start == end`) is never quiet.
pub fn quiet_until(q: &QuietHours, zone: &dyn Zone, now_ms: i64) -> Option<i64> {
    let (start, end) = (parse_hh_mm(&q.start)?, parse_hh_mm(&q.end)?);
    let now = local_at(zone, now_ms);
    let s = now.second_of_day();
    let end_day = match start.cmp(&end) {
        std::cmp::Ordering::Equal => return None,
        std::cmp::Ordering::Less if (start..end).contains(&s) => 0,
        std::cmp::Ordering::Greater if s >= start => 1,
        std::cmp::Ordering::Greater if s < end => 0,
        _ => return None,
    };
    Some(resolve(zone, now.at(end_day, end)).max(now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::zone::Local;

    fn q(start: &str, end: &str) -> QuietHours {
        QuietHours { start: start.into(), end: end.into() }
    }

    fn at(h: i64, m: i64) -> i64 {
        Local::new(2026, 6, 1, h * 3600 + m * 60).0 * 1000
    }

    #[test]
    fn a_window_across_midnight_ends_the_next_morning() {
        let night = q("22:00", "07:00");
        let z = super::super::zone::Utc;
        assert_eq!(quiet_until(&night, &z, at(23, 30)), Some(at(31, 0)));
        assert_eq!(quiet_until(&night, &z, at(22, 0)), Some(at(31, 0)));
        assert_eq!(quiet_until(&night, &z, at(6, 59)), Some(at(7, 0)));
        assert_eq!(quiet_until(&night, &z, at(7, 0)), None);
        assert_eq!(quiet_until(&night, &z, at(12, 0)), None);
        assert_eq!(quiet_until(&night, &z, at(21, 59)), None);
    }

    #[test]
    fn a_window_inside_one_day_and_an_empty_one() {
        let z = super::super::zone::Utc;
        let lunch = q("12:00", "13:30");
        assert_eq!(quiet_until(&lunch, &z, at(12, 0)), Some(at(13, 30)));
        assert_eq!(quiet_until(&lunch, &z, at(13, 30)), None);
        assert_eq!(quiet_until(&lunch, &z, at(11, 0)), None);
        assert_eq!(quiet_until(&q("08:00", "08:00"), &z, at(8, 0)), None);
        assert!(interrupts(ChannelType::WebPush) && interrupts(ChannelType::Sms));
        assert!(!interrupts(ChannelType::InApp) && !interrupts(ChannelType::Email) && !interrupts(ChannelType::Slack));
    }
}
