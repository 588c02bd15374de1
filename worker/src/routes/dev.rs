//! Dev-mode routes (404 unless `TIDINGS_DEV_MODE=1`): checks and measurements that must run
//! inside workerd, against WebCrypto.

use crate::app::Ctx;
use crate::http::{self, json, Answer};
use crate::push::sender::{Message, Sender};
use crate::webcrypto::WebCrypto;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use tidings::json::parse_body;
use tidings::model::WebPushToken;
use tidings::notify::{push, Urgency};
use tidings::validate::B64URL;
use tidings::webpush::{self, WebPushCrypto};
use tidings::ApiError;

fn dev_only(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.config.dev_mode {
        Ok(())
    } else {
        Err(ApiError::RouteNotFound { path: ctx.req.path() })
    }
}

fn bytes<const N: usize>(field: &str, value: &str) -> Result<[u8; N], ApiError> {
    B64URL
        .decode(value)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ApiError::field(field, "invalid", format!("{field} must be {N} bytes, base64url")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EncryptInput {
    plaintext: String,
    ua_public: String,
    auth_secret: String,
    salt: String,
    as_private: String,
    as_public: String,
}

/// RFC 8291 encryption with a fixed sender key and salt, through WebCrypto: lets the tests
/// check the RFC vector on the very code path the sender uses.
pub async fn encrypt(mut ctx: Ctx) -> Answer {
    dev_only(&ctx)?;
    let input: EncryptInput = parse_body(&http::body(&mut ctx.req).await?)?;
    let plaintext =
        B64URL.decode(&input.plaintext).map_err(|_| ApiError::field("plaintext", "invalid", "base64url"))?;
    let as_public = bytes::<65>("as_public", &input.as_public)?;
    let crypto = WebCrypto::new().map_err(|_| ApiError::Internal)?;
    let key = crypto
        .import_ecdh(&bytes::<32>("as_private", &input.as_private)?, &as_public)
        .await
        .map_err(|_| ApiError::field("as_private", "invalid", "not a P-256 key pair"))?;
    let body = webpush::encrypt_with_salt_and_key(
        &crypto,
        &plaintext,
        &bytes::<65>("ua_public", &input.ua_public)?,
        &bytes::<16>("auth_secret", &input.auth_secret)?,
        bytes::<16>("salt", &input.salt)?,
        &key,
        &as_public,
    )
    .await
    .map_err(|e| ApiError::field("plaintext", "invalid", e.to_string()))?;
    json(200, &json!({ "body": B64URL.encode(body) }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchInput {
    n: u32,
    subscription: WebPushToken,
    payload: String,
}

/// Prepares `n` Web Push messages (fresh ECDH + encryption + headers, JWT cache warm) and
/// answers when done; the caller times it against `n = 0`.
pub async fn push_bench(mut ctx: Ctx) -> Answer {
    dev_only(&ctx)?;
    let input: BenchInput = parse_body(&http::body(&mut ctx.req).await?)?;
    let sender = Sender::new(&ctx.config).await.map_err(|_| ApiError::Unavailable { what: "VAPID keys" })?;
    let now_s = crate::platform::now_ms() / 1000;
    let message = Message { payload: input.payload.as_bytes(), ttl: 60, urgency: Urgency::Normal, topic: None, now_s };
    let mut total = 0usize;
    for _ in 0..input.n.min(100_000) {
        let (body, headers) = sender
            .prepare(&input.subscription, None, &message)
            .await
            .map_err(|e| ApiError::field("subscription", "invalid", e))?
            .ok_or(ApiError::Internal)?;
        total += body.len() + headers.len();
    }
    json(200, &json!({ "n": input.n, "bytes": total }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MobileBenchInput {
    n: u32,
    provider: String,
}

/// Prepares `n` FCM or APNs messages as the sender does with its credentials cached (content
/// from a delivery, the credential from its cache, the provider request); the caller times it
/// against `n = 0`, beside `/dev/webpush/bench`.
pub async fn mobile_bench(mut ctx: Ctx) -> Answer {
    use tidings::mobile::{apns, cache, content, fcm};
    dev_only(&ctx)?;
    let input: MobileBenchInput = parse_body(&http::body(&mut ctx.req).await?)?;
    let now_s = crate::platform::now_ms() / 1000;
    let delivery: tidings::model::Delivery = serde_json::from_value(json!({
        "id": "dlv_01hzzzzzzzzzzzzzzzzzzzzzzz", "notification_id": "ntf_01hzzzzzzzzzzzzzzzzzzzzzzz",
        "notiflow_id": null, "actor_id": null, "recipient_id": "bench-user", "channel_id": null,
        "channel_type": "mobile_push", "status": "pending", "reason": null, "topic": "order-12345", "category": null,
        "data": {"subject": "Your order shipped", "body": "Order 12345 is on its way.", "url": "/orders/12345"},
        "created_at": "2026-11-30T00:00:00.000Z", "updated_at": "2026-11-30T00:00:00.000Z",
        "sent_at": null, "seen_at": null, "read_at": null, "clicked_at": null, "archived_at": null
    }))?;
    let token: tidings::model::PushToken = serde_json::from_value(json!({
        "type": "APN", "token": "a".repeat(64), "device": {"device_id": "bench"}, "environment": "production"
    }))?;
    let secret = &ctx.config.secret_key;
    let mut access = cache::AccessTokenCache::default();
    access.store("ya29.bench-access-token".into(), 3600, now_s);
    let mut provider = cache::ProviderTokenCache::default();
    provider.store("eyJhbGciOiJFUzI1NiIsImtpZCI6IkJFTkNIIn0.eyJpc3MiOiJURUFNIiwiaWF0IjowfQ.sig".into(), now_s);
    let apns_config = apns::ApnsConfig {
        key_id: "BENCH".into(),
        team_id: "TEAM".into(),
        topic: "com.example.bench".into(),
        endpoint: None,
        sandbox_endpoint: None,
    };
    let mut total = 0usize;
    for _ in 0..input.n.min(100_000) {
        let exp = now_s + push::ACTION_TOKEN_SECONDS;
        let action = push::action_token(secret, &delivery.recipient_id, &delivery.id, exp);
        let c = content::content(&delivery, action, 3600, Urgency::Normal, 3);
        let request = match input.provider.as_str() {
            "fcm" => {
                let bearer = access.get(now_s).unwrap_or_default();
                fcm::prepare(&c, &token.token, "bench-project", fcm::DEFAULT_ENDPOINT, bearer, now_s)
            }
            "apns" => apns::prepare(&c, &token, &apns_config, provider.get(now_s).unwrap_or_default(), now_s),
            _ => return Err(ApiError::field("provider", "unknown_value", "provider must be fcm or apns").into()),
        }
        .map_err(|e| ApiError::field("provider", "invalid", e.to_string()))?;
        total += request.body.len() + request.headers.len();
    }
    json(200, &json!({ "n": input.n, "bytes": total }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailBenchInput {
    n: u32,
}

/// Prepares `n` SES emails as the sender does (unsubscribe token, template, SendEmail JSON,
/// SigV4 signature); the caller times it.
pub async fn email_bench(mut ctx: Ctx) -> Answer {
    use tidings::email::{ses, sigv4, template::EmailContent, unsubscribe};
    dev_only(&ctx)?;
    let input: EmailBenchInput = parse_body(&http::body(&mut ctx.req).await?)?;
    let config = ses::SesConfig {
        region: "eu-west-1".into(),
        credentials: sigv4::Credentials {
            access_key_id: "AKIABENCHBENCHBENCH0".into(),
            secret_access_key: "bench/secret/access/key/0123456789abcdefgh".into(),
        },
        from: "Bench <bench@example.com>".into(),
        configuration_set: Some("bench".into()),
        endpoint: ses::default_endpoint("eu-west-1"),
    };
    let now = crate::platform::now_ms();
    let mut total = 0usize;
    for _ in 0..input.n.min(100_000) {
        let token = unsubscribe::token(&ctx.config.secret_key, "bench-user", Some("order-12345"), None);
        let c = EmailContent {
            subject: ses::subject(Some("Your order shipped"), None),
            body: Some("Order 12345 is on its way.".into()),
            url: Some("https://shop.example/orders/12345".into()),
            unsubscribe_url: token.map(|t| unsubscribe::url("https://notify.example", &t)),
        };
        let request = ses::prepare(&config, "ada@example.com", &c, "dlv_01hzzzzzzzzzzzzzzzzzzzzzzz", "bench-user", now)
            .map_err(|e| ApiError::field("n", "invalid", e.to_string()))?;
        total += request.body.len() + request.headers.len();
    }
    json(200, &json!({ "n": input.n, "bytes": total }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserTokenInput {
    user_id: String,
}

/// A user token for the demo page, valid for a day (dev mode only; production tokens come
/// from the customer's backend, signed with `TIDINGS_USER_TOKEN_SECRET`).
pub async fn user_token(mut ctx: Ctx) -> Answer {
    dev_only(&ctx)?;
    let input: UserTokenInput = parse_body(&http::body(&mut ctx.req).await?)?;
    tidings::validate::id("user_id", &input.user_id).map_err(ApiError::from)?;
    if ctx.config.user_token_secret.is_empty() {
        return Err(ApiError::Unavailable { what: "TIDINGS_USER_TOKEN_SECRET" }.into());
    }
    let exp = crate::platform::now_ms() / 1000 + 24 * 3600;
    let token = tidings::auth::sign_user_token(&input.user_id, exp, &ctx.config.user_token_secret);
    json(200, &json!({ "user_id": input.user_id, "token": token, "exp": exp }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyInput {
    user_id: String,
    #[serde(default)]
    channels: Option<Vec<String>>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Sends a test notification to one user with the public key alone (the demo page's dev panel;
/// dev mode only): the same path as `POST /notifications`.
pub async fn notify(mut ctx: Ctx) -> Answer {
    dev_only(&ctx)?;
    let input: NotifyInput = parse_body(&http::body(&mut ctx.req).await?)?;
    let body = json!({
        "to": input.user_id,
        "channels": input.channels.unwrap_or_else(|| vec!["in_app".into()]),
        "topic": "demo",
        "data": {
            "subject": input.subject.unwrap_or_else(|| "Hello from Tidings".into()),
            "body": input.body.unwrap_or_else(|| "A test notification from the dev panel.".into()),
            "url": input.url.unwrap_or_else(|| "/".into()),
        },
    });
    super::notifications::accept(&ctx, body.to_string().as_bytes(), None).await
}

/// What the demo page needs to start (dev mode only): the public key, which is not a secret.
pub fn config(ctx: &Ctx) -> Answer {
    dev_only(ctx)?;
    json(200, &json!({ "publicKey": ctx.config.public_key, "vapidPublicKey": ctx.config.vapid_public_key }))
}

/// `GET /dev/users/{userId}/sockets`: how many realtime sockets the user's feed object holds
/// (the runtime's own list), so tests count connections at the edge, not in the pages.
pub async fn sockets(ctx: &Ctx) -> Answer {
    dev_only(ctx)?;
    let id = ctx.user_id()?;
    let sockets = crate::feed::client::sockets(&ctx.env, id).await?;
    json(200, &json!({ "user_id": id, "sockets": sockets }))
}
