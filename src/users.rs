//! The users API's logic: what a PUT/POST body means, and how a stored user reads back.

use crate::json::parse_body;
use crate::model::{Patch, Profile, PushToken, User, WebPushToken};
use crate::time::rfc3339;
use crate::validate::PushHosts;
use crate::{validate, ApiError, FieldError};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A `PUT /users/{id}` or `POST /users` body as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserInput {
    #[serde(default)]
    id: Patch<String>,
    #[serde(default)]
    email: Patch<String>,
    #[serde(default)]
    number: Patch<String>,
    #[serde(default)]
    timezone: Patch<String>,
    #[serde(default)]
    slack_channel: Patch<String>,
    #[serde(default)]
    slack_token: Patch<Map<String, Value>>,
    #[serde(default)]
    identity: Patch<String>,
    #[serde(default)]
    friendly_name: Patch<String>,
    #[serde(default)]
    attributes: Patch<Map<String, Value>>,
    #[serde(default)]
    push_tokens: Patch<Vec<PushToken>>,
    #[serde(default)]
    web_push_tokens: Patch<Vec<WebPushToken>>,
    // Read-only: accepted by the parser only to be refused by name.
    #[serde(default)]
    is_notifiable: Patch<Value>,
    #[serde(default)]
    is_online: Patch<Value>,
    #[serde(default)]
    last_seen_time: Patch<Value>,
    #[serde(default)]
    created_at: Patch<Value>,
    #[serde(default)]
    updated_at: Patch<Value>,
    #[serde(default)]
    email_suppression_status: Patch<Value>,
}

/// A validated change to one user: what storage must apply, atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct UserChange {
    /// The user's id.
    pub id: String,
    /// JSON merge patch (RFC 7396) that first clears every profile field the body names.
    pub profile_clear: Value,
    /// JSON merge patch that then sets the given non-null values, so objects are replaced whole.
    pub profile_set: Value,
    /// Push tokens: `Value` merges by token, `Null` removes all.
    pub push_tokens: Patch<Vec<PushToken>>,
    /// Web push subscriptions: `Value` merges by endpoint, `Null` removes all.
    pub web_push_tokens: Patch<Vec<WebPushToken>>,
}

const MAX_TEXT: usize = 1024;

/// Parses and validates a `PUT /users/{path_id}` body.
pub fn parse_put(path_id: &str, body: &[u8], hosts: &PushHosts) -> Result<UserChange, ApiError> {
    validate::id("userId", path_id)?;
    let input: UserInput = parse_body(body)?;
    if input.id.is_present() {
        return Err(ApiError::field("id", "invalid", "id is the path's {userId}; leave it out of a PUT body"));
    }
    input.into_change(path_id.to_owned(), hosts)
}

/// Parses and validates a `POST /users` body; `generated_id` is used when the body has none.
pub fn parse_create(body: &[u8], generated_id: String, hosts: &PushHosts) -> Result<UserChange, ApiError> {
    let input: UserInput =
        if body.iter().all(u8::is_ascii_whitespace) { UserInput::default() } else { parse_body(body)? };
    let id = match &input.id {
        Patch::Value(id) => {
            validate::id("id", id)?;
            id.clone()
        }
        _ => generated_id,
    };
    input.into_change(id, hosts)
}

