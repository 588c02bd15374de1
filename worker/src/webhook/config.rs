//! Webhook channel configuration (issue 14), read from wrangler vars/secrets.

use crate::config::text;
use tidings::mobile::provider_url_ok;
use tidings::webhook::signature::Secret;
use worker::Env;

/// The raw variables; empty when unset.
#[derive(Debug, Clone, Default)]
pub struct WebhookVars {
    /// `TIDINGS_WEBHOOK_URL`: where every `webhook` delivery is POSTed.
    pub url: String,
    /// `TIDINGS_WEBHOOK_SECRET`: the Standard Webhooks signing secret (`whsec_…`).
    pub secret: String,
}

/// The webhook channel, ready to use.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// The receiver.
    pub url: String,
    /// The signing secret.
    pub secret: Secret,
}

impl WebhookVars {
    pub fn from_env(env: &Env) -> Self {
        WebhookVars {
            url: text(env, "TIDINGS_WEBHOOK_URL").trim().to_owned(),
            secret: text(env, "TIDINGS_WEBHOOK_SECRET").trim().to_owned(),
        }
    }

    /// `None` when not configured (no URL); the variable at fault when misconfigured.
    pub fn settings(&self, dev_mode: bool) -> Option<Result<WebhookSettings, &'static str>> {
        if self.url.is_empty() {
            return None;
        }
        Some((|| {
            if !provider_url_ok(&self.url, dev_mode) {
                return Err("TIDINGS_WEBHOOK_URL");
            }
            let secret = Secret::parse(&self.secret).ok_or("TIDINGS_WEBHOOK_SECRET")?;
            Ok(WebhookSettings { url: self.url.clone(), secret })
        })())
    }

    /// Whether the channel is on (configured and well-formed).
    pub fn on(&self, dev_mode: bool) -> bool {
        matches!(self.settings(dev_mode), Some(Ok(_)))
    }
}
