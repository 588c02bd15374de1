//! RFC 8188 `aes128gcm` content coding: the header, key and nonce derivation, a single-record
//! encrypter (all Web Push needs) and a general multi-record decoder (tests, push services).
//!
//! Body layout: `salt(16) ‖ rs(u32 BE) ‖ idlen(1) ‖ keyid(idlen) ‖ records`; every record but
//! the last is exactly `rs` octets of ciphertext including the 16-octet tag. Each record's
//! plaintext ends with a delimiter (0x01, or 0x02 for the last record) then zero padding.

use super::crypto::{CryptoError, WebPushCrypto};
use super::hkdf;

/// Length of the salt at the start of the header.
pub const SALT_LEN: usize = 16;
/// Length of the AES-GCM authentication tag closing every record.
pub const TAG_LEN: usize = 16;
/// Header length without keyid: salt, rs and idlen.
pub const BASE_HEADER_LEN: usize = SALT_LEN + 4 + 1;
/// Smallest valid record size: one delimiter octet plus the tag.
pub const MIN_RECORD_SIZE: u32 = 18;
/// HKDF info for the content-encryption key: `"Content-Encoding: aes128gcm" ‖ 0x00`.
pub const CEK_INFO: &[u8] = b"Content-Encoding: aes128gcm\0";
/// HKDF info for the nonce: `"Content-Encoding: nonce" ‖ 0x00`.
pub const NONCE_INFO: &[u8] = b"Content-Encoding: nonce\0";

const DELIMITER: u8 = 0x01;
const LAST_DELIMITER: u8 = 0x02;

/// Why a body could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EceError {
    /// The body is shorter than its header.
    #[error("the body is shorter than its aes128gcm header")]
    Header,
    /// The record size is below [`MIN_RECORD_SIZE`].
    #[error("record size {0} is below the minimum of 18")]
    RecordSize(u32),
    /// A keyid longer than 255 octets cannot be written.
    #[error("a keyid of {0} octets is longer than 255")]
    KeyIdTooLong(usize),
    /// The plaintext does not fit one record of the given size.
    #[error("a plaintext of {len} octets does not fit one record (at most {max})")]
    TooLarge {
        /// The plaintext length.
        len: usize,
        /// The most one record holds.
        max: usize,
    },
    /// Records are missing: no record at all, a record shorter than a tag plus a delimiter,
    /// or a final record that is not marked last.
    #[error("the content is truncated")]
    Truncated,
    /// A record has no delimiter, or the wrong one for its position.
    #[error("a record has an invalid padding delimiter")]
    Padding,
    /// The crypto provider failed (a record that does not authenticate is [`CryptoError::Decrypt`]).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// A parsed content-coding header; `keyid` borrows from the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The 16-octet salt.
    pub salt: [u8; SALT_LEN],
    /// The record size.
    pub rs: u32,
    /// The key identifier (the sender's public key in Web Push; may be empty).
    pub keyid: &'a [u8],
}

/// The header bytes: `salt ‖ rs ‖ idlen ‖ keyid`.
pub fn build_header(salt: &[u8; SALT_LEN], rs: u32, keyid: &[u8]) -> Result<Vec<u8>, EceError> {
    let idlen = u8::try_from(keyid.len()).map_err(|_| EceError::KeyIdTooLong(keyid.len()))?;
    if rs < MIN_RECORD_SIZE {
        return Err(EceError::RecordSize(rs));
    }
    let mut header = Vec::with_capacity(BASE_HEADER_LEN + keyid.len());
    header.extend_from_slice(salt);
    header.extend_from_slice(&rs.to_be_bytes());
    header.push(idlen);
    header.extend_from_slice(keyid);
    Ok(header)
}

/// Splits a body into its header and the records that follow; refuses a record size below
/// [`MIN_RECORD_SIZE`].
pub fn parse_header(body: &[u8]) -> Result<(Header<'_>, &[u8]), EceError> {
    let (base, rest) = body.split_at_checked(BASE_HEADER_LEN).ok_or(EceError::Header)?;
    let (salt, rest_of_base) = base.split_at(SALT_LEN);
    let salt: [u8; SALT_LEN] = salt.try_into().map_err(|_| EceError::Header)?;
    let rs = u32::from_be_bytes(rest_of_base[..4].try_into().map_err(|_| EceError::Header)?);
    let idlen = usize::from(rest_of_base[4]);
    let (keyid, records) = rest.split_at_checked(idlen).ok_or(EceError::Header)?;
    if rs < MIN_RECORD_SIZE {
        return Err(EceError::RecordSize(rs));
    }
    Ok((Header { salt, rs, keyid }, records))
}

/// The keys of one body, derived from the input keying material and the header's salt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentKeys {
    /// `PRK = HKDF-Extract(salt, IKM)`.
    pub prk: [u8; 32],
    /// The content-encryption key, `HKDF-Expand(PRK, CEK_INFO, 16)`.
    pub cek: [u8; 16],
    /// The base nonce, `HKDF-Expand(PRK, NONCE_INFO, 12)`.
    pub nonce: [u8; 12],
}

/// Derives PRK, CEK and NONCE from `ikm` and `salt` (RFC 8188 §2.2, §2.3).
pub fn derive_keys(ikm: &[u8], salt: &[u8; SALT_LEN]) -> ContentKeys {
    let prk = hkdf::extract(salt, ikm);
    ContentKeys { prk, cek: hkdf::expand(&prk, CEK_INFO), nonce: hkdf::expand(&prk, NONCE_INFO) }
}

