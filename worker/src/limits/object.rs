//! `Limiter`: one SQLite-backed Durable Object per rate-limited key. One request takes one
//! from the key's counter and answers the decision; the counter is cached in the object and
//! written through to its SQLite, so it survives eviction and restarts.

use super::sql;
use crate::platform::now_ms;
use std::cell::Cell;
use tidings::limits::{take as take_one, Counter, Decision, RateLimit};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

#[durable_object]
pub struct Limiter {
    state: State,
    /// The counter as last written (a cache; the truth is in SQL).
    counter: Cell<Option<Counter>>,
}

impl DurableObject for Limiter {
    fn new(state: State, _env: Env) -> Self {
        Self { state, counter: Cell::new(None) }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let url = req.url()?;
        let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<u32>().ok());
        let (Some(max), Some(window)) = (param("max"), param("window")) else {
            return Response::error("max and window are required", 400);
        };
        let storage = self.state.storage().sql();
        let counter = match self.counter.get() {
            Some(c) => c,
            None => sql::load(&storage)?,
        };
        let (next, decision) = take_one(RateLimit { max, window }, counter, now_ms(), 1);
        if next != counter {
            sql::save(&storage, next)?;
        }
        self.counter.set(Some(next));
        Response::from_json(&decision)
    }
}

/// Asks `key`'s limiter for one request under `limit`.
pub async fn take(env: &Env, key: &str, limit: RateLimit) -> Result<Decision> {
    let stub = env.durable_object("LIMITER")?.id_from_name(key)?.get_stub()?;
    let url = format!("https://limiter/take?max={}&window={}", limit.max, limit.window);
    let mut answer = stub.fetch_with_str(&url).await?;
    if answer.status_code() != 200 {
        return Err(worker::Error::RustError(format!("limiter answered {}", answer.status_code())));
    }
    answer.json().await
}
