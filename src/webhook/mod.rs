//! Signed webhooks (`webhook` channel): each delivery POSTed to the configured URL as the
//! Standard Webhooks specification says (<https://www.standardwebhooks.com/>): the secret
//! ([`signature::Secret`]), the signature ([`signature::sign`]), the request and its answer
//! ([`message::prepare`], [`message::classify`]).

pub mod message;
pub mod signature;

/// The delivery's `provider` for webhooks.
pub const PROVIDER: &str = "webhook";

#[cfg(test)]
mod tests;
