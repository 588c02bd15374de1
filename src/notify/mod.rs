//! `POST /notifications`: what a send request means, and the deliveries it creates.

pub mod prefs;
pub mod push;

use crate::json::parse_body;
use crate::model::{ChannelType, Delivery, DeliveryStatus, Preferences};
use crate::schedule::repeat::{Throttle, DEFAULT_DEDUPE_WINDOW_S, MAX_WINDOW_S};
use crate::schedule::{when, When};
use crate::time::rfc3339;
use crate::{validate, ApiError, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Most recipients one request may name.
pub const MAX_RECIPIENTS: usize = 1000;
/// Default push time-to-live in seconds (one day).
pub const DEFAULT_TTL: u32 = 86_400;
/// Longest push time-to-live in seconds (four weeks).
pub const MAX_TTL: u32 = 2_419_200;

/// Push urgency (RFC 8030 §5.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Only on power and wifi.
    VeryLow,
    /// On power or wifi.
    Low,
    /// Default.
    #[default]
    Normal,
    /// Now.
    High,
}

impl Urgency {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Recipients {
    Many(Vec<String>),
    One(String),
}

/// A channel name in `channels`: a channel, or a seed-004 alias of some.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChannelName {
    InApp,
    WebPush,
    MobilePush,
    Email,
    Sms,
    Slack,
    Webhook,
    /// `in_app`.
    Inbox,
    /// `web_push` + `mobile_push`.
    Push,
    /// `slack`.
    DirectMessage,
}

impl ChannelName {
    fn channels(self) -> &'static [ChannelType] {
        match self {
            ChannelName::InApp | ChannelName::Inbox => &[ChannelType::InApp],
            ChannelName::WebPush => &[ChannelType::WebPush],
            ChannelName::MobilePush => &[ChannelType::MobilePush],
            ChannelName::Email => &[ChannelType::Email],
            ChannelName::Sms => &[ChannelType::Sms],
            ChannelName::Slack | ChannelName::DirectMessage => &[ChannelType::Slack],
            ChannelName::Webhook => &[ChannelType::Webhook],
            ChannelName::Push => &[ChannelType::WebPush, ChannelType::MobilePush],
        }
    }
}

/// Whether a recipient can be reached on a provider channel: the deployment has a provider for
/// it and the user an address that may be used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reach {
    /// No provider configured for the channel (or for the user's addresses on it).
    #[default]
    NotConfigured,
    /// No usable address.
    NoAddress,
    /// The address may not be used now; the reason is the skipped delivery's (`suppressed`,
    /// `token_invalid`, ...).
    Blocked(&'static str),
    /// Send.
    Ready,
}

/// The channels that go out when `channels` is omitted, besides `in_app`: those the recipient
/// can be reached on. Web Push is only sent when asked for (DESIGN.md: a browser subscription is
/// the page's business).
const DEFAULT_PROVIDER_CHANNELS: [ChannelType; 5] =
    [ChannelType::MobilePush, ChannelType::Email, ChannelType::Sms, ChannelType::Slack, ChannelType::Webhook];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationInput {
    #[serde(default)]
    to: Option<Recipients>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    channels: Option<Vec<ChannelName>>,
    data: Map<String, Value>,
    #[serde(default)]
    actor_id: Option<String>,
    #[serde(default)]
    ttl: Option<serde_json::Number>,
    #[serde(default)]
    urgency: Option<Urgency>,
    #[serde(default)]
    send_at: Option<String>,
    #[serde(default)]
    deliver_at_local: Option<String>,
    #[serde(default)]
    dedupe_key: Option<String>,
    #[serde(default)]
    dedupe_window: Option<serde_json::Number>,
    #[serde(default)]
    throttle: Option<Throttle>,
}

/// `dedupe_key` and its window: a repeat of the key to the same user inside the window is
/// `skipped`, reason `duplicate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dedupe {
    /// The sender's key (1 to 256 characters).
    pub key: String,
    /// Seconds (default a day).
    pub window_s: u32,
}

