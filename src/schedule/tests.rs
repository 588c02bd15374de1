//! Native checks against the IANA time zone database (jiff, bundled tzdb).

use super::digest::{Cadence, Window};
use super::quiet::quiet_until;
use super::when::{self, shows, When};
use super::zone::{local_at, resolve, Local, Zone};
use crate::model::QuietHours;
use proptest::prelude::*;

struct Tz(jiff::tz::TimeZone);

impl Zone for Tz {
    fn offset_s(&self, instant_ms: i64) -> i32 {
        let ts = jiff::Timestamp::from_millisecond(instant_ms).unwrap();
        self.0.to_offset(ts).seconds()
    }
}

fn tz(name: &str) -> Tz {
    Tz(jiff::tz::TimeZone::get(name).unwrap())
}

const ZONES: [&str; 7] = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
    "America/St_Johns",
];

fn ms(rfc: &str) -> i64 {
    crate::time::parse_rfc3339(rfc).unwrap()
}

fn wall(y: i64, m: u32, d: u32, h: i64, min: i64) -> Local {
    Local::new(y, m, d, h * 3600 + min * 60)
}

#[test]
fn ordinary_times_resolve_to_their_offset() {
    assert_eq!(resolve(&tz("America/New_York"), wall(2026, 1, 15, 9, 0)), ms("2026-01-15T14:00:00Z"));
    assert_eq!(resolve(&tz("America/New_York"), wall(2026, 7, 15, 9, 0)), ms("2026-07-15T13:00:00Z"));
    assert_eq!(resolve(&tz("Asia/Kathmandu"), wall(2026, 7, 15, 9, 0)), ms("2026-07-15T03:15:00Z"));
    // Chatham: +12:45 in its winter, +13:45 in its summer (January).
    assert_eq!(resolve(&tz("Pacific/Chatham"), wall(2026, 7, 15, 9, 0)), ms("2026-07-14T20:15:00Z"));
    assert_eq!(resolve(&tz("Pacific/Chatham"), wall(2026, 1, 15, 9, 0)), ms("2026-01-14T19:15:00Z"));
    assert_eq!(resolve(&tz("Australia/Sydney"), wall(2026, 1, 15, 9, 0)), ms("2026-01-14T22:00:00Z"));
}

#[test]
fn a_time_in_a_spring_forward_gap_goes_out_at_the_end_of_the_gap() {
    // New York, 2026-03-08: 02:00 EST → 03:00 EDT (07:00Z).
    let ny = tz("America/New_York");
    assert_eq!(resolve(&ny, wall(2026, 3, 8, 2, 30)), ms("2026-03-08T07:00:00Z"));
    assert_eq!(resolve(&ny, wall(2026, 3, 8, 2, 0)), ms("2026-03-08T07:00:00Z"));
    assert_eq!(resolve(&ny, wall(2026, 3, 8, 3, 0)), ms("2026-03-08T07:00:00Z"));
    assert_eq!(resolve(&ny, wall(2026, 3, 8, 1, 59)), ms("2026-03-08T06:59:00Z"));
    // London, 2026-03-29: 01:00 GMT → 02:00 BST.
    assert_eq!(resolve(&tz("Europe/London"), wall(2026, 3, 29, 1, 30)), ms("2026-03-29T01:00:00Z"));
    // Sydney, 2026-10-04: 02:00 AEST → 03:00 AEDT (16:00Z the day before).
    assert_eq!(resolve(&tz("Australia/Sydney"), wall(2026, 10, 4, 2, 15)), ms("2026-10-03T16:00:00Z"));
    // Chatham, 2026-09-27: 02:45 +12:45 → 03:45 +13:45 (14:00Z the day before).
    assert_eq!(resolve(&tz("Pacific/Chatham"), wall(2026, 9, 27, 3, 0)), ms("2026-09-26T14:00:00Z"));
}

#[test]
fn a_time_that_happens_twice_goes_out_at_its_first_occurrence() {
    // New York, 2026-11-01: 02:00 EDT → 01:00 EST; 01:30 happens at 05:30Z and 06:30Z.
    assert_eq!(resolve(&tz("America/New_York"), wall(2026, 11, 1, 1, 30)), ms("2026-11-01T05:30:00Z"));
    // London, 2026-10-25: 01:30 BST (00:30Z) then 01:30 GMT (01:30Z).
    assert_eq!(resolve(&tz("Europe/London"), wall(2026, 10, 25, 1, 30)), ms("2026-10-25T00:30:00Z"));
    // Sydney, 2026-04-05: 02:30 AEDT (15:30Z) then 02:30 AEST.
    assert_eq!(resolve(&tz("Australia/Sydney"), wall(2026, 4, 5, 2, 30)), ms("2026-04-04T15:30:00Z"));
    // Chatham, 2026-04-05: 03:45 +13:45 → 02:45 +12:45; 03:00 first at 13:15Z.
    assert_eq!(resolve(&tz("Pacific/Chatham"), wall(2026, 4, 5, 3, 0)), ms("2026-04-04T13:15:00Z"));
}

