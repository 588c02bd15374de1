//! Field validation: each check names the field it refuses.

pub mod endpoint;
mod timezones;

pub use endpoint::PushHosts;
pub use timezones::NAMES as TIMEZONES;

use crate::FieldError;
use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::{alphabet, Engine};

type Check = Result<(), FieldError>;

/// Base64url, padding optional on input, never written.
pub const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Longest id (user ids, identities) in characters.
pub const MAX_ID_CHARS: usize = 256;

/// A user id or identity: 1..256 characters, no `/`, no control characters, not `.` or `..`
/// (URLs normalise those away, so such a user could never be addressed by its path).
pub fn id(field: &str, value: &str) -> Check {
    let n = value.chars().count();
    if n == 0 {
        return Err(FieldError::new(field, "required", format!("{field} must not be empty")));
    }
    if n > MAX_ID_CHARS {
        return Err(FieldError::new(field, "too_long", format!("{field} must be at most {MAX_ID_CHARS} characters")));
    }
    if value.chars().any(|c| c == '/' || c.is_control()) {
        return Err(FieldError::new(field, "invalid", format!("{field} must not contain '/' or control characters")));
    }
    if value == "." || value == ".." {
        return Err(FieldError::new(field, "invalid", format!("{field} must not be `.` or `..`")));
    }
    Ok(())
}

/// The symbols RFC 5322 allows in an unquoted local part, besides letters and digits.
const ATEXT: &[u8] = b"!#$%&'*+/=?^_`{|}~-";

/// An email address: `local@domain.tld` in ASCII (internationalised domains in their punycode
/// form), at most 254 characters; the local part a dot-atom of at most 64 (RFC 5322 `atext`
/// runs joined by single dots), the domain labels of letters, digits and inner hyphens, at least
/// two. `/openapi.json` says the same as a pattern.
pub fn email(field: &str, value: &str) -> Check {
    let bad = || FieldError::new(field, "invalid", format!("{field} must be an email address like name@example.com"));
    let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    };
    let ok = value.len() <= 254
        && (1..=64).contains(&local.len())
        && local
            .split('.')
            .all(|run| !run.is_empty() && run.bytes().all(|c| c.is_ascii_alphanumeric() || ATEXT.contains(&c)))
        && domain.contains('.')
        && domain.split('.').all(label_ok);
    ok.then_some(()).ok_or_else(bad)
}

