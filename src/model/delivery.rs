//! Deliveries and the feed (seed 003): snake_case on the wire.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a delivery stands in its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Created, not handed to the channel yet (web push waiting for the sender).
    Pending,
    /// Handed to the channel (the push service accepted it).
    Sent,
    /// Reached the user (in-app: stored in the feed).
    Delivered,
    /// The channel gave up.
    Failed,
    /// Not sent because of the user's preferences (see `reason`).
    Skipped,
    /// Waiting for its time (`deliver_at`): `send_at`, `deliver_at_local`, quiet hours, a digest.
    Scheduled,
    /// Canceled (`DELETE /notifications/{id}`) before it went out.
    Canceled,
}

impl DeliveryStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Skipped => "skipped",
            DeliveryStatus::Scheduled => "scheduled",
            DeliveryStatus::Canceled => "canceled",
        }
    }

    /// The status with this wire name.
    pub fn parse(s: &str) -> Option<Self> {
        use DeliveryStatus::*;
        [Pending, Sent, Delivered, Failed, Skipped, Scheduled, Canceled].into_iter().find(|v| v.as_str() == s)
    }
}

/// The channel of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelType {
    /// The in-app feed (the bell).
    InApp,
    /// Browser push through the user's push service.
    WebPush,
    /// Mobile push to the user's `pushTokens` (FCM, APNs).
    MobilePush,
    /// Email to the user's `email` (SES).
    Email,
    /// SMS to the user's `number` (Telnyx).
    Sms,
    /// Slack, to the user's `slackChannel` (or incoming webhook).
    Slack,
    /// The deployment's signed webhook (Standard Webhooks).
    Webhook,
}

impl ChannelType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelType::InApp => "in_app",
            ChannelType::WebPush => "web_push",
            ChannelType::MobilePush => "mobile_push",
            ChannelType::Email => "email",
            ChannelType::Sms => "sms",
            ChannelType::Slack => "slack",
            ChannelType::Webhook => "webhook",
        }
    }

    /// Every channel.
    pub const ALL: [ChannelType; 7] = [
        ChannelType::InApp,
        ChannelType::WebPush,
        ChannelType::MobilePush,
        ChannelType::Email,
        ChannelType::Sms,
        ChannelType::Slack,
        ChannelType::Webhook,
    ];

    /// The channel with this wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether a channel name of preferences or `channels` means this channel: its own name,
    /// or a seed-004 alias (`inbox` = `in_app`, `push` = `web_push` + `mobile_push`,
    /// `direct_message` = `slack`).
    pub fn is_named(self, name: &str) -> bool {
        name == self.as_str()
            || matches!(
                (name, self),
                ("inbox", ChannelType::InApp)
                    | ("push", ChannelType::WebPush | ChannelType::MobilePush)
                    | ("direct_message", ChannelType::Slack)
            )
    }
}

/// One notification to one user on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// `dlv_<ulid>`.
    pub id: String,
    /// The notification it belongs to (`ntf_<ulid>`).
    pub notification_id: String,
    /// Workflow id; Tidings has no workflows, so always `null`.
    pub notiflow_id: Option<String>,
    /// Who caused it, as the sender said.
    pub actor_id: Option<String>,
    /// The user it is for.
    pub recipient_id: String,
    /// Channel instance id; `null` (one channel of each type).
    pub channel_id: Option<String>,
    /// `in_app`, `web_push`, `mobile_push`, `email`, `sms`, `slack` or `webhook`.
    pub channel_type: ChannelType,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Why it is `skipped` or `failed`; `null` otherwise.
    pub reason: Option<String>,
    /// The sender's topic.
    pub topic: Option<String>,
    /// The sender's category.
    pub category: Option<String>,
    /// The content: `subject`, `body`, `url`, `icon` and anything else the sender put there.
    pub data: Value,
    /// RFC 3339 timestamps; `null` until the event happens.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Handed to the channel.
    pub sent_at: Option<String>,
    /// Seen (shown) by the user.
    pub seen_at: Option<String>,
    /// Read by the user.
    pub read_at: Option<String>,
    /// Clicked by the user.
    pub clicked_at: Option<String>,
    /// Archived by the user.
    pub archived_at: Option<String>,
    /// Provider channels: who took it (`fcm`, `apns`, `webpush`); absent until one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The provider's id of the message (FCM `name`, APNs `apns-id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// Provider channels: send attempts made so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// On failure: the provider's own error code (FCM `UNREGISTERED`, APNs `BadDeviceToken`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<String>,
    /// `scheduled`: when it is due (RFC 3339); kept once it went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_at: Option<String>,
    /// SMS: the segments the text travels in (GSM-7: 160 characters in one, 153 per part of a
    /// longer one; UCS-2: 70 / 67).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<u32>,
}

/// `POST /notifications` answer (202).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationAccepted {
    /// `ntf_<ulid>`.
    pub notification_id: String,
    /// Every delivery created, per recipient and channel (skipped ones included).
    pub deliveries: Vec<Delivery>,
}

/// Counts of the user's feed: non-archived, non-skipped in-app deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedMeta {
    /// Not read.
    pub unread_count: u64,
    /// Not seen.
    pub unseen_count: u64,
    /// All of them.
    pub total_count: u64,
}

