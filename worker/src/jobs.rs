//! The `SEND` queue consumer: background jobs, acknowledged one by one.

use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use futures_util::future::join_all;
use tidings::jobs::Job;
use tidings::model::OperationStatus;
use worker::{console_error, Env, MessageBatch, MessageBuilder, MessageExt};

/// Puts jobs on the `SEND` queue, `delay_s` seconds out. Jobs travel as JSON text: the
/// structured clone of a serde-wasm-bindgen value would turn JSON objects into `Map`s.
pub async fn enqueue(env: &Env, jobs: &[Job], delay_s: u32) -> Result<(), Fail> {
    let queue = env.queue("SEND")?;
    for chunk in jobs.chunks(100) {
        let texts: Vec<_> = chunk
            .iter()
            .map(|j| Ok(MessageBuilder::new(serde_json::to_string(j)?).delay_seconds(delay_s).build()))
            .collect::<Result<_, Fail>>()?;
        queue.send_batch(texts).await?;
    }
    Ok(())
}

/// Queue messages processed concurrently.
const MESSAGES_AT_ONCE: usize = 4;

pub async fn consume(batch: MessageBatch<String>, env: Env) {
    let messages = match batch.messages() {
        Ok(m) => m,
        Err(e) => {
            console_error!("queue batch did not parse: {e}");
            batch.retry_all();
            return;
        }
    };
    // Messages are independent: run a few at once (each is itself mostly waiting on I/O).
    for group in messages.chunks(MESSAGES_AT_ONCE) {
        join_all(group.iter().map(|message| async {
            let job: Job = match serde_json::from_str(message.body()) {
                Ok(job) => job,
                Err(e) => {
                    console_error!("dropping a queue message that is not a job: {e}");
                    message.ack();
                    return;
                }
            };
            match run(&job, &env).await {
                Ok(()) => message.ack(),
                Err(Fail(e)) => {
                    console_error!("job failed, will retry: {e}");
                    message.retry();
                }
            }
        }))
        .await;
    }
}

async fn run(job: &Job, env: &Env) -> Result<(), Fail> {
    match job {
        Job::DeleteUser { operation_id, user_id } => {
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
        Job::BulkBatch { job_id, from, to, attempt } => crate::bulk::run_batch(env, job_id, *from, *to, *attempt).await,
        Job::SendWebPush { delivery, ttl, urgency, attempt, endpoints } => {
            crate::push::deliver::run(env, delivery, *ttl, *urgency, *attempt, endpoints.as_deref()).await
        }
        Job::SendMobilePush { delivery, ttl, urgency, attempt, tokens } => {
            crate::mobile::deliver::run(env, delivery, *ttl, *urgency, *attempt, tokens.as_deref()).await
        }
    }
}
