//! Mobile push tokens as the sender needs them: the valid ones of some users, pruning a dead
//! one and marking one invalid (each only while it is still that user's token).

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use std::collections::HashMap;
use tidings::model::PushToken;
use worker::D1Database;

/// The valid push tokens of each of `user_ids` (users without one are absent), oldest first.
pub async fn valid_for(db: &D1Database, user_ids: &[String]) -> Result<HashMap<String, Vec<PushToken>>, Fail> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
        body: String,
    }
    let rows: Vec<Row> = stmt(
        db,
        "SELECT user_id, body FROM push_tokens WHERE user_id IN (SELECT value FROM json_each(?1))
           AND invalid_at IS NULL ORDER BY created_at, token",
        &[text(&serde_json::to_string(user_ids)?)],
    )?
    .all()
    .await?
    .results()?;
    let mut out: HashMap<String, Vec<PushToken>> = HashMap::new();
    for r in rows {
        out.entry(r.user_id).or_default().push(serde_json::from_str(&r.body)?);
    }
    Ok(out)
}

/// Prunes a token its provider called dead, if it is still this user's.
pub async fn prune(db: &D1Database, user_id: &str, token: &str) -> Result<(), Fail> {
    stmt(db, "DELETE FROM push_tokens WHERE user_id = ?1 AND token = ?2", &[text(user_id), text(token)])?.run().await?;
    Ok(())
}

/// Marks a token invalid (refused for our credentials), if it is still this user's.
pub async fn invalidate(db: &D1Database, user_id: &str, token: &str, now: i64) -> Result<(), Fail> {
    stmt(
        db,
        "UPDATE push_tokens SET invalid_at = ?3 WHERE user_id = ?1 AND token = ?2",
        &[text(user_id), text(token), num(now)],
    )?
    .run()
    .await?;
    Ok(())
}
