//! The user directory in D1: `users`, `push_tokens`, `webpush_subscriptions`.
//!
//! Each web push subscription remembers the VAPID public key it was made with (`vapid_key`):
//! the key the browser named when it registered, else, for a new row, the current key; a row
//! written again for the same endpoint keeps its key unless the browser names one (an endpoint
//! is one browser subscription, and a browser cannot change its key without a new endpoint).

use super::{changes, num, stmt, text, unique_violation};
use crate::http::Fail;
use serde::Deserialize;
use std::collections::HashMap;
use tidings::model::{Patch, PushToken, WebPushToken};
use tidings::users::{StoredUser, UserChange};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A user with its tokens, in one statement.
const SELECT_USER: &str = "SELECT u.pk, u.id, u.profile, u.created_at, u.updated_at, u.last_seen_at, u.online,
  u.email_suppression,
  u.slack_invalid_at,
  (SELECT json_group_array(json(body)) FROM
     (SELECT body FROM push_tokens WHERE user_id = u.id ORDER BY created_at, token)) AS push_tokens,
  (SELECT json_group_array(json(body)) FROM
     (SELECT body FROM webpush_subscriptions WHERE user_id = u.id ORDER BY created_at, endpoint)) AS web_push,
  (SELECT count(*) FROM webpush_subscriptions WHERE user_id = u.id AND invalid_at IS NULL) AS valid_web_push,
  (SELECT count(*) FROM push_tokens WHERE user_id = u.id AND invalid_at IS NULL) AS valid_push_tokens,
  EXISTS (SELECT 1 FROM sms_opt_outs WHERE number = json_extract(u.profile, '$.number')) AS sms_opted_out
FROM users u";

#[derive(Deserialize)]
struct Row {
    pk: f64,
    id: String,
    profile: String,
    created_at: f64,
    updated_at: f64,
    last_seen_at: Option<f64>,
    online: f64,
    slack_invalid_at: Option<f64>,
    push_tokens: String,
    web_push: String,
    valid_web_push: f64,
    valid_push_tokens: f64,
    email_suppression: Option<String>,
    sms_opted_out: f64,
}

impl Row {
    fn into_stored(self) -> Result<(i64, StoredUser), Fail> {
        Ok((
            self.pk as i64,
            StoredUser {
                id: self.id,
                profile: serde_json::from_str(&self.profile)?,
                push_tokens: serde_json::from_str(&self.push_tokens)?,
                web_push_tokens: serde_json::from_str(&self.web_push)?,
                valid_web_push: self.valid_web_push as usize,
                valid_push_tokens: self.valid_push_tokens as usize,
                created_ms: self.created_at as i64,
                updated_ms: self.updated_at as i64,
                last_seen_ms: self.last_seen_at.map(|v| v as i64),
                online: self.online > 0.0,
                email_suppression: self.email_suppression.as_deref().map(serde_json::from_str).transpose()?,
                sms_opted_out: self.sms_opted_out > 0.0,
                slack_token_invalid: self.slack_invalid_at.is_some(),
            },
        ))
    }
}

/// The user whose id, or else whose identity, is `key`.
pub async fn find(db: &D1Database, key: &str) -> Result<Option<StoredUser>, Fail> {
    let sql = format!("{SELECT_USER} WHERE u.id = ?1 OR u.identity = ?1 ORDER BY u.id = ?1 DESC LIMIT 1");
    let row: Option<Row> = stmt(db, &sql, &[text(key)])?.first(None).await?;
    row.map(|r| r.into_stored().map(|(_, u)| u)).transpose()
}

/// The user with this id (a send job's recipient).
pub async fn find_id(db: &D1Database, id: &str) -> Result<Option<StoredUser>, Fail> {
    let sql = format!("{SELECT_USER} WHERE u.id = ?1");
    let row: Option<Row> = stmt(db, &sql, &[text(id)])?.first(None).await?;
    row.map(|r| r.into_stored().map(|(_, u)| u)).transpose()
}

/// The stored users among `ids` (a send's recipients), by id.
pub async fn find_ids(db: &D1Database, ids: &[String]) -> Result<HashMap<String, StoredUser>, Fail> {
    let sql = format!("{SELECT_USER} WHERE u.id IN (SELECT value FROM json_each(?1))");
    let rows: Vec<Row> = stmt(db, &sql, &[text(&serde_json::to_string(ids)?)])?.all().await?.results()?;
    rows.into_iter().map(|r| r.into_stored().map(|(_, u)| (u.id.clone(), u))).collect()
}

