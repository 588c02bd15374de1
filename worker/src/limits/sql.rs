//! The limiter object's SQLite: one row, its key's counter.

use serde::Deserialize;
use tidings::limits::Counter;
use worker::{Result, SqlStorage};

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), window_start_ms INTEGER NOT NULL, count INTEGER NOT NULL)";

#[derive(Deserialize)]
struct Row {
    window_start_ms: f64,
    count: f64,
}

/// The stored counter (a fresh one for a new key).
pub fn load(sql: &SqlStorage) -> Result<Counter> {
    sql.exec(SCHEMA, None)?;
    let rows: Vec<Row> = sql.exec("SELECT window_start_ms, count FROM counter WHERE id = 1", None)?.to_array()?;
    Ok(rows
        .first()
        .map_or(Counter::default(), |r| Counter { window_start_ms: r.window_start_ms as i64, count: r.count as u32 }))
}

/// Stores the counter.
pub fn save(sql: &SqlStorage, c: Counter) -> Result<()> {
    sql.exec(
        "INSERT INTO counter (id, window_start_ms, count) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET window_start_ms = excluded.window_start_ms, count = excluded.count",
        Some(vec![c.window_start_ms.into(), i64::from(c.count).into()]),
    )?;
    Ok(())
}
