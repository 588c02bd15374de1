//! The `BulkBatch` job: one batch of a bulk job's users through the send path of
//! `POST /notifications` (preferences, channels, web push). Delivery and message ids are
//! derived from the job and the user's place in it, so a batch that crashed and runs again
//! writes the same deliveries (feeds ignore known ids) and sends nothing twice.

use crate::config::Config;
use crate::http::Fail;
use crate::platform::now_ms;
use crate::store;
use tidings::bulk::{self, UserStatus};
use tidings::jobs::Job;
use tidings::model::ChannelType;
use tidings::notify::{self, push};

/// Runs of a batch before users whose feed cannot be written become `ERROR`.
const MAX_RUNS: u32 = 4;

pub async fn run_batch(env: &worker::Env, job_id: &str, from: i64, to: i64, attempt: u32) -> Result<(), Fail> {
    let db = env.d1("DB")?;
    let now = now_ms();
    let Some((job, _)) = store::bulk::get(&db, job_id).await? else { return Ok(()) };
    let message = notify::parse_message(&job.definition["message"])?;
    let items = store::bulk::pending(&db, job_id, from, to).await?;
    let planned: Vec<_> = items.iter().map(|(seq, item)| (*seq, bulk::recipient(&message, item))).collect();
    let users: Vec<String> = planned.iter().filter_map(|(_, p)| p.as_ref().ok().map(|(u, _, _)| u.clone())).collect();
    let stored_prefs = store::preferences::get_many(&db, &users).await?;
    let config = Config::from_env(env);
    let reach = crate::channels::reach::Reach::of(&db, &config, &message, &users).await?;
    let secret = &config.secret_key;

    let mut outcomes = Vec::new();
    let mut deliveries = Vec::new();
    for (seq, plan) in planned {
        let (user, n, prefs) = match plan {
            Ok(p) => p,
            Err(reason) => {
                outcomes.push((seq, UserStatus::Error, None, Some(reason)));
                continue;
            }
        };
        let message_id = bulk::message_id(job_id, seq);
        let mut k = 0;
        let user_prefs = prefs.as_ref().or(stored_prefs.get(&user));
        let planned = notify::plan(&n, &message_id, &user, user_prefs, reach.get(&user), now, || {
            k += 1;
            format!("dlv_{}_{k}", message_id.trim_start_matches("ntf_"))
        });
        let too_large = planned.iter().filter(|d| d.channel_type == ChannelType::WebPush).any(|d| {
            let token = push::action_token(secret, &user, &d.id, now / 1000 + push::ACTION_TOKEN_SECONDS);
            push::payload_bytes(&push::payload(d, token)).is_err()
        });
        if too_large {
            outcomes.push((seq, UserStatus::Error, None, Some("the web push payload exceeds 3993 bytes".into())));
            continue;
        }
        deliveries.extend(planned);
        outcomes.push((seq, UserStatus::Enqueued, Some(message_id), None));
    }
    let failed = crate::send::carry_out(env, job_id, &deliveries, message.ttl, message.urgency, now).await?;
    let retry = !failed.is_empty() && attempt + 1 < MAX_RUNS;
    let user_of = |seq: i64| items.iter().find(|(s, _)| *s == seq).and_then(|(_, item)| item["to"]["user_id"].as_str());
    let failed_user = |seq: i64| user_of(seq).is_some_and(|u| failed.iter().any(|f| f == u));
    if retry {
        // Leave them PENDING; the batch runs again for them (same ids, nothing written twice).
        outcomes.retain(|(seq, status, _, _)| !(*status == UserStatus::Enqueued && failed_user(*seq)));
    } else {
        for (seq, status, message_id, reason) in &mut outcomes {
            if *status == UserStatus::Enqueued && failed_user(*seq) {
                *status = UserStatus::Error;
                *message_id = None;
                *reason = Some("the user's feed could not be written".into());
            }
        }
    }
    store::bulk::finish(&db, job_id, &outcomes, now).await?;
    if retry {
        let job = Job::BulkBatch { job_id: job_id.to_owned(), from, to, attempt: attempt + 1 };
        crate::jobs::submit(env, &[job], 2 << attempt).await?;
    }
    Ok(())
}