impl UserInput {
    fn into_change(self, id: String, hosts: &PushHosts) -> Result<UserChange, ApiError> {
        let mut errors = Vec::new();
        for (name, present) in [
            ("isNotifiable", self.is_notifiable.is_present()),
            ("isOnline", self.is_online.is_present()),
            ("lastSeenTime", self.last_seen_time.is_present()),
            ("createdAt", self.created_at.is_present()),
            ("updatedAt", self.updated_at.is_present()),
            ("emailSuppressionStatus", self.email_suppression_status.is_present()),
        ] {
            if present {
                errors.push(FieldError::new(name, "read_only", format!("{name} is read-only")));
            }
        }
        let text = |field: &str, p: &Patch<String>, check: fn(&str, &str) -> Result<(), FieldError>| match p {
            Patch::Value(v) if v.chars().count() > MAX_TEXT => {
                Err(FieldError::new(field, "too_long", format!("{field} must be at most {MAX_TEXT} characters")))
            }
            Patch::Value(v) => check(field, v),
            _ => Ok(()),
        };
        let any = |_: &str, _: &str| Ok(());
        errors.extend(
            [
                text("email", &self.email, validate::email),
                text("number", &self.number, validate::e164),
                text("timezone", &self.timezone, validate::timezone),
                text("identity", &self.identity, validate::id),
                text("slackChannel", &self.slack_channel, crate::slack::channel::validate),
                text("friendlyName", &self.friendly_name, any),
            ]
            .into_iter()
            .filter_map(Result::err),
        );
        if let Patch::Value(t) = &self.slack_token {
            errors.extend(crate::slack::check_token("slackToken", t, hosts.dev_loopback()));
        }
        if let Patch::Value(tokens) = &self.push_tokens {
            for (i, t) in tokens.iter().enumerate() {
                errors.extend(check_push_token(&format!("pushTokens[{i}]"), t));
            }
        }
        if let Patch::Value(subs) = &self.web_push_tokens {
            for (i, s) in subs.iter().enumerate() {
                errors.extend(check_web_push(&format!("webPushTokens[{i}]"), s, hosts));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut clear = Map::new();
        let mut set = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            clear.insert(key.to_owned(), Value::Null);
            if let Some(v) = value {
                set.insert(key.to_owned(), v);
            }
        };
        macro_rules! field {
            ($patch:expr, $key:literal) => {
                match $patch {
                    Patch::Absent => {}
                    Patch::Null => put($key, None),
                    Patch::Value(v) => put($key, Some(Value::from(v))),
                }
            };
        }
        field!(self.email, "email");
        field!(self.number, "number");
        field!(self.timezone, "timezone");
        field!(self.slack_channel, "slackChannel");
        field!(self.slack_token, "slackToken");
        field!(self.identity, "identity");
        field!(self.friendly_name, "friendlyName");
        field!(self.attributes, "attributes");
        Ok(UserChange {
            id,
            profile_clear: Value::Object(clear),
            profile_set: Value::Object(set),
            push_tokens: dedupe(self.push_tokens, |t| t.token.clone()),
            web_push_tokens: dedupe(self.web_push_tokens, |s| s.sub.endpoint.clone()),
        })
    }
}

/// Keeps the last of several entries with the same key (merge by token / endpoint).
fn dedupe<T>(patch: Patch<Vec<T>>, key: impl Fn(&T) -> String) -> Patch<Vec<T>> {
    match patch {
        Patch::Value(items) => {
            let mut out: Vec<T> = Vec::with_capacity(items.len());
            for item in items {
                match out.iter().position(|o| key(o) == key(&item)) {
                    Some(i) => out[i] = item,
                    None => out.push(item),
                }
            }
            Patch::Value(out)
        }
        other => other,
    }
}

/// Validates a push token; errors name fields under `prefix`.
pub fn check_push_token(prefix: &str, t: &PushToken) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if t.token.is_empty() || t.token.chars().count() > 4096 {
        errors.push(FieldError::new(format!("{prefix}.token"), "invalid", "token must be 1 to 4096 characters"));
    }
    if t.device.device_id.is_empty() {
        errors.push(FieldError::new(
            format!("{prefix}.device.device_id"),
            "required",
            "device.device_id must not be empty",
        ));
    }
    if let Some(env) = &t.environment {
        if env != "sandbox" && env != "production" {
            errors.push(FieldError::new(
                format!("{prefix}.environment"),
                "unknown_value",
                "environment must be sandbox or production",
            ));
        }
    }
    errors
}

/// Validates a web push subscription; errors name fields under `prefix`.
pub fn check_web_push(prefix: &str, s: &WebPushToken, hosts: &PushHosts) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = [
        validate::endpoint(&format!("{prefix}.sub.endpoint"), &s.sub.endpoint, hosts),
        validate::p256dh(&format!("{prefix}.sub.keys.p256dh"), &s.sub.keys.p256dh),
        validate::auth_secret(&format!("{prefix}.sub.keys.auth"), &s.sub.keys.auth),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if let Some(d) = &s.device {
        if d.device_id.is_empty() {
            errors.push(FieldError::new(
                format!("{prefix}.device.device_id"),
                "required",
                "device.device_id must not be empty",
            ));
        }
    }
    errors
}

