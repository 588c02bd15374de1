//! Tidings at the edge: workers-rs glue around the `tidings` core.
//!
//! `fetch` answers the HTTP API (routes/), `queue` runs background jobs (jobs/), `scheduled`
//! and the `Sweeper` object's alarm re-enqueue the ones that lost their lease; storage SQL
//! lives in store/ only.

mod app;
mod auth;
mod bulk;
mod channels;
mod config;
mod cors;
mod email;
mod feed;
mod http;
mod jobs;
mod limits;
mod mobile;
mod platform;
mod push;
mod routes;
mod send;
mod slack;
mod sms;
mod store;
mod webcrypto;
mod webhook;
mod zone;

use worker::{event, Context, Env, MessageBatch, Request, Response, Result, ScheduleContext, ScheduledEvent};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(app::handle(req, env, ctx).await)
}

#[event(queue)]
async fn queue(batch: MessageBatch<String>, env: Env, _ctx: Context) -> Result<()> {
    jobs::consume(batch, env).await;
    Ok(())
}

/// The cron trigger (production only: `wrangler dev` does not fire crons): a backstop for the
/// sweeper's alarm, which it also re-arms.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    jobs::sweeper::arm(&env).await;
    if let Err(e) = jobs::sweeper::sweep(&env).await {
        worker::console_error!("scheduled sweep failed: {}", e.0);
    }
}