/// Sets `emailSuppressionStatus` (`status`) on every user whose `email` is `address` (case
/// insensitive); their ids.
pub async fn suppress_email(
    db: &D1Database,
    address: &str,
    status: &serde_json::Value,
    now: i64,
) -> Result<Vec<String>, Fail> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let rows: Vec<Id> = stmt(
        db,
        "UPDATE users SET email_suppression = ?2, updated_at = ?3
         WHERE lower(json_extract(profile, '$.email')) = lower(?1) AND json_extract(profile, '$.email') IS NOT NULL
         RETURNING id",
        &[text(address), text(&status.to_string()), num(now)],
    )?
    .all()
    .await?
    .results()?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Whether a user with this id is stored.
pub async fn exists(db: &D1Database, id: &str) -> Result<bool, Fail> {
    let found: Option<f64> =
        stmt(db, "SELECT 1 AS one FROM users WHERE id = ?1", &[text(id)])?.first(Some("one")).await?;
    Ok(found.is_some())
}

/// Up to `limit` users after storage key `after`, in insertion order, with their keys.
pub async fn list(db: &D1Database, after: i64, limit: u32) -> Result<Vec<(i64, StoredUser)>, Fail> {
    let sql = format!("{SELECT_USER} WHERE u.pk > ?1 ORDER BY u.pk LIMIT ?2");
    let rows: Vec<Row> = stmt(db, &sql, &[num(after), num(i64::from(limit))])?.all().await?.results()?;
    rows.into_iter().map(Row::into_stored).collect()
}

/// Applies a validated change in one transaction and reads the user back.
/// `create_only` refuses an existing id (409); otherwise the user is created if missing.
/// Returns the user and whether it was created.
/// `vapid_key` is the current VAPID public key, which new subscriptions are bound to.
pub async fn apply(
    db: &D1Database,
    change: &UserChange,
    now: i64,
    create_only: bool,
    vapid_key: &str,
) -> Result<(StoredUser, bool), Fail> {
    let id = change.id.as_str();
    let insert = if create_only {
        "INSERT INTO users (id, created_at, updated_at) VALUES (?1, ?2, ?2)"
    } else {
        "INSERT INTO users (id, created_at, updated_at) VALUES (?1, ?2, ?2) ON CONFLICT (id) DO NOTHING"
    };
    let mut batch = vec![
        stmt(db, insert, &[text(id), num(now)])?,
        stmt(
            db,
            // Naming slackToken (a new one, or null) clears the mark Slack's refusal left.
            "UPDATE users SET profile = json_patch(json_patch(profile, ?2), ?3), updated_at = ?4,
               slack_invalid_at = CASE WHEN json_type(?2, '$.slackToken') IS NULL THEN slack_invalid_at END
             WHERE id = ?1",
            &[text(id), text(&change.profile_clear.to_string()), text(&change.profile_set.to_string()), num(now)],
        )?,
    ];
    match &change.push_tokens {
        Patch::Absent => {}
        Patch::Null => batch.push(stmt(db, "DELETE FROM push_tokens WHERE user_id = ?1", &[text(id)])?),
        Patch::Value(tokens) => {
            for t in tokens {
                batch.push(upsert_push_token(db, id, t, now)?);
            }
        }
    }
    match &change.web_push_tokens {
        Patch::Absent => {}
        Patch::Null => batch.push(stmt(db, "DELETE FROM webpush_subscriptions WHERE user_id = ?1", &[text(id)])?),
        Patch::Value(subs) => {
            for s in subs {
                batch.push(upsert_web_push(db, id, s, VapidKey::current(vapid_key), now)?);
            }
        }
    }
    batch.push(stmt(db, &format!("{SELECT_USER} WHERE u.id = ?1"), &[text(id)])?);
    // "users.identity" contains "users.id": test for the identity first.
    let results = db.batch(batch).await.map_err(|e| {
        if e.to_string().contains("identity") {
            unique_violation(e, "identity", "identity", "this identity belongs to another user".into())
        } else {
            unique_violation(e, "users.id", "id", format!("a user with id {id} already exists"))
        }
    })?;
    let created = results.first().map(changes).unwrap_or(0) == 1;
    let row: Row = results
        .last()
        .and_then(|r| r.results::<Row>().ok())
        .and_then(|mut rows| rows.pop())
        .ok_or_else(|| Fail::from(worker::Error::RustError("user missing after write".into())))?;
    Ok((row.into_stored()?.1, created))
}

fn upsert_push_token(db: &D1Database, user_id: &str, t: &PushToken, now: i64) -> Result<D1PreparedStatement, Fail> {
    stmt(
        db,
        "INSERT INTO push_tokens (token, user_id, body, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, body = excluded.body, invalid_at = NULL",
        &[text(&t.token), text(user_id), text(&serde_json::to_string(t)?), num(now)],
    )
}

