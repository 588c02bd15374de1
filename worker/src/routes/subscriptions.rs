//! `/users/{userId}/webpush` and `/users/{userId}/push-tokens`.

use crate::app::Ctx;
use crate::http::{self, json, no_content, Answer, Query};
use crate::platform::now_ms;
use crate::store;
use tidings::{users, validate, ApiError};

fn user_id(ctx: &Ctx) -> Result<&str, ApiError> {
    let id = ctx.param();
    validate::id("userId", id).map_err(|e| ApiError::Validation(vec![e]))?;
    Ok(id)
}

pub async fn add_web_push(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = user_id(&ctx)?;
    let sub = users::parse_web_push(&body, ctx.config.dev_mode)?;
    let created = store::users::put_web_push(&ctx.db()?, id, &sub, now_ms()).await?;
    json(if created { 201 } else { 200 }, &sub)
}

pub async fn remove_web_push(ctx: Ctx) -> Answer {
    let id = user_id(&ctx)?;
    let query = Query::of(&ctx.req)?;
    let endpoint = query.require("endpoint")?;
    if !store::users::remove_web_push(&ctx.db()?, id, endpoint).await? {
        return Err(ApiError::NotFound { resource: "web push subscription", id: endpoint.to_owned() }.into());
    }
    no_content()
}

pub async fn add_push_token(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = user_id(&ctx)?;
    let token = users::parse_push_token(&body)?;
    let created = store::users::put_push_token(&ctx.db()?, id, &token, now_ms()).await?;
    json(if created { 201 } else { 200 }, &token)
}

pub async fn remove_push_token(ctx: Ctx) -> Answer {
    let id = user_id(&ctx)?;
    let query = Query::of(&ctx.req)?;
    let token = query.require("token")?;
    if !store::users::remove_push_token(&ctx.db()?, id, token).await? {
        return Err(ApiError::NotFound { resource: "push token", id: token.to_owned() }.into());
    }
    no_content()
}