#[test]
fn resolution_agrees_with_the_tz_database() {
    // Every quarter hour across the 2026 transitions of each zone: the database's own
    // disambiguation (earlier for folds; for gaps the transition instant) is our answer.
    for name in ZONES {
        let z = tz(name);
        for day in 0..366 {
            for q in 0..96 {
                let local = Local(Local::new(2026, 1, 1, 0).0 + day * 86_400 + q * 900);
                let (y, m, d) = local.date();
                let dt = jiff::civil::date(y as i16, m as i8, d as i8).at((q / 4) as i8, (q % 4 * 15) as i8, 0, 0);
                let amb = z.0.to_ambiguous_timestamp(dt);
                let expected = match amb.offset() {
                    jiff::tz::AmbiguousOffset::Unambiguous { offset } => {
                        dt.to_zoned(jiff::tz::TimeZone::fixed(offset)).unwrap().timestamp()
                    }
                    jiff::tz::AmbiguousOffset::Fold { before, .. } => {
                        dt.to_zoned(jiff::tz::TimeZone::fixed(before)).unwrap().timestamp()
                    }
                    jiff::tz::AmbiguousOffset::Gap { after, .. } => {
                        // Read with the new offset the wall time is an instant before the
                        // transition; the transition that follows it ends the gap.
                        let early = dt.to_zoned(jiff::tz::TimeZone::fixed(after)).unwrap().timestamp();
                        z.0.following(early).next().unwrap().timestamp()
                    }
                };
                assert_eq!(resolve(&z, local), expected.as_millisecond(), "{name} {dt}");
            }
        }
    }
}

#[test]
fn deliver_at_local_past_today_means_tomorrow() {
    let ny = tz("America/New_York");
    let now = ms("2026-06-01T14:00:00Z"); // 10:00 in New York
    let mut errors = Vec::new();
    let nine = when::parse(None, Some("09:00"), Some(now), &mut errors).unwrap();
    let eleven = when::parse(None, Some("11:00"), Some(now), &mut errors).unwrap();
    assert_eq!(nine.resolve(&ny, now), ms("2026-06-02T13:00:00Z"));
    assert_eq!(eleven.resolve(&ny, now), ms("2026-06-01T15:00:00Z"));
    let ten = when::parse(None, Some("10:00"), Some(now), &mut errors).unwrap();
    assert_eq!(ten.resolve(&ny, now), ms("2026-06-02T14:00:00Z"));
    let dated = when::parse(None, Some("2026-06-03T08:30"), Some(now), &mut errors).unwrap();
    assert_eq!(dated.resolve(&tz("Asia/Kathmandu"), now), ms("2026-06-03T02:45:00Z"));
    // The same wall time is a different instant in another zone.
    assert_ne!(eleven.resolve(&tz("Pacific/Chatham"), now), eleven.resolve(&ny, now));
    assert!(errors.is_empty());
}

#[test]
fn schedule_fields_are_refused_with_their_name() {
    let now = ms("2026-06-01T14:00:00Z");
    let refused = |send_at: Option<&str>, local: Option<&str>| {
        let mut errors = Vec::new();
        assert_eq!(when::parse(send_at, local, Some(now), &mut errors), None);
        errors.into_iter().map(|e| (e.field, e.reason)).collect::<Vec<_>>()
    };
    assert_eq!(refused(Some("tomorrow"), None), vec![("send_at".to_owned(), "invalid")]);
    assert_eq!(refused(Some("2027-06-03T00:00:00Z"), None), vec![("send_at".to_owned(), "out_of_range")]);
    assert_eq!(refused(None, Some("24:00")), vec![("deliver_at_local".to_owned(), "invalid")]);
    assert_eq!(refused(None, Some("9:00")), vec![("deliver_at_local".to_owned(), "invalid")]);
    assert_eq!(refused(None, Some("2026-02-30T09:00")), vec![("deliver_at_local".to_owned(), "invalid")]);
    assert_eq!(refused(None, Some("2028-06-03T09:00")), vec![("deliver_at_local".to_owned(), "out_of_range")]);
    assert_eq!(refused(Some("2026-06-02T00:00:00Z"), Some("09:00")), vec![("deliver_at_local".to_owned(), "conflict")]);
    let mut errors = Vec::new();
    // A time already past goes out now.
    let past = when::parse(Some("2026-05-01T00:00:00+02:00"), None, Some(now), &mut errors).unwrap();
    assert_eq!(past.resolve(&super::Utc, now), now);
}

