//! Messages on the `SEND` queue, and the arithmetic of their leases: every piece of work
//! handed to the queue is also recorded (a lease, in D1) until it finishes; a sweeper
//! re-enqueues work whose lease ran out, and work that keeps failing is dead-lettered.

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
    /// Wake a user's feed so it sends what is due of its schedule: the backstop of the feed's
    /// alarm, recorded (as a lease due after the scheduled time) and only enqueued by the sweeper.
    WakeFeed {
        /// The user.
        user_id: String,
        /// The scheduled notification.
        notification_id: String,
    },
    /// Send one delivery on a single-address provider channel (`email`, `sms`, `slack`,
    /// `webhook`: its `channel_type`) to its recipient's address there.
    SendChannel {
        /// The delivery (its `data` is the message's content).
        delivery: Box<Delivery>,
        /// Attempts made so far.
        #[serde(default)]
        attempt: u32,
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

impl Job {
    /// The lease this work is recorded under: one per piece of work, the same for every run,
    /// retry and re-enqueue of it (so a repeat replaces the record instead of adding one).
    pub fn lease_id(&self) -> String {
        match self {
            Job::DeleteUser { operation_id, .. } => format!("delete:{operation_id}"),
            Job::SendWebPush { delivery, .. } => format!("push:{}", delivery.id),
            Job::SendMobilePush { delivery, .. } => format!("mobile:{}", delivery.id),
            Job::SendChannel { delivery, .. } => format!("channel:{}", delivery.id),
            Job::BulkBatch { job_id, from, .. } => format!("bulk:{job_id}:{from}"),
            Job::WakeFeed { user_id, notification_id } => wake_lease(notification_id, user_id),
        }
    }

    /// The delivery a send job carries (none for other kinds).
    pub fn delivery(&self) -> Option<&Delivery> {
        match self {
            Job::SendWebPush { delivery, .. }
            | Job::SendMobilePush { delivery, .. }
            | Job::SendChannel { delivery, .. } => Some(delivery),
            Job::DeleteUser { .. } | Job::BulkBatch { .. } | Job::WakeFeed { .. } => None,
        }
    }

    /// The kind's wire name (`kind` of the message).
    pub fn kind(&self) -> &'static str {
        match self {
            Job::DeleteUser { .. } => "delete_user",
            Job::SendWebPush { .. } => "send_web_push",
            Job::SendMobilePush { .. } => "send_mobile_push",
            Job::SendChannel { .. } => "send_channel",
            Job::BulkBatch { .. } => "bulk_batch",
            Job::WakeFeed { .. } => "wake_feed",
        }
    }
}

/// The lease of a scheduled notification's wake-up of one recipient's feed.
pub fn wake_lease(notification_id: &str, user_id: &str) -> String {
    format!("wake:{notification_id}:{user_id}")
}

/// A queue message: the job and the generation of its lease it was sent under. A message
/// whose generation is no longer the lease's (a newer copy was sent, or the work finished) is
/// dropped unrun, so a re-enqueued job never runs twice side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    /// The lease generation (`None`: a message from before leases, run as it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_gen: Option<u32>,
    /// The work.
    #[serde(flatten)]
    pub job: Job,
}

/// Lease length when `TIDINGS_LEASE_SECONDS` is unset or malformed.
pub const DEFAULT_LEASE_SECONDS: u32 = 300;
/// Runs of one piece of work (claims by a queue consumer) before it is dead-lettered. A job
/// that re-enqueues itself on purpose (a push retry, a bulk batch re-run) starts again at 0.
pub const MAX_RUNS: u32 = 8;
/// Times the sweeper may find one piece of work past its lease before it is dead-lettered.
pub const MAX_SWEEPS: u32 = 5;

/// `TIDINGS_LEASE_SECONDS`: 1..=3600, else the default.
pub fn lease_seconds(raw: &str) -> u32 {
    raw.trim().parse().ok().filter(|s| (1..=3600).contains(s)).unwrap_or(DEFAULT_LEASE_SECONDS)
}

