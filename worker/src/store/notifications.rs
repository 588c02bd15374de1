//! The `notification_recipients` table: who a notification with held deliveries was for.

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// Records the recipients of a notification (idempotent).
pub fn record(db: &D1Database, notification_id: &str, users: &[String], now: i64) -> Result<D1PreparedStatement, Fail> {
    stmt(
        db,
        "INSERT INTO notification_recipients (notification_id, user_id, created_at)
         SELECT ?1, value, ?3 FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING",
        &[text(notification_id), text(&serde_json::to_string(users)?), num(now)],
    )
}

/// The recorded recipients of a notification (none: unknown, or nothing of it was held).
pub async fn recipients(db: &D1Database, notification_id: &str) -> Result<Vec<String>, Fail> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
    }
    let rows: Vec<Row> = stmt(
        db,
        "SELECT user_id FROM notification_recipients WHERE notification_id = ?1 ORDER BY user_id",
        &[text(notification_id)],
    )?
    .all()
    .await?
    .results()?;
    Ok(rows.into_iter().map(|r| r.user_id).collect())
}
