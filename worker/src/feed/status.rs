//! A send job's view of its delivery in the recipient's feed: its status now, a new status
//! with what the provider said, the dead letter, and the unread count a badge shows.

use super::client;
use super::protocol::{Command, ProviderReport};
use crate::http::Fail;
use crate::platform::now_ms;
use tidings::model::{Delivery, DeliveryFilter, DeliveryPage, DeliveryStatus};
use tidings::time::rfc3339;
use worker::{console_error, Env, Response};

async fn call(env: &Env, d: &Delivery, command: &Command) -> Result<Response, Fail> {
    client::call(env, &d.recipient_id, &format!("job_{}", d.id), command).await
}

/// The delivery's status in its feed (`None`: not there, e.g. the send's lease outlived a feed
/// write that never happened).
pub async fn current(env: &Env, d: &Delivery) -> Result<Option<DeliveryStatus>, Fail> {
    let mut answer = call(env, d, &Command::Get { id: d.id.clone() }).await?;
    match answer.status_code() {
        404 => Ok(None),
        200..=299 => Ok(Some(answer.json::<Delivery>().await?.status)),
        other => {
            console_error!("reading delivery {} answered {other}", d.id);
            Err(tidings::ApiError::Internal.into())
        }
    }
}

/// Records `status` (and `reason`, and the provider's report) on the delivery.
pub async fn set(
    env: &Env,
    d: &Delivery,
    status: DeliveryStatus,
    reason: Option<&str>,
    report: Option<ProviderReport>,
) -> Result<(), Fail> {
    let command =
        Command::Status { id: d.id.clone(), status, reason: reason.map(str::to_owned), now: rfc3339(now_ms()), report };
    let answer = call(env, d, &command).await?;
    if answer.status_code() >= 300 {
        console_error!("status update of {} answered {}", d.id, answer.status_code());
        return Err(tidings::ApiError::Internal.into());
    }
    Ok(())
}

/// The dead letter of a send that kept failing: `failed`, reason `dead_letter` (a delivery
/// already sent or failed stays as it is; one that never reached its feed has nothing to mark).
pub async fn dead_letter(env: &Env, d: &Delivery) -> Result<(), Fail> {
    let command = Command::Status {
        id: d.id.clone(),
        status: DeliveryStatus::Failed,
        reason: Some("dead_letter".into()),
        now: rfc3339(now_ms()),
        report: None,
    };
    match call(env, d, &command).await?.status_code() {
        200..=299 | 404 => Ok(()),
        other => {
            console_error!("dead letter of {} answered {other}", d.id);
            Err(tidings::ApiError::Internal.into())
        }
    }
}

/// The recipient's unread count (the feed's own, as the bell shows it): an app icon's badge.
pub async fn unread_count(env: &Env, d: &Delivery) -> Result<u64, Fail> {
    let command = Command::List { filter: DeliveryFilter::default(), limit: 1, after: None, before: None };
    let mut answer = call(env, d, &command).await?;
    if answer.status_code() >= 300 {
        return Err(tidings::ApiError::Internal.into());
    }
    let page: DeliveryPage<serde_json::Value> = answer.json().await?;
    Ok(page.meta.unread_count)
}
