//! Email from the edge through Amazon SES v2, the pure part: AWS Signature Version 4
//! ([`sigv4`]), the `SendEmail` `prepare`/`classify` pair ([`ses`]) and its bodies
//! ([`template`]), the SNS messages SES events arrive in ([`sns`], [`x509`]), the events
//! themselves ([`events`]) and the signed one-click unsubscribe token ([`unsubscribe`]).
//!
//! No I/O, no clocks: time (`now_ms`) is passed in. RSA verification of SNS signatures goes
//! through [`sns::SnsCrypto`], implemented by WebCrypto in the worker.

pub mod events;
pub mod ses;
pub mod sigv4;
pub mod sns;
pub mod template;
pub mod unsubscribe;
pub mod x509;

/// The provider name recorded on deliveries.
pub const PROVIDER: &str = "ses";

/// Why an email could not be sent or an SNS message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// The configuration is missing or malformed (the variable named).
    #[error("email configuration: {0} is missing or malformed")]
    Config(&'static str),
    /// An SNS message that is not genuine, not fresh or not understood.
    #[error("SNS message refused: {0}")]
    Sns(&'static str),
    /// The crypto provider failed (e.g. the certificate's key could not be imported).
    #[error("crypto: {0}")]
    Crypto(&'static str),
}

/// Whether a user can be reached on `email` (the provider being configured): an address that
/// is not suppressed by a bounce or complaint.
pub fn reach(email: Option<&str>, suppressed: bool) -> crate::notify::Reach {
    use crate::notify::Reach;
    match (email.is_some_and(|e| !e.is_empty()), suppressed) {
        (false, _) => Reach::NoAddress,
        (true, true) => Reach::Blocked("suppressed"),
        (true, false) => Reach::Ready,
    }
}

#[cfg(test)]
mod tests;
