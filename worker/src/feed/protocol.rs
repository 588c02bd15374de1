//! What the worker asks of a user's feed object. Answers are the core's wire types
//! (`Delivery`, `DeliveryPage`, `BulkResult`, `FeedMeta`) or the error envelope.

use serde::{Deserialize, Serialize};
use tidings::limits::{Decision, RateLimit};
use tidings::model::{Action, Delivery, DeliveryFilter, DeliveryPatch, DeliveryStatus, FeedMeta};

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
    },
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
