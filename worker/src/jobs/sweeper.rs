//! The sweeper: re-enqueues work whose lease ran out (same job, same ids, a new lease
//! generation) and dead-letters work that keeps losing it.
//!
//! Two triggers run the same [`sweep`]. `Sweeper`, a Durable Object whose alarm fires every
//! `sweep_period_s(TIDINGS_LEASE_SECONDS)` for as long as it exists: an alarm is stored with
//! the object, so it fires again after the edge restarts, locally too (`wrangler dev` does
//! not fire cron triggers). It is armed before any lease is recorded. And the cron trigger of
//! `wrangler.toml` in production, a backstop that also re-arms the alarm.

use super::kinds;
use crate::config::Config;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use std::cell::Cell;
use tidings::jobs::{self, Job, Queued};
use worker::{console_error, durable_object, DurableObject, Env, Request, Response, Result, State};

/// Leases taken over per pass; a sweep makes a few passes.
const PER_PASS: u32 = 100;
const PASSES: usize = 10;

/// An isolate re-checks the alarm this often (it costs one Durable Object request).
const REARM_MS: i64 = 10 * 60 * 1000;

thread_local! {
    /// When this isolate last made sure the alarm is set (ms; 0: never).
    static ARMED: Cell<i64> = const { Cell::new(0) };
}

/// Makes sure the sweeper's alarm is set (once per isolate every ten minutes). A failure is
/// logged, not returned: the cron trigger re-arms it.
pub async fn arm(env: &Env) {
    let now = now_ms();
    if now - ARMED.with(Cell::get) < REARM_MS {
        return;
    }
    let result = async {
        let stub = env.durable_object("SWEEPER")?.id_from_name("sweeper")?.get_stub()?;
        stub.fetch_with_str("https://sweeper/arm").await
    }
    .await;
    match result {
        Ok(r) if r.status_code() < 300 => ARMED.with(|a| a.set(now)),
        Ok(r) => console_error!("arming the sweeper answered {}", r.status_code()),
        Err(e) => console_error!("arming the sweeper failed: {e}"),
    }
}

/// Re-enqueues the work past its lease; returns how many leases it took over.
pub async fn sweep(env: &Env) -> std::result::Result<usize, Fail> {
    let db = env.d1("DB")?;
    let lease_s = Config::from_env(env).lease_seconds;
    let mut total = 0;
    for _ in 0..PASSES {
        let now = now_ms();
        let due = store::leases::take_due(&db, now, jobs::lease_due(now, 0, lease_s), PER_PASS).await?;
        total += due.len();
        let mut resend = Vec::new();
        for d in &due {
            let gen = d.gen as u32;
            let job: Job = match serde_json::from_str(&d.job) {
                Ok(j) => j,
                Err(e) => {
                    console_error!("lease {} holds no job ({e}); dropped", d.id);
                    store::leases::finish(&db, &d.id, gen).await?;
                    continue;
                }
            };
            if jobs::exhausted(d.runs as u32, d.sweeps as u32) {
                console_error!("{}: dead letter after {} sweeps", d.id, d.sweeps);
                match kinds::dead_letter(&job, env, d.runs as u32).await {
                    Ok(()) => store::leases::finish(&db, &d.id, gen).await?,
                    // The lease stays: the next sweep tries the dead letter again.
                    Err(Fail(e)) => console_error!("dead letter of {} failed: {e}", d.id),
                }
            } else {
                resend.push(Queued { lease_gen: Some(gen), job });
            }
        }
        super::enqueue(env, &resend, 0).await?;
        if due.len() < PER_PASS as usize {
            break;
        }
    }
    Ok(total)
}

/// The one sweeper object (`id_from_name("sweeper")`).
#[durable_object]
pub struct Sweeper {
    state: State,
    env: Env,
}

impl DurableObject for Sweeper {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    /// Any request arms the alarm if it is not set.
    async fn fetch(&self, _req: Request) -> Result<Response> {
        if self.state.storage().get_alarm().await?.is_none() {
            self.schedule().await?;
        }
        Response::ok("armed")
    }

    /// Sets the next alarm first (so a failing sweep never stops the sweeper), then sweeps.
    async fn alarm(&self) -> Result<Response> {
        self.schedule().await?;
        match sweep(&self.env).await {
            Ok(n) if n > 0 => worker::console_log!("sweeper re-enqueued {n} leases"),
            Ok(_) => {}
            Err(Fail(e)) => console_error!("sweep failed: {e}"),
        }
        Response::ok("swept")
    }
}

impl Sweeper {
    async fn schedule(&self) -> Result<()> {
        let period_s = jobs::sweep_period_s(Config::from_env(&self.env).lease_seconds);
        self.state.storage().set_alarm(i64::from(period_s) * 1000).await
    }
}
