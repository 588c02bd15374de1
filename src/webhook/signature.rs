//! Standard Webhooks signatures: `v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`,
//! keyed with the base64 bytes after the secret's `whsec_` prefix.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The prefix of a Standard Webhooks secret.
pub const PREFIX: &str = "whsec_";

/// A signing secret (the decoded key bytes). Its `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Parses `whsec_<base64>` (24 to 64 key bytes, as the specification recommends).
    pub fn parse(value: &str) -> Option<Secret> {
        let key = STANDARD.decode(value.trim().strip_prefix(PREFIX)?).ok()?;
        (24..=64).contains(&key.len()).then_some(Secret(key))
    }
}

/// The `webhook-signature` value for message `id` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!("v1,{}", STANDARD.encode(crate::auth::hmac_sha256(&secret.0, &signed)))
}
