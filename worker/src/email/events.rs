//! `POST /providers/ses/events`: an Amazon SNS HTTPS subscription carrying SES events. Every
//! message's signature is checked against the certificate at its `SigningCertURL` (an SNS host;
//! loopback in dev mode), cached per isolate; `SubscriptionConfirmation` is confirmed by
//! fetching its `SubscribeURL` (same host rule). Notifications: a permanent bounce or a
//! complaint suppresses the address (`emailSuppressionStatus`) for every user that has it;
//! `Delivery` makes the delivery `delivered`; bounces and rejects make it `failed`. Without
//! email configured the route is 404.

use crate::app::Ctx;
use crate::feed::status;
use crate::http::{self, json, Answer, Fail};
use crate::platform::now_ms;
use crate::store;
use crate::webcrypto::WebCrypto;
use std::cell::RefCell;
use std::collections::HashMap;
use tidings::email::events::{self, EventKind, SesEvent};
use tidings::email::{sns, EmailError};
use tidings::model::DeliveryStatus;
use tidings::ApiError;
use worker::{console_error, console_log, Env, Fetch, Url};

/// Largest SNS message body taken: SNS messages are up to 256 KB, and the envelope escapes it.
const MAX_SNS_BODY: usize = 384 * 1024;

/// Certificates kept per isolate (SNS rotates them rarely; a handful of URLs at most).
const MAX_CERTS: usize = 8;

thread_local! {
    static CERTS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

fn refused(why: EmailError) -> Fail {
    console_log!("SNS message refused: {why}");
    ApiError::from(why).into()
}

/// GETs `url`: the status and body, `None` when it could not be fetched.
async fn get(url: &str) -> Option<(u16, String)> {
    let mut r = Fetch::Url(Url::parse(url).ok()?).send().await.ok()?;
    Some((r.status_code(), r.text().await.ok()?))
}

/// The certificate at `url` (already checked against the host rule), cached.
async fn certificate(url: &str) -> Result<String, Fail> {
    if let Some(pem) = CERTS.with(|c| c.borrow().get(url).cloned()) {
        return Ok(pem);
    }
    match get(url).await {
        Some((200, pem)) if tidings::email::x509::spki_from_pem(&pem).is_some() => {
            CERTS.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= MAX_CERTS {
                    c.clear();
                }
                c.insert(url.to_owned(), pem.clone());
            });
            Ok(pem)
        }
        other => {
            console_error!("SigningCertURL {url} answered {:?}", other.map(|(s, _)| s));
            Err(ApiError::Unavailable { what: "the SNS signing certificate" }.into())
        }
    }
}

pub async fn receive(mut ctx: Ctx) -> Answer {
    let body = http::body_up_to(&mut ctx.req, MAX_SNS_BODY).await?;
    let dev = ctx.config.dev_mode;
    let vars = &ctx.config.email;
    if !matches!(vars.settings(dev), Some(Ok(_))) {
        // No email provider: no provider webhook either (as /dev/* outside dev mode).
        return Err(ApiError::RouteNotFound { path: ctx.req.path() }.into());
    }
    let m = sns::parse(&body).map_err(|_| {
        ApiError::field("Type", "invalid", "the body is not an Amazon SNS message (Type, MessageId, Signature, ...)")
    })?;
    if !vars.topic_allowed(&m.topic_arn) {
        return Err(refused(EmailError::Sns("TopicArn is not one of TIDINGS_SES_SNS_TOPIC_ARNS")));
    }
    if !sns::url_ok(&m.signing_cert_url, dev) {
        return Err(refused(EmailError::Sns("SigningCertURL is not on an SNS host")));
    }
    let now = now_ms();
    if !m.fresh(now) {
        return Err(refused(EmailError::Sns("stale or future Timestamp")));
    }
    let pem = certificate(&m.signing_cert_url).await?;
    sns::verify(&m, &pem, &WebCrypto::new().map_err(|_| ApiError::Internal)?, now).await.map_err(refused)?;
    match m.kind.as_str() {
        "SubscriptionConfirmation" => confirm(&m, dev).await,
        "Notification" => match events::parse(&m.message) {
            Some(e) => {
                apply(&ctx.env, &e, now).await?;
                json(200, &serde_json::json!({ "received": true }))
            }
            None => json(200, &serde_json::json!({ "received": true, "ignored": "not an SES event" })),
        },
        _ => json(200, &serde_json::json!({ "received": true })),
    }
}

/// Confirms the subscription by visiting its `SubscribeURL`.
async fn confirm(m: &sns::SnsMessage, dev: bool) -> Answer {
    let url = m.subscribe_url.as_deref().unwrap_or_default();
    if !sns::url_ok(url, dev) {
        return Err(refused(EmailError::Sns("SubscribeURL is not on an SNS host")));
    }
    match get(url).await {
        Some((200..=299, _)) => {
            console_log!("confirmed the SNS subscription to {}", m.topic_arn);
            json(200, &serde_json::json!({ "confirmed": true }))
        }
        other => {
            console_error!("SubscribeURL answered {:?}", other.map(|(s, _)| s));
            Err(ApiError::Unavailable { what: "the SNS SubscribeURL" }.into())
        }
    }
}

/// Suppresses the addresses of a bounce or complaint and records the event on the delivery.
async fn apply(env: &Env, e: &SesEvent, now: i64) -> Result<(), Fail> {
    if let Some(suppression) = &e.suppression {
        let db = env.d1("DB")?;
        for address in &e.recipients {
            let users = store::users::suppress_email(&db, address, suppression, now).await?;
            console_log!("{} suppressed for {} user(s)", e.code, users.len());
        }
    }
    let (status, reason) = match e.kind {
        EventKind::Delivery => (DeliveryStatus::Delivered, None),
        EventKind::Bounce { .. } => (DeliveryStatus::Failed, Some("bounced")),
        EventKind::Reject => (DeliveryStatus::Failed, Some("rejected")),
        EventKind::Complaint | EventKind::Other => return Ok(()),
    };
    if let (Some(delivery), Some(user)) = (&e.delivery_id, &e.user_id) {
        if tidings::validate::id("user", user).is_ok() {
            status::event(env, user, delivery, status, reason, Some(&e.code)).await?;
        }
    }
    Ok(())
}
