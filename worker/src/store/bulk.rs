//! The `bulk_jobs` and `bulk_users` tables.

use super::{changes, num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use serde_json::Value;
use tidings::bulk::{JobBody, JobStatus, UserEntry, UserStatus};
use tidings::jobs::Job;
use worker::D1Database;

pub async fn create(db: &D1Database, id: &str, definition: &Value, now: i64) -> Result<(), Fail> {
    stmt(
        db,
        "INSERT INTO bulk_jobs (id, definition, status, created_at, updated_at) VALUES (?1, ?2, 'CREATED', ?3, ?3)",
        &[text(id), text(&definition.to_string()), num(now)],
    )?
    .run()
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct JobRow {
    definition: String,
    status: JobStatus,
    received: f64,
    enqueued: f64,
    failures: f64,
    last_seq: f64,
}

/// The job with its counters, and the last user's sequence number.
pub async fn get(db: &D1Database, id: &str) -> Result<Option<(JobBody, i64)>, Fail> {
    let row: Option<JobRow> = stmt(
        db,
        "SELECT j.definition, j.status,
           (SELECT count(*) FROM bulk_users WHERE job_id = j.id) AS received,
           (SELECT count(*) FROM bulk_users WHERE job_id = j.id AND status = 'ENQUEUED') AS enqueued,
           (SELECT count(*) FROM bulk_users WHERE job_id = j.id AND status = 'ERROR') AS failures,
           (SELECT coalesce(max(seq), 0) FROM bulk_users WHERE job_id = j.id) AS last_seq
         FROM bulk_jobs j WHERE j.id = ?1",
        &[text(id)],
    )?
    .first(None)
    .await?;
    row.map(|r| {
        Ok((
            JobBody {
                definition: serde_json::from_str(&r.definition)?,
                status: r.status,
                enqueued: r.enqueued as u64,
                received: r.received as u64,
                failures: r.failures as u64,
            },
            r.last_seq as i64,
        ))
    })
    .transpose()
}

/// Appends users to a job that is still `CREATED`; `rows` are `(item JSON, status, reason)`.
/// Returns how many were added (0 if the job is no longer accepting users).
pub async fn add_users(
    db: &D1Database,
    id: &str,
    rows: &[(String, UserStatus, Option<String>)],
) -> Result<usize, Fail> {
    let list: Vec<Value> = rows
        .iter()
        .map(|(item, status, reason)| serde_json::json!({"i": item, "s": status.as_str(), "r": reason}))
        .collect();
    let result = stmt(
        db,
        "INSERT INTO bulk_users (job_id, seq, item, status, reason)
         SELECT ?1, (SELECT coalesce(max(seq), 0) FROM bulk_users WHERE job_id = ?1) + j.key + 1,
                json_extract(j.value, '$.i'), json_extract(j.value, '$.s'), json_extract(j.value, '$.r')
         FROM json_each(?2) AS j
         WHERE (SELECT status FROM bulk_jobs WHERE id = ?1) = 'CREATED'",
        &[text(id), text(&serde_json::to_string(&list)?)],
    )?
    .run()
    .await?;
    Ok(changes(&result))
}

/// Moves a `CREATED` job to `PROCESSING` (or straight to `COMPLETED` when it has no pending
/// user) and records the leases of its batches `jobs`, in one transaction. `None` if it was
/// not `CREATED`; else the leases taken `(id, generation)` (none when nothing is pending).
pub async fn start(
    db: &D1Database,
    id: &str,
    jobs: &[Job],
    due_at: i64,
    now: i64,
) -> Result<Option<Vec<(String, u32)>>, Fail> {
    let results = db
        .batch(vec![
            super::leases::put_for_bulk_start(db, id, jobs, due_at, now)?,
            stmt(
                db,
                "UPDATE bulk_jobs SET updated_at = ?2, status = CASE
                   WHEN EXISTS (SELECT 1 FROM bulk_users WHERE job_id = ?1 AND status = 'PENDING') THEN 'PROCESSING'
                   ELSE 'COMPLETED' END
                 WHERE id = ?1 AND status = 'CREATED'",
                &[text(id), num(now)],
            )?,
        ])
        .await?;
    if results.get(1).map(changes) != Some(1) {
        return Ok(None);
    }
    results.first().map(super::leases::taken).transpose().map(Option::unwrap_or_default).map(Some)
}

#[derive(Deserialize)]
struct ItemRow {
    seq: f64,
    item: String,
}

/// The still-pending users with `from <= seq <= to`.
pub async fn pending(db: &D1Database, id: &str, from: i64, to: i64) -> Result<Vec<(i64, Value)>, Fail> {
    let rows: Vec<ItemRow> = stmt(
        db,
        "SELECT seq, item FROM bulk_users WHERE job_id = ?1 AND seq BETWEEN ?2 AND ?3 AND status = 'PENDING' ORDER BY seq",
        &[text(id), num(from), num(to)],
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter().map(|r| Ok((r.seq as i64, serde_json::from_str(&r.item)?))).collect()
}

/// Records outcomes `(seq, status, message id, reason)` and completes the job when no user is
/// left pending, in one transaction.
pub async fn finish(
    db: &D1Database,
    id: &str,
    outcomes: &[(i64, UserStatus, Option<String>, Option<String>)],
    now: i64,
) -> Result<(), Fail> {
    let list: Vec<Value> = outcomes
        .iter()
        .map(|(seq, status, message, reason)| serde_json::json!({"q": seq, "s": status.as_str(), "m": message, "r": reason}))
        .collect();
    db.batch(vec![
        stmt(
            db,
            "UPDATE bulk_users SET status = r.s, message_id = r.m, reason = r.r
             FROM (SELECT json_extract(value, '$.q') AS q, json_extract(value, '$.s') AS s,
                          json_extract(value, '$.m') AS m, json_extract(value, '$.r') AS r FROM json_each(?2)) AS r
             WHERE bulk_users.job_id = ?1 AND bulk_users.seq = r.q AND bulk_users.status = 'PENDING'",
            &[text(id), text(&serde_json::to_string(&list)?)],
        )?,
        complete(db, id, now)?,
    ])
    .await?;
    Ok(())
}

/// The statement that completes the job once no user is left pending.
fn complete(db: &D1Database, id: &str, now: i64) -> Result<worker::D1PreparedStatement, Fail> {
    stmt(
        db,
        "UPDATE bulk_jobs SET status = 'COMPLETED', updated_at = ?2
         WHERE id = ?1 AND status = 'PROCESSING'
           AND NOT EXISTS (SELECT 1 FROM bulk_users WHERE job_id = ?1 AND status = 'PENDING')",
        &[text(id), num(now)],
    )
}

/// Dead letter of a batch: its users still pending with `from <= seq <= to` become `ERROR`
/// with `reason`, and the job completes when none is left pending, in one transaction.
pub async fn fail_pending(db: &D1Database, id: &str, from: i64, to: i64, reason: &str, now: i64) -> Result<(), Fail> {
    db.batch(vec![
        stmt(
            db,
            "UPDATE bulk_users SET status = 'ERROR', message_id = NULL, reason = ?4
             WHERE job_id = ?1 AND seq BETWEEN ?2 AND ?3 AND status = 'PENDING'",
            &[text(id), num(from), num(to), text(reason)],
        )?,
        complete(db, id, now)?,
    ])
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct UserRow {
    seq: f64,
    item: String,
    status: UserStatus,
    message_id: Option<String>,
    reason: Option<String>,
}

/// Up to `limit` users after `after` (a sequence number), in the order they were added.
pub async fn users(db: &D1Database, id: &str, after: i64, limit: u32) -> Result<Vec<(i64, UserEntry)>, Fail> {
    let rows: Vec<UserRow> = stmt(
        db,
        "SELECT seq, item, status, message_id, reason FROM bulk_users WHERE job_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        &[text(id), num(after), num(i64::from(limit))],
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter()
        .map(|r| {
            let item = match serde_json::from_str(&r.item)? {
                Value::Object(map) => map,
                other => serde_json::Map::from_iter([("item".to_owned(), other)]),
            };
            Ok((r.seq as i64, UserEntry { item, status: r.status, message_id: r.message_id, reason: r.reason }))
        })
        .collect()
}