/// When a lease taken at `now_ms` for work that starts `delay_s` from now runs out: the
/// delay, then a whole lease for the run itself.
pub fn lease_due(now_ms: i64, delay_s: u32, lease_s: u32) -> i64 {
    now_ms + (i64::from(delay_s) + i64::from(lease_s)) * 1000
}

/// How often the sweeper looks for expired leases: a quarter of a lease, 1 s to 60 s, so a
/// lost job is re-enqueued within 1.25 leases.
pub fn sweep_period_s(lease_s: u32) -> u32 {
    (lease_s / 4).clamp(1, 60)
}

/// Whether work run `runs` times and swept `sweeps` times has failed for good.
pub fn exhausted(runs: u32, sweeps: u32) -> bool {
    runs > MAX_RUNS || sweeps > MAX_SWEEPS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_carries_its_lease_generation_and_reads_without_one() {
        let job = Job::BulkBatch { job_id: "bulk_1".into(), from: 101, to: 200, attempt: 1 };
        let text = serde_json::to_string(&Queued { lease_gen: Some(3), job: job.clone() }).unwrap();
        assert_eq!(text, r#"{"lease_gen":3,"kind":"bulk_batch","job_id":"bulk_1","from":101,"to":200,"attempt":1}"#);
        assert_eq!(serde_json::from_str::<Queued>(&text).unwrap(), Queued { lease_gen: Some(3), job: job.clone() });
        let old = serde_json::to_string(&job).unwrap();
        assert_eq!(serde_json::from_str::<Queued>(&old).unwrap(), Queued { lease_gen: None, job });
    }

    #[test]
    fn each_piece_of_work_has_one_lease_whatever_its_attempt() {
        let a = Job::BulkBatch { job_id: "b".into(), from: 1, to: 100, attempt: 0 };
        let b = Job::BulkBatch { job_id: "b".into(), from: 1, to: 100, attempt: 3 };
        let c = Job::BulkBatch { job_id: "b".into(), from: 101, to: 200, attempt: 0 };
        assert_eq!(a.lease_id(), b.lease_id());
        assert_ne!(a.lease_id(), c.lease_id());
        let d = Job::DeleteUser { operation_id: "op_1".into(), user_id: "u".into() };
        assert_eq!((d.lease_id().as_str(), d.kind()), ("delete:op_1", "delete_user"));
    }

    #[test]
    fn a_delayed_retry_is_due_after_its_delay_plus_a_lease() {
        assert_eq!(lease_due(1_000, 0, 300), 301_000);
        assert_eq!(lease_due(1_000, 30, 300), 331_000);
        assert_eq!(lease_due(0, 43_200, 3600), (43_200 + 3600) * 1000);
    }

    #[test]
    fn lease_and_sweep_periods_are_bounded() {
        assert_eq!(lease_seconds(""), DEFAULT_LEASE_SECONDS);
        assert_eq!(lease_seconds("0"), DEFAULT_LEASE_SECONDS);
        assert_eq!(lease_seconds("x"), DEFAULT_LEASE_SECONDS);
        assert_eq!(lease_seconds(" 4 "), 4);
        assert_eq!(lease_seconds("3601"), DEFAULT_LEASE_SECONDS);
        assert_eq!(sweep_period_s(4), 1);
        assert_eq!(sweep_period_s(1), 1);
        assert_eq!(sweep_period_s(300), 60);
        assert_eq!(sweep_period_s(100), 25);
    }

    #[test]
    fn work_is_dead_after_too_many_runs_or_sweeps() {
        assert!(!exhausted(0, 0));
        assert!(!exhausted(MAX_RUNS, MAX_SWEEPS));
        assert!(exhausted(MAX_RUNS + 1, 0));
        assert!(exhausted(0, MAX_SWEEPS + 1));
    }
}