/// Parses and validates a `POST /users/{id}/push-tokens` body.
pub fn parse_push_token(body: &[u8]) -> Result<PushToken, ApiError> {
    let token: PushToken = parse_body(body)?;
    let errors = check_push_token("", &token);
    if errors.is_empty() {
        Ok(token)
    } else {
        Err(ApiError::Validation(trim_prefix(errors)))
    }
}

/// A `POST /users/{id}/webpush` body: the subscription, and the one it replaces (the service
/// worker's `pushsubscriptionchange`, authorised by a subscription token).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebPushRegistration {
    /// The subscription.
    pub sub: crate::model::PushSubscription,
    /// The device, if the client told us.
    #[serde(default)]
    pub device: Option<crate::model::Device>,
    /// The endpoint this subscription replaces.
    #[serde(default)]
    pub old_endpoint: Option<String>,
    /// The VAPID public key the browser subscribed with (`PushSubscription.options
    /// .applicationServerKey`, base64url); absent means the current key.
    #[serde(default, rename = "applicationServerKey")]
    pub application_server_key: Option<String>,
}

/// A validated `POST /users/{id}/webpush` body.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedWebPush {
    /// The subscription as stored.
    pub token: WebPushToken,
    /// The endpoint it replaces, if any.
    pub old_endpoint: Option<String>,
    /// The configured VAPID public key the browser named (current or previous), if it named one.
    pub vapid_key: Option<String>,
}

/// Parses and validates a `POST /users/{id}/webpush` body: the subscription, the endpoint it
/// replaces, and the VAPID key it was made with, which must be one of `vapid_keys` (the
/// current or the previous public key).
pub fn parse_web_push(
    body: &[u8],
    hosts: &PushHosts,
    vapid_keys: crate::auth::Rotating,
) -> Result<ParsedWebPush, ApiError> {
    let r: WebPushRegistration = parse_body(body)?;
    let token = WebPushToken { sub: r.sub, device: r.device };
    let mut errors = check_web_push("", &token, hosts);
    // A well-formed key (a 65-byte uncompressed P-256 point) that this edge does not hold is a
    // clash with its configuration (409), not a malformed field (400).
    let mut unknown_key = false;
    let vapid_key = match r.application_server_key.as_deref() {
        None => None,
        Some(k) if !is_public_key(k) => {
            errors.push(FieldError::new(
                "applicationServerKey",
                "invalid",
                "applicationServerKey must be a VAPID public key: 65 bytes (an uncompressed P-256 point), base64url",
            ));
            None
        }
        Some(k) => {
            let known = known_vapid_key(k, vapid_keys);
            unknown_key = known.is_none();
            known.map(str::to_owned)
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(trim_prefix(errors)));
    }
    if unknown_key {
        return Err(ApiError::Conflict {
            field: "applicationServerKey",
            message: "applicationServerKey is not this edge's VAPID public key (GET /vapid) nor the one it replaced: subscribe again with GET /vapid's key".into(),
        });
    }
    Ok(ParsedWebPush { token, old_endpoint: r.old_endpoint, vapid_key })
}

/// Whether `key` is base64url (padding optional) of a 65-byte uncompressed P-256 point's shape.
fn is_public_key(key: &str) -> bool {
    use base64::Engine;
    validate::B64URL.decode(key).is_ok_and(|b| b.len() == 65 && b[0] == 4)
}

/// The configured key (current or previous) whose bytes `given` encodes, whatever its padding.
fn known_vapid_key<'a>(given: &str, keys: crate::auth::Rotating<'a>) -> Option<&'a str> {
    use base64::Engine;
    let bytes = validate::B64URL.decode(given).ok().filter(|b| !b.is_empty())?;
    [keys.current, keys.previous].into_iter().find(|k| validate::B64URL.decode(k).is_ok_and(|kb| kb == bytes))
}

