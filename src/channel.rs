//! What every provider channel's pure core answers (DESIGN.md "Channels and providers"):
//! `prepare` gives the [`HttpRequest`] to make, `classify` reads the provider's answer as an
//! [`Outcome`]. The worker only signs, fetches and records.

/// One request to a provider, ready to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST`, always, for the providers so far.
    pub method: &'static str,
    /// The full URL.
    pub url: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The value of header `name`, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// What a provider's answer means for the address it was sent to and for the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted; the provider's id of the message (FCM `name`, APNs `apns-id`).
    Sent {
        /// The provider's message id, when it gave one.
        provider_message_id: Option<String>,
    },
    /// Try again later (429, 5xx, network): after `Retry-After` seconds when given.
    Retry {
        /// Seconds the provider asked us to wait.
        after: Option<u32>,
        /// The provider's code.
        code: String,
    },
    /// The address is dead: prune it (if it still matches what was sent to).
    Gone {
        /// The provider's code, e.g. `UNREGISTERED`, `BadDeviceToken`.
        code: String,
    },
    /// The address cannot be used with our credentials: mark it invalid.
    Invalid {
        /// The provider's code, e.g. `SENDER_ID_MISMATCH`.
        code: String,
    },
    /// Our credential (access or provider token) was refused: make a new one and try once
    /// more; a second refusal is [`Outcome::Invalid`] (see [`Outcome::after_refresh`]).
    Refresh {
        /// The provider's code, e.g. `ExpiredProviderToken`, `UNAUTHENTICATED`.
        code: String,
    },
    /// Refused for another reason; not retried.
    Failed {
        /// The provider's code, or `http_<status>` when it gave none.
        code: String,
    },
}

impl Outcome {
    /// The outcome of the one retry made after a [`Outcome::Refresh`]: a second refusal of a
    /// fresh credential marks the address invalid.
    pub fn after_refresh(self) -> Outcome {
        match self {
            Outcome::Refresh { code } => Outcome::Invalid { code },
            other => other,
        }
    }

    /// The provider's code, when this is not a success.
    pub fn code(&self) -> Option<&str> {
        match self {
            Outcome::Sent { .. } => None,
            Outcome::Retry { code, .. }
            | Outcome::Gone { code }
            | Outcome::Invalid { code }
            | Outcome::Refresh { code }
            | Outcome::Failed { code } => Some(code),
        }
    }

    /// The delivery's `reason` when this outcome is final.
    pub fn reason(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "accepted",
            Outcome::Retry { .. } => "retries_exhausted",
            Outcome::Gone { .. } => "token_gone",
            Outcome::Invalid { .. } | Outcome::Refresh { .. } => "token_invalid",
            Outcome::Failed { .. } => "provider_rejected",
        }
    }
}

/// `Retry-After` in seconds (the delta form; an HTTP date is ignored).
pub fn retry_after(value: Option<&str>) -> Option<u32> {
    value.and_then(|v| v.trim().parse().ok())
}