#[test]
fn digest_windows_end_on_their_boundaries_in_the_users_zone() {
    let ktm = tz("Asia/Kathmandu");
    let hourly = Window::of(Cadence::Hourly, None, None).unwrap();
    // 10:20 in Kathmandu (04:35Z) → 11:00 local = 05:15Z; exactly on the hour → the next hour.
    assert_eq!(hourly.end(&ktm, ms("2026-06-01T04:35:00Z")), ms("2026-06-01T05:15:00Z"));
    assert_eq!(hourly.end(&ktm, ms("2026-06-01T05:15:00Z")), ms("2026-06-01T06:15:00Z"));
    let daily = Window::of(Cadence::Daily, None, None).unwrap();
    let ny = tz("America/New_York");
    assert_eq!(daily.end(&ny, ms("2026-06-01T12:59:59Z")), ms("2026-06-01T13:00:00Z"));
    assert_eq!(daily.end(&ny, ms("2026-06-01T13:00:00Z")), ms("2026-06-02T13:00:00Z"));
    let evening = Window::of(Cadence::Daily, None, Some("18:30")).unwrap();
    assert_eq!(evening.end(&ny, ms("2026-06-01T13:00:00Z")), ms("2026-06-01T22:30:00Z"));
    // Weekly: Mondays at 09:00. 2026-06-01 is a Monday.
    let weekly = Window::of(Cadence::Weekly, None, None).unwrap();
    assert_eq!(weekly.end(&ny, ms("2026-06-01T12:00:00Z")), ms("2026-06-01T13:00:00Z"));
    assert_eq!(weekly.end(&ny, ms("2026-06-01T13:00:00Z")), ms("2026-06-08T13:00:00Z"));
    assert_eq!(weekly.end(&ny, ms("2026-06-04T13:00:00Z")), ms("2026-06-08T13:00:00Z"));
    // Across the New York fall-back night the daily digest still goes out at 09:00 local.
    assert_eq!(daily.end(&ny, ms("2026-10-31T14:00:00Z")), ms("2026-11-01T14:00:00Z"));
    // A custom window runs from the first notification.
    let custom = Window::of(Cadence::Daily, Some(90), None).unwrap();
    assert_eq!(custom.end(&ny, 1_000), 91_000);
    assert_eq!(Window::of(Cadence::Instant, None, Some("10:00")), None);
}

#[test]
fn quiet_hours_follow_the_users_clock_across_dst() {
    let q = QuietHours { start: "22:00".into(), end: "07:00".into() };
    let london = tz("Europe/London");
    // 23:00 BST on 2026-10-24 (22:00Z): the night crosses the fall-back; 07:00 GMT = 07:00Z.
    assert_eq!(quiet_until(&q, &london, ms("2026-10-24T22:00:00Z")), Some(ms("2026-10-25T07:00:00Z")));
    assert_eq!(quiet_until(&q, &london, ms("2026-10-25T12:00:00Z")), None);
    let chatham = tz("Pacific/Chatham");
    // 23:00 +12:45 (10:15Z) → 07:00 local the next day = 18:15Z.
    assert_eq!(quiet_until(&q, &chatham, ms("2026-07-14T10:15:00Z")), Some(ms("2026-07-14T18:15:00Z")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_scheduled_instant_is_never_before_now_and_shows_the_asked_time(
        zone in 0usize..ZONES.len(),
        now in 1_577_836_800_000i64..1_893_456_000_000,
        minute in 0i64..1440,
        days_ahead in -2i64..40,
        daily in any::<bool>(),
    ) {
        let z = tz(ZONES[zone]);
        let when = if daily {
            When::Daily { second_of_day: minute * 60 }
        } else {
            When::Local { local: local_at(&z, now).at(days_ahead, minute * 60).0 }
        };
        let t = when.resolve(&z, now);
        prop_assert!(t >= now);
        let asked = match when {
            When::Daily { .. } => {
                prop_assert!(t > now);
                local_at(&z, t).at(0, minute * 60)
            }
            When::Local { local } => Local(local),
            When::At { .. } => unreachable!(),
        };
        if t > now {
            prop_assert!(shows(&z, t, asked), "{} {} -> {}", ZONES[zone], asked.0, t);
        }
        if daily {
            // The first such time after now: a day earlier it had not come yet.
            prop_assert!(t - 86_400_000 - 3_600_000 <= now);
        }
    }
}