/// A validated send request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Distinct recipients, in request order.
    pub recipients: Vec<String>,
    /// Topic (preferences' `notifications` key).
    pub topic: Option<String>,
    /// Category (preferences' `categories` key).
    pub category: Option<String>,
    /// Distinct channels, in request order (aliases expanded).
    pub channels: Vec<ChannelType>,
    /// `channels` was omitted: `in_app` plus every channel the recipient can be reached on.
    #[serde(default)]
    pub default_channels: bool,
    /// Content.
    pub data: Value,
    /// Who caused it.
    pub actor_id: Option<String>,
    /// Push time-to-live, seconds.
    pub ttl: u32,
    /// Push urgency.
    pub urgency: Urgency,
    /// `send_at` / `deliver_at_local`: when it goes out (`None`: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// `dedupe_key`, `dedupe_window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe: Option<Dedupe>,
    /// `throttle`: per user and topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Throttle>,
}

fn text_field(errors: &mut Vec<FieldError>, name: &str, value: Option<&Value>, max: usize) {
    match value {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.chars().count() <= max => {}
        Some(Value::String(_)) => {
            errors.push(FieldError::new(name, "too_long", format!("{name} must be at most {max} characters")))
        }
        Some(_) => errors.push(FieldError::new(name, "wrong_type", format!("{name} must be a string"))),
    }
}

/// Parses and validates a `POST /notifications` body, without the range checks of times
/// (see [`parse_at`]).
pub fn parse(body: &[u8]) -> Result<Notification, ApiError> {
    parse_with(body, None)
}

/// Parses and validates a `POST /notifications` body received at `now_ms` (`send_at` and
/// `deliver_at_local` at most a year ahead of it).
pub fn parse_at(body: &[u8], now_ms: i64) -> Result<Notification, ApiError> {
    parse_with(body, Some(now_ms))
}

fn parse_with(body: &[u8], now_ms: Option<i64>) -> Result<Notification, ApiError> {
    let mut input: NotificationInput = parse_body(body)?;
    let mut errors = Vec::new();
    let to = match input.to.take() {
        Some(Recipients::Many(v)) => v,
        Some(Recipients::One(s)) => vec![s],
        None => {
            errors.push(FieldError::new("to", "required", "to: missing field `to`"));
            Vec::new()
        }
    };
    if to.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("to", "required", "to must name at least one user"));
    }
    if to.len() > MAX_RECIPIENTS {
        errors.push(FieldError::new(
            "to",
            "out_of_range",
            format!("to names {} users; at most {MAX_RECIPIENTS} per request (use /bulk for more)", to.len()),
        ));
    }
    let mut recipients: Vec<String> = Vec::with_capacity(to.len());
    for (i, id) in to.into_iter().enumerate() {
        if let Err(e) = validate::id(&format!("to[{i}]"), &id) {
            errors.push(e);
        } else if !recipients.contains(&id) {
            recipients.push(id);
        }
    }
    finish(input, recipients, errors, now_ms)
}

/// Parses and validates a bulk job's message: a `POST /notifications` body without `to`.
pub fn parse_message(message: &Value) -> Result<Notification, ApiError> {
    let input: NotificationInput = parse_body(message.to_string().as_bytes())?;
    let mut errors = Vec::new();
    if input.to.is_some() {
        errors.push(FieldError::new(
            "to",
            "unknown_field",
            "a bulk message has no `to`: add users with POST /bulk/{job_id}",
        ));
    }
    for (name, given) in [
        ("send_at", input.send_at.is_some()),
        ("deliver_at_local", input.deliver_at_local.is_some()),
        ("dedupe_key", input.dedupe_key.is_some()),
        ("throttle", input.throttle.is_some()),
    ] {
        if given {
            errors.push(FieldError::new(name, "unsupported", format!("a bulk message cannot use {name} (yet)")));
        }
    }
    finish(input, Vec::new(), errors, None)
}

