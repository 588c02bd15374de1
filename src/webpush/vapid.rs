//! RFC 8292 VAPID: the ES256 JWT an application server signs for each push service origin,
//! the `Authorization: vapid t=…, k=…` header, and a verifier for test push services.

use super::crypto::{CryptoError, WebPushCrypto};
use crate::validate::B64URL;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The JWT header, byte for byte as in RFC 8292 §2.4.
pub const JWT_HEADER: &str = r#"{"typ":"JWT","alg":"ES256"}"#;
/// Longest token lifetime we sign: 12 hours.
pub const MAX_EXP_SECONDS: i64 = 12 * 3600;
/// Furthest expiry a push service accepts: 24 hours ahead (RFC 8292 §2).
pub const MAX_VERIFY_AHEAD_SECONDS: i64 = 24 * 3600;

/// Why a VAPID token could not be made or was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VapidError {
    /// The push endpoint has no `http(s)://host[:port]` origin.
    #[error("the push endpoint is not an http(s) URL")]
    Audience,
    /// The subject is neither a `mailto:` nor an `https:` URI.
    #[error("the VAPID subject must be a mailto: or https: URI")]
    Subject,
    /// The token is not three base64url segments of JSON claims.
    #[error("the token is malformed")]
    Malformed,
    /// The header does not say `alg` ES256 (and, if present, `typ` JWT).
    #[error("the token is not an ES256 JWT")]
    Algorithm,
    /// The public key is not a P-256 point.
    #[error("the public key is not a P-256 point")]
    PublicKey,
    /// The signature does not verify with the public key.
    #[error("the signature does not verify")]
    Signature,
    /// `exp` is not in the future.
    #[error("the token has expired")]
    Expired,
    /// `exp` is more than 24 hours ahead.
    #[error("the token expires more than 24 hours ahead")]
    TooFarAhead,
    /// The crypto provider failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// VAPID claims, serialized in the order `aud`, `exp`, `sub` with no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The push endpoint's origin, `scheme://host[:port]`.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Contact URI (`mailto:` or `https:`). Optional on the wire (RFC 8292: SHOULD); empty
    /// when absent, and then not serialized.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub: String,
}

impl Claims {
    /// Claims for `endpoint` expiring [`MAX_EXP_SECONDS`] after `now_s`.
    pub fn new(endpoint: &str, sub: &str, now_s: i64) -> Result<Claims, VapidError> {
        Claims::with_lifetime(endpoint, sub, now_s, MAX_EXP_SECONDS)
    }

    /// Claims for `endpoint` expiring `lifetime_s` after `now_s`, the lifetime clamped to
    /// `1..=MAX_EXP_SECONDS`.
    pub fn with_lifetime(endpoint: &str, sub: &str, now_s: i64, lifetime_s: i64) -> Result<Claims, VapidError> {
        let aud = audience(endpoint).ok_or(VapidError::Audience)?;
        if !is_subject(sub) {
            return Err(VapidError::Subject);
        }
        let exp = now_s.saturating_add(lifetime_s.clamp(1, MAX_EXP_SECONDS));
        Ok(Claims { aud, exp, sub: sub.to_string() })
    }
}

fn is_subject(sub: &str) -> bool {
    let rest =
        |prefix: &str| sub.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &sub[prefix.len()..]);
    let value = rest("mailto:").or_else(|| rest("https:"));
    value.is_some_and(|v| !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || c.is_control()))
}

/// The origin of a push endpoint, as `aud` wants it: lower-case `scheme://host[:port]`, the
/// default port dropped. `None` for anything but an `http`/`https` URL with a plain host
/// (user info, empty or odd hosts and bad ports are refused).
pub fn audience(endpoint: &str) -> Option<String> {
    let (scheme, rest) = endpoint.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (inner, after) = v6.split_once(']')?;
            let ok = !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            if !ok {
                return None;
            }
            let port = if after.is_empty() { None } else { Some(after.strip_prefix(':')?) };
            (format!("[{}]", inner.to_ascii_lowercase()), port)
        }
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let ok =
                !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
            if !ok {
                return None;
            }
            (host.to_ascii_lowercase(), port)
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse::<u16>().ok()?),
        Some(_) => return None,
    };
    match port {
        Some(p) if p != default_port => Some(format!("{scheme}://{host}:{p}")),
        _ => Some(format!("{scheme}://{host}")),
    }
}

/// The base64url JWT header segment (`eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9`).
pub fn header_segment() -> String {
    B64URL.encode(JWT_HEADER)
}

/// The base64url claims segment: `{"aud":…,"exp":…,"sub":…}`.
pub fn claims_segment(claims: &Claims) -> Result<String, VapidError> {
    serde_json::to_vec(claims).map(|json| B64URL.encode(json)).map_err(|_| VapidError::Malformed)
}

/// The JWS signing input, `header_segment.claims_segment`.
pub fn signing_input(claims: &Claims) -> Result<String, VapidError> {
    Ok(format!("{}.{}", header_segment(), claims_segment(claims)?))
}

