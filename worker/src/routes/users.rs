//! `/users` and `/users/{userId}`.

use crate::app::Ctx;
use crate::http::{self, json, Answer, Query};
use crate::platform::{new_id, now_ms};
use crate::store;
use serde_json::json;
use tidings::jobs::Job;
use tidings::model::{Pagination, UserPage};
use tidings::paging::TokenKind;
use tidings::{paging, users, ApiError};

pub async fn list(ctx: Ctx) -> Answer {
    let query = Query::of(&ctx.req)?;
    let size = paging::page_size(query.get("pageSize"))?;
    let token = query.get("pageToken").filter(|t| !t.is_empty());
    let after = token.map(|t| paging::decode_token(TokenKind::Users, "pageToken", t)).transpose()?.unwrap_or(0);
    let mut rows = store::users::list(&ctx.db()?, after, size + 1).await?;
    let next = if rows.len() > size as usize {
        rows.truncate(size as usize);
        rows.last().map(|(pk, _)| paging::encode_token(TokenKind::Users, *pk))
    } else {
        None
    };
    let page = UserPage {
        users: rows.into_iter().map(|(_, u)| u.into_user(true)).collect(),
        pagination: Pagination { this: token.map(str::to_owned), next },
    };
    json(200, &page)
}

pub async fn get(ctx: Ctx) -> Answer {
    let id = ctx.user_id()?;
    match store::users::find(&ctx.db()?, id).await? {
        Some(user) => json(200, &user.into_user(ctx.principal.is_admin())),
        None => json(200, &users::implicit_user(id)),
    }
}

pub async fn put(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let change = users::parse_put(ctx.param(), &body, &ctx.config.push_hosts)?;
    let (user, created) =
        store::users::apply(&ctx.db()?, &change, now_ms(), false, &ctx.config.vapid_public_key).await?;
    json(if created { 201 } else { 200 }, &user.into_user(true))
}

pub async fn create(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let change = users::parse_create(&body, new_id("usr"), &ctx.config.push_hosts)?;
    let (user, _) = store::users::apply(&ctx.db()?, &change, now_ms(), true, &ctx.config.vapid_public_key).await?;
    json(201, &user.into_user(true))
}

pub async fn delete(ctx: Ctx) -> Answer {
    let id = ctx.user_id()?;
    let db = ctx.db()?;
    if !store::users::exists(&db, id).await? {
        return Err(ApiError::NotFound { resource: "user", id: id.to_owned() }.into());
    }
    let operation_id = new_id("op");
    let jobs = [Job::DeleteUser { operation_id: operation_id.clone(), user_id: id.to_owned() }];
    // The operation and the cascade's lease in one transaction, then the queue message.
    let results = db
        .batch(vec![
            store::operations::create(&db, &operation_id, "user.delete", id, now_ms())?,
            crate::jobs::lease(&ctx.env, &jobs, 0).await?,
        ])
        .await?;
    let taken = results.last().map(store::leases::taken).transpose()?.unwrap_or_default();
    crate::jobs::send(&ctx.env, &jobs, &taken, 0).await?;
    json(202, &json!({ "resourceId": operation_id, "resourceLocation": format!("/operations/{operation_id}") }))
}
