//! RFC 8291 message encryption: ECDH between an ephemeral application-server key and the
//! subscription's key, combined with the auth secret, then one `aes128gcm` record.

use super::crypto::{CryptoError, WebPushCrypto};
use super::ece::{self, EceError};
use super::hkdf;

/// The record size written in every message header (RFC 8291 §4: larger than any one record).
pub const RECORD_SIZE: u32 = 4096;
/// Header length of a Web Push message: salt, rs, idlen and the 65-octet sender key.
pub const HEADER_LEN: usize = ece::BASE_HEADER_LEN + 65;
/// Longest plaintext: push services need accept only 4096 octets of body, which leaves
/// 4096 − 86 (header) − 1 (delimiter) − 16 (tag) octets (RFC 8291 §4).
pub const MAX_PLAINTEXT: usize = 3993;
/// The `key_info` prefix: `"WebPush: info" ‖ 0x00`.
pub const KEY_INFO_PREFIX: &[u8] = b"WebPush: info\0";

/// Why a push message could not be encrypted or decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptError {
    /// The plaintext is longer than [`MAX_PLAINTEXT`].
    #[error("a push message of {len} octets is longer than the {max} allowed")]
    TooLarge {
        /// The plaintext length.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// The header's keyid is not a 65-octet public key.
    #[error("the keyid of {len} octets is not a 65-octet public key")]
    KeyId {
        /// The keyid length found.
        len: usize,
    },
    /// The body holds more than one record (Web Push allows exactly one).
    #[error("a push message must be a single record")]
    MultipleRecords,
    /// The content coding refused the body.
    #[error(transparent)]
    Ece(#[from] EceError),
    /// The crypto provider failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// `key_info = "WebPush: info" ‖ 0x00 ‖ ua_public ‖ as_public` (receiver key first).
pub fn key_info(ua_public: &[u8; 65], as_public: &[u8; 65]) -> [u8; 144] {
    let mut info = [0u8; 144];
    info[..14].copy_from_slice(KEY_INFO_PREFIX);
    info[14..79].copy_from_slice(ua_public);
    info[79..].copy_from_slice(as_public);
    info
}

/// The content-coding IKM: `HKDF(salt = auth_secret, ikm = ecdh_secret, info = key_info, L = 32)`.
pub fn derive_ikm(
    ecdh_secret: &[u8; 32],
    auth_secret: &[u8; 16],
    ua_public: &[u8; 65],
    as_public: &[u8; 65],
) -> [u8; 32] {
    let prk_key = hkdf::extract(auth_secret, ecdh_secret);
    hkdf::expand(&prk_key, &key_info(ua_public, as_public))
}

fn check_len(plaintext: &[u8]) -> Result<(), EncryptError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EncryptError::TooLarge { len: plaintext.len(), max: MAX_PLAINTEXT });
    }
    Ok(())
}

/// Encrypts a push message for the subscription (`ua_public`, `auth_secret`) with a fresh
/// ephemeral key from the provider and the caller's random 16-octet `salt`: the full
/// `aes128gcm` request body.
pub async fn encrypt<C: WebPushCrypto>(
    crypto: &C,
    plaintext: &[u8],
    ua_public: &[u8; 65],
    auth_secret: &[u8; 16],
    salt: [u8; 16],
) -> Result<Vec<u8>, EncryptError> {
    check_len(plaintext)?;
    let (as_key, as_public) = crypto.generate_ecdh().await?;
    encrypt_with_salt_and_key(crypto, plaintext, ua_public, auth_secret, salt, &as_key, &as_public).await
}

/// [`encrypt`] with a given sender key pair (deterministic; test vectors):
/// `salt ‖ rs=4096 ‖ idlen=65 ‖ as_public ‖ AES-128-GCM(plaintext ‖ 0x02) ‖ tag`.
pub async fn encrypt_with_salt_and_key<C: WebPushCrypto>(
    crypto: &C,
    plaintext: &[u8],
    ua_public: &[u8; 65],
    auth_secret: &[u8; 16],
    salt: [u8; 16],
    as_key: &C::EcdhKey,
    as_public: &[u8; 65],
) -> Result<Vec<u8>, EncryptError> {
    check_len(plaintext)?;
    let ecdh_secret = crypto.ecdh(as_key, ua_public).await?;
    let ikm = derive_ikm(&ecdh_secret, auth_secret, ua_public, as_public);
    let keys = ece::derive_keys(&ikm, &salt);
    let mut body = ece::build_header(&salt, RECORD_SIZE, as_public)?;
    body.extend(ece::encrypt_single(crypto, &keys.cek, &keys.nonce, RECORD_SIZE, plaintext).await?);
    Ok(body)
}

/// Decrypts a push message as the user agent (or a test push service holding its keys):
/// reads the sender key from the header's keyid, derives the keys, checks the single record
/// and its 0x02 delimiter; the plaintext.
pub async fn decrypt<C: WebPushCrypto>(
    crypto: &C,
    body: &[u8],
    ua_key: &C::EcdhKey,
    ua_public: &[u8; 65],
    auth_secret: &[u8; 16],
) -> Result<Vec<u8>, EncryptError> {
    let (header, records) = ece::parse_header(body)?;
    let as_public: &[u8; 65] = header.keyid.try_into().map_err(|_| EncryptError::KeyId { len: header.keyid.len() })?;
    if records.len() > usize::try_from(header.rs).unwrap_or(usize::MAX) {
        return Err(EncryptError::MultipleRecords);
    }
    let ecdh_secret = crypto.ecdh(ua_key, as_public).await?;
    let ikm = derive_ikm(&ecdh_secret, auth_secret, ua_public, as_public);
    let keys = ece::derive_keys(&ikm, &header.salt);
    Ok(ece::decrypt_records(crypto, &keys.cek, &keys.nonce, header.rs, records).await?)
}
