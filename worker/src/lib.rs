//! Tidings at the edge: workers-rs glue around the `tidings` core.
//!
//! `fetch` answers the HTTP API (routes/), `queue` runs background jobs (jobs.rs); storage SQL
//! lives in store/ only.

mod app;
mod auth;
mod bulk;
mod config;
mod cors;
mod feed;
mod http;
mod jobs;
mod limits;
mod mobile;
mod platform;
mod push;
mod routes;
mod send;
mod store;
mod webcrypto;

use worker::{event, Context, Env, MessageBatch, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(app::handle(req, env, ctx).await)
}

#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> Result<()> {
    jobs::consume(batch, env).await;
    Ok(())
}
