//! `/users/{userId}/preferences`.

use crate::app::Ctx;
use crate::http::{self, json, Answer};
use crate::platform::now_ms;
use crate::store;
use tidings::model::Preferences;
use tidings::notify::prefs;

pub async fn get(ctx: Ctx) -> Answer {
    let id = ctx.user_id()?;
    let stored = store::preferences::get(&ctx.db()?, id).await?;
    json(200, &stored.unwrap_or_else(Preferences::default))
}

pub async fn put(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = ctx.user_id()?;
    // Dev mode allows digest windows of seconds (for tests).
    let min_window_s = if ctx.config.dev_mode { 1 } else { tidings::schedule::digest::MIN_WINDOW_S };
    let prefs = prefs::parse_with(&body, min_window_s)?;
    store::preferences::put(&ctx.db()?, id, &prefs, now_ms()).await?;
    json(200, &prefs)
}
