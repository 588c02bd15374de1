//! The `SEND` queue consumer: background jobs, acknowledged one by one.

use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::jobs::Job;
use tidings::model::OperationStatus;
use worker::{console_error, Env, MessageBatch, MessageExt};

pub async fn consume(batch: MessageBatch<Job>, env: Env) {
    let messages = match batch.messages() {
        Ok(m) => m,
        Err(e) => {
            console_error!("queue batch did not parse: {e}");
            batch.retry_all();
            return;
        }
    };
    for message in messages {
        match run(message.body(), &env).await {
            Ok(()) => message.ack(),
            Err(Fail(e)) => {
                console_error!("job failed, will retry: {e}");
                message.retry();
            }
        }
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
        Job::SendWebPush { delivery, ttl, urgency, attempt, endpoints } => {
            crate::push::deliver::run(env, delivery, *ttl, *urgency, *attempt, endpoints.as_deref()).await
        }
    }
}
