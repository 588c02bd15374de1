//! SES event notifications (event publishing through a configuration set, `eventType`, or
//! identity notifications, `notificationType`), as carried in an SNS `Message`.

use super::ses::{TAG_DELIVERY, TAG_USER};
use crate::validate::B64URL;
use base64::Engine;
use serde_json::{json, Value};

/// What happened to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A bounce; `permanent` ones suppress the address.
    Bounce {
        /// `bounceType: Permanent`.
        permanent: bool,
    },
    /// The recipient marked it as spam: suppress the address.
    Complaint,
    /// Delivered to the recipient's mail server.
    Delivery,
    /// SES refused to send it (virus, ...).
    Reject,
    /// Anything else (Send, Open, Click, DeliveryDelay, ...): acknowledged, ignored.
    Other,
}

/// One SES event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesEvent {
    /// What happened.
    pub kind: EventKind,
    /// The addresses it concerns (bounced, complained, delivered).
    pub recipients: Vec<String>,
    /// Our delivery id, from the message's `tidings_delivery` tag.
    pub delivery_id: Option<String>,
    /// Our user id, from the message's `tidings_user` tag.
    pub user_id: Option<String>,
    /// The `provider_code` a failed delivery gets: `Bounce:Permanent:General`, `Reject:<reason>`.
    pub code: String,
    /// `emailSuppressionStatus` for the recipients (bounces that are permanent, complaints).
    pub suppression: Option<Value>,
}

fn addresses(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| a.iter().filter_map(|r| r["emailAddress"].as_str().or(r.as_str())).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn tag(mail: &Value, name: &str) -> Option<String> {
    mail["tags"][name][0].as_str().map(str::to_owned)
}

/// Parses an SNS notification's `Message`; `None` when it is not an SES event.
pub fn parse(message: &str) -> Option<SesEvent> {
    let v: Value = serde_json::from_str(message).ok()?;
    let kind = v["eventType"].as_str().or(v["notificationType"].as_str())?;
    let mail = &v["mail"];
    let delivery_id = tag(mail, TAG_DELIVERY);
    let user_id = tag(mail, TAG_USER).and_then(|u| B64URL.decode(u).ok()).and_then(|u| String::from_utf8(u).ok());
    let (kind, recipients, code, suppression) = match kind {
        "Bounce" => {
            let b = &v["bounce"];
            let permanent = b["bounceType"].as_str() == Some("Permanent");
            let code = format!(
                "Bounce:{}:{}",
                b["bounceType"].as_str().unwrap_or("Undetermined"),
                b["bounceSubType"].as_str().unwrap_or("Undetermined")
            );
            let suppression = permanent.then(|| json!({ "reason": "Bounce", "details": b }));
            (EventKind::Bounce { permanent }, addresses(&b["bouncedRecipients"]), code, suppression)
        }
        "Complaint" => {
            let c = &v["complaint"];
            let suppression = Some(json!({ "reason": "Complaint", "details": c }));
            (EventKind::Complaint, addresses(&c["complainedRecipients"]), "Complaint".into(), suppression)
        }
        "Delivery" => (EventKind::Delivery, addresses(&v["delivery"]["recipients"]), "Delivery".into(), None),
        "Reject" => {
            let code = format!("Reject:{}", v["reject"]["reason"].as_str().unwrap_or("Unknown"));
            (EventKind::Reject, addresses(&mail["destination"]), code, None)
        }
        other => (EventKind::Other, Vec::new(), other.to_owned(), None),
    };
    Some(SesEvent { kind, recipients, delivery_id, user_id, code, suppression })
}
