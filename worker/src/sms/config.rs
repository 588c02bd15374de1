//! SMS configuration (issue 14), read from wrangler vars/secrets.

use crate::config::text;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tidings::mobile::provider_url_ok;
use tidings::sms::telnyx::{Sender, DEFAULT_ENDPOINT};
use tidings::sms::SmsError;
use worker::Env;

/// The path Telnyx reports message events to.
pub const EVENTS_PATH: &str = "/providers/telnyx/events";

/// The raw variables; empty when unset.
#[derive(Debug, Clone, Default)]
pub struct TelnyxVars {
    /// `TIDINGS_TELNYX_API_KEY` (secret).
    pub api_key: String,
    /// `TIDINGS_TELNYX_FROM`: the sending number (E.164).
    pub from: String,
    /// `TIDINGS_TELNYX_MESSAGING_PROFILE_ID`: used when no `FROM` is set.
    pub messaging_profile_id: String,
    /// `TIDINGS_TELNYX_PUBLIC_KEY`: the webhook signing key (raw 32-byte Ed25519, base64).
    pub public_key: String,
    /// `TIDINGS_TELNYX_ENDPOINT`: API origin (default `https://api.telnyx.com`).
    pub endpoint: String,
    /// `TIDINGS_PUBLIC_URL`: this deployment's public origin; the send's `webhook_url` is
    /// `{it}/providers/telnyx/events` (without it, Telnyx uses the messaging profile's URL).
    pub public_url: String,
}

/// Telnyx, ready to use.
#[derive(Debug, Clone)]
pub struct TelnyxSettings {
    /// The API key.
    pub api_key: String,
    /// `from` or `messaging_profile_id`.
    pub sender: Sender,
    /// The API origin.
    pub endpoint: String,
    /// Where Telnyx reports this message's events, when known.
    pub webhook_url: Option<String>,
}

impl TelnyxVars {
    pub fn from_env(env: &Env) -> Self {
        TelnyxVars {
            api_key: text(env, "TIDINGS_TELNYX_API_KEY").trim().to_owned(),
            from: text(env, "TIDINGS_TELNYX_FROM").trim().to_owned(),
            messaging_profile_id: text(env, "TIDINGS_TELNYX_MESSAGING_PROFILE_ID").trim().to_owned(),
            public_key: text(env, "TIDINGS_TELNYX_PUBLIC_KEY").trim().to_owned(),
            endpoint: text(env, "TIDINGS_TELNYX_ENDPOINT").trim().to_owned(),
            public_url: text(env, "TIDINGS_PUBLIC_URL").trim().trim_end_matches('/').to_owned(),
        }
    }

    /// Telnyx: `None` when not configured (no API key), an error naming the variable that is
    /// wrong otherwise.
    pub fn settings(&self, dev_mode: bool) -> Option<Result<TelnyxSettings, SmsError>> {
        if self.api_key.is_empty() {
            return None;
        }
        Some((|| {
            let sender = match (self.from.as_str(), self.messaging_profile_id.as_str()) {
                ("", "") => return Err(SmsError::Config("TIDINGS_TELNYX_FROM")),
                ("", profile) => Sender::Profile(profile.to_owned()),
                (from, _) => {
                    tidings::validate::e164("TIDINGS_TELNYX_FROM", from)
                        .map_err(|_| SmsError::Config("TIDINGS_TELNYX_FROM"))?;
                    Sender::From(from.to_owned())
                }
            };
            let endpoint = if self.endpoint.is_empty() { DEFAULT_ENDPOINT.to_owned() } else { self.endpoint.clone() };
            if !provider_url_ok(&endpoint, dev_mode) {
                return Err(SmsError::Config("TIDINGS_TELNYX_ENDPOINT"));
            }
            let webhook_url = match self.public_url.as_str() {
                "" => None,
                url if provider_url_ok(url, dev_mode) => Some(format!("{url}{EVENTS_PATH}")),
                _ => return Err(SmsError::Config("TIDINGS_PUBLIC_URL")),
            };
            Ok(TelnyxSettings { api_key: self.api_key.clone(), sender, endpoint, webhook_url })
        })())
    }

    /// Whether SMS can be sent (configured and well-formed).
    pub fn on(&self, dev_mode: bool) -> bool {
        matches!(self.settings(dev_mode), Some(Ok(_)))
    }

    /// The webhook verification key, when configured and well-formed.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        STANDARD.decode(&self.public_key).ok()?.try_into().ok()
    }
}
