//! Telnyx's webhooks to `POST /providers/telnyx/events`: what is signed and when it is stale
//! ([`signed_message`], [`fresh`]), and what an event says ([`parse`]): a sent message's final
//! state (`message.finalized`) or an inbound message (`message.received`), which may be an
//! opt-out or opt-in keyword ([`Keyword`]).

use serde_json::Value;

/// A webhook older (or further in the future) than this many seconds is refused.
pub const TOLERANCE_S: i64 = 300;

/// The bytes Telnyx signs with Ed25519: `{telnyx-timestamp}|{body}`.
pub fn signed_message(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + 1 + body.len());
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'|');
    m.extend_from_slice(body);
    m
}

/// Whether `telnyx-timestamp` (Unix seconds) is within [`TOLERANCE_S`] of `now_s`.
pub fn fresh(timestamp: &str, now_s: i64) -> bool {
    timestamp.trim().parse::<i64>().is_ok_and(|t| (now_s - t).abs() <= TOLERANCE_S)
}

/// An inbound message that changes whether the sender gets SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// `STOP`, `STOPALL`, `UNSUBSCRIBE`, `CANCEL`, `END`, `QUIT`.
    OptOut,
    /// `START`, `UNSTOP`, `YES`.
    OptIn,
}

impl Keyword {
    /// The keyword an inbound `text` is, if it is one: the whole message, trimmed, any case
    /// (as carriers match them; "stop by at 5" is not an opt-out).
    pub fn of(text: &str) -> Option<Keyword> {
        let word = text.trim().trim_end_matches(['.', '!']).to_ascii_uppercase();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" => Some(Keyword::OptOut),
            "START" | "UNSTOP" | "YES" => Some(Keyword::OptIn),
            _ => None,
        }
    }
}

/// The final state of a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Final {
    /// The handset has it (`delivered`).
    Delivered,
    /// The carrier gave up (`delivery_failed`, `sending_failed`, `expired`): Telnyx's error code,
    /// or the status when it gave none.
    Failed {
        /// `errors[0].code`, else the status.
        code: String,
    },
    /// Final without a verdict (`delivery_unconfirmed`, or a status we do not know): the
    /// delivery stays `sent`.
    Unconfirmed,
}

/// What a Telnyx webhook says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `message.finalized`: message `id` reached a final state.
    Finalized {
        /// Telnyx's message id (the `data.id` of the send answer).
        message_id: String,
        /// Its state.
        state: Final,
    },
    /// `message.received`: `from` wrote `text` to our number.
    Received {
        /// The sender's number (E.164).
        from: String,
        /// An opt-out or opt-in keyword, if the text is one.
        keyword: Option<Keyword>,
    },
    /// Any other event (`message.sent`, ...): acknowledged and ignored.
    Other(String),
}

/// Why a webhook body cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not JSON, or `data.event_type` / `data.payload` missing.
    #[error("the webhook body is not a Telnyx event")]
    Malformed,
    /// A known event without the member it needs (named).
    #[error("the Telnyx event has no {0}")]
    Missing(&'static str),
}

/// Reads a (verified) Telnyx webhook body.
pub fn parse(body: &[u8]) -> Result<Event, EventError> {
    let json: Value = serde_json::from_slice(body).map_err(|_| EventError::Malformed)?;
    let data = &json["data"];
    let kind = data["event_type"].as_str().ok_or(EventError::Malformed)?;
    let payload = &data["payload"];
    if !payload.is_object() {
        return Err(EventError::Malformed);
    }
    let text =
        |v: &Value, what| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned).ok_or(EventError::Missing(what));
    match kind {
        "message.finalized" => {
            let message_id = text(&payload["id"], "payload.id")?;
            let status = text(&payload["to"][0]["status"], "payload.to[0].status")?;
            let state = match status.as_str() {
                "delivered" => Final::Delivered,
                "delivery_failed" | "sending_failed" | "expired" => {
                    Final::Failed { code: super::telnyx::error_code(&payload["errors"]).unwrap_or(status) }
                }
                _ => Final::Unconfirmed,
            };
            Ok(Event::Finalized { message_id, state })
        }
        "message.received" => {
            let from = text(&payload["from"]["phone_number"], "payload.from.phone_number")?;
            let keyword = payload["text"].as_str().and_then(Keyword::of);
            Ok(Event::Received { from, keyword })
        }
        other => Ok(Event::Other(other.to_owned())),
    }
}
