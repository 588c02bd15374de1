//! Messages on the `SEND` queue.

use crate::model::Delivery;
use crate::notify::Urgency;
use serde::{Deserialize, Serialize};

/// One unit of background work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Remove a user and everything hanging off it, then mark the operation done.
    DeleteUser {
        /// The operation that reports progress.
        operation_id: String,
        /// The user to remove.
        user_id: String,
    },
    /// Send one web push delivery to every valid subscription of its recipient.
    SendWebPush {
        /// The delivery (its `data` is the payload's content).
        delivery: Box<Delivery>,
        /// Push time-to-live, seconds.
        ttl: u32,
        /// Push urgency.
        urgency: Urgency,
        /// Attempts made so far.
        #[serde(default)]
        attempt: u32,
        /// Retry only these subscription endpoints (`None`: every valid one of the user).
        #[serde(default)]
        endpoints: Option<Vec<String>>,
    },
    /// Send one mobile push delivery to every valid push token (FCM, APNs) of its recipient.
    SendMobilePush {
        /// The delivery (its `data` is the message's content).
        delivery: Box<Delivery>,
        /// Time-to-live, seconds.
        ttl: u32,
        /// Urgency (APNs priority, FCM Android priority).
        urgency: Urgency,
        /// Attempts made so far.
        #[serde(default)]
        attempt: u32,
        /// Retry only these tokens (`None`: every valid one of the user).
        #[serde(default)]
        tokens: Option<Vec<String>>,
    },
    /// Send a bulk job's message to its users with `from <= seq <= to`.
    BulkBatch {
        /// The job.
        job_id: String,
        /// First user (sequence number).
        from: i64,
        /// Last user.
        to: i64,
        /// Runs of this batch so far (users whose feed could not be written are retried).
        #[serde(default)]
        attempt: u32,
    },
}
