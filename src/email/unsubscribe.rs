//! The one-click unsubscribe token (RFC 8058) in each email's `List-Unsubscribe` link: it lets
//! its bearer opt one user out of one topic (or, for a notification without a topic, its
//! category), and nothing else. Signed with a key derived from the deployment's secret key for
//! this purpose only; it does not expire (a link in an old email must keep working).

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
