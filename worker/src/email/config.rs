//! Email configuration (issue 13), read from wrangler vars/secrets.

use tidings::email::ses::{self, SesConfig};
use tidings::email::sigv4::Credentials;
use tidings::email::EmailError;
use tidings::mobile::provider_url_ok;
use worker::Env;

/// The raw variables; empty when unset.
#[derive(Debug, Clone, Default)]
pub struct EmailVars {
    /// `TIDINGS_SES_REGION`, e.g. `eu-west-1`.
    pub region: String,
    /// `TIDINGS_SES_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `TIDINGS_SES_SECRET_ACCESS_KEY` (a secret).
    pub secret_access_key: String,
    /// `TIDINGS_EMAIL_FROM`: `addr` or `Name <addr>`, a verified SES identity.
    pub from: String,
    /// `TIDINGS_SES_CONFIGURATION_SET` (optional): where SES publishes events to SNS.
    pub configuration_set: String,
    /// `TIDINGS_SES_ENDPOINT` (optional): SES base URL (loopback `http://` in dev mode).
    pub endpoint: String,
    /// `TIDINGS_PUBLIC_URL`: this deployment's public base URL (the unsubscribe links).
    pub public_url: String,
    /// `TIDINGS_SES_SNS_TOPIC_ARNS` (optional, comma-separated): the SNS topics whose messages
    /// `/providers/ses/events` accepts; empty = any topic.
    pub sns_topics: Vec<String>,
}

/// SES, ready to use.
pub struct EmailSettings {
    pub ses: SesConfig,
    pub public_url: String,
}

fn text(env: &Env, name: &str) -> String {
    env.var(name).map(|v| v.to_string()).or_else(|_| env.secret(name).map(|v| v.to_string())).unwrap_or_default()
}

impl EmailVars {
    pub fn from_env(env: &Env) -> Self {
        EmailVars {
            region: text(env, "TIDINGS_SES_REGION").trim().to_owned(),
            access_key_id: text(env, "TIDINGS_SES_ACCESS_KEY_ID").trim().to_owned(),
            secret_access_key: text(env, "TIDINGS_SES_SECRET_ACCESS_KEY").trim().to_owned(),
            from: text(env, "TIDINGS_EMAIL_FROM").trim().to_owned(),
            configuration_set: text(env, "TIDINGS_SES_CONFIGURATION_SET").trim().to_owned(),
            endpoint: text(env, "TIDINGS_SES_ENDPOINT").trim().to_owned(),
            public_url: text(env, "TIDINGS_PUBLIC_URL").trim().trim_end_matches('/').to_owned(),
            sns_topics: text(env, "TIDINGS_SES_SNS_TOPIC_ARNS")
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }

    /// SES: `None` when not configured (no region and no access key), an error naming the
    /// variable that is wrong otherwise.
    pub fn settings(&self, dev_mode: bool) -> Option<Result<EmailSettings, EmailError>> {
        if self.region.is_empty() && self.access_key_id.is_empty() {
            return None;
        }
        Some((|| {
            if !ses::region_ok(&self.region) {
                return Err(EmailError::Config("TIDINGS_SES_REGION"));
            }
            for (value, name) in [
                (&self.access_key_id, "TIDINGS_SES_ACCESS_KEY_ID"),
                (&self.secret_access_key, "TIDINGS_SES_SECRET_ACCESS_KEY"),
            ] {
                if value.is_empty() {
                    return Err(EmailError::Config(name));
                }
            }
            if ses::from_address(&self.from).is_none() {
                return Err(EmailError::Config("TIDINGS_EMAIL_FROM"));
            }
            let endpoint =
                if self.endpoint.is_empty() { ses::default_endpoint(&self.region) } else { self.endpoint.clone() };
            if !provider_url_ok(&endpoint, dev_mode) {
                return Err(EmailError::Config("TIDINGS_SES_ENDPOINT"));
            }
            if !provider_url_ok(&self.public_url, dev_mode) {
                return Err(EmailError::Config("TIDINGS_PUBLIC_URL"));
            }
            Ok(EmailSettings {
                ses: SesConfig {
                    region: self.region.clone(),
                    credentials: Credentials {
                        access_key_id: self.access_key_id.clone(),
                        secret_access_key: self.secret_access_key.clone(),
                    },
                    from: self.from.clone(),
                    configuration_set: Some(self.configuration_set.clone()).filter(|s| !s.is_empty()),
                    endpoint,
                },
                public_url: self.public_url.clone(),
            })
        })())
    }

    /// Whether `/providers/ses/events` accepts messages of topic `arn`.
    pub fn topic_allowed(&self, arn: &str) -> bool {
        self.sns_topics.is_empty() || self.sns_topics.iter().any(|t| t == arn)
    }
}