fn trim_prefix(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    for e in &mut errors {
        e.field = e.field.trim_start_matches('.').to_owned();
    }
    errors
}

/// What storage holds for one user, before it becomes the wire [`User`].
#[derive(Debug, Clone, Default)]
pub struct StoredUser {
    /// The id.
    pub id: String,
    /// The profile document.
    pub profile: Profile,
    /// Push tokens, oldest first.
    pub push_tokens: Vec<PushToken>,
    /// Web push subscriptions, oldest first.
    pub web_push_tokens: Vec<WebPushToken>,
    /// How many web push subscriptions are still valid.
    pub valid_web_push: usize,
    /// How many push tokens are still valid (not refused by their provider).
    pub valid_push_tokens: usize,
    /// Milliseconds since the epoch.
    pub created_ms: i64,
    /// Milliseconds since the epoch.
    pub updated_ms: i64,
    /// Milliseconds since the epoch.
    pub last_seen_ms: Option<i64>,
    /// Whether a realtime connection is open.
    pub online: bool,
    /// Whether the user's `number` texted STOP (and not START since): no SMS.
    pub sms_opted_out: bool,
    /// Slack refused the user's `slackToken` (revoked, ...) and no new one was set since.
    pub slack_token_invalid: bool,
}

impl StoredUser {
    /// The wire form. `with_secrets` = false hides `slackToken` (browser credentials).
    pub fn into_user(self, with_secrets: bool) -> User {
        let slack_ready =
            crate::slack::reach(&self.profile, self.slack_token_invalid, None) == crate::notify::Reach::Ready;
        let mut profile = self.profile;
        if !with_secrets {
            profile.slack_token = None;
        }
        User {
            is_notifiable: self.valid_push_tokens > 0 || self.valid_web_push > 0 || slack_ready,
            is_online: self.online,
            id: self.id,
            profile,
            push_tokens: self.push_tokens,
            web_push_tokens: self.web_push_tokens,
            last_seen_time: self.last_seen_ms.map(rfc3339),
            created_at: Some(rfc3339(self.created_ms)),
            updated_at: Some(rfc3339(self.updated_ms)),
            email_suppression_status: None,
        }
    }
}

