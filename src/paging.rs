//! Page sizes and opaque page tokens.
//!
//! A token is base64url (no padding) of a 3-byte list tag and the 8-byte big-endian storage key
//! to page after: always 15 characters, so `/openapi.json` gives each list's tokens an exact
//! pattern ([`TokenKind::pattern`]). Any token of that shape is accepted: one the edge did not
//! issue just pages from the key it names (possibly an empty page), never an error.

use crate::ApiError;
use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::{alphabet, Engine};

/// Base64url that refuses padding and non-canonical trailing bits: one spelling per token.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// The lists that page with tokens; a token of one list is refused by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `GET /users` (`pageToken`).
    Users,
    /// `GET /users/{userId}/deliveries` (`after`, `before`).
    Deliveries,
    /// `GET /bulk/{jobId}/users` (`cursor`).
    BulkUsers,
}

impl TokenKind {
    fn tag(self) -> &'static [u8; 3] {
        match self {
            TokenKind::Users => b"usr",
            TokenKind::Deliveries => b"dlv",
            TokenKind::BulkUsers => b"blk",
        }
    }

    /// The exact shape of this list's tokens (an ECMA/JSON Schema regex, as in `/openapi.json`;
    /// the empty string, meaning "from the start", included).
    pub fn pattern(self) -> String {
        format!("^(?:{}[A-Za-z0-9_-]{{10}}[AEIMQUYcgkosw048])?$", STRICT.encode(self.tag()))
    }
}

/// Parses `pageSize` (default 50, 1..=1000).
pub fn page_size(raw: Option<&str>) -> Result<u32, ApiError> {
    let Some(raw) = raw else { return Ok(50) };
    match raw.parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(ApiError::field("pageSize", "out_of_range", "pageSize must be an integer between 1 and 1000")),
    }
}

/// An opaque token for "after this storage key" in the list `kind`.
pub fn encode_token(kind: TokenKind, key: i64) -> String {
    let mut bytes = [0u8; 11];
    bytes[..3].copy_from_slice(kind.tag());
    bytes[3..].copy_from_slice(&(key.max(0) as u64).to_be_bytes());
    STRICT.encode(bytes)
}

/// Keys past this read as it: storage keys stay far below, and the worker hands keys to its
/// feed objects through JavaScript numbers, which are exact up to here.
pub const MAX_KEY: i64 = (1 << 53) - 1;

/// Decodes a token of the list `kind` (any well-formed one, issued or not) to its storage key;
/// keys past [`MAX_KEY`] read as `MAX_KEY`. Errors name `field`.
pub fn decode_token(kind: TokenKind, field: &str, token: &str) -> Result<i64, ApiError> {
    STRICT
        .decode(token)
        .ok()
        .filter(|b| b.len() == 11 && b[..3] == kind.tag()[..])
        .map(|b| {
            let key = u64::from_be_bytes(b[3..].try_into().unwrap_or_default());
            i64::try_from(key).unwrap_or(MAX_KEY).min(MAX_KEY)
        })
        .ok_or_else(|| ApiError::field(field, "invalid", format!("{field} is not a token this list returned")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sizes() {
        assert_eq!(page_size(None).unwrap(), 50);
        assert_eq!(page_size(Some("1000")).unwrap(), 1000);
        for bad in ["0", "1001", "-1", "x", "", "+5"] {
            assert!(page_size(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn foreign_and_malformed_tokens_are_refused() {
        let users = encode_token(TokenKind::Users, 3);
        assert!(decode_token(TokenKind::Deliveries, "after", &users).is_err());
        for bad in ["!!", "", "dXNy", &format!("{users}="), &users[..14]] {
            assert!(decode_token(TokenKind::Users, "pageToken", bad).is_err(), "{bad}");
        }
        // Same bits but a non-zero unused trailing bit: not the canonical spelling.
        let mut odd = users.clone();
        odd.replace_range(14.., "B");
        assert!(decode_token(TokenKind::Users, "pageToken", &odd).is_err());
    }

    #[test]
    fn tokens_nobody_issued_still_page() {
        assert_eq!(decode_token(TokenKind::Users, "pageToken", "dXNy__________8").unwrap(), MAX_KEY);
        assert_eq!(decode_token(TokenKind::Users, "pageToken", "dXNyAAAAAAAAAAA").unwrap(), 0);
    }

    proptest! {
        #[test]
        fn tokens_round_trip_and_match_the_pattern(key in 0i64..MAX_KEY) {
            for kind in [TokenKind::Users, TokenKind::Deliveries, TokenKind::BulkUsers] {
                let t = encode_token(kind, key);
                prop_assert_eq!(decode_token(kind, "t", &t).unwrap(), key);
                prop_assert_eq!(t.len(), 15);
                let p = kind.pattern();
                let prefix = &p[4..8];
                prop_assert!(t.starts_with(prefix));
                prop_assert!("AEIMQUYcgkosw048".contains(&t[14..]));
            }
        }

        #[test]
        fn every_token_of_the_shape_decodes(body in "[A-Za-z0-9_-]{10}", last in "[AEIMQUYcgkosw048]") {
            for (kind, prefix) in [(TokenKind::Users, "dXNy"), (TokenKind::Deliveries, "ZGx2"), (TokenKind::BulkUsers, "Ymxr")] {
                prop_assert!(kind.pattern().contains(prefix));
                let token = format!("{prefix}{body}{last}");
                prop_assert!(decode_token(kind, "t", &token).is_ok());
            }
        }
    }
}
