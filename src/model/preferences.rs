//! Preferences (seed 004 shape).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A user's preferences: per category and per notification topic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Keyed by the `category` of `POST /notifications`.
    #[serde(default)]
    pub categories: BTreeMap<String, Preference>,
    /// Keyed by the `topic` of `POST /notifications`; more specific than a category.
    #[serde(default)]
    pub notifications: BTreeMap<String, Preference>,
    /// Daily local window in which interrupting channels (push, sms) wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietHours>,
}

/// `quiet_hours`: `HH:MM` to `HH:MM` in the user's `timezone` (across midnight when `start > end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// Start, `HH:MM` (inclusive).
    pub start: String,
    /// End, `HH:MM` (exclusive).
    pub end: String,
}

/// One preference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preference {
    /// In, out, or required (cannot be opted out of).
    pub status: PreferenceStatus,
    /// Time windows (RFC 3339) in which an `OPTED_OUT` applies; none = always.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// With `OPTED_IN`: only these channels; none = all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_preferences: Vec<ChannelPreference>,
    /// `instant` (default), `hourly`, `daily`, `weekly`: a digest per window on every channel but `in_app`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<crate::schedule::digest::Cadence>,
    /// A custom digest window in seconds (at least 60; wins over `delivery`).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::whole_u32_opt")]
    pub window: Option<u32>,
    /// Daily and weekly digests go out at this local time (`HH:MM`, default `09:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_at: Option<String>,
    /// At most `max` notifications per `per` seconds of this topic or category to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle: Option<crate::schedule::repeat::Throttle>,
    /// Where it came from (seed field; informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Preference status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PreferenceStatus {
    /// Deliver (on the preferred channels).
    OptedIn,
    /// Do not deliver (within the rules' windows, if any).
    OptedOut,
    /// Always deliver on every channel; a topic-level opt-out cannot override it.
    Required,
}

/// A time window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Start (RFC 3339), inclusive; absent = since ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End (RFC 3339), exclusive; absent = forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A preferred channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPreference {
    /// `in_app`, `web_push` (other seed channel names are accepted and match nothing here).
    pub channel: String,
}
