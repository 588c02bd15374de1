//! What the worker asks of a user's feed object. Answers are the core's wire types
//! (`Delivery`, `DeliveryPage`, `BulkResult`, `FeedMeta`) or the error envelope.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tidings::limits::{Decision, RateLimit};
use tidings::model::{Action, Delivery, DeliveryFilter, DeliveryPatch, DeliveryStatus, FeedMeta};
use tidings::notify::{Dedupe, Urgency};
use tidings::schedule::repeat::Throttle;

/// One command; `now` is an RFC 3339 timestamp taken by the worker.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Store new deliveries (idempotent by id), under the per-recipient send limit when one is
    /// given; answers [`Inserted`].
    Insert {
        deliveries: Vec<Delivery>,
        #[serde(default)]
        limit: Option<RecipientLimit>,
        /// Push options of held deliveries, dedupe and throttle, digest keys.
        #[serde(default)]
        options: Option<SendOptions>,
    },
    /// Cancel what of a notification has not gone out; answers the canceled `Delivery` list.
    Cancel { notification_id: String },
    /// Send what of the schedule is due (the sweeper's backstop of the alarm); answers `{}`.
    Fire,
    /// One delivery; answers `Delivery` or 404.
    Get { id: String },
    /// A page, newest first; `after`/`before` are storage keys from cursors.
    List { filter: DeliveryFilter, limit: u32, after: Option<i64>, before: Option<i64> },
    /// Engagement on one delivery; answers `Delivery`.
    Patch { id: String, patch: DeliveryPatch, now: String },
    /// Engagement on many, atomically; answers `BulkResult`.
    Bulk { action: Action, ids: Option<Vec<String>>, filter: Option<DeliveryFilter>, now: String },
    /// A channel status change (web push sender); answers `Delivery`.
    Status {
        id: String,
        status: DeliveryStatus,
        reason: Option<String>,
        now: String,
        /// Provider channels: who took it, its message id, attempts, the provider's code.
        #[serde(default)]
        report: Option<ProviderReport>,
    },
    /// A provider's event about a message it took (SES `Delivery`, `Bounce`, `Reject`):
    /// delivered, or failed with `reason` and the provider's `code`; answers `Delivery`.
    Event { id: String, status: DeliveryStatus, reason: Option<String>, code: Option<String>, now: String },
    /// A provider's delivery receipt (Telnyx `message.finalized`): `sent` → `delivered` or
    /// `failed` with the provider's code (`can_finalize`); answers `Delivery`. Anything else,
    /// a repeat included, changes nothing.
    Receipt { id: String, status: DeliveryStatus, reason: Option<String>, provider_code: Option<String>, now: String },
    /// Remove everything (user deletion); answers `{}`.
    Erase,
}

/// The per-recipient limit an insert is made under.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RecipientLimit {
    /// Notifications per window.
    pub limit: RateLimit,
    /// Over the limit, write nothing and answer the refusal (a single-recipient send's 429)
    /// instead of storing the notification's deliveries as skipped.
    pub refuse: bool,
}

/// The answer to `Insert`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Inserted {
    /// The feed's counts after it.
    pub meta: FeedMeta,
    /// The deliveries (of this command) stored as skipped because of the limit, now or before.
    pub rate_limited: Vec<String>,
    /// With `refuse`: the limit's refusal; nothing was written.
    pub refused: Option<Decision>,
    /// The deliveries (of this command) stored as skipped as a duplicate or throttled, with
    /// the reason, now or before.
    #[serde(default)]
    pub skipped: Vec<(String, String)>,
}

/// What an insert needs beyond the deliveries.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SendOptions {
    /// Push time-to-live of the held push deliveries, seconds.
    pub ttl: u32,
    /// Push urgency of the held push deliveries.
    pub urgency: Urgency,
    /// The notification's `dedupe_key` and window.
    #[serde(default)]
    pub dedupe: Option<Dedupe>,
    /// The throttle in force for this user and topic, and its key.
    #[serde(default)]
    pub throttle: Option<(String, Throttle)>,
    /// Held deliveries that join a digest: delivery id → digest key.
    #[serde(default)]
    pub digests: BTreeMap<String, String>,
}

/// What a provider channel's sender records on a delivery with its status.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ProviderReport {
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub attempts: Option<u32>,
    pub provider_code: Option<String>,
    /// SMS: the segments the text travels in.
    #[serde(default)]
    pub segments: Option<u32>,
}
