//! Mobile push configuration (issue 12), read from wrangler vars/secrets.

use tidings::mobile::apns::ApnsConfig;
use tidings::mobile::fcm::{ServiceAccount, DEFAULT_ENDPOINT};
use tidings::mobile::{pem_to_der, provider_url_ok, MobileError};
use worker::Env;

/// The raw variables; empty when unset.
#[derive(Debug, Clone, Default)]
pub struct MobileVars {
    /// `TIDINGS_FCM_SERVICE_ACCOUNT`: the service account JSON as downloaded.
    pub fcm_service_account: String,
    /// `TIDINGS_FCM_ENDPOINT`: FCM base URL (default `https://fcm.googleapis.com`).
    pub fcm_endpoint: String,
    /// `TIDINGS_APNS_KEY`: the `.p8` PEM.
    pub apns_key: String,
    /// `TIDINGS_APNS_KEY_ID`.
    pub apns_key_id: String,
    /// `TIDINGS_APNS_TEAM_ID`.
    pub apns_team_id: String,
    /// `TIDINGS_APNS_TOPIC`: the bundle id.
    pub apns_topic: String,
    /// `TIDINGS_APNS_ENDPOINT`: replaces both APNs hosts (`production,sandbox`: each).
    pub apns_endpoint: String,
}

/// FCM, ready to use.
pub struct FcmSettings {
    pub account: ServiceAccount,
    pub key_der: Vec<u8>,
    pub endpoint: String,
}

/// APNs, ready to use.
pub struct ApnsSettings {
    pub config: ApnsConfig,
    pub key_der: Vec<u8>,
}

fn text(env: &Env, name: &str) -> String {
    env.var(name).map(|v| v.to_string()).or_else(|_| env.secret(name).map(|v| v.to_string())).unwrap_or_default()
}

impl MobileVars {
    pub fn from_env(env: &Env) -> Self {
        MobileVars {
            fcm_service_account: text(env, "TIDINGS_FCM_SERVICE_ACCOUNT"),
            fcm_endpoint: text(env, "TIDINGS_FCM_ENDPOINT"),
            apns_key: text(env, "TIDINGS_APNS_KEY"),
            apns_key_id: text(env, "TIDINGS_APNS_KEY_ID"),
            apns_team_id: text(env, "TIDINGS_APNS_TEAM_ID"),
            apns_topic: text(env, "TIDINGS_APNS_TOPIC"),
            apns_endpoint: text(env, "TIDINGS_APNS_ENDPOINT"),
        }
    }

    /// FCM: `None` when not configured, an error naming what is wrong when misconfigured.
    pub fn fcm(&self, dev_mode: bool) -> Option<Result<FcmSettings, MobileError>> {
        if self.fcm_service_account.trim().is_empty() {
            return None;
        }
        Some((|| {
            let account = ServiceAccount::parse(&self.fcm_service_account)?;
            if !provider_url_ok(&account.token_uri, dev_mode) {
                return Err(MobileError::Config("TIDINGS_FCM_SERVICE_ACCOUNT.token_uri"));
            }
            let endpoint =
                if self.fcm_endpoint.is_empty() { DEFAULT_ENDPOINT.to_owned() } else { self.fcm_endpoint.clone() };
            if !provider_url_ok(&endpoint, dev_mode) {
                return Err(MobileError::Config("TIDINGS_FCM_ENDPOINT"));
            }
            let key_der = pem_to_der(&account.private_key)
                .ok_or(MobileError::Config("TIDINGS_FCM_SERVICE_ACCOUNT.private_key"))?;
            Ok(FcmSettings { account, key_der, endpoint })
        })())
    }

    /// APNs: `None` when not configured (no key), an error naming what is wrong otherwise.
    pub fn apns(&self, dev_mode: bool) -> Option<Result<ApnsSettings, MobileError>> {
        if self.apns_key.trim().is_empty() {
            return None;
        }
        Some((|| {
            let key_der = pem_to_der(&self.apns_key).ok_or(MobileError::Config("TIDINGS_APNS_KEY"))?;
            for (value, name) in [
                (&self.apns_key_id, "TIDINGS_APNS_KEY_ID"),
                (&self.apns_team_id, "TIDINGS_APNS_TEAM_ID"),
                (&self.apns_topic, "TIDINGS_APNS_TOPIC"),
            ] {
                if value.trim().is_empty() {
                    return Err(MobileError::Config(name));
                }
            }
            let mut urls = self.apns_endpoint.split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
            let (endpoint, sandbox_endpoint) = (urls.next(), urls.next());
            if [&endpoint, &sandbox_endpoint].iter().any(|e| e.as_ref().is_some_and(|e| !provider_url_ok(e, dev_mode)))
            {
                return Err(MobileError::Config("TIDINGS_APNS_ENDPOINT"));
            }
            let config = ApnsConfig {
                key_id: self.apns_key_id.trim().to_owned(),
                team_id: self.apns_team_id.trim().to_owned(),
                topic: self.apns_topic.trim().to_owned(),
                endpoint,
                sandbox_endpoint,
            };
            Ok(ApnsSettings { config, key_der })
        })())
    }

    /// Which providers are on (configured and well-formed).
    pub fn on(&self, dev_mode: bool) -> (bool, bool) {
        (matches!(self.fcm(dev_mode), Some(Ok(_))), matches!(self.apns(dev_mode), Some(Ok(_))))
    }
}
