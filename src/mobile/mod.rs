//! Mobile push from the edge, the pure part: FCM HTTP v1 ([`fcm`]) and token-based APNs
//! ([`apns`]), each a `prepare`/`classify` pair plus its signing ([`jwt`]), the message
//! content common to both ([`content`]) and the credential caches ([`cache`]).
//!
//! No I/O, no clocks: time (`now_s`) is passed in. RS256 and ES256 go through the
//! [`MobileCrypto`] trait, implemented by WebCrypto in the worker.

pub mod apns;
pub mod cache;
pub mod content;
pub mod fcm;
pub mod jwt;

pub use crate::webpush::CryptoError;
use base64::Engine;

/// The provider of a mobile push token, as recorded on a delivery (`provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Firebase Cloud Messaging (HTTP v1).
    Fcm,
    /// Apple Push Notification service (token-based).
    Apns,
}

impl Provider {
    /// The wire name: `fcm`, `apns`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Fcm => "fcm",
            Provider::Apns => "apns",
        }
    }
}

/// Why a mobile push request could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    /// The configuration is missing or malformed (the variable or member named).
    #[error("mobile push configuration: {0} is missing or malformed")]
    Config(&'static str),
    /// The message is larger than the provider takes (4096 bytes).
    #[error("the push payload is {0} bytes; the provider takes at most 4096")]
    PayloadTooLarge(usize),
    /// The crypto provider failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The signing primitives mobile push needs: RS256 (Google's service-account assertion) and
/// ES256 (the APNs provider token), keys imported from PKCS#8 DER.
#[allow(async_fn_in_trait)]
pub trait MobileCrypto {
    /// An RSA private key.
    type RsaKey;
    /// A P-256 private key.
    type EcKey;

    /// Imports an RSA private key from PKCS#8 DER.
    async fn import_rsa_pkcs8(&self, der: &[u8]) -> Result<Self::RsaKey, CryptoError>;
    /// RSASSA-PKCS1-v1_5 with SHA-256 of `message`.
    async fn sign_rs256(&self, key: &Self::RsaKey, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// Imports a P-256 private key from PKCS#8 DER (an APNs `.p8` file).
    async fn import_ec_pkcs8(&self, der: &[u8]) -> Result<Self::EcKey, CryptoError>;
    /// ECDSA P-256 with SHA-256 of `message`, raw `r ‖ s`.
    async fn sign_es256(&self, key: &Self::EcKey, message: &[u8]) -> Result<[u8; 64], CryptoError>;
}

/// Whether a user with these valid `tokens` can be reached on `mobile_push`, given which
/// providers are configured.
pub fn reach(tokens: &[crate::model::PushToken], fcm_on: bool, apns_on: bool) -> crate::notify::Reach {
    use crate::model::PushProvider;
    use crate::notify::Reach;
    let on = |t: &&crate::model::PushToken| match t.provider {
        PushProvider::Fcm => fcm_on,
        PushProvider::Apn => apns_on,
    };
    match (fcm_on || apns_on, tokens.is_empty(), tokens.iter().any(|t| on(&t))) {
        (false, _, _) => Reach::NotConfigured,
        (true, true, _) => Reach::NoAddress,
        (true, false, true) => Reach::Ready,
        (true, false, false) => Reach::NotConfigured,
    }
}

/// Whether a configured provider URL may be used: `https://`, or `http://` to a loopback host
/// in dev mode (local fake providers).
pub fn provider_url_ok(url: &str, dev_mode: bool) -> bool {
    if url.starts_with("https://") {
        return url.len() > "https://".len();
    }
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    dev_mode && matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// The DER inside a `-----BEGIN PRIVATE KEY-----` PEM (PKCS#8), also when its newlines were
/// written as `\n` escapes (a JSON string pasted into a secret).
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let pem = pem.replace("\\n", "\n");
    let start = pem.find("-----BEGIN PRIVATE KEY-----")? + "-----BEGIN PRIVATE KEY-----".len();
    let end = pem[start..].find("-----END PRIVATE KEY-----")? + start;
    let b64: String = pem[start..end].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok().filter(|d| !d.is_empty())
}

#[cfg(test)]
pub(crate) mod testcrypto;

#[cfg(test)]
mod tests;
