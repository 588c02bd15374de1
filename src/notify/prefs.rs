//! Preference evaluation and validation.
//!
//! Decisions, most specific first: a `REQUIRED` category or topic always delivers, on every
//! channel. Otherwise the topic's preference (`notifications[topic]`) wins over the category's.
//! `OPTED_OUT` skips (only inside its rules' time windows, when it has rules); `OPTED_IN` with
//! `channel_preferences` delivers only on those channels. No preference delivers.

use crate::json::parse_body;
use crate::model::{ChannelType, Preference, PreferenceStatus, Preferences};
use crate::schedule::digest::MIN_WINDOW_S;
use crate::schedule::repeat::MAX_WINDOW_S;
use crate::schedule::when::parse_hh_mm;
use crate::time::parse_rfc3339;
use crate::{ApiError, FieldError};

/// What to do with one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send it.
    Deliver,
    /// Store it as `skipped` with this reason.
    Skip(&'static str),
}

fn in_window(p: &Preference, now_ms: i64) -> bool {
    p.rules.is_empty()
        || p.rules.iter().any(|r| {
            let start = r.start.as_deref().and_then(parse_rfc3339).unwrap_or(i64::MIN);
            let until = r.until.as_deref().and_then(parse_rfc3339).unwrap_or(i64::MAX);
            start <= now_ms && now_ms < until
        })
}

/// The preference that rules a notification: its topic's, else its category's.
pub fn ruling<'a>(prefs: &'a Preferences, category: Option<&str>, topic: Option<&str>) -> Option<&'a Preference> {
    topic.and_then(|t| prefs.notifications.get(t)).or_else(|| category.and_then(|c| prefs.categories.get(c)))
}

/// Whether the category or the topic is `REQUIRED` (never held by quiet hours, never opted out of).
pub fn required(prefs: &Preferences, category: Option<&str>, topic: Option<&str>) -> bool {
    let by_category = category.and_then(|c| prefs.categories.get(c));
    let by_topic = topic.and_then(|t| prefs.notifications.get(t));
    [by_category, by_topic].iter().flatten().any(|p| p.status == PreferenceStatus::Required)
}

/// Decides one delivery.
pub fn evaluate(
    prefs: &Preferences,
    category: Option<&str>,
    topic: Option<&str>,
    channel: ChannelType,
    now_ms: i64,
) -> Decision {
    let by_category = category.and_then(|c| prefs.categories.get(c));
    let by_topic = topic.and_then(|t| prefs.notifications.get(t));
    if [by_category, by_topic].iter().flatten().any(|p| p.status == PreferenceStatus::Required) {
        return Decision::Deliver;
    }
    let Some(p) = by_topic.or(by_category) else {
        return Decision::Deliver;
    };
    match p.status {
        PreferenceStatus::OptedOut if in_window(p, now_ms) => Decision::Skip("opted_out"),
        PreferenceStatus::OptedIn
            if !p.channel_preferences.is_empty()
                && !p.channel_preferences.iter().any(|c| channel.is_named(&c.channel)) =>
        {
            Decision::Skip("channel_opted_out")
        }
        _ => Decision::Deliver,
    }
}

/// Parses and validates a `PUT /users/{id}/preferences` body (a full replacement).
pub fn parse(body: &[u8]) -> Result<Preferences, ApiError> {
    parse_with(body, MIN_WINDOW_S)
}

