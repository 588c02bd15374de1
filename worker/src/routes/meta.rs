//! `/health`, `/openapi.json`, `/vapid`.

use crate::app::Ctx;
use crate::http::{json, Answer};
use serde_json::json;
use tidings::ApiError;
use worker::Response;

/// Liveness, and which delivery providers this deployment has configured (no secrets).
pub fn health(ctx: &Ctx) -> Answer {
    let c = &ctx.config;
    let (fcm, apns) = c.mobile.on(c.dev_mode);
    let webpush = !c.vapid_public_key.is_empty() && !c.vapid_private_key.is_empty();
    let providers = json!({
        "webpush": webpush,
        "fcm": fcm,
        "apns": apns,
        "ses": crate::email::configured(c),
        "telnyx": c.telnyx.on(c.dev_mode),
        "slack": crate::slack::configured(c),
        "webhook": c.webhook.on(c.dev_mode),
    });
    json(200, &json!({ "status": "ok", "providers": providers }))
}

pub fn openapi() -> Answer {
    let mut r = Response::ok(tidings::openapi::DOCUMENT)?;
    r.headers_mut().set("content-type", "application/json")?;
    Ok(r)
}

pub fn vapid(ctx: &Ctx) -> Answer {
    if ctx.config.vapid_public_key.is_empty() {
        return Err(ApiError::Unavailable { what: "TIDINGS_VAPID_PUBLIC_KEY" }.into());
    }
    json(200, &json!({ "publicKey": ctx.config.vapid_public_key }))
}