/// Signs the claims: the compact ES256 JWT `header.claims.signature`.
pub async fn sign_jwt<C: WebPushCrypto>(
    crypto: &C,
    key: &C::SigningKey,
    claims: &Claims,
) -> Result<String, VapidError> {
    let input = signing_input(claims)?;
    let signature = crypto.sign_es256(key, input.as_bytes()).await?;
    Ok(format!("{input}.{}", B64URL.encode(signature)))
}

/// The `Authorization` header value: `vapid t=<jwt>, k=<public key, base64url>`.
pub fn authorization(jwt: &str, public_key_b64url: &str) -> String {
    format!("vapid t={jwt}, k={public_key_b64url}")
}

/// Reads `vapid t=<jwt>, k=<key>` (scheme case-insensitive, parameters in any order,
/// optionally quoted, unknown parameters ignored): `(jwt, k)`. `None` when the scheme is not
/// `vapid`, or `t` or `k` is missing, empty or repeated.
pub fn parse_authorization(header: &str) -> Option<(String, String)> {
    let (scheme, params) = header.trim().split_once([' ', '\t'])?;
    if !scheme.eq_ignore_ascii_case("vapid") {
        return None;
    }
    let (mut t, mut k) = (None, None);
    for param in params.split(',') {
        let (name, value) = param.split_once('=')?;
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        let slot = match name.trim() {
            n if n.eq_ignore_ascii_case("t") => &mut t,
            n if n.eq_ignore_ascii_case("k") => &mut k,
            _ => continue,
        };
        if slot.is_some() || value.is_empty() {
            return None;
        }
        *slot = Some(value.to_string());
    }
    Some((t?, k?))
}

/// Verifies a VAPID JWT as a push service does: header `alg` ES256 (`typ`, if present, JWT),
/// the raw `r ‖ s` signature against `public_key`, `exp` after `now_s` and at most 24 hours
/// ahead. The caller compares `aud` with its own origin.
pub fn verify_jwt(jwt: &str, public_key: &[u8; 65], now_s: i64) -> Result<Claims, VapidError> {
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::{Signature, VerifyingKey};

    let mut parts = jwt.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VapidError::Malformed);
    };
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&B64URL.decode(header_b64).map_err(|_| VapidError::Malformed)?)
            .map_err(|_| VapidError::Malformed)?;
    let alg_ok = header.get("alg").and_then(|a| a.as_str()) == Some("ES256");
    let typ_ok = header.get("typ").is_none_or(|t| t.as_str().is_some_and(|t| t.eq_ignore_ascii_case("JWT")));
    if !alg_ok || !typ_ok {
        return Err(VapidError::Algorithm);
    }
    let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| VapidError::PublicKey)?;
    let signature = B64URL.decode(signature_b64).map_err(|_| VapidError::Malformed)?;
    let signature = Signature::from_slice(&signature).map_err(|_| VapidError::Signature)?;
    let input = format!("{header_b64}.{claims_b64}");
    key.verify(input.as_bytes(), &signature).map_err(|_| VapidError::Signature)?;
    let claims: Claims = serde_json::from_slice(&B64URL.decode(claims_b64).map_err(|_| VapidError::Malformed)?)
        .map_err(|_| VapidError::Malformed)?;
    if claims.aud.is_empty() {
        return Err(VapidError::Malformed);
    }
    if claims.exp <= now_s {
        return Err(VapidError::Expired);
    }
    if claims.exp > now_s.saturating_add(MAX_VERIFY_AHEAD_SECONDS) {
        return Err(VapidError::TooFarAhead);
    }
    Ok(claims)
}