fn finish(
    input: NotificationInput,
    recipients: Vec<String>,
    mut errors: Vec<FieldError>,
    now_ms: Option<i64>,
) -> Result<Notification, ApiError> {
    let when = when::parse(input.send_at.as_deref(), input.deliver_at_local.as_deref(), now_ms, &mut errors);
    let dedupe = dedupe(&input, &mut errors);
    if input.throttle.is_some_and(|t| !t.is_valid()) {
        errors.push(FieldError::new(
            "throttle",
            "out_of_range",
            format!("throttle needs max 1 to 1000 and per 1 to {MAX_WINDOW_S} seconds"),
        ));
    }
    let mut channels: Vec<ChannelType> = Vec::new();
    match &input.channels {
        Some(list) if list.is_empty() => {
            errors.push(FieldError::new("channels", "required", "channels must name at least one channel"))
        }
        Some(list) => list.iter().flat_map(|n| n.channels()).for_each(|&c| {
            if !channels.contains(&c) {
                channels.push(c)
            }
        }),
        None => channels.push(ChannelType::InApp),
    }
    for (name, value) in [("topic", &input.topic), ("category", &input.category), ("actor_id", &input.actor_id)] {
        if value.as_ref().is_some_and(|v| v.is_empty() || v.chars().count() > 256) {
            errors.push(FieldError::new(name, "invalid", format!("{name} must be 1 to 256 characters")));
        }
    }
    text_field(&mut errors, "data.subject", input.data.get("subject"), 1024);
    text_field(&mut errors, "data.body", input.data.get("body"), 4096);
    text_field(&mut errors, "data.url", input.data.get("url"), 2048);
    text_field(&mut errors, "data.icon", input.data.get("icon"), 2048);
    let has_text = |k: &str| input.data.get(k).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    if !has_text("subject") && !has_text("body") {
        errors.push(FieldError::new("data.subject", "required", "data needs a subject or a body"));
    }
    // JSON Schema's integers include `60.0`; any whole number in range is accepted.
    let ttl = match input.ttl.as_ref().and_then(serde_json::Number::as_f64) {
        None => DEFAULT_TTL,
        Some(t) if t.fract() != 0.0 => {
            errors.push(FieldError::new("ttl", "wrong_type", "ttl must be a whole number of seconds"));
            0
        }
        Some(t) if (0.0..=f64::from(MAX_TTL)).contains(&t) => t as u32,
        Some(_) => {
            errors.push(FieldError::new("ttl", "out_of_range", format!("ttl must be between 0 and {MAX_TTL} seconds")));
            0
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(Notification {
        recipients,
        topic: input.topic,
        category: input.category,
        default_channels: input.channels.is_none(),
        channels,
        data: Value::Object(input.data),
        actor_id: input.actor_id,
        ttl,
        urgency: input.urgency.unwrap_or_default(),
        when,
        dedupe,
        throttle: input.throttle,
    })
}

fn dedupe(input: &NotificationInput, errors: &mut Vec<FieldError>) -> Option<Dedupe> {
    let window_s = match input.dedupe_window.as_ref().map(|n| n.as_f64().unwrap_or(-1.0)) {
        None => DEFAULT_DEDUPE_WINDOW_S,
        Some(w) if w.fract() == 0.0 && (1.0..=f64::from(MAX_WINDOW_S)).contains(&w) => w as u32,
        Some(_) => {
            errors.push(FieldError::new(
                "dedupe_window",
                "out_of_range",
                format!("dedupe_window must be a whole number of seconds, 1 to {MAX_WINDOW_S}"),
            ));
            return None;
        }
    };
    match &input.dedupe_key {
        Some(key) if key.is_empty() || key.chars().count() > 256 => {
            errors.push(FieldError::new("dedupe_key", "invalid", "dedupe_key must be 1 to 256 characters"));
            None
        }
        Some(key) => Some(Dedupe { key: key.clone(), window_s }),
        None if input.dedupe_window.is_some() => {
            errors.push(FieldError::new("dedupe_window", "required", "dedupe_window needs a dedupe_key"));
            None
        }
        None => None,
    }
}

/// The deliveries of `n` for one recipient, with `prefs` applied: one per channel, `skipped`
/// with a reason where preferences say so, or where `reach` says the user cannot be reached on
/// a provider channel (`channel_not_configured`, `no_address`, or the blocked reason). Default
/// channels are `in_app` plus every provider channel the user can be reached on. `new_id`
/// makes delivery ids.
pub fn plan(
    n: &Notification,
    notification_id: &str,
    recipient: &str,
    prefs: Option<&Preferences>,
    reach: impl Fn(ChannelType) -> Reach,
    now_ms: i64,
    mut new_id: impl FnMut() -> String,
) -> Vec<Delivery> {
    let now = rfc3339(now_ms);
    let channels: Vec<ChannelType> = if n.default_channels {
        std::iter::once(ChannelType::InApp)
            .chain(DEFAULT_PROVIDER_CHANNELS.into_iter().filter(|&c| reach(c) == Reach::Ready))
            .collect()
    } else {
        n.channels.clone()
    };
    channels
        .into_iter()
        .map(|channel| {
            let decision = prefs.map_or(prefs::Decision::Deliver, |p| {
                prefs::evaluate(p, n.category.as_deref(), n.topic.as_deref(), channel, now_ms)
            });
            let skipped = |why: &str| (DeliveryStatus::Skipped, Some(why.to_owned()), None);
            let (status, reason, sent_at) = match (decision, channel) {
                (prefs::Decision::Skip(why), _) => skipped(why),
                (_, ChannelType::InApp) => (DeliveryStatus::Delivered, None, Some(now.clone())),
                (_, ChannelType::WebPush) => (DeliveryStatus::Pending, None, None),
                (_, _) => match reach(channel) {
                    Reach::Ready => (DeliveryStatus::Pending, None, None),
                    Reach::NotConfigured => skipped("channel_not_configured"),
                    Reach::NoAddress => skipped("no_address"),
                    Reach::Blocked(why) => skipped(why),
                },
            };
            Delivery {
                id: new_id(),
                notification_id: notification_id.to_owned(),
                notiflow_id: None,
                actor_id: n.actor_id.clone(),
                recipient_id: recipient.to_owned(),
                channel_id: None,
                channel_type: channel,
                status,
                reason,
                topic: n.topic.clone(),
                category: n.category.clone(),
                data: n.data.clone(),
                created_at: now.clone(),
                updated_at: now.clone(),
                sent_at,
                seen_at: None,
                read_at: None,
                clicked_at: None,
                archived_at: None,
                provider: None,
                provider_message_id: None,
                attempts: None,
                provider_code: None,
                deliver_at: None,
                segments: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(body: Value) -> Vec<String> {
        match parse(body.to_string().as_bytes()) {
            Err(ApiError::Validation(f)) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_one_or_many_recipients_and_defaults() {
        let n = parse(br#"{"to":"ada","data":{"subject":"hi"}}"#).unwrap();
        assert_eq!(n.recipients, vec!["ada"]);
        assert_eq!(n.channels, vec![ChannelType::InApp]);
        assert_eq!((n.ttl, n.urgency), (DEFAULT_TTL, Urgency::Normal));
        let n = parse(br#"{"to":["a","b","a"],"channels":["web_push","in_app","web_push"],"data":{"body":"x"},"urgency":"high","ttl":60}"#).unwrap();
        assert_eq!(n.recipients, vec!["a", "b"]);
        assert_eq!(n.channels, vec![ChannelType::WebPush, ChannelType::InApp]);
        assert_eq!(n.urgency, Urgency::High);
    }

    #[test]
    fn refusals_name_fields() {
        assert_eq!(fields(json!({"to": [], "data": {"subject": "x"}})), vec!["to"]);
        assert_eq!(fields(json!({"to": ["ok", "a/b"], "data": {"subject": "x"}})), vec!["to[1]"]);
        assert_eq!(fields(json!({"to": "a", "data": {}})), vec!["data.subject"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": 5}})), vec!["data.subject", "data.subject"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": "x"}, "channels": []})), vec!["channels"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": "x"}, "channels": ["fax"]})), vec!["channels[0]"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": "x"}, "ttl": 99999999})), vec!["ttl"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": "x"}, "ttl": 1.5})), vec!["ttl"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": "x"}, "ttl": -1})), vec!["ttl"]);
        assert_eq!(fields(json!({"to": "a", "data": {"subject": "x"}, "ttl": "60"})), vec!["ttl"]);
        let n = parse(br#"{"to":"a","data":{"body":"x"},"ttl":2419200.0,"topic":null}"#).unwrap();
        assert_eq!(n.ttl, MAX_TTL);
        let many: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
        assert_eq!(fields(json!({"to": many, "data": {"subject": "x"}})), vec!["to"]);
    }

    #[test]
    fn plans_one_delivery_per_channel() {
        let n = parse(br#"{"to":"ada","channels":["in_app","web_push"],"data":{"subject":"hi"},"topic":"t"}"#).unwrap();
        let mut i = 0;
        let ds = plan(
            &n,
            "ntf_1",
            "ada",
            None,
            |_| Reach::NotConfigured,
            0,
            || {
                i += 1;
                format!("dlv_{i}")
            },
        );
        assert_eq!(ds.len(), 2);
        assert_eq!(
            (ds[0].status, ds[0].sent_at.as_deref()),
            (DeliveryStatus::Delivered, Some("1970-01-01T00:00:00.000Z"))
        );
        assert_eq!((ds[1].status, ds[1].sent_at.as_deref()), (DeliveryStatus::Pending, None));
        assert_eq!(ds[1].id, "dlv_2");
        assert_eq!(ds[0].topic.as_deref(), Some("t"));
    }
}

#[cfg(test)]
mod mobile_tests {
    use super::*;

    fn planned(body: &str, mobile: Reach) -> Vec<(ChannelType, DeliveryStatus, Option<String>)> {
        planned_with(body, |c| if c == ChannelType::MobilePush { mobile } else { Reach::NotConfigured })
    }

    fn planned_with(
        body: &str,
        reach: impl Fn(ChannelType) -> Reach,
    ) -> Vec<(ChannelType, DeliveryStatus, Option<String>)> {
        let n = parse(body.as_bytes()).unwrap();
        plan(&n, "ntf_1", "ada", None, reach, 0, || "dlv".into())
            .into_iter()
            .map(|d| (d.channel_type, d.status, d.reason))
            .collect()
    }

    #[test]
    fn push_means_web_and_mobile_and_inbox_means_in_app() {
        let n = parse(br#"{"to":"a","channels":["push","inbox","web_push"],"data":{"subject":"s"}}"#).unwrap();
        assert_eq!(n.channels, vec![ChannelType::WebPush, ChannelType::MobilePush, ChannelType::InApp]);
        assert!(!n.default_channels);
        assert!(parse(br#"{"to":"a","data":{"subject":"s"}}"#).unwrap().default_channels);
    }

    #[test]
    fn mobile_push_asked_for_explicitly_says_why_it_was_skipped() {
        use DeliveryStatus::*;
        let body = r#"{"to":"a","channels":["mobile_push"],"data":{"subject":"s"}}"#;
        assert_eq!(planned(body, Reach::Ready), vec![(ChannelType::MobilePush, Pending, None)]);
        assert_eq!(
            planned(body, Reach::NotConfigured),
            vec![(ChannelType::MobilePush, Skipped, Some("channel_not_configured".into()))]
        );
        assert_eq!(
            planned(body, Reach::NoAddress),
            vec![(ChannelType::MobilePush, Skipped, Some("no_address".into()))]
        );
    }

    #[test]
    fn default_channels_add_mobile_push_only_when_reachable() {
        use DeliveryStatus::*;
        let body = r#"{"to":"a","data":{"subject":"s"}}"#;
        assert_eq!(
            planned(body, Reach::Ready),
            vec![(ChannelType::InApp, Delivered, None), (ChannelType::MobilePush, Pending, None)]
        );
        assert_eq!(planned(body, Reach::NoAddress), vec![(ChannelType::InApp, Delivered, None)]);
        assert_eq!(planned(body, Reach::NotConfigured), vec![(ChannelType::InApp, Delivered, None)]);
    }

    #[test]
    fn every_provider_channel_is_planned_from_its_reach() {
        use DeliveryStatus::*;
        let n = parse(br#"{"to":"a","channels":["email","sms","direct_message","webhook"],"data":{"subject":"s"}}"#)
            .unwrap();
        assert_eq!(n.channels, vec![ChannelType::Email, ChannelType::Sms, ChannelType::Slack, ChannelType::Webhook]);
        let body = r#"{"to":"a","channels":["email","sms","slack","webhook"],"data":{"subject":"s"}}"#;
        let reach = |c| match c {
            ChannelType::Email => Reach::Blocked("suppressed"),
            ChannelType::Sms => Reach::NoAddress,
            ChannelType::Slack => Reach::Ready,
            _ => Reach::NotConfigured,
        };
        assert_eq!(
            planned_with(body, reach),
            vec![
                (ChannelType::Email, Skipped, Some("suppressed".into())),
                (ChannelType::Sms, Skipped, Some("no_address".into())),
                (ChannelType::Slack, Pending, None),
                (ChannelType::Webhook, Skipped, Some("channel_not_configured".into())),
            ]
        );
        // Defaults: in_app, then every provider channel that is ready, in a fixed order; a
        // blocked one is left out silently.
        let defaults = planned_with(r#"{"to":"a","data":{"subject":"s"}}"#, reach);
        assert_eq!(defaults, vec![(ChannelType::InApp, Delivered, None), (ChannelType::Slack, Pending, None)]);
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_780_000_000_000;

    fn refused(body: Value) -> Vec<String> {
        match parse_at(body.to_string().as_bytes(), NOW) {
            Err(ApiError::Validation(f)) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn schedule_dedupe_and_throttle_fields_parse() {
        let n = parse_at(
            br#"{"to":"a","data":{"subject":"s"},"deliver_at_local":"09:30","dedupe_key":"k","throttle":{"max":2,"per":60}}"#,
            NOW,
        )
        .unwrap();
        assert_eq!(n.when, Some(When::Daily { second_of_day: 9 * 3600 + 1800 }));
        assert_eq!(n.dedupe, Some(Dedupe { key: "k".into(), window_s: DEFAULT_DEDUPE_WINDOW_S }));
        assert_eq!(n.throttle, Some(Throttle { max: 2, per: 60 }));
        let n = parse_at(br#"{"to":"a","data":{"subject":"s"},"dedupe_key":"k","dedupe_window":60}"#, NOW).unwrap();
        assert_eq!(n.dedupe.unwrap().window_s, 60);
    }

    #[test]
    fn schedule_refusals_name_the_field() {
        let base = |extra: Value| {
            let mut v = json!({"to": "a", "data": {"subject": "s"}});
            v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            v
        };
        assert_eq!(refused(base(json!({"send_at": "soon"}))), vec!["send_at"]);
        assert_eq!(refused(base(json!({"send_at": "2099-01-01T00:00:00Z"}))), vec!["send_at"]);
        assert_eq!(refused(base(json!({"deliver_at_local": "25:00"}))), vec!["deliver_at_local"]);
        assert_eq!(refused(base(json!({"dedupe_key": ""}))), vec!["dedupe_key"]);
        assert_eq!(refused(base(json!({"dedupe_window": 60}))), vec!["dedupe_window"]);
        assert_eq!(refused(base(json!({"dedupe_key": "k", "dedupe_window": 0}))), vec!["dedupe_window"]);
        assert_eq!(refused(base(json!({"throttle": {"max": 0, "per": 60}}))), vec!["throttle"]);
        assert_eq!(refused(base(json!({"throttle": {"max": 1}}))), vec!["throttle.per"]);
        let bulk = parse_message(&json!({"data": {"subject": "s"}, "send_at": "2026-01-01T00:00:00Z"}));
        assert!(matches!(bulk, Err(ApiError::Validation(f)) if f[0].field == "send_at"));
    }
}
