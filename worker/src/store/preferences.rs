//! The `preferences` table.

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use std::collections::HashMap;
use tidings::model::Preferences;
use worker::D1Database;

#[derive(Deserialize)]
struct Row {
    user_id: String,
    body: String,
}

pub async fn get(db: &D1Database, user_id: &str) -> Result<Option<Preferences>, Fail> {
    let row: Option<Row> =
        stmt(db, "SELECT user_id, body FROM preferences WHERE user_id = ?1", &[text(user_id)])?.first(None).await?;
    Ok(row.map(|r| serde_json::from_str(&r.body)).transpose()?)
}

pub async fn put(db: &D1Database, user_id: &str, prefs: &Preferences, now: i64) -> Result<(), Fail> {
    db.batch(vec![
        stmt(
            db,
            "INSERT INTO users (id, created_at, updated_at) VALUES (?1, ?2, ?2) ON CONFLICT (id) DO NOTHING",
            &[text(user_id), num(now)],
        )?,
        stmt(
            db,
            "INSERT INTO preferences (user_id, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            &[text(user_id), text(&serde_json::to_string(prefs)?), num(now)],
        )?,
    ])
    .await?;
    Ok(())
}

/// The preferences of every user in `user_ids` that has some.
pub async fn get_many(db: &D1Database, user_ids: &[String]) -> Result<HashMap<String, Preferences>, Fail> {
    let rows: Vec<Row> = stmt(
        db,
        "SELECT user_id, body FROM preferences WHERE user_id IN (SELECT value FROM json_each(?1))",
        &[text(&serde_json::to_string(user_ids)?)],
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter().map(|r| Ok((r.user_id, serde_json::from_str(&r.body)?))).collect()
}

/// A user's preferences and `timezone`, in one read (what a scheduled send needs when it is due).
pub async fn with_timezone(db: &D1Database, user_id: &str) -> Result<(Option<Preferences>, Option<String>), Fail> {
    #[derive(Deserialize)]
    struct Both {
        body: Option<String>,
        tz: Option<String>,
    }
    let row: Option<Both> = stmt(
        db,
        "SELECT (SELECT body FROM preferences WHERE user_id = ?1) AS body,
                (SELECT json_extract(profile, '$.timezone') FROM users WHERE id = ?1) AS tz",
        &[text(user_id)],
    )?
    .first(None)
    .await?;
    let Some(row) = row else { return Ok((None, None)) };
    Ok((row.body.map(|b| serde_json::from_str(&b)).transpose()?, row.tz))
}
