//! `POST /providers/telnyx/events`: Telnyx's signed webhooks. Verified first (Ed25519 over
//! `{telnyx-timestamp}|{body}` with `TIDINGS_TELNYX_PUBLIC_KEY`, the timestamp within 5
//! minutes); anything forged or stale is 401 and changes nothing. Then `message.finalized`
//! moves the delivery to `delivered` or `failed` (with Telnyx's code) and an inbound opt-out or
//! opt-in word records the number's choice.

use crate::app::Ctx;
use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::{no_content, Answer, Fail};
use crate::platform::now_ms;
use crate::store;
use crate::webcrypto::WebCrypto;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tidings::model::{Delivery, DeliveryStatus};
use tidings::sms::events::{self, Event, Final, Keyword};
use tidings::time::rfc3339;
use tidings::ApiError;
use worker::{console_error, console_log};

/// The delivery's `reason` when the carrier could not deliver it.
pub const UNDELIVERED: &str = "undelivered";

/// Verifies and applies one Telnyx webhook.
pub async fn receive(mut ctx: Ctx) -> Answer {
    let body = crate::http::body(&mut ctx.req).await?;
    let header = |name: &str| ctx.req.headers().get(name).ok().flatten().unwrap_or_default();
    let (signature, timestamp) = (header("telnyx-signature-ed25519"), header("telnyx-timestamp"));
    let Some(key) = ctx.config.telnyx.public_key() else {
        if !ctx.config.telnyx.api_key.is_empty() {
            console_error!(
                "a Telnyx webhook arrived but TIDINGS_TELNYX_PUBLIC_KEY is missing or not a 32-byte base64 key"
            );
        }
        return Err(ApiError::Unauthenticated.into());
    };
    let now = now_ms();
    let signature = STANDARD.decode(signature.trim()).unwrap_or_default();
    let verified = events::fresh(&timestamp, now / 1000)
        && signature.len() == 64
        && WebCrypto::new()
            .map_err(|_| ApiError::Internal)?
            .verify_ed25519(&key, &events::signed_message(&timestamp, &body), &signature)
            .await;
    if !verified {
        return Err(ApiError::Unauthenticated.into());
    }
    let event = events::parse(&body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    let db = ctx.db()?;
    match event {
        Event::Finalized { message_id, state } => {
            let Some((user, delivery)) = store::sms::delivery_of(&db, &message_id).await? else {
                return Err(ApiError::NotFound { resource: "message", id: message_id }.into());
            };
            finalize(&ctx, &user, &delivery, state).await?;
        }
        Event::Received { from, keyword: Some(k) } => {
            console_log!("sms opt-{} from a number", if k == Keyword::OptOut { "out" } else { "in" });
            store::sms::set_opted_out(&db, &from, k == Keyword::OptOut, now).await?;
        }
        Event::Received { keyword: None, .. } | Event::Other(_) => {}
    }
    no_content()
}

/// Applies a message's final state to its delivery. A delivery not yet recorded as `sent` (the
/// webhook overtook the sender) is 409, which Telnyx retries.
async fn finalize(ctx: &Ctx, user: &str, id: &str, state: Final) -> Result<(), Fail> {
    let (status, reason, code) = match state {
        Final::Delivered => (DeliveryStatus::Delivered, None, None),
        Final::Failed { code } => (DeliveryStatus::Failed, Some(UNDELIVERED.to_owned()), Some(code)),
        Final::Unconfirmed => return Ok(()),
    };
    let mut answer = client::call(&ctx.env, user, &ctx.request_id, &Command::Get { id: id.to_owned() }).await?;
    if answer.status_code() >= 300 {
        return Err(ApiError::NotFound { resource: "delivery", id: id.to_owned() }.into());
    }
    let d: Delivery = answer.json().await?;
    if d.status == DeliveryStatus::Pending {
        return Err(ApiError::Conflict {
            field: "data.payload.id",
            message: "the delivery of this message is not recorded as sent yet; send the event again".into(),
        }
        .into());
    }
    let command = Command::Receipt { id: d.id, status, reason, provider_code: code, now: rfc3339(now_ms()) };
    let answer = client::call(&ctx.env, user, &ctx.request_id, &command).await?;
    if answer.status_code() >= 300 {
        return Err(ApiError::Internal.into());
    }
    Ok(())
}
