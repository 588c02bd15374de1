//! `slackChannel` (seed 000): a channel name (`test`), a name with `#` (`#test`), a
//! conversation id (`C…` public, `G…` private, `D…` direct message), a user id (`U…`, or `W…`
//! on Enterprise Grid) for a direct message, or a user name with `@` (`@test`).
//!
//! Slack ids are upper-case letters and digits; channel names are always lower case, so the
//! two never overlap. `chat.postMessage` takes a conversation id or a channel name (with or
//! without `#`); a user id needs `conversations.open` first to get the DM's `D…` id. Slack no
//! longer posts to `@name` (user names were retired with the 2017 "name tagging" change and
//! `chat.postMessage` answers `channel_not_found`), so `@name` is stored as given but never
//! posted to: such a user is not reachable on `slack` except through an incoming webhook
//! ([`Target::Username`]; the delivery is `skipped` with reason `slack_username_unsupported`).

use crate::FieldError;

/// Longest channel or user name Slack allows, in characters.
pub const MAX_NAME: usize = 80;

/// Where a `slackChannel` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A conversation id (`C…`, `G…`, `D…`): posted to as is.
    Conversation(String),
    /// A channel name, without its `#`: posted to as `#name`.
    Name(String),
    /// A user id (`U…`, `W…`): `conversations.open` gives the DM to post to.
    User(String),
    /// `@name`: kept, never posted to (see the module doc).
    Username(String),
}

impl Target {
    /// The `channel` of `chat.postMessage`, when no `conversations.open` is needed.
    pub fn post_channel(&self) -> Option<String> {
        match self {
            Target::Conversation(id) => Some(id.clone()),
            Target::Name(name) => Some(format!("#{name}")),
            Target::User(_) | Target::Username(_) => None,
        }
    }
}

/// The reason a `@name` destination is skipped.
pub const USERNAME_UNSUPPORTED: &str = "slack_username_unsupported";

/// `/openapi.json` states the same forms as this pattern (kept equal by a test).
pub const PATTERN: &str =
    "^(?:[CGDUW][A-Z0-9]{8,20}|#?[a-z0-9_\\u0080-\\uffff-]{1,80}|@[a-zA-Z0-9._\\u0080-\\uffff-]{1,80})$";

fn is_id(s: &str, prefixes: &[char]) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| prefixes.contains(&c))
        && (8..=20).contains(&(s.len() - 1))
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Outside ASCII, any character of the Basic Multilingual Plane (Slack allows names in every
/// script); inside it, only what Slack allows.
fn bmp_beyond_ascii(c: char) -> bool {
    ('\u{80}'..='\u{ffff}').contains(&c)
}

fn is_name(s: &str) -> bool {
    (1..=MAX_NAME).contains(&s.chars().count())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_".contains(c) || bmp_beyond_ascii(c))
}

fn is_username(s: &str) -> bool {
    (1..=MAX_NAME).contains(&s.chars().count())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c) || bmp_beyond_ascii(c))
}

/// Reads a `slackChannel`; `None` when it is none of the forms above.
pub fn parse(value: &str) -> Option<Target> {
    if is_id(value, &['C', 'G', 'D']) {
        return Some(Target::Conversation(value.to_owned()));
    }
    if is_id(value, &['U', 'W']) {
        return Some(Target::User(value.to_owned()));
    }
    if let Some(name) = value.strip_prefix('#') {
        return is_name(name).then(|| Target::Name(name.to_owned()));
    }
    if let Some(name) = value.strip_prefix('@') {
        return is_username(name).then(|| Target::Username(name.to_owned()));
    }
    is_name(value).then(|| Target::Name(value.to_owned()))
}

/// Refuses a `slackChannel` that is none of the seed's forms, naming `field`.
pub fn validate(field: &str, value: &str) -> Result<(), FieldError> {
    parse(value).map(|_| ()).ok_or_else(|| {
        FieldError::new(
            field,
            "invalid",
            format!(
                "{field} must be a channel id (C…, G…, D…), a user id (U…, W…), a channel name in lower case \
                 with or without '#' (at most {MAX_NAME} lower-case letters, digits, '-' and '_'), or '@' and a user name"
            ),
        )
    })
}
