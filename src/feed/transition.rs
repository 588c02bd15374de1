//! Engagement transitions of one delivery: seen, read, clicked, archived, and their undos.
//!
//! Rules: `true` sets a timestamp once (a repeat changes nothing); read ⇒ seen; clicked ⇒ read;
//! `read:false` and `archived:false` undo; seen and clicked cannot be undone. Deliveries that
//! were `skipped` or `failed` accept no engagement.

use crate::model::{Action, Delivery, DeliveryPatch, DeliveryStatus};
use crate::ApiError;

/// Whether a channel may move a delivery from `from` to `to`: pending → sent | failed,
/// sent → delivered. Anything else (a late failure after a success, a repeat) is ignored.
pub fn can_advance(from: DeliveryStatus, to: DeliveryStatus) -> bool {
    use DeliveryStatus::*;
    matches!((from, to), (Pending, Sent) | (Pending, Failed) | (Sent, Delivered))
}

/// Whether a provider's event about a message it took may move a delivery from `from` to `to`:
/// → delivered from pending or sent; → failed from pending, sent or delivered (an email bounces
/// after the receiving server took it). Anything else is ignored.
pub fn can_follow_event(from: DeliveryStatus, to: DeliveryStatus) -> bool {
    use DeliveryStatus::*;
    matches!((from, to), (Pending | Sent, Delivered) | (Pending | Sent | Delivered, Failed))
}

/// Whether a provider's delivery receipt (Telnyx `message.finalized`) may move a delivery from
/// `from` to `to`: sent → delivered | failed. The carrier's verdict on a message the provider
/// accepted is final; a repeated receipt changes nothing.
pub fn can_finalize(from: DeliveryStatus, to: DeliveryStatus) -> bool {
    use DeliveryStatus::*;
    matches!((from, to), (Sent, Delivered) | (Sent, Failed))
}

/// Whether the user can engage with `d` at all.
pub fn engageable(d: &Delivery) -> bool {
    !matches!(
        d.status,
        DeliveryStatus::Skipped | DeliveryStatus::Failed | DeliveryStatus::Scheduled | DeliveryStatus::Canceled
    )
}

/// The actions that would change `d` now.
pub fn allowed(d: &Delivery) -> Vec<&'static str> {
    if !engageable(d) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if d.seen_at.is_none() {
        out.push(Action::Seen.as_str());
    }
    if d.read_at.is_none() {
        out.push(Action::Read.as_str());
    } else {
        out.push(Action::Unread.as_str());
    }
    if d.clicked_at.is_none() {
        out.push(Action::Clicked.as_str());
    }
    if d.archived_at.is_none() {
        out.push(Action::Archived.as_str());
    } else {
        out.push(Action::Unarchived.as_str());
    }
    out
}

fn refuse(d: &Delivery, message: impl Into<String>) -> ApiError {
    ApiError::InvalidTransition { current_status: d.status.as_str(), allowed: allowed(d), message: message.into() }
}

fn set(slot: &mut Option<String>, now: &str) -> bool {
    if slot.is_some() {
        return false;
    }
    *slot = Some(now.to_owned());
    true
}

fn clear(slot: &mut Option<String>) -> bool {
    slot.take().is_some()
}

/// Applies `action` to `d` at `now` (RFC 3339). Returns whether anything changed; a delivery
/// that accepts no engagement is left alone (`Ok(false)`), so bulk actions skip it.
pub fn apply(d: &mut Delivery, action: Action, now: &str) -> bool {
    if !engageable(d) {
        return false;
    }
    let changed = match action {
        Action::Seen => set(&mut d.seen_at, now),
        Action::Read => set(&mut d.read_at, now) | set(&mut d.seen_at, now),
        Action::Unread => clear(&mut d.read_at),
        Action::Clicked => set(&mut d.clicked_at, now) | set(&mut d.read_at, now) | set(&mut d.seen_at, now),
        Action::Archived => set(&mut d.archived_at, now),
        Action::Unarchived => clear(&mut d.archived_at),
    };
    if changed {
        d.updated_at = now.to_owned();
    }
    changed
}

/// The actions a PATCH body asks for, in the order they apply; refuses what cannot be done.
pub fn patch_actions(d: &Delivery, p: &DeliveryPatch) -> Result<Vec<Action>, ApiError> {
    if p.seen.is_none() && p.read.is_none() && p.clicked.is_none() && p.archived.is_none() {
        return Err(ApiError::field("body", "required", "give at least one of seen, read, clicked, archived"));
    }
    if p.clicked == Some(true) && p.read == Some(false) {
        return Err(ApiError::field("read", "invalid", "read:false contradicts clicked:true (clicked implies read)"));
    }
    if p.read == Some(true) && p.seen == Some(false) || p.clicked == Some(true) && p.seen == Some(false) {
        return Err(ApiError::field("seen", "invalid", "seen:false contradicts read/clicked:true"));
    }
    if p.seen == Some(false) {
        return Err(refuse(d, "seen cannot be undone"));
    }
    if p.clicked == Some(false) {
        return Err(refuse(d, "clicked cannot be undone"));
    }
    if !engageable(d) {
        return Err(refuse(d, format!("a {} delivery accepts no engagement", d.status.as_str())));
    }
    let mut actions = Vec::new();
    match p.read {
        Some(true) => actions.push(Action::Read),
        Some(false) => actions.push(Action::Unread),
        None => {}
    }
    if p.seen == Some(true) {
        actions.push(Action::Seen);
    }
    if p.clicked == Some(true) {
        actions.push(Action::Clicked);
    }
    match p.archived {
        Some(true) => actions.push(Action::Archived),
        Some(false) => actions.push(Action::Unarchived),
        None => {}
    }
    Ok(actions)
}