/// [`parse`] with the shortest digest `window` allowed (dev mode: 1 s, for tests).
pub fn parse_with(body: &[u8], min_window_s: u32) -> Result<Preferences, ApiError> {
    let prefs: Preferences = parse_body(body)?;
    let mut errors = Vec::new();
    if let Some(q) = &prefs.quiet_hours {
        for (name, value) in [("start", &q.start), ("end", &q.end)] {
            if parse_hh_mm(value).is_none() {
                let field = format!("quiet_hours.{name}");
                errors.push(FieldError::new(
                    field.clone(),
                    "invalid",
                    format!("{field} must be HH:MM (00:00 to 23:59)"),
                ));
            }
        }
    }
    for (section, map) in [("categories", &prefs.categories), ("notifications", &prefs.notifications)] {
        for (key, p) in map {
            if key.is_empty() || key.chars().count() > 256 {
                errors.push(FieldError::new(section, "invalid", format!("{section} keys must be 1 to 256 characters")));
            }
            for (i, r) in p.rules.iter().enumerate() {
                for (name, value) in [("start", &r.start), ("until", &r.until)] {
                    if value.as_deref().is_some_and(|v| parse_rfc3339(v).is_none()) {
                        let field = format!("{section}.{key}.rules[{i}].{name}");
                        errors.push(FieldError::new(
                            field.clone(),
                            "invalid",
                            format!("{field} must be an RFC 3339 timestamp"),
                        ));
                    }
                }
            }
            if p.digest_at.as_deref().is_some_and(|v| parse_hh_mm(v).is_none()) {
                let field = format!("{section}.{key}.digest_at");
                errors.push(FieldError::new(field.clone(), "invalid", format!("{field} must be HH:MM")));
            }
            if p.window.is_some_and(|w| !(min_window_s..=MAX_WINDOW_S).contains(&w)) {
                let field = format!("{section}.{key}.window");
                let msg = format!("{field} must be {min_window_s} to {MAX_WINDOW_S} seconds");
                errors.push(FieldError::new(field, "out_of_range", msg));
            }
            if p.throttle.is_some_and(|t| !t.is_valid()) {
                let field = format!("{section}.{key}.throttle");
                let msg = format!("{field} needs max 1 to 1000 and per 1 to {MAX_WINDOW_S} seconds");
                errors.push(FieldError::new(field, "out_of_range", msg));
            }
            for (i, c) in p.channel_preferences.iter().enumerate() {
                if c.channel.is_empty() {
                    let field = format!("{section}.{key}.channel_preferences[{i}].channel");
                    errors.push(FieldError::new(field, "required", "channel must not be empty"));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(prefs)
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    fn prefs(json: &str) -> Preferences {
        parse(json.as_bytes()).unwrap()
    }

    const NOW: &str = "2026-06-01T12:00:00Z";

    fn eval(p: &Preferences, cat: Option<&str>, topic: Option<&str>, ch: ChannelType) -> Decision {
        evaluate(p, cat, topic, ch, parse_rfc3339(NOW).unwrap())
    }

    #[test]
    fn opted_out_skips_and_topic_wins() {
        let p = prefs(
            r#"{"categories":{"marketing":{"status":"OPTED_OUT"}},"notifications":{"promo-ok":{"status":"OPTED_IN"}}}"#,
        );
        assert_eq!(eval(&p, Some("marketing"), None, ChannelType::InApp), Decision::Skip("opted_out"));
        assert_eq!(eval(&p, Some("marketing"), Some("promo-ok"), ChannelType::InApp), Decision::Deliver);
        assert_eq!(eval(&p, Some("other"), None, ChannelType::InApp), Decision::Deliver);
        assert_eq!(eval(&p, None, None, ChannelType::WebPush), Decision::Deliver);
    }

    #[test]
    fn required_cannot_be_opted_out_of() {
        let p = prefs(
            r#"{"categories":{"security":{"status":"REQUIRED"}},"notifications":{"login":{"status":"OPTED_OUT"}}}"#,
        );
        assert_eq!(eval(&p, Some("security"), Some("login"), ChannelType::WebPush), Decision::Deliver);
        assert_eq!(eval(&p, None, Some("login"), ChannelType::WebPush), Decision::Skip("opted_out"));
    }

    #[test]
    fn channel_preferences_and_rule_windows() {
        let p = prefs(
            r#"{"categories":{"news":{"status":"OPTED_IN","channel_preferences":[{"channel":"in_app"}]},
            "digest":{"status":"OPTED_OUT","rules":[{"start":"2026-05-01T00:00:00Z","until":"2026-07-01T00:00:00Z"}]},
            "old":{"status":"OPTED_OUT","rules":[{"until":"2026-01-01T00:00:00Z"}]}}}"#,
        );
        assert_eq!(eval(&p, Some("news"), None, ChannelType::InApp), Decision::Deliver);
        assert_eq!(eval(&p, Some("news"), None, ChannelType::WebPush), Decision::Skip("channel_opted_out"));
        assert_eq!(eval(&p, Some("digest"), None, ChannelType::InApp), Decision::Skip("opted_out"));
        assert_eq!(eval(&p, Some("old"), None, ChannelType::InApp), Decision::Deliver);
    }

    #[test]
    fn push_in_channel_preferences_covers_web_and_mobile_push() {
        let p = prefs(r#"{"categories":{"news":{"status":"OPTED_IN","channel_preferences":[{"channel":"push"}]}}}"#);
        assert_eq!(eval(&p, Some("news"), None, ChannelType::WebPush), Decision::Deliver);
        assert_eq!(eval(&p, Some("news"), None, ChannelType::MobilePush), Decision::Deliver);
        assert_eq!(eval(&p, Some("news"), None, ChannelType::InApp), Decision::Skip("channel_opted_out"));
        let p = prefs(r#"{"categories":{"news":{"status":"OPTED_IN","channel_preferences":[{"channel":"inbox"}]}}}"#);
        assert_eq!(eval(&p, Some("news"), None, ChannelType::InApp), Decision::Deliver);
        assert_eq!(eval(&p, Some("news"), None, ChannelType::MobilePush), Decision::Skip("channel_opted_out"));
    }

    #[test]
    fn validation_names_fields() {
        let e = parse(br#"{"categories":{"a":{"status":"OPTED_OUT","rules":[{"start":"yesterday"}]}}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "categories.a.rules[0].start"));
        let e = parse(br#"{"quiet_hours":{"start":"22:00","end":"7:00"}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "quiet_hours.end"));
        let digest =
            br#"{"notifications":{"t":{"status":"OPTED_IN","delivery":"daily","window":5,"digest_at":"09:00"}}}"#;
        let e = parse(digest).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "notifications.t.window"));
        assert_eq!(parse_with(digest, 1).unwrap().notifications["t"].window, Some(5));
        let e = parse(br#"{"notifications":{"t":{"status":"OPTED_IN","throttle":{"max":0,"per":60}}}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "notifications.t.throttle"));
        let e = parse(br#"{"notifications":{"t":{"status":"OPTED_IN","delivery":"monthly"}}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "notifications.t.delivery"));
        let e = parse(br#"{"categories":{"a":{"status":"MAYBE"}}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "categories.a.status"));
    }
}
