//! The `leases` table: work handed to the queue, until it finishes (see `tidings::jobs`).

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use serde_json::Value;
use tidings::jobs::Job;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// One lease as written: the work and its generation.
#[derive(Deserialize)]
pub struct Taken {
    pub id: String,
    pub gen: f64,
}

/// A lease the sweeper took over: the work, its generation and how often it failed.
#[derive(Deserialize)]
pub struct Due {
    pub id: String,
    pub job: String,
    pub gen: f64,
    pub runs: f64,
    pub sweeps: f64,
}

fn rows(jobs: &[Job]) -> Result<String, Fail> {
    let list: Vec<Value> = jobs
        .iter()
        .map(|j| Ok(serde_json::json!({"i": j.lease_id(), "k": j.kind(), "j": serde_json::to_string(j)?})))
        .collect::<Result<_, Fail>>()?;
    Ok(serde_json::to_string(&list)?)
}

const PUT: &str = "INSERT INTO leases (id, kind, job, gen, due_at, created_at)
  SELECT json_extract(value, '$.i'), json_extract(value, '$.k'), json_extract(value, '$.j'), 1, ?2, ?3
  FROM json_each(?1) WHERE {guard}
  ON CONFLICT (id) DO UPDATE SET job = excluded.job, gen = leases.gen + 1, runs = 0, sweeps = 0,
    due_at = excluded.due_at
  RETURNING id, gen";

/// Records `jobs` (or replaces their leases with a new generation), due at `due_at`: run it
/// in the same batch as the state change that hands the work out. Read the generations with
/// [`taken`].
pub fn put(db: &D1Database, jobs: &[Job], due_at: i64, now: i64) -> Result<D1PreparedStatement, Fail> {
    stmt(db, &PUT.replace("{guard}", "true"), &[text(&rows(jobs)?), num(due_at), num(now)])
}

/// [`put`], only while the bulk job is still `CREATED` with users to send to (the statement
/// before `store::bulk::start`'s update, in one batch).
pub fn put_for_bulk_start(
    db: &D1Database,
    job_id: &str,
    jobs: &[Job],
    due_at: i64,
    now: i64,
) -> Result<D1PreparedStatement, Fail> {
    let guard = "(SELECT status FROM bulk_jobs WHERE id = ?4) = 'CREATED'
      AND EXISTS (SELECT 1 FROM bulk_users WHERE job_id = ?4 AND status = 'PENDING')";
    stmt(db, &PUT.replace("{guard}", guard), &[text(&rows(jobs)?), num(due_at), num(now), text(job_id)])
}

/// The `(lease id, generation)` pairs a [`put`] statement wrote.
pub fn taken(result: &D1Result) -> Result<Vec<(String, u32)>, Fail> {
    Ok(result.results::<Taken>()?.into_iter().map(|t| (t.id, t.gen as u32)).collect())
}

/// A consumer starts a run of generation `gen`: the lease is extended to `due_at` and its runs
/// counted. `None` when the message is stale (a newer generation exists, or the work is done).
pub async fn claim(db: &D1Database, id: &str, gen: u32, due_at: i64) -> Result<Option<(u32, u32)>, Fail> {
    #[derive(Deserialize)]
    struct Row {
        runs: f64,
        sweeps: f64,
    }
    let row: Option<Row> = stmt(
        db,
        "UPDATE leases SET due_at = ?3, runs = runs + 1 WHERE id = ?1 AND gen = ?2 RETURNING runs, sweeps",
        &[text(id), num(i64::from(gen)), num(due_at)],
    )?
    .first(None)
    .await?;
    Ok(row.map(|r| (r.runs as u32, r.sweeps as u32)))
}

/// The work of generation `gen` is done. A lease that moved on to a newer generation (the job
/// re-enqueued itself) stays.
pub async fn finish(db: &D1Database, id: &str, gen: u32) -> Result<(), Fail> {
    stmt(db, "DELETE FROM leases WHERE id = ?1 AND gen = ?2", &[text(id), num(i64::from(gen))])?.run().await?;
    Ok(())
}

/// Takes over up to `limit` leases past due at `now`: each gets a new generation, one more
/// sweep, and a new due time, in one statement (two sweepers never take the same lease).
pub async fn take_due(db: &D1Database, now: i64, due_at: i64, limit: u32) -> Result<Vec<Due>, Fail> {
    Ok(stmt(
        db,
        "UPDATE leases SET gen = gen + 1, sweeps = sweeps + 1, due_at = ?2
         WHERE id IN (SELECT id FROM leases WHERE due_at <= ?1 ORDER BY due_at LIMIT ?3)
         RETURNING id, job, gen, runs, sweeps",
        &[num(now), num(due_at), num(i64::from(limit))],
    )?
    .all()
    .await?
    .results()?)
}

/// Removes leases whatever their generation (work known to be done by someone else).
pub async fn remove(db: &D1Database, ids: &[String]) -> Result<(), Fail> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_string(ids)?;
    stmt(db, "DELETE FROM leases WHERE id IN (SELECT value FROM json_each(?1))", &[text(&list)])?.run().await?;
    Ok(())
}
