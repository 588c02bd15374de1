//! The provider channels at the edge, beside `push/` (Web Push) and `mobile/` (FCM, APNs):
//! `reach.rs` says which recipients can be reached on which channel (for planning a send),
//! `deliver.rs` is the one queue job of the single-address channels (`email`, `sms`, `slack`,
//! `webhook`). Each of those has its own module that builds the request with the core's pure
//! `prepare`, signs, fetches, reads the answer with `classify`, and does its own bookkeeping
//! (a token marked invalid, ...); `deliver.rs` records what came of it.

pub mod deliver;
pub mod reach;

use tidings::channel::Outcome;

/// What one send of a delivery on its channel came to.
#[derive(Debug)]
pub enum Attempt {
    /// The provider answered (a network failure is `Outcome::Retry`).
    Answered {
        /// The provider's wire name (`ses`, `telnyx`, `slack`, `webhook`).
        provider: &'static str,
        /// What the answer means.
        outcome: Outcome,
    },
    /// Not sent and never will be: `skipped` with this reason (`no_address`, `suppressed`, ...).
    Skip(&'static str),
    /// Not sent: `failed` with this reason (`channel_not_configured`, ...).
    Fail(&'static str),
}
