//! The one-click unsubscribe token (RFC 8058) in each email's `List-Unsubscribe` link: it lets
//! its bearer opt one user out of one topic (or, for a notification without a topic, its
//! category), and nothing else. Signed with a key derived from the deployment's secret key for
//! this purpose only; it does not expire (a link in an old email must keep working).

use super::template::escape_html;
use crate::model::{Preference, PreferenceStatus, Preferences};
use crate::notify::push::{open, seal};
use serde::Deserialize;

const UNSUBSCRIBE: &[u8] = b"tidings unsubscribe token v1";

/// What an unsubscribe token opts out of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `notifications[topic]`.
    Topic(String),
    /// `categories[category]`.
    Category(String),
}

/// The token for `user_id` and a notification's `topic` / `category`; `None` when it has
/// neither (nothing to opt out of: the email carries no unsubscribe link).
pub fn token(secret: &str, user_id: &str, topic: Option<&str>, category: Option<&str>) -> Option<String> {
    let claims = match (topic, category) {
        (Some(t), _) => serde_json::json!({ "u": user_id, "t": t }),
        (None, Some(c)) => serde_json::json!({ "u": user_id, "c": c }),
        (None, None) => return None,
    };
    Some(seal(secret, UNSUBSCRIBE, &claims))
}

/// The user and scope a token grants, if it is genuine.
pub fn verify(secret: &str, token: &str) -> Option<(String, Scope)> {
    #[derive(Deserialize)]
    struct Claims {
        u: String,
        t: Option<String>,
        c: Option<String>,
    }
    let c: Claims = open(secret, UNSUBSCRIBE, token)?;
    let scope = match (c.t, c.c) {
        (Some(t), _) => Scope::Topic(t),
        (None, Some(c)) => Scope::Category(c),
        (None, None) => return None,
    };
    Some((c.u, scope))
}

/// The unsubscribe URL under the deployment's public base URL.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/email/unsubscribe?token={token}", public_url.trim_end_matches('/'))
}

impl Scope {
    /// The topic or category name.
    pub fn name(&self) -> &str {
        match self {
            Scope::Topic(n) | Scope::Category(n) => n,
        }
    }
}

/// Opts `prefs` out of `scope` (on every channel, always). A `REQUIRED` preference stays as it
/// is: `false`.
pub fn apply(prefs: &mut Preferences, scope: &Scope) -> bool {
    let map = match scope {
        Scope::Topic(t) => prefs.notifications.entry(t.clone()),
        Scope::Category(c) => prefs.categories.entry(c.clone()),
    };
    let out = Preference {
        status: PreferenceStatus::OptedOut,
        rules: Vec::new(),
        channel_preferences: Vec::new(),
        delivery: None,
        window: None,
        digest_at: None,
        throttle: None,
        source: Some("email_unsubscribe".into()),
    };
    use std::collections::btree_map::Entry;
    match map {
        Entry::Occupied(e) if e.get().status == PreferenceStatus::Required => false,
        Entry::Occupied(mut e) => {
            e.insert(out);
            true
        }
        Entry::Vacant(e) => {
            e.insert(out);
            true
        }
    }
}

/// What the unsubscribe page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page<'a> {
    /// `GET`: asks for confirmation (a link scanner's GET changes nothing); the form POSTs.
    Confirm {
        /// The topic or category.
        name: &'a str,
        /// The token, for the form.
        token: &'a str,
    },
    /// Done.
    Done {
        /// The topic or category.
        name: &'a str,
    },
    /// A required topic or category: nothing changed.
    Required {
        /// The topic or category.
        name: &'a str,
    },
}

/// The HTML of an unsubscribe page.
pub fn page(p: Page<'_>) -> String {
    let (title, body) = match p {
        Page::Confirm { name, token } => (
            "Unsubscribe?".to_owned(),
            format!(
                "<p>Stop receiving <strong>{}</strong> notifications?</p>\n\
                 <form method=\"post\" action=\"?token={}\"><input type=\"hidden\" name=\"List-Unsubscribe\" \
                 value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>",
                escape_html(name),
                escape_html(token)
            ),
        ),
        Page::Done { name } => (
            "Unsubscribed".to_owned(),
            format!("<p>You will no longer receive <strong>{}</strong> notifications.</p>", escape_html(name)),
        ),
        Page::Required { name } => (
            "Cannot unsubscribe".to_owned(),
            format!(
                "<p><strong>{}</strong> notifications are required and cannot be turned off.</p>",
                escape_html(name)
            ),
        ),
    };
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title></head>\n<body style=\"font-family:sans-serif;max-width:480px;margin:48px auto;padding:0 16px\">\
         \n<h1>{title}</h1>\n{body}\n</body></html>\n"
    )
}