/// An E.164 phone number: `+` then 2 to 15 digits, the first not 0.
pub fn e164(field: &str, value: &str) -> Check {
    let digits = value.strip_prefix('+').unwrap_or("");
    let ok = (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    ok.then_some(())
        .ok_or_else(|| FieldError::new(field, "invalid", format!("{field} must be an E.164 number like +14155550123")))
}

/// An IANA time zone name such as `America/New_York`.
pub fn timezone(field: &str, value: &str) -> Check {
    timezones::NAMES.binary_search(&value).map(|_| ()).map_err(|_| {
        FieldError::new(field, "invalid", format!("{field} must be an IANA time zone such as America/New_York"))
    })
}

/// A push endpoint on the policy's push service hosts (see [`endpoint`] for the rules), whose
/// path (after the host) is empty or starts with `/` and is in RFC 3986 characters.
pub fn endpoint(field: &str, value: &str, hosts: &PushHosts) -> Check {
    hosts.validate(field, value)?;
    let rest = value.split_once("://").map_or("", |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if !url_path(&rest[authority.len()..]) {
        return Err(FieldError::new(
            field,
            "invalid",
            format!("{field} must be a URL whose path (after the host) is empty or starts with /, in RFC 3986 characters (no #, [ or ]; % before two hex digits)"),
        ));
    }
    Ok(())
}

/// A URL's path and query as a push endpoint may have them: empty, or `/` and then RFC 3986
/// characters (unreserved, sub-delims, `:@/?`, and `%` before two hex digits), no fragment.
fn url_path(path: &str) -> bool {
    let b = path.as_bytes();
    if !b.is_empty() && b[0] != b'/' {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if !(b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-._~:/?@!$&'()*+,;=".contains(&c)) {
            return false;
        }
        i += 1;
    }
    true
}

/// Decodes base64url (padding optional) or refuses the field.
pub fn base64url(field: &str, value: &str) -> Result<Vec<u8>, FieldError> {
    B64URL.decode(value).map_err(|_| FieldError::new(field, "invalid", format!("{field} must be base64url")))
}

/// A subscription's `p256dh`: a 65-byte uncompressed P-256 point that lies on the curve.
pub fn p256dh(field: &str, value: &str) -> Check {
    let bytes = base64url(field, value)?;
    let ok = bytes.len() == 65 && bytes[0] == 4 && p256::PublicKey::from_sec1_bytes(&bytes).is_ok();
    ok.then_some(()).ok_or_else(|| {
        FieldError::new(
            field,
            "invalid",
            format!("{field} must be a base64url uncompressed P-256 public key (65 bytes)"),
        )
    })
}

/// A subscription's `auth` secret: 16 bytes.
pub fn auth_secret(field: &str, value: &str) -> Check {
    let bytes = base64url(field, value)?;
    (bytes.len() == 16)
        .then_some(())
        .ok_or_else(|| FieldError::new(field, "invalid", format!("{field} must be 16 bytes, base64url")))
}

/// Collects the errors of several checks; `Ok` when none failed.
pub fn all(checks: impl IntoIterator<Item = Check>) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = checks.into_iter().filter_map(Result::err).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(id("id", "user_1").is_ok());
        assert!(id("id", "ü ñ 漢字").is_ok());
        assert!(id("id", &"x".repeat(256)).is_ok());
        assert_eq!(id("id", &"x".repeat(257)).unwrap_err().reason, "too_long");
        assert_eq!(id("id", "").unwrap_err().reason, "required");
        assert!(id("id", "a/b").is_err());
        assert!(id("id", "a\u{0}b").is_err());
        assert!(id("id", "a\nb").is_err());
        assert!(id("id", ".").is_err() && id("id", "..").is_err());
        assert!(id("id", "...").is_ok() && id("id", ".a").is_ok());
    }

    #[test]
    fn emails_and_numbers() {
        assert!(email("email", "ada@example.com").is_ok());
        assert!(email("email", "a.b+c@sub.example.co").is_ok());
        assert!(email("email", "o'hara!#$%&*+/=?^_`{|}~@x-1.example").is_ok());
        assert!(email("email", "a.b.c@x.example").is_ok());
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "ada@-x.com",
            "ada@x..com",
            "ü@example.com",
            "ada@bücher.de",
            ".a@x.co",
            "a.@x.co",
            "a..b@x.co",
            "a(b)@x.co",
            "\"a\"@x.co",
        ] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
        assert!(e164("number", "+14155550123").is_ok());
        for bad in ["14155550123", "+0123", "+1", "+1234567890123456", "+1-415", ""] {
            assert!(e164("number", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timezones_are_sorted_and_known() {
        assert!(timezones::NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(timezone("tz", "America/New_York").is_ok());
        assert!(timezone("tz", "UTC").is_ok());
        assert!(timezone("tz", "Mars/Olympus").is_err());
        assert!(timezone("tz", "america/new_york").is_err());
    }

    #[test]
    fn endpoints() {
        let hosts = PushHosts::default();
        assert!(endpoint("e", "https://fcm.googleapis.com/fcm/send/abc", &hosts).is_ok());
        assert!(endpoint("e", "https://fcm.googleapis.com", &hosts).is_ok());
        assert!(endpoint("e", "https://fcm.googleapis.com/a%2Fb?x=1&y=(2)", &hosts).is_ok());
        for bad in [
            "https://fcm.googleapis.com/a{b",
            "https://fcm.googleapis.com/a#f",
            "https://fcm.googleapis.com/%zz",
            "https://fcm.googleapis.com/%2",
            "https://fcm.googleapis.com?x",
            "https://push.example.net/p",
        ] {
            assert!(endpoint("e", bad, &hosts).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys() {
        // RFC 8291 example user agent key and auth secret.
        let p = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        assert!(p256dh("p256dh", p).is_ok());
        assert!(auth_secret("auth", "BTBZMqHH6r4Tts7J_aSIgg").is_ok());
        assert!(auth_secret("auth", "BTBZMqHH6r4Tts7J_aSIgg==").is_ok());
        // Right length, not on the curve.
        let mut off = B64URL.decode(p).unwrap();
        off[64] ^= 1;
        assert!(p256dh("p256dh", &B64URL.encode(&off)).is_err());
        assert!(p256dh("p256dh", "BTBZMqHH6r4Tts7J_aSIgg").is_err());
        assert!(auth_secret("auth", p).is_err());
        assert!(auth_secret("auth", "not base64!").is_err());
    }
}
