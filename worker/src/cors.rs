//! CORS: browsers on `TIDINGS_ALLOWED_ORIGINS` (and loopback origins in dev mode) may call the
//! API; preflights are answered here.

use crate::config::Config;
use worker::{Headers, Response};

const ALLOW_HEADERS: &str =
    "authorization, content-type, idempotency-key, x-api-key, x-user-token, x-action-token, x-subscription-token, x-secret-key";
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// Whether `origin` may call the API.
pub fn allowed(config: &Config, origin: &str) -> bool {
    let loopback = |o: &str| {
        ["http://127.0.0.1", "http://localhost"].iter().any(|base| {
            o.strip_prefix(base).is_some_and(|rest| {
                rest.is_empty()
                    || rest.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            })
        })
    };
    config.allowed_origins.iter().any(|a| a == "*" || a == origin) || (config.dev_mode && loopback(origin))
}

/// The answer to a preflight from an allowed origin.
pub fn preflight(origin: &str) -> worker::Result<Response> {
    let h = Headers::new();
    h.set("access-control-allow-origin", origin)?;
    h.set("access-control-allow-methods", ALLOW_METHODS)?;
    h.set("access-control-allow-headers", ALLOW_HEADERS)?;
    h.set("access-control-max-age", "600")?;
    h.set("vary", "Origin")?;
    Ok(Response::empty()?.with_status(204).with_headers(h))
}

/// Adds the CORS headers of an allowed origin to an answer.
pub fn decorate(headers: &mut Headers, origin: &str) {
    let _ = headers.set("access-control-allow-origin", origin);
    let _ = headers.set(
        "access-control-expose-headers",
        "X-Request-Id, Idempotent-Replayed, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset",
    );
    let _ = headers.append("vary", "Origin");
}
