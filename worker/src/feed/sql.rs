//! The feed object's own SQLite: deliveries (with the columns filters and counts need) and the
//! realtime event log. Every statement of the object lives here.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use tidings::limits::Counter;
use tidings::model::{ArchivedFilter, Delivery, DeliveryFilter, FeedEvent, FeedMeta};
use worker::{Result, SqlStorage, SqlStorageValue};

/// Events kept for replay to reconnecting clients.
const EVENT_LOG: i64 = 1000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  channel_type TEXT NOT NULL,
  status TEXT NOT NULL,
  topic TEXT,
  seen INTEGER NOT NULL,
  read INTEGER NOT NULL,
  archived INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_counted ON deliveries (archived, channel_type, status);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS owner (user_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS send_limit (id INTEGER PRIMARY KEY CHECK (id = 1), window_start_ms INTEGER NOT NULL, count INTEGER NOT NULL);
";

/// The counting rule of `FeedMeta` (kept equal to `tidings::feed::state::counted`).
const COUNTED: &str =
    "channel_type = 'in_app' AND status NOT IN ('skipped', 'failed', 'scheduled', 'canceled') AND archived = 0";

pub struct FeedSql(SqlStorage);

/// A delivery's insertion sequence and its stored JSON.
pub type Stored = (i64, Box<RawValue>);

#[derive(Deserialize)]
struct BodyRow {
    seq: f64,
    body: String,
}

#[derive(Deserialize)]
struct CountRow {
    total: f64,
    unread: f64,
    unseen: f64,
}

#[derive(Deserialize)]
struct CounterRow {
    window_start_ms: f64,
    count: f64,
}

#[derive(Deserialize)]
struct SeqRow {
    seq: f64,
}

fn flag(v: &Option<String>) -> SqlStorageValue {
    SqlStorageValue::Integer(i64::from(v.is_some()))
}

fn parse(rows: Vec<BodyRow>) -> Result<Vec<(i64, Delivery)>> {
    rows.into_iter()
        .map(|r| {
            Ok((r.seq as i64, serde_json::from_str(&r.body).map_err(|e| worker::Error::RustError(e.to_string()))?))
        })
        .collect()
}

/// `WHERE` conditions and their bindings for a filter.
fn conditions(f: &DeliveryFilter) -> (Vec<&'static str>, Vec<SqlStorageValue>) {
    let mut sql = Vec::new();
    let mut args: Vec<SqlStorageValue> = Vec::new();
    if let Some(s) = f.status {
        sql.push("status = ?");
        args.push(s.as_str().into());
    }
    if let Some(c) = f.channel_type {
        sql.push("channel_type = ?");
        args.push(c.as_str().into());
    }
    if let Some(t) = &f.topic {
        sql.push("topic = ?");
        args.push(t.as_str().into());
    }
    if let Some(r) = f.read {
        sql.push("read = ?");
        args.push(i64::from(r).into());
    }
    if let Some(s) = f.seen {
        sql.push("seen = ?");
        args.push(i64::from(s).into());
    }
    match f.archived {
        ArchivedFilter::Exclude => sql.push("archived = 0"),
        ArchivedFilter::Only => sql.push("archived = 1"),
        ArchivedFilter::Include => {}
    }
    (sql, args)
}

fn where_clause(conds: &[&str]) -> String {
    if conds.is_empty() {
        "1".to_owned()
    } else {
        conds.join(" AND ")
    }
}

impl FeedSql {
    pub fn new(sql: SqlStorage) -> Self {
        FeedSql(sql)
    }

    /// Creates the tables if this object has none yet.
    pub fn create_schema(&self) -> Result<()> {
        self.0.exec(SCHEMA, None)?;
        Ok(())
    }

    /// Creates the schedule's tables (not on the socket path: a new socket waits for nothing
    /// it does not use).
    pub fn create_schedule_schema(&self) -> Result<()> {
        self.0.exec(super::schedule_sql::SCHEDULE_SCHEMA, None)?;
        Ok(())
    }

    pub(super) fn sql(&self) -> &SqlStorage {
        &self.0
    }

    pub(super) fn query<T: DeserializeOwned>(&self, q: &str, args: Vec<SqlStorageValue>) -> Result<Vec<T>> {
        self.rows(q, args)
    }

    fn rows<T: DeserializeOwned>(&self, q: &str, args: Vec<SqlStorageValue>) -> Result<Vec<T>> {
        self.0.exec(q, Some(args))?.to_array()
    }

    pub fn owner(&self) -> Result<Option<String>> {
        #[derive(Deserialize)]
        struct Owner {
            user_id: String,
        }
        Ok(self.rows::<Owner>("SELECT user_id FROM owner LIMIT 1", vec![])?.pop().map(|o| o.user_id))
    }

    pub fn set_owner(&self, user_id: &str) -> Result<()> {
        if self.owner()?.is_none() {
            self.0.exec("INSERT INTO owner (user_id) VALUES (?)", Some(vec![user_id.into()]))?;
        }
        Ok(())
    }

    /// Stores a new delivery; false if one with this id exists.
    pub fn insert(&self, d: &Delivery) -> Result<bool> {
        let body = serde_json::to_string(d).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let cursor = self.0.exec(
            "INSERT INTO deliveries (id, channel_type, status, topic, seen, read, archived, body)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            Some(vec![
                d.id.as_str().into(),
                d.channel_type.as_str().into(),
                d.status.as_str().into(),
                d.topic.as_deref().map_or(SqlStorageValue::Null, Into::into),
                flag(&d.seen_at),
                flag(&d.read_at),
                flag(&d.archived_at),
                body.into(),
            ]),
        )?;
        Ok(cursor.rows_written() > 0)
    }

    /// The per-recipient send counter (`TIDINGS_RATE_LIMIT_RECIPIENT`).
    pub fn send_counter(&self) -> Result<Counter> {
        let rows: Vec<CounterRow> = self.rows("SELECT window_start_ms, count FROM send_limit WHERE id = 1", vec![])?;
        Ok(rows.first().map_or(Counter::default(), |r| Counter {
            window_start_ms: r.window_start_ms as i64,
            count: r.count as u32,
        }))
    }

    /// Stores the per-recipient send counter.
    pub fn set_send_counter(&self, c: Counter) -> Result<()> {
        self.0.exec(
            "INSERT INTO send_limit (id, window_start_ms, count) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET window_start_ms = excluded.window_start_ms, count = excluded.count",
            Some(vec![c.window_start_ms.into(), i64::from(c.count).into()]),
        )?;
        Ok(())
    }

    /// Writes a changed delivery back.
    pub fn save(&self, d: &Delivery) -> Result<()> {
        let body = serde_json::to_string(d).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.0.exec(
            "UPDATE deliveries SET status = ?, seen = ?, read = ?, archived = ?, body = ? WHERE id = ?",
            Some(vec![
                d.status.as_str().into(),
                flag(&d.seen_at),
                flag(&d.read_at),
                flag(&d.archived_at),
                body.into(),
                d.id.as_str().into(),
            ]),
        )?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Delivery>> {
        let rows = self.rows("SELECT seq, body FROM deliveries WHERE id = ?", vec![id.into()])?;
        Ok(parse(rows)?.pop().map(|(_, d)| d))
    }

    /// Up to `limit` deliveries matching `filter`, newest first, older than `after` — or, with
    /// `before`, the ones just newer than it — and whether more lie beyond them that way.
    pub fn page(
        &self,
        f: &DeliveryFilter,
        limit: u32,
        after: Option<i64>,
        before: Option<i64>,
    ) -> Result<(Vec<Stored>, bool)> {
        let (mut conds, mut args) = conditions(f);
        let ascending = before.is_some();
        if let Some(a) = after {
            conds.push("seq < ?");
            args.push(a.into());
        }
        if let Some(b) = before {
            conds.push("seq > ?");
            args.push(b.into());
        }
        args.push(i64::from(limit + 1).into());
        let order = if ascending { "ASC" } else { "DESC" };
        let q = format!("SELECT seq, body FROM deliveries WHERE {} ORDER BY seq {order} LIMIT ?", where_clause(&conds));
        // The stored JSON goes out as it is: a page never parses or re-serializes a delivery.
        let rows: Vec<BodyRow> = self.rows(&q, args)?;
        let mut rows: Vec<Stored> = rows
            .into_iter()
            .map(|r| {
                Ok((r.seq as i64, RawValue::from_string(r.body).map_err(|e| worker::Error::RustError(e.to_string()))?))
            })
            .collect::<Result<_>>()?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        if ascending {
            rows.reverse();
        }
        Ok((rows, more))
    }

    /// Whether a delivery matching `filter` lies beyond `seq` (newer if `newer`, else older).
    pub fn exists_beyond(&self, f: &DeliveryFilter, seq: i64, newer: bool) -> Result<bool> {
        let (mut conds, mut args) = conditions(f);
        conds.push(if newer { "seq > ?" } else { "seq < ?" });
        args.push(seq.into());
        let q = format!("SELECT seq FROM deliveries WHERE {} LIMIT 1", where_clause(&conds));
        Ok(!self.rows::<SeqRow>(&q, args)?.is_empty())
    }

    /// The deliveries a bulk action covers: `ids` if given, else those matching `filter`.
    pub fn select(&self, ids: Option<&[String]>, filter: &DeliveryFilter) -> Result<Vec<Delivery>> {
        let rows = match ids {
            Some(ids) => {
                let list = serde_json::to_string(ids).map_err(|e| worker::Error::RustError(e.to_string()))?;
                self.rows(
                    "SELECT seq, body FROM deliveries WHERE id IN (SELECT value FROM json_each(?))",
                    vec![list.into()],
                )?
            }
            None => {
                let (conds, args) = conditions(filter);
                self.rows(&format!("SELECT seq, body FROM deliveries WHERE {}", where_clause(&conds)), args)?
            }
        };
        Ok(parse(rows)?.into_iter().map(|(_, d)| d).collect())
    }

    /// The pending deliveries of a notification (not taken by their channel yet).
    pub fn pending_of(&self, notification_id: &str) -> Result<Vec<Delivery>> {
        let rows = self.rows(
            "SELECT seq, body FROM deliveries WHERE status = 'pending' AND json_extract(body, '$.notification_id') = ?",
            vec![notification_id.into()],
        )?;
        Ok(parse(rows)?.into_iter().map(|(_, d)| d).collect())
    }

    pub fn meta(&self) -> Result<FeedMeta> {
        let q = format!(
            "SELECT count(*) AS total, coalesce(sum(read = 0), 0) AS unread, coalesce(sum(seen = 0), 0) AS unseen
             FROM deliveries WHERE {COUNTED}"
        );
        let row = self.rows::<CountRow>(&q, vec![])?.pop();
        Ok(row.map_or(FeedMeta::default(), |r| FeedMeta {
            unread_count: r.unread as u64,
            unseen_count: r.unseen as u64,
            total_count: r.total as u64,
        }))
    }

    /// The last event's number (0 before any).
    pub fn last_seq(&self) -> Result<u64> {
        Ok(self
            .rows::<SeqRow>("SELECT coalesce(max(seq), 0) AS seq FROM events", vec![])?
            .pop()
            .map_or(0, |r| r.seq as u64))
    }

    /// The oldest event still kept (0 before any).
    pub fn first_seq(&self) -> Result<u64> {
        Ok(self
            .rows::<SeqRow>("SELECT coalesce(min(seq), 0) AS seq FROM events", vec![])?
            .pop()
            .map_or(0, |r| r.seq as u64))
    }

    /// Appends an event (its `seq` must be `last_seq() + 1`) and trims the log.
    pub fn append(&self, ev: &FeedEvent) -> Result<String> {
        let body = serde_json::to_string(ev).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let seq = ev.seq() as i64;
        self.0.exec("INSERT INTO events (seq, body) VALUES (?, ?)", Some(vec![seq.into(), body.as_str().into()]))?;
        self.0.exec("DELETE FROM events WHERE seq <= ?", Some(vec![(seq - EVENT_LOG).into()]))?;
        Ok(body)
    }

    /// Event bodies after `since`, oldest first.
    pub fn events_after(&self, since: u64) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Ev {
            body: String,
        }
        let rows: Vec<Ev> =
            self.rows("SELECT body FROM events WHERE seq > ? ORDER BY seq", vec![(since as i64).into()])?;
        Ok(rows.into_iter().map(|r| r.body).collect())
    }

    pub fn erase(&self) -> Result<()> {
        self.0.exec(
            "DELETE FROM deliveries; DELETE FROM events; DELETE FROM owner; DELETE FROM schedule;
             DELETE FROM dedupe; DELETE FROM throttle;",
            None,
        )?;
        Ok(())
    }
}
