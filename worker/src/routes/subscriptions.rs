//! `/users/{userId}/webpush` and `/users/{userId}/push-tokens`.

use crate::app::Ctx;
use crate::auth::Principal;
use crate::http::{self, json, no_content, Answer, Query};
use crate::platform::now_ms;
use crate::store;
use crate::store::users::VapidKey;
use tidings::notify::push;
use tidings::{users, ApiError};

/// Registers a subscription (or, with a subscription token, replaces the one it names) and
/// answers it with the `subscription_token` the service worker keeps for
/// `pushsubscriptionchange`. The subscription is bound to the VAPID key the browser names in
/// `applicationServerKey` (the current or the previous one), else to the current key.
pub async fn add_web_push(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = ctx.user_id()?;
    let parsed = users::parse_web_push(&body, &ctx.config.push_hosts, ctx.config.vapid_public_keys())?;
    let (sub, old_endpoint) = (parsed.token, parsed.old_endpoint);
    let key = VapidKey { current: &ctx.config.vapid_public_key, named: parsed.vapid_key.as_deref() };
    let db = ctx.db()?;
    let created = match (&ctx.principal, old_endpoint) {
        (Principal::Subscription { endpoint, .. }, Some(old)) if *endpoint == old => {
            store::users::replace_web_push(&db, id, &old, &sub, key, now_ms()).await?;
            true
        }
        (Principal::Subscription { .. }, _) => {
            return Err(ApiError::Forbidden.into());
        }
        (_, Some(old)) => {
            store::users::replace_web_push(&db, id, &old, &sub, key, now_ms()).await?;
            true
        }
        (_, None) => store::users::put_web_push(&db, id, &sub, key, now_ms()).await?,
    };
    let token = push::subscription_token(&ctx.config.secret_key, id, &sub.sub.endpoint);
    let mut answer = serde_json::to_value(&sub).map_err(|_| ApiError::Internal)?;
    answer["subscription_token"] = token.into();
    json(if created { 201 } else { 200 }, &answer)
}

pub async fn remove_web_push(ctx: Ctx) -> Answer {
    let id = ctx.user_id()?;
    let query = Query::of(&ctx.req)?;
    let endpoint = query.require("endpoint")?;
    if !store::users::remove_web_push(&ctx.db()?, id, endpoint).await? {
        return Err(ApiError::NotFound { resource: "web push subscription", id: endpoint.to_owned() }.into());
    }
    no_content()
}

pub async fn add_push_token(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = ctx.user_id()?;
    let token = users::parse_push_token(&body)?;
    let created = store::users::put_push_token(&ctx.db()?, id, &token, now_ms()).await?;
    json(if created { 201 } else { 200 }, &token)
}

pub async fn remove_push_token(ctx: Ctx) -> Answer {
    let id = ctx.user_id()?;
    let query = Query::of(&ctx.req)?;
    let token = query.require("token")?;
    if !store::users::remove_push_token(&ctx.db()?, id, token).await? {
        return Err(ApiError::NotFound { resource: "push token", id: token.to_owned() }.into());
    }
    no_content()
}