/// Where a page sits in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    /// Items per page.
    pub limit: u32,
    /// Pass as `after` for the next (older) page; `null` at the end.
    pub after: Option<String>,
    /// Pass as `before` for the previous (newer) page; `null` at the start.
    pub before: Option<String>,
    /// Older items exist.
    pub has_more_after: bool,
    /// Newer items exist.
    pub has_more_before: bool,
}

/// `GET /users/{id}/deliveries` answer. The edge fills `items` with the stored JSON of each
/// delivery as it is (`T` = a raw JSON value), clients read them as [`Delivery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryPage<T = Delivery> {
    /// Newest first.
    pub items: Vec<T>,
    /// Cursors.
    pub page: PageInfo,
    /// The user's feed counts, whatever the filter.
    pub meta: FeedMeta,
}

/// Which archived deliveries a list or action covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchivedFilter {
    /// Only non-archived (the default).
    #[default]
    Exclude,
    /// Both.
    Include,
    /// Only archived.
    Only,
}

impl ArchivedFilter {
    /// The filter with this wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exclude" => Some(ArchivedFilter::Exclude),
            "include" => Some(ArchivedFilter::Include),
            "only" => Some(ArchivedFilter::Only),
            _ => None,
        }
    }
}

/// Filters of a list or bulk action.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryFilter {
    /// Only this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
    /// Only this channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
    /// Only this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Only read (`true`) or unread (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// Only seen (`true`) or unseen (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<bool>,
    /// Archived handling (default `exclude`).
    #[serde(default)]
    pub archived: ArchivedFilter,
}

impl DeliveryFilter {
    /// Whether `d` passes the filter.
    pub fn matches(&self, d: &Delivery) -> bool {
        self.status.is_none_or(|s| s == d.status)
            && self.channel_type.is_none_or(|c| c == d.channel_type)
            && self.topic.as_ref().is_none_or(|t| Some(t) == d.topic.as_ref())
            && self.read.is_none_or(|r| r == d.read_at.is_some())
            && self.seen.is_none_or(|s| s == d.seen_at.is_some())
            && match self.archived {
                ArchivedFilter::Exclude => d.archived_at.is_none(),
                ArchivedFilter::Include => true,
                ArchivedFilter::Only => d.archived_at.is_some(),
            }
    }
}

/// `PATCH /users/{id}/deliveries/{delivery_id}` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryPatch {
    /// `true` marks seen; `false` is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<bool>,
    /// `true` marks read (and seen); `false` marks unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// `true` marks clicked (and read, seen); `false` is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicked: Option<bool>,
    /// `true` archives; `false` unarchives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

/// A bulk action's verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Mark seen.
    Seen,
    /// Mark read (and seen).
    Read,
    /// Mark unread.
    Unread,
    /// Mark clicked (and read, seen).
    Clicked,
    /// Archive.
    Archived,
    /// Unarchive.
    Unarchived,
}

impl Action {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Seen => "seen",
            Action::Read => "read",
            Action::Unread => "unread",
            Action::Clicked => "clicked",
            Action::Archived => "archived",
            Action::Unarchived => "unarchived",
        }
    }
}

/// `POST /users/{id}/deliveries/actions` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkAction {
    /// What to do.
    pub action: Action,
    /// These deliveries (≤ 1000)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// …or those matching this filter; neither = all non-archived deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<DeliveryFilter>,
}

/// `POST /users/{id}/deliveries/actions` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    /// Deliveries that changed.
    pub updated: u64,
    /// Counts after the action.
    pub meta: FeedMeta,
}

/// A realtime event on a user's feed socket; `seq` increases by one per event, per user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FeedEvent {
    /// A new delivery.
    #[serde(rename = "delivery.created")]
    Created {
        /// Event number.
        seq: u64,
        /// The delivery.
        delivery: Delivery,
    },
    /// A delivery changed.
    #[serde(rename = "delivery.updated")]
    Updated {
        /// Event number.
        seq: u64,
        /// The delivery as it is now.
        delivery: Delivery,
    },
    /// The feed's counts changed (also sent first on every connect).
    #[serde(rename = "counts")]
    Counts {
        /// Event number (the latest one on connect).
        seq: u64,
        /// The counts.
        meta: FeedMeta,
    },
    /// The client missed more than can be replayed: refetch, then continue from `seq`.
    #[serde(rename = "reset")]
    Reset {
        /// The latest event number.
        seq: u64,
    },
}

impl FeedEvent {
    /// The event number.
    pub fn seq(&self) -> u64 {
        match self {
            FeedEvent::Created { seq, .. }
            | FeedEvent::Updated { seq, .. }
            | FeedEvent::Counts { seq, .. }
            | FeedEvent::Reset { seq } => *seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse` is the inverse of the wire name, and agrees with serde's.
    #[test]
    fn enum_names_parse_back() {
        use DeliveryStatus::*;
        for s in [Pending, Sent, Delivered, Failed, Skipped] {
            assert_eq!(DeliveryStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for c in ChannelType::ALL {
            assert_eq!(ChannelType::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for a in [ArchivedFilter::Exclude, ArchivedFilter::Include, ArchivedFilter::Only] {
            let name = serde_json::to_value(a).unwrap();
            assert_eq!(ArchivedFilter::parse(name.as_str().unwrap()), Some(a));
        }
        for bad in ["", "Pending", "in-app", "all"] {
            assert_eq!(
                (DeliveryStatus::parse(bad), ChannelType::parse(bad), ArchivedFilter::parse(bad)),
                (None, None, None)
            );
        }
    }
}
