//! What a mobile push says, common to FCM and APNs: the delivery's title, body and link, the
//! ids and action token the app needs, the sender's other data, and the badge.

use crate::model::Delivery;
use crate::notify::Urgency;
use serde_json::{Map, Value};

/// Members of `data` that become the notification itself, not custom data.
const LIFTED: [&str; 3] = ["subject", "body", "url"];

/// One delivery's mobile push content.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// The delivery.
    pub delivery_id: String,
    /// Its notification.
    pub notification_id: String,
    /// `data.subject`.
    pub title: Option<String>,
    /// `data.body`.
    pub body: Option<String>,
    /// `data.url`: opened on tap.
    pub url: Option<String>,
    /// Lets the app mark this delivery seen/read/clicked (as in Web Push).
    pub action_token: String,
    /// The notification's topic: APNs `thread-id` and collapse id, FCM collapse key.
    pub topic: Option<String>,
    /// Everything else the sender put in `data`.
    pub data: Map<String, Value>,
    /// Time-to-live, seconds.
    pub ttl: u32,
    /// Urgency (`high` → priority 10 / `HIGH`).
    pub urgency: Urgency,
    /// The user's unread count at send time (the app icon's badge).
    pub badge: u64,
}

/// The content of delivery `d`.
pub fn content(d: &Delivery, action_token: String, ttl: u32, urgency: Urgency, badge: u64) -> Content {
    let text = |k: &str| d.data.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut data = d.data.as_object().cloned().unwrap_or_default();
    for k in LIFTED {
        data.remove(k);
    }
    Content {
        delivery_id: d.id.clone(),
        notification_id: d.notification_id.clone(),
        title: text("subject"),
        body: text("body"),
        url: text("url"),
        action_token,
        topic: d.topic.clone(),
        data,
        ttl,
        urgency,
        badge,
    }
}

impl Content {
    /// Whether this is sent at high priority.
    pub fn high(&self) -> bool {
        self.urgency == Urgency::High
    }

    /// The ids, link and token the app reads, then the sender's data (ours win on a clash).
    pub fn custom(&self) -> Map<String, Value> {
        let mut out = self.data.clone();
        out.insert("delivery_id".into(), self.delivery_id.clone().into());
        out.insert("notification_id".into(), self.notification_id.clone().into());
        if let Some(url) = &self.url {
            out.insert("url".into(), url.clone().into());
        }
        out.insert("action_token".into(), self.action_token.clone().into());
        out
    }
}
