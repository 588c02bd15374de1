//! Page sizes and opaque page tokens.

use crate::validate::B64URL;
use crate::ApiError;
use base64::Engine;

/// Parses `pageSize` (default 50, 1..=1000).
pub fn page_size(raw: Option<&str>) -> Result<u32, ApiError> {
    let Some(raw) = raw else { return Ok(50) };
    match raw.parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(ApiError::field("pageSize", "out_of_range", "pageSize must be an integer between 1 and 1000")),
    }
}

/// An opaque token for "after this storage key" in a list named `kind`.
pub fn encode_token(kind: &str, key: i64) -> String {
    B64URL.encode(format!("{kind}:{key}"))
}

/// Decodes a token made by [`encode_token`] for the same `kind`; errors name `field`.
pub fn decode_token(kind: &str, field: &str, token: &str) -> Result<i64, ApiError> {
    B64URL
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(kind)?.strip_prefix(':')?.parse::<i64>().ok())
        .filter(|k| *k >= 0)
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
        for bad in ["0", "1001", "-1", "x", ""] {
            assert!(page_size(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn foreign_tokens_are_refused() {
        assert!(decode_token("users", "pageToken", &encode_token("jobs", 3)).is_err());
        assert!(decode_token("users", "pageToken", "!!").is_err());
    }

    proptest! {
        #[test]
        fn tokens_round_trip(key in 0i64..i64::MAX) {
            prop_assert_eq!(decode_token("users", "pageToken", &encode_token("users", key)).unwrap(), key);
        }
    }
}
