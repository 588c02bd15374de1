//! Request rate limits: one counter per secret key and per browser user, each in its own
//! `Limiter` Durable Object (exact: one object serializes its key's requests), checked and
//! counted in one round trip before the route runs. Per-recipient send limits live in the
//! recipient's feed object instead (see `feed/object.rs`), which the send calls anyway.

mod object;
mod sql;

use crate::auth::Principal;
use crate::config::Config;
use tidings::limits::{Decision, RateLimit};
use tidings::ApiError;
use worker::{console_error, Env, Headers};

/// The counter a principal's requests go to, and its limit; `None` when not limited.
fn key(config: &Config, principal: &Principal) -> Option<(String, RateLimit)> {
    match principal {
        Principal::Admin => Some(("secret-key".to_owned(), config.limit_secret_key?)),
        Principal::User(user) | Principal::Action { user, .. } | Principal::Subscription { user, .. } => {
            Some((format!("user:{user}"), config.limit_browser?))
        }
        // Public routes, and the dev-only routes of the public key alone.
        Principal::Anonymous | Principal::PublicKey => None,
    }
}

/// Counts this request against its principal's limit. `None` when it has none or the limiter
/// could not answer (logged: a broken limiter must not take the API down with it).
pub async fn take(env: &Env, config: &Config, principal: &Principal) -> Option<Decision> {
    let (key, limit) = key(config, principal)?;
    match object::take(env, &key, limit).await {
        Ok(d) => Some(d),
        Err(e) => {
            console_error!("rate limiter unavailable, request let through: {e}");
            None
        }
    }
}

/// The 429 of a refused decision.
pub fn refusal(d: &Decision, what: &'static str) -> ApiError {
    ApiError::RateLimited { what, limit: d.limit, window: d.window, retry_after: d.reset }
}

/// What a principal's limit counts, for the 429's message.
pub fn counted(principal: &Principal) -> &'static str {
    match principal {
        Principal::Admin => "requests with the secret key",
        _ => "requests for this user",
    }
}

/// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds), as GitHub's
/// `X-RateLimit-*` and the IETF draft's fields.
pub fn decorate(headers: &mut Headers, d: &Decision) {
    let _ = headers.set("RateLimit-Limit", &d.limit.to_string());
    let _ = headers.set("RateLimit-Remaining", &d.remaining.to_string());
    let _ = headers.set("RateLimit-Reset", &d.reset.to_string());
}
