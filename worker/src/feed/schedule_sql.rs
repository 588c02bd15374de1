//! The feed object's schedule (deliveries held until `due_ms`: `send_at`, `deliver_at_local`,
//! quiet hours, digests; canceled ones stay here), and its dedupe keys and throttle logs.

use super::sql::FeedSql;
use serde::Deserialize;
use tidings::model::Delivery;
use worker::{Result, SqlStorageValue};

pub const SCHEDULE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS schedule (
  id TEXT PRIMARY KEY,
  notification_id TEXT NOT NULL,
  due_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  digest TEXT,
  send TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedule_due ON schedule (status, due_ms);
CREATE INDEX IF NOT EXISTS schedule_notification ON schedule (notification_id);
CREATE TABLE IF NOT EXISTS dedupe (key TEXT PRIMARY KEY, first_ms INTEGER NOT NULL, notification_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS throttle (key TEXT PRIMARY KEY, log TEXT NOT NULL);
";

/// A held delivery.
#[derive(Deserialize)]
pub struct Held {
    pub id: String,
    pub notification_id: String,
    pub due_ms: f64,
    pub digest: Option<String>,
    /// JSON `SendOptions`.
    pub send: String,
    pub body: String,
}

fn err(e: serde_json::Error) -> worker::Error {
    worker::Error::RustError(e.to_string())
}

impl Held {
    pub fn delivery(&self) -> Result<Delivery> {
        serde_json::from_str(&self.body).map_err(err)
    }
}

const HELD: &str = "SELECT id, notification_id, due_ms, digest, send, body FROM schedule";

impl FeedSql {
    /// Holds `d` until `due_ms`; false if a delivery with its id is held (or was) already.
    pub fn hold(&self, d: &Delivery, due_ms: i64, digest: Option<&str>, send: &str) -> Result<bool> {
        let body = serde_json::to_string(d).map_err(err)?;
        let cursor = self.sql().exec(
            "INSERT INTO schedule (id, notification_id, due_ms, status, digest, send, body)
             VALUES (?, ?, ?, 'scheduled', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            Some(vec![
                d.id.as_str().into(),
                d.notification_id.as_str().into(),
                due_ms.into(),
                digest.map_or(SqlStorageValue::Null, Into::into),
                send.into(),
                body.into(),
            ]),
        )?;
        Ok(cursor.rows_written() > 0)
    }

    /// A held or canceled delivery.
    pub fn held(&self, id: &str) -> Result<Option<Delivery>> {
        let rows: Vec<Held> = self.query(&format!("{HELD} WHERE id = ?"), vec![id.into()])?;
        rows.first().map(Held::delivery).transpose()
    }

    /// The end of the open window of `digest` (a held delivery of it due after `now_ms`).
    pub fn open_digest(&self, digest: &str, now_ms: i64) -> Result<Option<i64>> {
        Ok(self
            .query::<Held>(
                &format!("{HELD} WHERE status = 'scheduled' AND digest = ? AND due_ms > ? ORDER BY due_ms LIMIT 1"),
                vec![digest.into(), now_ms.into()],
            )?
            .first()
            .map(|h| h.due_ms as i64))
    }

    /// Held deliveries due at `now_ms`, soonest first.
    pub fn due(&self, now_ms: i64, limit: i64) -> Result<Vec<Held>> {
        self.query(
            &format!("{HELD} WHERE status = 'scheduled' AND due_ms <= ? ORDER BY due_ms, id LIMIT ?"),
            vec![now_ms.into(), limit.into()],
        )
    }

    /// When the next held delivery is due.
    pub fn next_due(&self) -> Result<Option<i64>> {
        Ok(self
            .query::<Held>(&format!("{HELD} WHERE status = 'scheduled' ORDER BY due_ms LIMIT 1"), vec![])?
            .first()
            .map(|h| h.due_ms as i64))
    }

    /// Whether anything of the notification is still held.
    pub fn holds_notification(&self, notification_id: &str) -> Result<bool> {
        Ok(!self
            .query::<Held>(
                &format!("{HELD} WHERE status = 'scheduled' AND notification_id = ? LIMIT 1"),
                vec![notification_id.into()],
            )?
            .is_empty())
    }

    /// A held delivery went out (it now lives in `deliveries`).
    pub fn release(&self, id: &str) -> Result<()> {
        self.sql().exec("DELETE FROM schedule WHERE id = ?", Some(vec![id.into()]))?;
        Ok(())
    }

    /// A held delivery waits longer (or was canceled: `status`).
    pub fn rehold(&self, d: &Delivery, due_ms: i64, status: &str) -> Result<()> {
        let body = serde_json::to_string(d).map_err(err)?;
        self.sql().exec(
            "UPDATE schedule SET due_ms = ?, status = ?, body = ? WHERE id = ?",
            Some(vec![due_ms.into(), status.into(), body.into(), d.id.as_str().into()]),
        )?;
        Ok(())
    }

    /// The held deliveries of a notification.
    pub fn held_of(&self, notification_id: &str) -> Result<Vec<Held>> {
        self.query(&format!("{HELD} WHERE status = 'scheduled' AND notification_id = ?"), vec![notification_id.into()])
    }

    /// When `key` was first sent (inside its window) and by which notification.
    pub fn dedupe(&self, key: &str) -> Result<Option<(i64, String)>> {
        #[derive(Deserialize)]
        struct Row {
            first_ms: f64,
            notification_id: String,
        }
        let rows: Vec<Row> =
            self.query("SELECT first_ms, notification_id FROM dedupe WHERE key = ?", vec![key.into()])?;
        Ok(rows.into_iter().next().map(|r| (r.first_ms as i64, r.notification_id)))
    }

    /// `key` opens a new window at `now_ms`, for `notification_id`.
    pub fn set_dedupe(&self, key: &str, now_ms: i64, notification_id: &str) -> Result<()> {
        self.sql().exec(
            "INSERT INTO dedupe (key, first_ms, notification_id) VALUES (?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET first_ms = excluded.first_ms, notification_id = excluded.notification_id",
            Some(vec![key.into(), now_ms.into(), notification_id.into()]),
        )?;
        Ok(())
    }

    /// The send times a throttle still counts for `key`.
    pub fn throttle_log(&self, key: &str) -> Result<Vec<i64>> {
        #[derive(Deserialize)]
        struct Row {
            log: String,
        }
        let rows: Vec<Row> = self.query("SELECT log FROM throttle WHERE key = ?", vec![key.into()])?;
        Ok(rows.first().map(|r| serde_json::from_str(&r.log).unwrap_or_default()).unwrap_or_default())
    }

    pub fn set_throttle_log(&self, key: &str, log: &[i64]) -> Result<()> {
        let log = serde_json::to_string(log).map_err(err)?;
        self.sql().exec(
            "INSERT INTO throttle (key, log) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET log = excluded.log",
            Some(vec![key.into(), log.into()]),
        )?;
        Ok(())
    }
}
