//! The two JWTs of mobile push, as pure functions of their inputs (time passed in):
//! Google's RS256 service-account assertion and the APNs ES256 provider token.

use super::{CryptoError, MobileCrypto};
use crate::validate::B64URL;
use base64::Engine;
use serde::Serialize;

/// The OAuth2 scope FCM HTTP v1 needs.
pub const FCM_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// Lifetime of the assertion: Google accepts at most an hour.
pub const ASSERTION_SECONDS: i64 = 3600;

/// Claims of the service-account assertion (RFC 7523), in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssertionClaims<'a> {
    /// The service account's `client_email`.
    pub iss: &'a str,
    /// [`FCM_SCOPE`].
    pub scope: &'a str,
    /// The service account's `token_uri`.
    pub aud: &'a str,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// `iat` + [`ASSERTION_SECONDS`].
    pub exp: i64,
}

/// `base64url(json(header)) "." base64url(json(claims))`. Serializing these plain structs of
/// strings and integers cannot fail.
fn signing_input<H: Serialize, C: Serialize>(header: &H, claims: &C) -> String {
    let json = |v: serde_json::Result<Vec<u8>>| B64URL.encode(v.unwrap_or_default());
    format!("{}.{}", json(serde_json::to_vec(header)), json(serde_json::to_vec(claims)))
}

/// The signing input of the assertion for `client_email` at `token_uri`, issued at `now_s`;
/// `key_id` (the service account's `private_key_id`) goes into the header when known.
pub fn assertion_input(client_email: &str, token_uri: &str, key_id: Option<&str>, now_s: i64) -> String {
    #[derive(Serialize)]
    struct Header<'a> {
        alg: &'static str,
        typ: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<&'a str>,
    }
    let claims = AssertionClaims {
        iss: client_email,
        scope: FCM_SCOPE,
        aud: token_uri,
        iat: now_s,
        exp: now_s + ASSERTION_SECONDS,
    };
    signing_input(&Header { alg: "RS256", typ: "JWT", kid: key_id }, &claims)
}

/// The signed assertion (compact RS256 JWT).
pub async fn assertion<C: MobileCrypto>(
    crypto: &C,
    key: &C::RsaKey,
    client_email: &str,
    token_uri: &str,
    key_id: Option<&str>,
    now_s: i64,
) -> Result<String, CryptoError> {
    let input = assertion_input(client_email, token_uri, key_id, now_s);
    let signature = crypto.sign_rs256(key, input.as_bytes()).await?;
    Ok(format!("{input}.{}", B64URL.encode(signature)))
}

/// The signing input of an APNs provider token: `{alg: ES256, kid}` / `{iss: team, iat}`.
pub fn provider_token_input(key_id: &str, team_id: &str, now_s: i64) -> String {
    #[derive(Serialize)]
    struct Header<'a> {
        alg: &'static str,
        kid: &'a str,
    }
    #[derive(Serialize)]
    struct Claims<'a> {
        iss: &'a str,
        iat: i64,
    }
    signing_input(&Header { alg: "ES256", kid: key_id }, &Claims { iss: team_id, iat: now_s })
}

/// The signed APNs provider token (compact ES256 JWT, raw `r ‖ s` signature).
pub async fn provider_token<C: MobileCrypto>(
    crypto: &C,
    key: &C::EcKey,
    key_id: &str,
    team_id: &str,
    now_s: i64,
) -> Result<String, CryptoError> {
    let input = provider_token_input(key_id, team_id, now_s);
    let signature = crypto.sign_es256(key, input.as_bytes()).await?;
    Ok(format!("{input}.{}", B64URL.encode(signature)))
}