/// The VAPID key a subscription is written with (see the module doc).
#[derive(Debug, Clone, Copy)]
pub struct VapidKey<'a> {
    /// The current key: a new row's key when the browser named none.
    pub current: &'a str,
    /// The key the browser named (validated: the current or the previous one).
    pub named: Option<&'a str>,
}

impl<'a> VapidKey<'a> {
    /// No key named: new rows get `current`, existing rows keep theirs.
    pub fn current(current: &'a str) -> Self {
        VapidKey { current, named: None }
    }
}

fn upsert_web_push(
    db: &D1Database,
    user_id: &str,
    s: &WebPushToken,
    key: VapidKey,
    now: i64,
) -> Result<D1PreparedStatement, Fail> {
    stmt(
        db,
        "INSERT INTO webpush_subscriptions (endpoint, user_id, body, created_at, updated_at, vapid_key)
           VALUES (?1, ?2, ?3, ?4, ?4, COALESCE(?6, ?5))
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, body = excluded.body,
           invalid_at = NULL, updated_at = excluded.updated_at,
           vapid_key = COALESCE(?6, webpush_subscriptions.vapid_key, ?5)",
        &[
            text(&s.sub.endpoint),
            text(user_id),
            text(&serde_json::to_string(s)?),
            num(now),
            text(key.current),
            key.named.map(text).unwrap_or(JsValue::NULL),
        ],
    )
}

/// Runs `owner_query` (which must select `user_id` of the keyed row), then `write`, creating the
/// user if needed, in one transaction. True when the key was not this user's before.
async fn put_keyed(
    db: &D1Database,
    user_id: &str,
    owner_query: &str,
    key: &str,
    write: D1PreparedStatement,
    now: i64,
) -> Result<bool, Fail> {
    let results = db
        .batch(vec![
            stmt(db, owner_query, &[text(key)])?,
            stmt(
                db,
                "INSERT INTO users (id, created_at, updated_at) VALUES (?1, ?2, ?2) ON CONFLICT (id) DO NOTHING",
                &[text(user_id), num(now)],
            )?,
            write,
        ])
        .await?;
    #[derive(Deserialize)]
    struct Owner {
        user_id: String,
    }
    let before: Vec<Owner> = results.first().map(|r| r.results()).transpose()?.unwrap_or_default();
    Ok(before.first().is_none_or(|o| o.user_id != user_id))
}

/// Stores a web push subscription for the user; true when it is new for them.
pub async fn put_web_push(
    db: &D1Database,
    user_id: &str,
    s: &WebPushToken,
    key: VapidKey<'_>,
    now: i64,
) -> Result<bool, Fail> {
    let write = upsert_web_push(db, user_id, s, key, now)?;
    put_keyed(db, user_id, "SELECT user_id FROM webpush_subscriptions WHERE endpoint = ?1", &s.sub.endpoint, write, now)
        .await
}

/// Stores a push token for the user; true when it is new for them.
pub async fn put_push_token(db: &D1Database, user_id: &str, t: &PushToken, now: i64) -> Result<bool, Fail> {
    let write = upsert_push_token(db, user_id, t, now)?;
    put_keyed(db, user_id, "SELECT user_id FROM push_tokens WHERE token = ?1", &t.token, write, now).await
}

async fn remove(db: &D1Database, sql: &str, user_id: &str, key: &str) -> Result<bool, Fail> {
    let result = stmt(db, sql, &[text(user_id), text(key)])?.run().await?;
    Ok(changes(&result) > 0)
}

/// Removes the user's subscription with this endpoint; false when there was none.
pub async fn remove_web_push(db: &D1Database, user_id: &str, endpoint: &str) -> Result<bool, Fail> {
    remove(db, "DELETE FROM webpush_subscriptions WHERE user_id = ?1 AND endpoint = ?2", user_id, endpoint).await
}

/// Removes the user's push token; false when there was none.
pub async fn remove_push_token(db: &D1Database, user_id: &str, token: &str) -> Result<bool, Fail> {
    remove(db, "DELETE FROM push_tokens WHERE user_id = ?1 AND token = ?2", user_id, token).await
}

/// The statements that remove a user and everything stored for it.
pub fn delete_all(db: &D1Database, user_id: &str) -> Result<Vec<D1PreparedStatement>, Fail> {
    let id: [JsValue; 1] = [text(user_id)];
    Ok(vec![
        stmt(db, "DELETE FROM push_tokens WHERE user_id = ?1", &id)?,
        stmt(db, "DELETE FROM webpush_subscriptions WHERE user_id = ?1", &id)?,
        stmt(db, "DELETE FROM preferences WHERE user_id = ?1", &id)?,
        stmt(db, "DELETE FROM sms_messages WHERE user_id = ?1", &id)?,
        stmt(db, "DELETE FROM users WHERE id = ?1", &id)?,
    ])
}

