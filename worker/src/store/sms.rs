//! SMS state in D1: which delivery a Telnyx message id belongs to, and the numbers that opted
//! out (STOP) of SMS (read with the user: `store::users`' `sms_opted_out`).

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use worker::D1Database;

/// Remembers that Telnyx message `message_id` carries delivery `delivery_id` of `user_id`.
pub async fn remember(
    db: &D1Database,
    message_id: &str,
    delivery_id: &str,
    user_id: &str,
    now: i64,
) -> Result<(), Fail> {
    stmt(
        db,
        "INSERT OR IGNORE INTO sms_messages (provider_message_id, delivery_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        &[text(message_id), text(delivery_id), text(user_id), num(now)],
    )?
    .run()
    .await?;
    Ok(())
}

/// The `(user_id, delivery_id)` of Telnyx message `message_id`.
pub async fn delivery_of(db: &D1Database, message_id: &str) -> Result<Option<(String, String)>, Fail> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
        delivery_id: String,
    }
    let row: Option<Row> =
        stmt(db, "SELECT user_id, delivery_id FROM sms_messages WHERE provider_message_id = ?1", &[text(message_id)])?
            .first(None)
            .await?;
    Ok(row.map(|r| (r.user_id, r.delivery_id)))
}

/// Records that `number` opted out (`true`, STOP) or back in (`false`, START).
pub async fn set_opted_out(db: &D1Database, number: &str, opted_out: bool, now: i64) -> Result<(), Fail> {
    let statement = if opted_out {
        stmt(db, "INSERT OR IGNORE INTO sms_opt_outs (number, created_at) VALUES (?1, ?2)", &[text(number), num(now)])?
    } else {
        stmt(db, "DELETE FROM sms_opt_outs WHERE number = ?1", &[text(number)])?
    };
    statement.run().await?;
    Ok(())
}
