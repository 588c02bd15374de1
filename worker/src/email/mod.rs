//! Email from the edge through Amazon SES v2 (issue 13): `config.rs` reads the variables,
//! `sender.rs` builds (core `prepare`, SigV4 in the core), fetches and classifies one
//! `SendEmail` per delivery, `events.rs` is `POST /providers/ses/events` (SNS messages, their
//! signatures checked with WebCrypto), `unsubscribe.rs` is the RFC 8058 one-click route.

pub mod config;
pub mod events;
pub mod sender;
pub mod unsubscribe;

pub use sender::send;

use crate::config::Config;
use tidings::notify;
use tidings::users::StoredUser;

/// Whether the deployment sends email (configured and well-formed).
pub fn configured(config: &Config) -> bool {
    matches!(config.email.settings(config.dev_mode), Some(Ok(_)))
}

/// A stored user's reach on `email`: an address not suppressed by a bounce or complaint.
pub fn reach(user: &StoredUser) -> notify::Reach {
    tidings::email::reach(user.profile.email.as_deref(), user.email_suppression.is_some())
}
