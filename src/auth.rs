//! Credentials: which key a request carries, checked in constant time.

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secret key a request presents: `Authorization: Bearer <key>` or `x-secret-key: <key>`.
pub fn presented_secret<'a>(
    authorization: Option<&'a str>,
    x_secret_key: Option<&'a str>,
) -> Option<&'a str> {
    authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .or(x_secret_key.map(str::trim))
        .filter(|k| !k.is_empty())
}

/// Whether `presented` is the configured secret key (constant time; an empty key never matches).
pub fn is_secret_key(presented: Option<&str>, configured: &str) -> bool {
    match presented {
        Some(p) if !configured.is_empty() => constant_time_eq(p.as_bytes(), configured.as_bytes()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_from_either_header() {
        assert_eq!(presented_secret(Some("Bearer sk_1"), None), Some("sk_1"));
        assert_eq!(presented_secret(None, Some("sk_2")), Some("sk_2"));
        assert_eq!(presented_secret(Some("Basic x"), None), None);
        assert_eq!(presented_secret(Some("Bearer "), None), None);
        assert!(is_secret_key(Some("sk_1"), "sk_1"));
        assert!(!is_secret_key(Some("sk_1"), "sk_12"));
        assert!(!is_secret_key(Some(""), ""));
        assert!(!is_secret_key(None, "sk_1"));
    }
}