/// Applies a PATCH body; returns whether anything changed.
pub fn apply_patch(d: &mut Delivery, p: &DeliveryPatch, now: &str) -> Result<bool, ApiError> {
    let actions = patch_actions(d, p)?;
    Ok(actions.into_iter().fold(false, |changed, a| apply(d, a, now) | changed))
}

#[cfg(test)]
pub(crate) mod tests_support {
    use crate::model::{ChannelType, Delivery, DeliveryStatus};

    /// A delivered in-app delivery with nothing engaged.
    pub(crate) fn delivery() -> Delivery {
        Delivery {
            id: "dlv_1".into(),
            notification_id: "ntf_1".into(),
            notiflow_id: None,
            actor_id: None,
            recipient_id: "u".into(),
            channel_id: None,
            channel_type: ChannelType::InApp,
            status: DeliveryStatus::Delivered,
            reason: None,
            topic: None,
            category: None,
            data: serde_json::json!({}),
            created_at: "t0".into(),
            updated_at: "t0".into(),
            sent_at: None,
            seen_at: None,
            read_at: None,
            clicked_at: None,
            archived_at: None,
            provider: None,
            provider_message_id: None,
            attempts: None,
            provider_code: None,
            deliver_at: None,
            segments: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(status: DeliveryStatus) -> Delivery {
        Delivery { status, ..tests_support::delivery() }
    }

    #[test]
    fn click_implies_read_implies_seen_and_repeats_are_no_ops() {
        let mut d = delivery(DeliveryStatus::Delivered);
        assert!(apply(&mut d, Action::Clicked, "t1"));
        assert_eq!(
            (d.seen_at.as_deref(), d.read_at.as_deref(), d.clicked_at.as_deref()),
            (Some("t1"), Some("t1"), Some("t1"))
        );
        assert!(!apply(&mut d, Action::Clicked, "t2"));
        assert!(!apply(&mut d, Action::Read, "t2"));
        assert_eq!(d.read_at.as_deref(), Some("t1"));
        assert!(apply(&mut d, Action::Unread, "t3"));
        assert_eq!(d.read_at, None);
        assert_eq!(d.seen_at.as_deref(), Some("t1"));
        assert_eq!(d.updated_at, "t3");
    }

    #[test]
    fn seen_and_clicked_cannot_be_undone() {
        let d = delivery(DeliveryStatus::Delivered);
        let e = patch_actions(&d, &DeliveryPatch { seen: Some(false), ..Default::default() }).unwrap_err();
        match e {
            ApiError::InvalidTransition { current_status, allowed, .. } => {
                assert_eq!(current_status, "delivered");
                assert_eq!(allowed, vec!["seen", "read", "clicked", "archived"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(patch_actions(&d, &DeliveryPatch { clicked: Some(false), ..Default::default() }).is_err());
        assert!(matches!(patch_actions(&d, &DeliveryPatch::default()), Err(ApiError::Validation(_))));
    }

    #[test]
    fn skipped_deliveries_accept_nothing() {
        let mut d = delivery(DeliveryStatus::Skipped);
        assert!(!apply(&mut d, Action::Read, "t1"));
        let e = apply_patch(&mut d, &DeliveryPatch { read: Some(true), ..Default::default() }, "t1").unwrap_err();
        assert!(matches!(e, ApiError::InvalidTransition { allowed, .. } if allowed.is_empty()));
    }

    #[test]
    fn channel_status_only_moves_forward() {
        use DeliveryStatus::*;
        assert!(can_advance(Pending, Sent) && can_advance(Pending, Failed) && can_advance(Sent, Delivered));
        assert!(!can_advance(Sent, Failed) && !can_advance(Failed, Sent) && !can_advance(Skipped, Sent));
        assert!(!can_advance(Sent, Sent));
    }

    #[test]
    fn a_delivery_receipt_settles_only_a_sent_delivery() {
        use DeliveryStatus::*;
        assert!(can_finalize(Sent, Delivered) && can_finalize(Sent, Failed));
        for from in [Pending, Delivered, Failed, Skipped] {
            assert!(!can_finalize(from, Delivered) && !can_finalize(from, Failed), "{from:?}");
        }
        assert!(!can_finalize(Sent, Sent) && !can_finalize(Sent, Pending));
    }

    #[test]
    fn archive_and_unarchive() {
        let mut d = delivery(DeliveryStatus::Delivered);
        assert!(apply_patch(
            &mut d,
            &DeliveryPatch { archived: Some(true), read: Some(true), ..Default::default() },
            "t1"
        )
        .unwrap());
        assert!(d.archived_at.is_some() && d.read_at.is_some());
        assert!(!apply_patch(&mut d, &DeliveryPatch { archived: Some(true), ..Default::default() }, "t2").unwrap());
        assert!(apply_patch(&mut d, &DeliveryPatch { archived: Some(false), ..Default::default() }, "t3").unwrap());
        assert_eq!(d.archived_at, None);
    }
}
