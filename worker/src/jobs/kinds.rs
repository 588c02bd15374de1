//! The job kinds: what each one does when run, and how it ends when it keeps failing (its
//! dead letter, always visible: a bulk user `ERROR`, a delivery `failed`, an operation
//! `failed`). A new kind (scheduled sends) adds a line to each match and nothing else.

use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::jobs::Job;
use tidings::model::OperationStatus;
use worker::Env;

/// Runs a job once. Every kind is idempotent: a repeat (a crashed consumer, a swept lease)
/// writes nothing twice and sends nothing twice.
pub async fn run(job: &Job, env: &Env) -> Result<(), Fail> {
    match job {
        Job::DeleteUser { operation_id, user_id } => delete_user(env, operation_id, user_id).await,
        Job::BulkBatch { job_id, from, to, attempt } => crate::bulk::run_batch(env, job_id, *from, *to, *attempt).await,
        Job::SendWebPush { delivery, ttl, urgency, attempt, endpoints } => {
            crate::push::deliver::run(env, delivery, *ttl, *urgency, *attempt, endpoints.as_deref()).await
        }
        Job::SendMobilePush { delivery, ttl, urgency, attempt, tokens } => {
            crate::mobile::deliver::run(env, delivery, *ttl, *urgency, *attempt, tokens.as_deref()).await
        }
        Job::SendChannel { delivery, attempt } => crate::channels::deliver::run(env, delivery, *attempt).await,
        Job::WakeFeed { user_id, notification_id } => {
            let answer = client::call(env, user_id, notification_id, &Command::Fire).await?;
            if answer.status_code() >= 300 {
                return Err(tidings::ApiError::Internal.into());
            }
            Ok(())
        }
    }
}

/// Ends a job that failed `runs` times (or kept losing its lease) where an operator sees it.
pub async fn dead_letter(job: &Job, env: &Env, runs: u32) -> Result<(), Fail> {
    let db = env.d1("DB")?;
    match job {
        Job::DeleteUser { operation_id, .. } => {
            store::operations::finish(&db, operation_id, OperationStatus::Failed, now_ms())?.run().await?;
            Ok(())
        }
        Job::BulkBatch { job_id, from, to, .. } => {
            let reason = format!("dead_letter: the batch failed {runs} times");
            store::bulk::fail_pending(&db, job_id, *from, *to, &reason, now_ms()).await
        }
        Job::SendWebPush { delivery, .. }
        | Job::SendMobilePush { delivery, .. }
        | Job::SendChannel { delivery, .. } => crate::feed::status::dead_letter(env, delivery).await,
        // The schedule stays with the feed: its own alarm still owns it.
        Job::WakeFeed { user_id, .. } => {
            worker::console_error!("could not wake the feed of {user_id}; its alarm still owns the schedule");
            Ok(())
        }
    }
}

async fn delete_user(env: &Env, operation_id: &str, user_id: &str) -> Result<(), Fail> {
    let db = env.d1("DB")?;
    let erased = client::call(env, user_id, operation_id, &Command::Erase).await?;
    if erased.status_code() >= 300 {
        return Err(tidings::ApiError::Internal.into());
    }
    let mut batch = store::users::delete_all(&db, user_id)?;
    batch.push(store::operations::finish(&db, operation_id, OperationStatus::Succeeded, now_ms())?);
    db.batch(batch).await?;
    Ok(())
}
