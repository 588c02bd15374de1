//! Bulk jobs (seed 004): one message to many users, each user's outcome kept and pageable.

use crate::json::parse_body;
use crate::model::Preferences;
use crate::notify::{self, Notification};
use crate::{validate, ApiError, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Most users one `POST /bulk/{job_id}` may add.
pub const MAX_USERS_PER_CALL: usize = 1000;
/// Users per fan-out queue message (and per page of `GET /bulk/{job_id}/users`).
pub const BATCH: usize = 100;

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    /// Accepting users.
    Created,
    /// Running: users are being sent to.
    Processing,
    /// Every user is `ENQUEUED` or `ERROR`.
    Completed,
    /// The job could not run.
    Error,
}

/// One user's state in a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// Added, not sent yet.
    Pending,
    /// Sent: the notification (`messageId`) and its deliveries exist.
    Enqueued,
    /// Not sent; `reason` says why.
    Error,
}

impl UserStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Pending => "PENDING",
            UserStatus::Enqueued => "ENQUEUED",
            UserStatus::Error => "ERROR",
        }
    }
}

/// `GET /bulk/{job_id}` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    /// The job.
    pub job: JobBody,
}

/// The job itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobBody {
    /// `{message}` as created.
    pub definition: Value,
    /// Where it stands.
    pub status: JobStatus,
    /// Users sent to.
    pub enqueued: u64,
    /// Users added.
    pub received: u64,
    /// Users in `ERROR`.
    pub failures: u64,
}

/// One entry of `GET /bulk/{job_id}/users`: the item as added, plus its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserEntry {
    /// The item as added (`to`, `data`, `preferences`, `profile`).
    #[serde(flatten)]
    pub item: Map<String, Value>,
    /// Its state.
    pub status: UserStatus,
    /// The notification sent to this user, once `ENQUEUED`.
    #[serde(rename = "messageId")]
    pub message_id: Option<String>,
    /// Why it is `ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GET /bulk/{job_id}/users` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    /// Up to [`BATCH`] users, in the order they were added.
    pub items: Vec<UserEntry>,
    /// The next page.
    pub paging: Paging,
}

/// Paging of a bulk user list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paging {
    /// Pass as `cursor` for the next page; `null` at the end.
    pub cursor: Option<String>,
    /// Whether there is a next page.
    pub more: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateInput {
    message: Value,
}

fn prefixed(e: ApiError, prefix: &str) -> ApiError {
    match e {
        ApiError::Validation(fields) => ApiError::Validation(
            fields
                .into_iter()
                .map(|f| FieldError {
                    field: format!("{prefix}{}", f.field),
                    message: format!("{prefix}{}", f.message),
                    ..f
                })
                .collect(),
        ),
        other => other,
    }
}

/// Parses `POST /bulk` `{message}`: the message as given and as validated.
pub fn parse_create(body: &[u8]) -> Result<(Value, Notification), ApiError> {
    let input: CreateInput = parse_body(body)?;
    if !input.message.is_object() {
        return Err(ApiError::field("message", "wrong_type", "message must be an object"));
    }
    let n = notify::parse_message(&input.message).map_err(|e| prefixed(e, "message."))?;
    Ok((input.message, n))
}

/// One item of `POST /bulk/{job_id}`, checked: kept even when invalid, as `ERROR` with a reason.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedItem {
    /// The item as sent.
    pub item: Value,
    /// Why it cannot be sent, if it cannot.
    pub error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersInput {
    users: Vec<Value>,
}

/// Parses `POST /bulk/{job_id}` `{users:[…]}` (1..=1000 items). Items that are not valid are
/// kept with their reason; the call itself fails only if its shape is wrong.
pub fn parse_users(body: &[u8], message: &Notification) -> Result<Vec<CheckedItem>, ApiError> {
    let input: UsersInput = parse_body(body)?;
    if input.users.is_empty() || input.users.len() > MAX_USERS_PER_CALL {
        return Err(ApiError::field(
            "users",
            "out_of_range",
            format!(
                "users must hold 1 to {MAX_USERS_PER_CALL} items per call (got {}); add more with further calls",
                input.users.len()
            ),
        ));
    }
    Ok(input
        .users
        .into_iter()
        .map(|item| {
            let error = recipient(message, &item).err();
            CheckedItem { item, error }
        })
        .collect())
}

