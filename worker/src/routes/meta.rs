//! `/health`, `/openapi.json`, `/vapid`.

use crate::app::Ctx;
use crate::http::{json, Answer};
use serde_json::json;
use tidings::ApiError;
use worker::Response;

pub fn health() -> Answer {
    json(200, &json!({ "status": "ok" }))
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
