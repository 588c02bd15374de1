//! HKDF-SHA-256 (RFC 5869) in pure Rust on top of [`crate::auth::hmac_sha256`].
//!
//! Web Push never asks for more than 32 octets, so Expand is the single-block form
//! `T(1) = HMAC(PRK, info ‖ 0x01)`, truncated.

use crate::auth::hmac_sha256;

/// HKDF-Extract: `PRK = HMAC-SHA-256(salt, ikm)`.
pub fn extract(salt: &[u8], ikm: &[u8]) -> [u8; 32] {
    hmac_sha256(salt, ikm)
}

/// HKDF-Expand for `N ≤ 32` octets (checked at compile time): `HMAC-SHA-256(prk, info ‖ 0x01)[..N]`.
pub fn expand<const N: usize>(prk: &[u8; 32], info: &[u8]) -> [u8; N] {
    const { assert!(N <= 32, "single-block HKDF-Expand yields at most 32 octets") };
    let mut message = Vec::with_capacity(info.len() + 1);
    message.extend_from_slice(info);
    message.push(0x01);
    let block = hmac_sha256(prk, &message);
    let mut out = [0u8; N];
    out.copy_from_slice(&block[..N]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rfc_5869_case_1_prk_and_first_block() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let prk = extract(&salt, &ikm);
        assert_eq!(hex(&prk), "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        // The RFC's OKM (L = 42) starts with T(1); its first 32 octets are the single block.
        let okm: [u8; 32] = expand(&prk, &info);
        assert_eq!(hex(&okm), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
        let short: [u8; 12] = expand(&prk, &info);
        assert_eq!(short, okm[..12]);
    }
}