/// What one item means: its user, the message with the item's `data` merged over the
/// message's, and the item's preference override. `Err` is the item's `ERROR` reason.
pub fn recipient(message: &Notification, item: &Value) -> Result<(String, Notification, Option<Preferences>), String> {
    let obj = item.as_object().ok_or("the item is not an object")?;
    if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "to" | "data" | "preferences" | "profile")) {
        return Err(format!("unknown field `{k}` (expected to, data, preferences, profile)"));
    }
    let user = obj.get("to").and_then(|t| t.get("user_id")).and_then(Value::as_str).ok_or("to.user_id is required")?;
    validate::id("to.user_id", user).map_err(|e| e.message)?;
    let mut n = message.clone();
    n.recipients = vec![user.to_owned()];
    if let Some(data) = obj.get("data") {
        let data = data.as_object().ok_or("data must be an object")?;
        if let Value::Object(merged) = &mut n.data {
            merged.extend(data.clone());
        }
        // Re-check the merged content with the message rules.
        let mut check = serde_json::json!({ "data": n.data });
        if let (Some(t), Value::Object(c)) = (&n.topic, &mut check) {
            c.insert("topic".into(), t.clone().into());
        }
        notify::parse_message(&check).map_err(|e| e.to_string())?;
    }
    let prefs = match obj.get("preferences") {
        None | Some(Value::Null) => None,
        Some(p) => Some(notify::prefs::parse(p.to_string().as_bytes()).map_err(|e| format!("preferences: {e}"))?),
    };
    Ok((user.to_owned(), n, prefs))
}

/// The id of the notification sent to the user at `seq` of job `job_id` (stable across
/// retries, so a re-run batch writes the same deliveries).
pub fn message_id(job_id: &str, seq: i64) -> String {
    format!("ntf_{}_{seq}", job_id.trim_start_matches("bulk_"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message() -> Notification {
        parse_create(br#"{"message":{"data":{"subject":"Hello","body":"all"},"channels":["in_app"]}}"#).unwrap().1
    }

    #[test]
    fn create_names_message_fields() {
        let e = parse_create(br#"{"message":{"data":{}}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "message.data.subject"));
        let e = parse_create(br#"{"message":{"to":"x","data":{"subject":"s"}}}"#).unwrap_err();
        assert!(matches!(e, ApiError::Validation(f) if f[0].field == "message.to"));
        assert!(parse_create(br#"{"message":"hi"}"#).is_err());
    }

    #[test]
    fn items_are_checked_one_by_one() {
        let m = message();
        let users = json!({"users": [
            {"to": {"user_id": "ada"}, "data": {"body": "for Ada"}},
            {"to": {"user_id": "a/b"}},
            {"to": {}},
            {"to": {"user_id": "bob"}, "preferences": {"categories": {"x": {"status": "NOPE"}}}},
            "just a string"
        ]});
        let items = parse_users(users.to_string().as_bytes(), &m).unwrap();
        let errors: Vec<bool> = items.iter().map(|i| i.error.is_some()).collect();
        assert_eq!(errors, vec![false, true, true, true, true]);
        let (user, n, prefs) = recipient(&m, &items[0].item).unwrap();
        assert_eq!(user, "ada");
        assert_eq!(n.data, json!({"subject": "Hello", "body": "for Ada"}));
        assert!(prefs.is_none());
        let too_many = json!({"users": vec![json!({"to": {"user_id": "u"}}); 1001]});
        assert!(parse_users(too_many.to_string().as_bytes(), &m).is_err());
        assert!(parse_users(br#"{"users":[]}"#, &m).is_err());
    }

    #[test]
    fn message_ids_are_stable() {
        assert_eq!(message_id("bulk_01abc", 7), "ntf_01abc_7");
    }
}
