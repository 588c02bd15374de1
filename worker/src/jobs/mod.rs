//! The `SEND` queue: work handed out with a lease (D1, `store::leases`), the consumer that
//! claims and runs it, and the sweeper that re-enqueues what lost its lease.
//!
//! Every piece of work is recorded before (or in the same transaction as) the state change
//! that hands it out, then enqueued with its lease generation. A consumer claims the lease
//! (stale generations are dropped unrun), runs the job, and finishes the lease. A job that
//! re-enqueues itself (a retry) takes a new generation. What this module does not know about
//! a kind of job is in `kinds.rs`, the one table of job kinds.

pub mod kinds;
pub mod sweeper;

use crate::config::Config;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use futures_util::future::join_all;
use std::collections::HashMap;
use tidings::jobs::{self, Job, Queued};
use worker::{console_error, D1PreparedStatement, Env, MessageBatch, MessageBuilder, MessageExt};

/// The statement that records `jobs`' leases, due `delay_s` from now plus a lease; run it in
/// the batch that hands the work out, then [`send`] with what it returned. Makes sure the
/// sweeper is armed first, so no lease is ever recorded without one.
pub async fn lease(env: &Env, jobs: &[Job], delay_s: u32) -> Result<D1PreparedStatement, Fail> {
    sweeper::arm(env).await;
    let now = now_ms();
    store::leases::put(&env.d1("DB")?, jobs, jobs::lease_due(now, delay_s, lease_seconds(env)), now)
}

/// Records `jobs`' leases and puts them on the queue `delay_s` seconds out (a retry, a job
/// handed out on its own).
pub async fn submit(env: &Env, jobs: &[Job], delay_s: u32) -> Result<(), Fail> {
    if jobs.is_empty() {
        return Ok(());
    }
    let result = lease(env, jobs, delay_s).await?.all().await?;
    send(env, jobs, &store::leases::taken(&result)?, delay_s).await
}

/// Puts on the queue those of `jobs` whose lease was `taken` `(lease id, generation)`.
pub async fn send(env: &Env, jobs: &[Job], taken: &[(String, u32)], delay_s: u32) -> Result<(), Fail> {
    let gens: HashMap<&str, u32> = taken.iter().map(|(id, gen)| (id.as_str(), *gen)).collect();
    let messages: Vec<Queued> = jobs
        .iter()
        .filter_map(|j| gens.get(j.lease_id().as_str()).map(|g| Queued { lease_gen: Some(*g), job: j.clone() }))
        .collect();
    enqueue(env, &messages, delay_s).await
}

/// Puts messages on the `SEND` queue, `delay_s` seconds out. They travel as JSON text: the
/// structured clone of a serde-wasm-bindgen value would turn JSON objects into `Map`s.
async fn enqueue(env: &Env, messages: &[Queued], delay_s: u32) -> Result<(), Fail> {
    let queue = env.queue("SEND")?;
    for chunk in messages.chunks(100) {
        let texts: Vec<_> = chunk
            .iter()
            .map(|j| Ok(MessageBuilder::new(serde_json::to_string(j)?).delay_seconds(delay_s).build()))
            .collect::<Result<_, Fail>>()?;
        queue.send_batch(texts).await?;
    }
    Ok(())
}

fn lease_seconds(env: &Env) -> u32 {
    Config::from_env(env).lease_seconds
}

/// Queue messages processed concurrently.
const MESSAGES_AT_ONCE: usize = 4;

pub async fn consume(batch: MessageBatch<String>, env: Env) {
    let messages = match batch.messages() {
        Ok(m) => m,
        Err(e) => {
            console_error!("queue batch did not parse: {e}");
            batch.retry_all();
            return;
        }
    };
    // Messages are independent: run a few at once (each is itself mostly waiting on I/O).
    for group in messages.chunks(MESSAGES_AT_ONCE) {
        join_all(group.iter().map(|message| async {
            let queued: Queued = match serde_json::from_str(message.body()) {
                Ok(q) => q,
                Err(e) => {
                    console_error!("dropping a queue message that is not a job: {e}");
                    message.ack();
                    return;
                }
            };
            match handle(&queued, &env).await {
                Ok(()) => message.ack(),
                Err(Fail(e)) => {
                    console_error!("{} job failed, will retry: {e}", queued.job.kind());
                    message.retry();
                }
            }
        }))
        .await;
    }
}

/// Claims the message's lease, runs (or dead-letters) the job, finishes the lease.
async fn handle(queued: &Queued, env: &Env) -> Result<(), Fail> {
    let job = &queued.job;
    let Some(gen) = queued.lease_gen else { return kinds::run(job, env).await };
    let db = env.d1("DB")?;
    let id = job.lease_id();
    let due = jobs::lease_due(now_ms(), 0, lease_seconds(env));
    let Some((runs, sweeps)) = store::leases::claim(&db, &id, gen, due).await? else {
        // A newer copy was sent (by a retry or the sweeper), or the work is done.
        return Ok(());
    };
    if jobs::exhausted(runs, sweeps) {
        console_error!("{id}: dead letter after {runs} runs and {sweeps} sweeps");
        kinds::dead_letter(job, env, runs).await?;
    } else {
        kinds::run(job, env).await?;
    }
    // A failure here leaves the lease: the sweeper runs the (finished, idempotent) job again.
    store::leases::finish(&db, &id, gen).await
}
