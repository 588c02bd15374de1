//! SMS through Telnyx, the pure part: the message text and its segments ([`text`]), the send
//! request and its answer ([`telnyx`]), and Telnyx's signed webhooks ([`events`]).
//!
//! No I/O, no clocks: time is passed in; the Ed25519 verification of webhooks is done by
//! WebCrypto in the worker over [`events::signed_message`].

pub mod events;
pub mod telnyx;
pub mod text;

/// The delivery's `provider` for SMS.
pub const PROVIDER: &str = "telnyx";

/// The skipped delivery's `reason` when the recipient's number texted STOP (and not START).
pub const OPTED_OUT: &str = "sms_opted_out";

/// The SMS of a delivery's `data` (`subject`, `body`, `url`), at most [`text::MAX_SEGMENTS`].
pub fn message(data: &serde_json::Value) -> Option<text::Text> {
    text::compose(text::Parts::of(data), text::MAX_SEGMENTS)
}

/// Whether a stored user can get SMS: a `number`, not opted out.
pub fn reach(user: &crate::users::StoredUser) -> crate::notify::Reach {
    use crate::notify::Reach;
    match (&user.profile.number, user.sms_opted_out) {
        (None, _) => Reach::NoAddress,
        (Some(_), true) => Reach::Blocked(OPTED_OUT),
        (Some(_), false) => Reach::Ready,
    }
}

/// Why an SMS request could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The delivery has no subject, body or url to send.
    #[error("the notification has no subject, body or url to send as an SMS")]
    Empty,
    /// The configuration is missing or malformed (the variable named).
    #[error("SMS configuration: {0} is missing or malformed")]
    Config(&'static str),
}

#[cfg(test)]
mod tests;
