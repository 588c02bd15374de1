//! Amazon SNS HTTP(S) messages to `POST /providers/ses/events`: parsing, the string each
//! message type signs (per the SNS developer guide, "Verifying the signatures of Amazon SNS
//! messages"), the rules for `SigningCertURL` / `SubscribeURL` hosts and timestamps, and the
//! signature check itself through [`SnsCrypto`] (WebCrypto RSASSA-PKCS1-v1_5 at the edge).

use super::x509;
use super::EmailError;
use crate::time::parse_rfc3339;
use base64::Engine;
use serde::Deserialize;

/// Oldest message accepted (SNS keeps a message's `Timestamp` across its retries).
pub const MAX_AGE_MS: i64 = 3600 * 1000;
/// How far a `Timestamp` may be ahead of our clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// One SNS message as POSTed to an HTTP(S) subscription.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsMessage {
    /// `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// SNS's id of the message.
    pub message_id: String,
    /// The subscription token (confirmations only).
    #[serde(default)]
    pub token: Option<String>,
    /// The topic.
    pub topic_arn: String,
    /// The subject (notifications that had one).
    #[serde(default)]
    pub subject: Option<String>,
    /// The message: for SES events, a JSON document.
    pub message: String,
    /// When SNS published it (RFC 3339).
    pub timestamp: String,
    /// `1` (SHA1withRSA) or `2` (SHA256withRSA).
    pub signature_version: String,
    /// Base64 signature (absent: refused by [`verify`]).
    #[serde(default)]
    pub signature: String,
    /// Where SNS's certificate is.
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
    /// Visit to confirm the subscription (confirmations only).
    #[serde(rename = "SubscribeURL", default)]
    pub subscribe_url: Option<String>,
}

/// The digest of a signature version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SignatureVersion 1.
    Sha1,
    /// SignatureVersion 2.
    Sha256,
}

/// The one primitive verification needs.
#[allow(async_fn_in_trait)]
pub trait SnsCrypto {
    /// Whether `signature` is an RSASSA-PKCS1-v1_5 signature of `message` with `hash` by the
    /// RSA key in `spki` (DER SubjectPublicKeyInfo). `Err` when the key cannot be imported.
    async fn verify_rsa(&self, spki: &[u8], hash: Hash, message: &[u8], signature: &[u8]) -> Result<bool, EmailError>;
}

/// Parses a POSTed body.
pub fn parse(body: &[u8]) -> Result<SnsMessage, EmailError> {
    serde_json::from_slice(body).map_err(|_| EmailError::Sns("not an SNS message"))
}

impl SnsMessage {
    /// The digest its `SignatureVersion` names.
    pub fn hash(&self) -> Result<Hash, EmailError> {
        match self.signature_version.as_str() {
            "1" => Ok(Hash::Sha1),
            "2" => Ok(Hash::Sha256),
            _ => Err(EmailError::Sns("unknown SignatureVersion")),
        }
    }

    /// The string SNS signed: `name\nvalue\n` for each signed member, in this order.
    pub fn string_to_sign(&self) -> Result<String, EmailError> {
        let pairs: Vec<(&str, Option<&str>)> = match self.kind.as_str() {
            "Notification" => vec![
                ("Message", Some(&self.message)),
                ("MessageId", Some(&self.message_id)),
                ("Subject", self.subject.as_deref()),
                ("Timestamp", Some(&self.timestamp)),
                ("TopicArn", Some(&self.topic_arn)),
                ("Type", Some(&self.kind)),
            ],
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => vec![
                ("Message", Some(&self.message)),
                ("MessageId", Some(&self.message_id)),
                ("SubscribeURL", Some(self.subscribe_url.as_deref().ok_or(EmailError::Sns("no SubscribeURL"))?)),
                ("Timestamp", Some(&self.timestamp)),
                ("Token", Some(self.token.as_deref().ok_or(EmailError::Sns("no Token"))?)),
                ("TopicArn", Some(&self.topic_arn)),
                ("Type", Some(&self.kind)),
            ],
            _ => return Err(EmailError::Sns("unknown Type")),
        };
        Ok(pairs.into_iter().filter_map(|(k, v)| v.map(|v| format!("{k}\n{v}\n"))).collect())
    }

    /// Whether `Timestamp` is at most an hour old and not ahead of `now_ms` by more than 5 min.
    pub fn fresh(&self, now_ms: i64) -> bool {
        parse_rfc3339(&self.timestamp).is_some_and(|t| t <= now_ms + MAX_SKEW_MS && now_ms - t <= MAX_AGE_MS)
    }
}

/// The host of an `https://host/...` or `http://host:port/...` URL, and whether it was `https`.
fn host_of(url: &str) -> Option<(bool, &str)> {
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(r), _) => (true, r),
        (None, Some(r)) => (false, r),
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') {
        return None;
    }
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    Some((https, host))
}

/// Whether `host` is `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn`).
pub fn sns_host(host: &str) -> bool {
    let rest = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"));
    rest.and_then(|r| r.strip_prefix("sns.")).is_some_and(|region| {
        region.len() >= 3 && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

/// Whether SNS may send us to `url` (a `SigningCertURL` or `SubscribeURL`): `https://` on an
/// SNS host, or in dev mode `http://` on a loopback host (a local fake).
pub fn url_ok(url: &str, dev_mode: bool) -> bool {
    match host_of(url) {
        Some((true, host)) => sns_host(host),
        Some((false, host)) => dev_mode && matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
        None => false,
    }
}

/// Checks `m`'s signature with the certificate `cert_pem` (fetched from its `SigningCertURL`)
/// and its age. The caller checks the URL rule ([`url_ok`]) before fetching.
pub async fn verify(m: &SnsMessage, cert_pem: &str, crypto: &impl SnsCrypto, now_ms: i64) -> Result<(), EmailError> {
    let hash = m.hash()?;
    if !m.fresh(now_ms) {
        return Err(EmailError::Sns("stale or future Timestamp"));
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(m.signature.trim())
        .map_err(|_| EmailError::Sns("Signature is not base64"))?;
    let spki = x509::spki_from_pem(cert_pem).ok_or(EmailError::Sns("SigningCertURL is not an X.509 certificate"))?;
    match crypto.verify_rsa(&spki, hash, m.string_to_sign()?.as_bytes(), &signature).await? {
        true => Ok(()),
        false => Err(EmailError::Sns("signature does not verify")),
    }
}
