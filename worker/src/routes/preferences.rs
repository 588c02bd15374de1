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
    let prefs = prefs::parse(&body)?;
    store::preferences::put(&ctx.db()?, id, &prefs, now_ms()).await?;
    json(200, &prefs)
}