/// The implicit user: what `GET /users/{id}` answers for an id nothing was stored under.
pub fn implicit_user(id: &str) -> User {
    User {
        id: id.to_owned(),
        profile: Profile::default(),
        push_tokens: Vec::new(),
        web_push_tokens: Vec::new(),
        is_notifiable: false,
        is_online: false,
        last_seen_time: None,
        created_at: None,
        updated_at: None,
        email_suppression_status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

    fn fields(e: ApiError) -> Vec<(String, &'static str)> {
        match e {
            ApiError::Validation(f) => f.into_iter().map(|f| (f.field, f.reason)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_registration_names_the_current_or_the_previous_vapid_key() {
        let (current, previous) =
            (P256DH, "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
        let keys = crate::auth::Rotating { current, previous };
        let body = |key: &str| {
            json!({"sub": {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": P256DH, "auth": "BTBZMqHH6r4Tts7J_aSIgg"}},
                   "applicationServerKey": key})
            .to_string()
        };
        let parsed = |key: &str| parse_web_push(body(key).as_bytes(), &PushHosts::default(), keys);
        assert_eq!(parsed(previous).unwrap().vapid_key.as_deref(), Some(previous));
        assert_eq!(parsed(&format!("{current}=")).unwrap().vapid_key.as_deref(), Some(current), "padding is ignored");
        let without = br#"{"sub": {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", "auth": "BTBZMqHH6r4Tts7J_aSIgg"}}}"#;
        assert_eq!(parse_web_push(without, &PushHosts::default(), keys).unwrap().vapid_key, None);
        for bad in ["BTBZMqHH6r4Tts7J_aSIgg", "", "not base64!"] {
            assert_eq!(fields(parsed(bad).unwrap_err()), vec![("applicationServerKey".into(), "invalid")], "{bad}");
        }
        let retired = crate::auth::Rotating::single(current);
        let e = parse_web_push(body(previous).as_bytes(), &PushHosts::default(), retired).unwrap_err();
        assert!(matches!(e, ApiError::Conflict { field: "applicationServerKey", .. }), "previous key deleted: {e:?}");
    }

    #[test]
    fn put_builds_clear_and_set_documents() {
        let c = parse_put("u1", br#"{"email":"a@b.co","timezone":null,"attributes":{"x":1}}"#, &PushHosts::default())
            .unwrap();
        assert_eq!(c.profile_clear, json!({"email":null,"timezone":null,"attributes":null}));
        assert_eq!(c.profile_set, json!({"email":"a@b.co","attributes":{"x":1}}));
        assert_eq!(c.push_tokens, Patch::Absent);
    }

    #[test]
    fn read_only_and_invalid_fields_are_named() {
        let e = parse_put(
            "u1",
            br#"{"createdAt":"x","isOnline":true,"email":"nope","number":"123"}"#,
            &PushHosts::default(),
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            vec![
                ("isOnline".into(), "read_only"),
                ("createdAt".into(), "read_only"),
                ("email".into(), "invalid"),
                ("number".into(), "invalid")
            ]
        );
        let e = parse_put("u1", br#"{"id":"other"}"#, &PushHosts::default()).unwrap_err();
        assert_eq!(fields(e), vec![("id".into(), "invalid")]);
        let e = parse_put("a/b", b"{}", &PushHosts::default()).unwrap_err();
        assert_eq!(fields(e), vec![("userId".into(), "invalid")]);
    }

    #[test]
    fn tokens_are_validated_and_deduped() {
        let body = json!({"webPushTokens":[
            {"sub":{"endpoint":"https://fcm.googleapis.com/fcm/send/1","keys":{"p256dh":P256DH,"auth":"BTBZMqHH6r4Tts7J_aSIgg"}}},
            {"sub":{"endpoint":"http://evil.example/1","keys":{"p256dh":"AAAA","auth":"x"}}}
        ]});
        let e = parse_put("u1", body.to_string().as_bytes(), &PushHosts::default()).unwrap_err();
        let f = fields(e);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].0, "webPushTokens[1].sub.endpoint");
        assert_eq!(f[1].0, "webPushTokens[1].sub.keys.p256dh");
        let body = json!({"pushTokens":[
            {"type":"FCM","token":"t1","device":{"device_id":"d1"}},
            {"type":"APN","token":"t1","device":{"device_id":"d2"},"environment":"production"}
        ]});
        let c = parse_put("u1", body.to_string().as_bytes(), &PushHosts::default()).unwrap();
        let tokens = c.push_tokens.value().unwrap();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].device.device_id, "d2");
        let e = parse_put(
            "u1",
            br#"{"pushTokens":[{"type":"XYZ","token":"t","device":{"device_id":"d"}}]}"#,
            &PushHosts::default(),
        )
        .unwrap_err();
        assert_eq!(fields(e), vec![("pushTokens[0].type".into(), "unknown_value")]);
    }

    #[test]
    fn create_generates_an_id_unless_given() {
        assert_eq!(parse_create(b"", "usr_1".into(), &PushHosts::default()).unwrap().id, "usr_1");
        assert_eq!(parse_create(br#"{"id":"mine"}"#, "usr_1".into(), &PushHosts::default()).unwrap().id, "mine");
        assert!(parse_create(br#"{"id":""}"#, "usr_1".into(), &PushHosts::default()).is_err());
    }

    #[test]
    fn stored_user_reads_back() {
        let u = StoredUser { id: "u".into(), valid_web_push: 1, created_ms: 0, updated_ms: 1000, ..Default::default() };
        let u = u.into_user(true);
        assert!(u.is_notifiable);
        assert_eq!(u.created_at.as_deref(), Some("1970-01-01T00:00:00.000Z"));
        let v = serde_json::to_value(implicit_user("x")).unwrap();
        assert_eq!(v, json!({"id":"x","pushTokens":[],"webPushTokens":[],"isNotifiable":false,"isOnline":false}));
    }
}
