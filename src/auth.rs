//! Credentials: which key a request carries, checked in constant time.

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secret key a request presents: `Authorization: Bearer <key>` or `x-secret-key: <key>`.
pub fn presented_secret<'a>(authorization: Option<&'a str>, x_secret_key: Option<&'a str>) -> Option<&'a str> {
    authorization
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .or(x_secret_key.map(str::trim))
        .filter(|k| !k.is_empty())
}

/// A secret that rotates without downtime: the current one signs, and the previous one (empty
/// when there is none) is still accepted until the operator deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotating<'a> {
    /// The newest secret: everything new is signed with it.
    pub current: &'a str,
    /// The secret it replaced, or empty.
    pub previous: &'a str,
}

impl<'a> Rotating<'a> {
    /// A secret with no previous one.
    pub fn single(current: &'a str) -> Self {
        Rotating { current, previous: "" }
    }

    /// The first of `check(current)`, `check(previous)` that holds (an empty secret is skipped).
    pub fn verify<T>(&self, check: impl Fn(&str) -> Option<T>) -> Option<T> {
        [self.current, self.previous].into_iter().filter(|s| !s.is_empty()).find_map(check)
    }
}

/// Whether `presented` is the secret key or the previous one: both are compared, each in
/// constant time, and an empty key never matches.
pub fn is_secret_key(presented: Option<&str>, keys: Rotating) -> bool {
    let Some(p) = presented else { return false };
    let matches = |k: &str| !k.is_empty() & constant_time_eq(p.as_bytes(), k.as_bytes());
    matches(keys.current) | matches(keys.previous)
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
        let one = Rotating::single;
        assert!(is_secret_key(Some("sk_1"), one("sk_1")));
        assert!(!is_secret_key(Some("sk_1"), one("sk_12")));
        assert!(!is_secret_key(Some(""), one("")));
        assert!(!is_secret_key(None, one("sk_1")));
    }

    #[test]
    fn the_previous_secret_key_stays_valid_beside_the_new_one() {
        let keys = Rotating { current: "sk_new", previous: "sk_old" };
        assert!(is_secret_key(Some("sk_new"), keys));
        assert!(is_secret_key(Some("sk_old"), keys));
        assert!(!is_secret_key(Some("sk_other"), keys));
        assert!(!is_secret_key(Some(""), Rotating { current: "sk_new", previous: "" }), "no previous key");
        assert_eq!(keys.verify(|k| (k == "sk_old").then_some(2)), Some(2));
        assert_eq!(keys.verify(|k| Some(k.len())), Some(6), "the current one is tried first");
        assert_eq!(Rotating::single("a").verify(|k| k.is_empty().then_some(())), None, "empty is skipped");
    }
}

/// Claims of a browser user token (HS256 JWT signed by the customer's backend).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct UserClaims {
    /// The user id the token grants.
    pub sub: String,
    /// Expiry, seconds since the epoch (required).
    pub exp: i64,
}

/// HMAC-SHA-256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Mac, SimpleHmac};
    let mut mac = SimpleHmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Verifies an HS256 JWT: header `alg` HS256, signature (constant time), `exp` in the future.
/// Any failure is `None`; callers answer 401 without saying which check failed.
pub fn verify_user_token(token: &str, secret: &str, now_s: i64) -> Option<UserClaims> {
    use crate::validate::B64URL;
    use base64::Engine;
    if secret.is_empty() {
        return None;
    }
    let mut parts = token.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let expected = hmac_sha256(secret.as_bytes(), format!("{header}.{claims}").as_bytes());
    if !constant_time_eq(&B64URL.decode(signature).ok()?, &expected) {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&B64URL.decode(header).ok()?).ok()?;
    if header.get("alg")?.as_str()? != "HS256" {
        return None;
    }
    let claims: UserClaims = serde_json::from_slice(&B64URL.decode(claims).ok()?).ok()?;
    (claims.exp > now_s && !claims.sub.is_empty()).then_some(claims)
}

/// Signs an HS256 user token (dev mode's `/dev/user-token`, and tests).
pub fn sign_user_token(sub: &str, exp: i64, secret: &str) -> String {
    use crate::validate::B64URL;
    use base64::Engine;
    let header = B64URL.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = B64URL.encode(serde_json::json!({ "sub": sub, "exp": exp }).to_string());
    let signature = B64URL.encode(hmac_sha256(secret.as_bytes(), format!("{header}.{claims}").as_bytes()));
    format!("{header}.{claims}.{signature}")
}

#[cfg(test)]
mod token_tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn tokens_verify_and_refuse_tampering_expiry_and_other_keys() {
        let t = sign_user_token("ada", 2000, "s3cret");
        assert_eq!(verify_user_token(&t, "s3cret", 1000), Some(UserClaims { sub: "ada".into(), exp: 2000 }));
        assert_eq!(verify_user_token(&t, "s3cret", 2000), None, "expired");
        assert_eq!(verify_user_token(&t, "other", 1000), None, "wrong key");
        assert_eq!(verify_user_token(&t, "", 1000), None, "no key configured");
        let forged = sign_user_token("bob", 2000, "s3cret");
        let mixed = format!(
            "{}.{}",
            &t[..t.rfind('.').unwrap()].replace(t.split('.').nth(1).unwrap(), forged.split('.').nth(1).unwrap()),
            t.split('.').nth(2).unwrap()
        );
        assert_eq!(verify_user_token(&mixed, "s3cret", 1000), None, "claims swapped under the old signature");
        assert_eq!(verify_user_token("a.b", "s3cret", 1000), None);
    }

    #[test]
    fn a_token_signed_with_the_previous_secret_verifies_while_it_is_kept() {
        let old = sign_user_token("ada", 2000, "old");
        let new = sign_user_token("ada", 2000, "new");
        let rotating = Rotating { current: "new", previous: "old" };
        for t in [&old, &new] {
            assert_eq!(rotating.verify(|s| verify_user_token(t, s, 1000)).map(|c| c.sub), Some("ada".into()));
        }
        assert_eq!(Rotating::single("new").verify(|s| verify_user_token(&old, s, 1000)), None, "previous deleted");
        let other = sign_user_token("ada", 2000, "other");
        assert_eq!(rotating.verify(|s| verify_user_token(&other, s, 1000)), None);
    }
}
