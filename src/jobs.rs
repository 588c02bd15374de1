//! Messages on the `SEND` queue.

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
}
