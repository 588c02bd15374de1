//! `/health`, `/openapi.json`, `/vapid`.

use crate::app::Ctx;
use crate::http::{json, Answer};
use serde_json::json;
use tidings::ApiError;
use worker::Response;

/// Liveness, and which delivery providers this deployment has configured (no secrets).
pub fn health(ctx: &Ctx) -> Answer {
    let (fcm, apns) = ctx.config.mobile.on(ctx.config.dev_mode);
    let webpush = !ctx.config.vapid_public_key.is_empty() && !ctx.config.vapid_private_key.is_empty();
    json(200, &json!({ "status": "ok", "providers": { "webpush": webpush, "fcm": fcm, "apns": apns } }))
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