/// The nonce of record `seq`: the base nonce XOR the 96-bit big-endian sequence number.
pub fn record_nonce(nonce: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut out = *nonce;
    for (o, s) in out[4..].iter_mut().zip(seq.to_be_bytes()) {
        *o ^= s;
    }
    out
}

/// Encrypts `plaintext` as the one and only record (sequence 0, delimiter 0x02, no padding):
/// the record's ciphertext and tag, without header. The record must fit `rs`.
pub async fn encrypt_single<C: WebPushCrypto>(
    crypto: &C,
    cek: &[u8; 16],
    nonce: &[u8; 12],
    rs: u32,
    plaintext: &[u8],
) -> Result<Vec<u8>, EceError> {
    if rs < MIN_RECORD_SIZE {
        return Err(EceError::RecordSize(rs));
    }
    let max = usize::try_from(rs - 1 - TAG_LEN as u32).unwrap_or(usize::MAX);
    if plaintext.len() > max {
        return Err(EceError::TooLarge { len: plaintext.len(), max });
    }
    let mut padded = Vec::with_capacity(plaintext.len() + 1);
    padded.extend_from_slice(plaintext);
    padded.push(LAST_DELIMITER);
    Ok(crypto.aes128gcm_encrypt(cek, nonce, &padded).await?)
}

/// Decrypts the records that follow a header, strips each record's padding and checks its
/// delimiter (0x01 for every record but the last, 0x02 for the last); the concatenated data.
pub async fn decrypt_records<C: WebPushCrypto>(
    crypto: &C,
    cek: &[u8; 16],
    nonce: &[u8; 12],
    rs: u32,
    records: &[u8],
) -> Result<Vec<u8>, EceError> {
    if rs < MIN_RECORD_SIZE {
        return Err(EceError::RecordSize(rs));
    }
    if records.is_empty() {
        return Err(EceError::Truncated);
    }
    let rs = usize::try_from(rs).unwrap_or(usize::MAX);
    let count = records.len().div_ceil(rs);
    // Every record but the last is exactly `rs` (≥ 18) octets; the last needs a tag and a delimiter.
    if records.len() - (count - 1) * rs <= TAG_LEN {
        return Err(EceError::Truncated);
    }
    let mut plaintext = Vec::with_capacity(records.len());
    for (seq, record) in records.chunks(rs).enumerate() {
        let padded = crypto.aes128gcm_decrypt(cek, &record_nonce(nonce, seq as u64), record).await?;
        let end = padded.iter().rposition(|&b| b != 0).ok_or(EceError::Padding)?;
        let last = seq + 1 == count;
        match (padded[end], last) {
            (LAST_DELIMITER, true) | (DELIMITER, false) => {}
            (DELIMITER, true) => return Err(EceError::Truncated),
            _ => return Err(EceError::Padding),
        }
        plaintext.extend_from_slice(&padded[..end]);
    }
    Ok(plaintext)
}

/// Decodes a whole `aes128gcm` body with the input keying material `ikm` (RFC 8188 §2):
/// header, key derivation, every record. The keyid is not interpreted.
pub async fn decode<C: WebPushCrypto>(crypto: &C, ikm: &[u8], body: &[u8]) -> Result<Vec<u8>, EceError> {
    let (header, records) = parse_header(body)?;
    let keys = derive_keys(ikm, &header.salt);
    decrypt_records(crypto, &keys.cek, &keys.nonce, header.rs, records).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_refuses_short_bodies() {
        let salt = [7u8; 16];
        let header = build_header(&salt, 4096, b"a1").expect("valid header");
        assert_eq!(header.len(), BASE_HEADER_LEN + 2);
        assert_eq!(&header[16..21], &[0, 0, 0x10, 0, 2]);
        let mut body = header.clone();
        body.extend_from_slice(b"records");
        let (parsed, rest) = parse_header(&body).expect("parses");
        assert_eq!(parsed, Header { salt, rs: 4096, keyid: b"a1" });
        assert_eq!(rest, b"records");
        assert_eq!(parse_header(&header[..header.len() - 1]), Err(EceError::Header));
        assert_eq!(parse_header(&[]), Err(EceError::Header));
        assert_eq!(parse_header(&header[..20]), Err(EceError::Header));
        let small = build_header(&salt, 17, b"");
        assert_eq!(small, Err(EceError::RecordSize(17)));
        assert_eq!(build_header(&salt, 18, &[0; 256]), Err(EceError::KeyIdTooLong(256)));
        let mut bad_rs = build_header(&salt, 18, b"").expect("valid header");
        bad_rs[19] = 17;
        assert_eq!(parse_header(&bad_rs), Err(EceError::RecordSize(17)));
    }

    #[test]
    fn record_nonce_xors_the_sequence_into_the_low_octets() {
        let nonce = [0xffu8; 12];
        assert_eq!(record_nonce(&nonce, 0), nonce);
        let n1 = record_nonce(&nonce, 1);
        assert_eq!(n1[11], 0xfe);
        assert_eq!(n1[..11], nonce[..11]);
        let n = record_nonce(&[0; 12], 0x0102);
        assert_eq!(n, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    }
}