/// The configured VAPID public key that signs for a subscription made with `made_with`: the
/// same key, when it is the current or the previous one; the current one when the key was never
/// recorded (`None`, subscriptions stored before keys were); `None` when the key is retired.
/// Keys compare without base64 padding.
pub fn signing_key<'a>(made_with: Option<&str>, keys: crate::auth::Rotating<'a>) -> Option<&'a str> {
    let Some(made) = made_with else { return Some(keys.current) };
    let bare = |k: &str| k.trim_end_matches('=').to_owned();
    [keys.current, keys.previous].into_iter().find(|k| !k.is_empty() && bare(k) == bare(made))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_subscription_is_signed_with_the_key_it_was_made_with() {
        let keys = crate::auth::Rotating { current: "BNew", previous: "BOld" };
        assert_eq!(signing_key(Some("BOld"), keys), Some("BOld"));
        assert_eq!(signing_key(Some("BNew="), keys), Some("BNew"));
        assert_eq!(signing_key(None, keys), Some("BNew"), "not recorded: the current key");
        assert_eq!(signing_key(Some("BRetired"), keys), None);
        assert_eq!(signing_key(Some(""), crate::auth::Rotating::single("BNew")), None);
        assert_eq!(signing_key(Some("BOld"), crate::auth::Rotating::single("BNew")), None, "previous deleted");
    }

    #[test]
    fn audience_is_the_endpoint_origin() {
        assert_eq!(audience("https://fcm.googleapis.com/fcm/send/x").as_deref(), Some("https://fcm.googleapis.com"));
        assert_eq!(audience("http://127.0.0.1:9000/push/1").as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(audience("HTTPS://Push.Example.NET:443/p?q#f").as_deref(), Some("https://push.example.net"));
        assert_eq!(
            audience("https://updates.push.services.mozilla.com").as_deref(),
            Some("https://updates.push.services.mozilla.com")
        );
        assert_eq!(audience("http://host:80/").as_deref(), Some("http://host"));
        assert_eq!(audience("https://host:/x").as_deref(), Some("https://host"));
        assert_eq!(audience("http://[::1]:8080/push").as_deref(), Some("http://[::1]:8080"));
        for bad in [
            "",
            "fcm.googleapis.com/fcm",
            "ftp://host/x",
            "https://",
            "https:///x",
            "https://user@host/x",
            "https://host:99999/x",
            "https://host:8a/x",
            "https://ho st/x",
            "https://a:1:2/x",
            "http://[::1/x",
            "http://[]/x",
            "http://[::1]x/",
            "https://h\u{e9}te/x",
        ] {
            assert_eq!(audience(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn claims_cap_the_lifetime_and_check_the_subject() {
        let c = Claims::new("https://push.example.net/p/1", "mailto:push@example.com", 1000).expect("valid");
        assert_eq!(
            c,
            Claims {
                aud: "https://push.example.net".into(),
                exp: 1000 + 12 * 3600,
                sub: "mailto:push@example.com".into()
            }
        );
        let c =
            Claims::with_lifetime("https://push.example.net/p/1", "https://example.com", 1000, 86_400).expect("valid");
        assert_eq!(c.exp, 1000 + MAX_EXP_SECONDS);
        let c = Claims::with_lifetime("https://push.example.net/p/1", "https://example.com", 1000, 60).expect("valid");
        assert_eq!(c.exp, 1060);
        assert_eq!(Claims::new("https://push.example.net/p/1", "push@example.com", 0), Err(VapidError::Subject));
        assert_eq!(Claims::new("https://push.example.net/p/1", "mailto:", 0), Err(VapidError::Subject));
        assert_eq!(Claims::new("ftp://push.example.net/p/1", "mailto:a@b.c", 0), Err(VapidError::Audience));
        assert_eq!(Claims::new("https://push.example.net/p/1", "mailto:a@b.c", i64::MAX).map(|c| c.exp), Ok(i64::MAX));
    }

    #[test]
    fn segments_match_rfc_8292_example() {
        let claims =
            Claims { aud: "https://push.example.net".into(), exp: 1453523768, sub: "mailto:push@example.com".into() };
        assert_eq!(header_segment(), "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9");
        assert_eq!(
            claims_segment(&claims).as_deref(),
            Ok("eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0")
        );
    }

    #[test]
    fn authorization_round_trips() {
        let value = authorization("a.b.c", "BKEY");
        assert_eq!(value, "vapid t=a.b.c, k=BKEY");
        assert_eq!(parse_authorization(&value), Some(("a.b.c".into(), "BKEY".into())));
        assert_eq!(parse_authorization("Vapid k=\"BKEY\",t=a.b.c"), Some(("a.b.c".into(), "BKEY".into())));
        assert_eq!(parse_authorization("vapid t=a.b.c, k=BKEY, x=1"), Some(("a.b.c".into(), "BKEY".into())));
        for bad in [
            "",
            "vapid",
            "Bearer t=a.b.c, k=BKEY",
            "vapid t=a.b.c",
            "vapid t=, k=BKEY",
            "vapid t=a, t=b, k=c",
            "vapid t",
        ] {
            assert_eq!(parse_authorization(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn malformed_tokens_are_refused_without_panicking() {
        let key = [4u8; 65];
        for bad in ["", ".", "..", "a.b.c.d", "!!.!!.!!", "e30.e30.", "\u{e9}.\u{e9}.\u{e9}"] {
            assert!(verify_jwt(bad, &key, 0).is_err(), "{bad:?}");
        }
        let none_alg = format!("{}.e30.AA", B64URL.encode(r#"{"alg":"none"}"#));
        assert_eq!(verify_jwt(&none_alg, &key, 0), Err(VapidError::Algorithm));
        let bad_typ = format!("{}.e30.AA", B64URL.encode(r#"{"alg":"ES256","typ":"JWE"}"#));
        assert_eq!(verify_jwt(&bad_typ, &key, 0), Err(VapidError::Algorithm));
        let bad_key = format!("{}.e30.AA", header_segment());
        assert_eq!(verify_jwt(&bad_key, &key, 0), Err(VapidError::PublicKey));
    }
}
