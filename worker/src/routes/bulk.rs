//! `/bulk…`: create a job with a message, add users while it is `CREATED`, run it once, read
//! its counters and each user's outcome.

use crate::app::Ctx;
use crate::http::{self, json, Answer, Query};
use crate::platform::{new_id, now_ms};
use crate::store;
use serde_json::json;
use tidings::bulk::{self, JobStatus, JobView, Paging, UserPage, UserStatus};
use tidings::jobs::Job;
use tidings::paging::TokenKind;
use tidings::{notify, paging, ApiError};

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound { resource: "bulk job", id: id.to_owned() }
}

pub async fn create(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let (message, _) = bulk::parse_create(&body)?;
    let id = new_id("bulk");
    store::bulk::create(&ctx.db()?, &id, &json!({ "message": message }), now_ms()).await?;
    json(201, &json!({ "jobId": id }))
}

pub async fn add_users(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = ctx.param().to_owned();
    let db = ctx.db()?;
    let (job, _) = store::bulk::get(&db, &id).await?.ok_or_else(|| not_found(&id))?;
    if job.status != JobStatus::Created {
        return Err(running(&id).into());
    }
    let message = notify::parse_message(&job.definition["message"])?;
    let items = bulk::parse_users(&body, &message)?;
    let rows: Vec<_> = items
        .into_iter()
        .map(|c| {
            let status = if c.error.is_some() { UserStatus::Error } else { UserStatus::Pending };
            (c.item.to_string(), status, c.error)
        })
        .collect();
    let added = store::bulk::add_users(&db, &id, &rows).await?;
    if added == 0 {
        return Err(running(&id).into());
    }
    let errors = rows.iter().filter(|r| r.1 == UserStatus::Error).count();
    json(200, &json!({ "jobId": id, "added": added, "errors": errors }))
}

fn running(id: &str) -> ApiError {
    ApiError::Conflict { field: "job_id", message: format!("bulk job {id} has already been run; create a new job") }
}

pub async fn run(ctx: Ctx) -> Answer {
    let id = ctx.param().to_owned();
    let db = ctx.db()?;
    let (_, last_seq) = store::bulk::get(&db, &id).await?.ok_or_else(|| not_found(&id))?;
    let batch = bulk::BATCH as i64;
    let jobs: Vec<Job> = (0..(last_seq + batch - 1) / batch)
        .map(|i| Job::BulkBatch { job_id: id.clone(), from: i * batch + 1, to: (i + 1) * batch, attempt: 0 })
        .collect();
    // The batches' leases are recorded in the transaction that starts the job.
    crate::jobs::sweeper::arm(&ctx.env).await;
    let now = now_ms();
    let due = tidings::jobs::lease_due(now, 0, ctx.config.lease_seconds);
    let Some(taken) = store::bulk::start(&db, &id, &jobs, due, now).await? else {
        return Err(running(&id).into());
    };
    crate::jobs::send(&ctx.env, &jobs, &taken, 0).await?;
    json(202, &json!({ "jobId": id, "status": "PROCESSING" }))
}

pub async fn get(ctx: Ctx) -> Answer {
    let id = ctx.param();
    let (job, _) = store::bulk::get(&ctx.db()?, id).await?.ok_or_else(|| not_found(id))?;
    json(200, &JobView { job })
}

pub async fn users(ctx: Ctx) -> Answer {
    let id = ctx.param();
    let query = Query::of(&ctx.req)?;
    let after = match query.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => paging::decode_token(TokenKind::BulkUsers, "cursor", c)?,
        None => 0,
    };
    let db = ctx.db()?;
    store::bulk::get(&db, id).await?.ok_or_else(|| not_found(id))?;
    let mut rows = store::bulk::users(&db, id, after, bulk::BATCH as u32 + 1).await?;
    let more = rows.len() > bulk::BATCH;
    rows.truncate(bulk::BATCH);
    let cursor = if more { rows.last().map(|(seq, _)| paging::encode_token(TokenKind::BulkUsers, *seq)) } else { None };
    json(200, &UserPage { items: rows.into_iter().map(|(_, u)| u).collect(), paging: Paging { cursor, more } })
}
