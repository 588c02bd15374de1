//! Identifiers: ULIDs with a type prefix (`usr_…`, `op_…`, `req_…`). Time and entropy are inputs.

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A ULID (48-bit millisecond time, 80 random bits) in Crockford base32, 26 characters.
pub fn ulid(now_ms: u64, random: [u8; 10]) -> String {
    let mut value: u128 = u128::from(now_ms & 0xFFFF_FFFF_FFFF) << 80;
    for (i, b) in random.iter().enumerate() {
        value |= u128::from(*b) << (72 - 8 * i);
    }
    (0..26).rev().map(|i| CROCKFORD[((value >> (5 * i)) & 31) as usize] as char).collect()
}

/// `prefix_<ulid>` in lower case, e.g. `usr_01hq…`.
pub fn prefixed(prefix: &str, now_ms: u64, random: [u8; 10]) -> String {
    format!("{prefix}_{}", ulid(now_ms, random).to_ascii_lowercase())
}

/// Hex SHA-256 of `bytes` (request fingerprints for idempotency keys).
pub fn fingerprint(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_time_first_and_sorts_by_time() {
        assert_eq!(ulid(0, [0; 10]), "00000000000000000000000000");
        assert_eq!(ulid(u64::MAX, [0xFF; 10]), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        // The spec's example time 1469918176385 encodes to 01ARYZ6S41.
        assert!(ulid(1_469_918_176_385, [0; 10]).starts_with("01ARYZ6S41"));
        assert!(ulid(1000, [0xFF; 10]) < ulid(1001, [0; 10]));
        assert_eq!(prefixed("usr", 0, [0; 10]).len(), 30);
        assert_eq!(fingerprint(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
