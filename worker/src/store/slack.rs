//! A user's Slack token marked invalid after Slack refused it (only while it is still the
//! token that was sent with; a new `slackToken` clears the mark, see `users::apply`).

use super::{num, stmt, text};
use crate::http::Fail;
use worker::D1Database;

/// Which member of `slackToken` was refused.
#[derive(Debug, Clone, Copy)]
pub enum Refused<'a> {
    /// `access_token` (the Web API said `invalid_auth`, `token_revoked`, ...).
    AccessToken(&'a str),
    /// `incoming_webhook.url` (the webhook said `invalid_token`, `no_service`, ...).
    Webhook(&'a str),
}

/// Marks the user's `slackToken` invalid, if `refused` is still part of it.
pub async fn invalidate(db: &D1Database, user_id: &str, refused: Refused<'_>, now: i64) -> Result<(), Fail> {
    let (path, value) = match refused {
        Refused::AccessToken(t) => ("$.slackToken.access_token", t),
        Refused::Webhook(u) => ("$.slackToken.incoming_webhook.url", u),
    };
    stmt(
        db,
        "UPDATE users SET slack_invalid_at = ?4 WHERE id = ?1 AND json_extract(profile, ?2) = ?3",
        &[text(user_id), text(path), text(value), num(now)],
    )?
    .run()
    .await?;
    Ok(())
}
