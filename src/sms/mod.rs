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