/// Records whether the user has an open realtime connection (creating the user if needed).
pub async fn set_online(db: &D1Database, user_id: &str, online: bool, now: i64) -> Result<(), Fail> {
    stmt(
        db,
        "INSERT INTO users (id, created_at, updated_at, online) VALUES (?1, ?2, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET online = excluded.online",
        &[text(user_id), num(now), num(i64::from(online))],
    )?
    .run()
    .await?;
    Ok(())
}

/// Creates the users that do not exist yet (`POST /notifications` recipients).
pub fn ensure_all(db: &D1Database, user_ids: &[String], now: i64) -> Result<D1PreparedStatement, Fail> {
    stmt(
        db,
        "INSERT INTO users (id, created_at, updated_at) SELECT value, ?2, ?2 FROM json_each(?1) WHERE true
         ON CONFLICT (id) DO NOTHING",
        &[text(&serde_json::to_string(user_ids)?), num(now)],
    )
}

/// The user's web push subscriptions that the push service has not refused, each with the
/// VAPID public key it was made with (`None`: a row from before keys were recorded).
pub async fn valid_web_push(db: &D1Database, user_id: &str) -> Result<Vec<(WebPushToken, Option<String>)>, Fail> {
    #[derive(Deserialize)]
    struct Body {
        body: String,
        vapid_key: Option<String>,
    }
    let rows: Vec<Body> = stmt(
        db,
        "SELECT body, vapid_key FROM webpush_subscriptions WHERE user_id = ?1 AND invalid_at IS NULL
         ORDER BY created_at, endpoint",
        &[text(user_id)],
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter().map(|r| Ok((serde_json::from_str(&r.body)?, r.vapid_key))).collect()
}

/// Marks a subscription invalid (the push service refused our VAPID key for it).
pub async fn invalidate_web_push(db: &D1Database, user_id: &str, endpoint: &str, now: i64) -> Result<(), Fail> {
    stmt(
        db,
        "UPDATE webpush_subscriptions SET invalid_at = ?3 WHERE user_id = ?1 AND endpoint = ?2",
        &[text(user_id), text(endpoint), num(now)],
    )?
    .run()
    .await?;
    Ok(())
}

thread_local! {
    /// When this isolate last recorded each user's `lastSeenTime` (ms).
    static SEEN: std::cell::RefCell<std::collections::HashMap<String, i64>> = Default::default();
}

/// Records a request made with the user's token: `lastSeenTime`, at most once a minute per
/// user (skipped in this isolate within the minute, and refused by the WHERE across isolates).
pub async fn touch_last_seen(db: &D1Database, user_id: &str, now: i64) {
    const MINUTE: i64 = 60_000;
    let recent = SEEN.with(|s| s.borrow().get(user_id).is_some_and(|t| now - t < MINUTE));
    if recent {
        return;
    }
    SEEN.with(|s| s.borrow_mut().insert(user_id.to_owned(), now));
    let result = async {
        stmt(
            db,
            "INSERT INTO users (id, created_at, updated_at, last_seen_at) VALUES (?1, ?2, ?2, ?2)
             ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at
             WHERE users.last_seen_at IS NULL OR users.last_seen_at < ?3",
            &[text(user_id), num(now), num(now - MINUTE)],
        )?
        .run()
        .await?;
        Ok::<(), Fail>(())
    }
    .await;
    if let Err(Fail(e)) = result {
        worker::console_error!("lastSeenTime not recorded: {e}");
    }
}

/// Replaces `old` with `new` for the user (a `pushsubscriptionchange`), in one transaction.
pub async fn replace_web_push(
    db: &D1Database,
    user_id: &str,
    old: &str,
    new: &WebPushToken,
    key: VapidKey<'_>,
    now: i64,
) -> Result<(), Fail> {
    db.batch(vec![
        stmt(
            db,
            "DELETE FROM webpush_subscriptions WHERE user_id = ?1 AND endpoint = ?2",
            &[text(user_id), text(old)],
        )?,
        upsert_web_push(db, user_id, new, key, now)?,
    ])
    .await?;
    Ok(())
}

/// The `timezone` of each of `user_ids` that has one.
pub async fn timezones(
    db: &D1Database,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, String>, Fail> {
    #[derive(Deserialize)]
    struct Tz {
        id: String,
        tz: String,
    }
    let list = serde_json::to_string(user_ids)?;
    let rows: Vec<Tz> = stmt(
        db,
        "SELECT id, json_extract(profile, '$.timezone') AS tz FROM users
         WHERE id IN (SELECT value FROM json_each(?1)) AND json_extract(profile, '$.timezone') IS NOT NULL",
        &[text(&list)],
    )?
    .all()
    .await?
    .results()?;
    Ok(rows.into_iter().map(|r| (r.id, r.tz)).collect())
}
