//! The `idempotency` table: `Idempotency-Key` records, kept 24 hours.

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use worker::D1Database;

/// How long a key is remembered.
pub const WINDOW_MS: i64 = 24 * 3600 * 1000;

/// What a key already holds.
pub enum Record {
    /// The stored plan is this request's (new, or a repeat whose first run did not finish):
    /// carry it out (idempotently) and call [`finish`].
    Run(String),
    /// A finished repeat: answer with the stored response.
    Replay(String),
    /// The key was used with a different body.
    Mismatch,
}

#[derive(Deserialize)]
struct Row {
    fingerprint: String,
    response: String,
    done: f64,
}

/// Claims `key` for a request with `fingerprint` and planned answer `response`.
pub async fn begin(db: &D1Database, key: &str, fingerprint: &str, response: &str, now: i64) -> Result<Record, Fail> {
    let results = db
        .batch(vec![
            stmt(
                db,
                "INSERT INTO idempotency (key, fingerprint, response, done, created_at) VALUES (?1, ?2, ?3, 0, ?4)
                 ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, response = excluded.response,
                   done = 0, created_at = excluded.created_at
                 WHERE idempotency.created_at < ?5",
                &[text(key), text(fingerprint), text(response), num(now), num(now - WINDOW_MS)],
            )?,
            stmt(db, "SELECT fingerprint, response, done FROM idempotency WHERE key = ?1", &[text(key)])?,
        ])
        .await?;
    let row: Option<Row> = results.last().map(|r| r.results::<Row>()).transpose()?.and_then(|mut v| v.pop());
    let Some(row) = row else {
        return Err(worker::Error::RustError("idempotency record missing".into()).into());
    };
    Ok(if row.fingerprint != fingerprint {
        Record::Mismatch
    } else if row.done > 0.0 {
        Record::Replay(row.response)
    } else {
        Record::Run(row.response)
    })
}

/// Marks the key's request as carried out, with the answer repeats get (the plan, with what
/// the send changed in it: deliveries skipped by the recipient's rate limit).
pub async fn finish(db: &D1Database, key: &str, response: &str) -> Result<(), Fail> {
    stmt(db, "UPDATE idempotency SET done = 1, response = ?2 WHERE key = ?1", &[text(key), text(response)])?
        .run()
        .await?;
    Ok(())
}
