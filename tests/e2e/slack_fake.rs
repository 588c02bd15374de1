//! The local fake Slack (tests/fakes/slack.mjs), started once per test process before the edge,
//! which is configured to send to it (`TIDINGS_SLACK_ENDPOINT`, `TIDINGS_SLACK_BOT_TOKEN`).

use serde_json::{json, Value};
use std::process::{Child, ChildStdin};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The running fake and what it printed (`url`, `botToken`, `channels`, `users`).
pub struct SlackFake {
    /// What the fake printed.
    pub info: Value,
    _process: Mutex<(Child, ChildStdin)>,
}

static SLACK: OnceLock<SlackFake> = OnceLock::new();

/// The fake Slack of this test process, started on first use.
pub fn slack() -> &'static SlackFake {
    SLACK.get_or_init(|| {
        let (info, process) = crate::fakes::start("slack.mjs");
        SlackFake { info, _process: Mutex::new(process) }
    })
}

impl SlackFake {
    /// The edge's Slack variables (dotenv lines).
    pub fn env_lines(&self) -> String {
        let s = |k: &str| self.info[k].as_str().unwrap_or_default().to_owned();
        format!("TIDINGS_SLACK_ENDPOINT={}\nTIDINGS_SLACK_BOT_TOKEN={}\n", s("url"), s("botToken"))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.info["url"].as_str().unwrap_or_default())
    }

    /// A new installation: the OAuth v2 answer a user's `slackToken` holds (a bot token of its
    /// own and an incoming webhook to `#alerts`).
    pub fn install(&self) -> Value {
        ureq::post(&self.url("/_issue"))
            .timeout(Duration::from_secs(5))
            .call()
            .expect("issue")
            .into_json()
            .expect("JSON")
    }

    /// Slack revokes `token` (and its webhook).
    pub fn revoke(&self, token: &str) {
        ureq::post(&self.url("/_revoke"))
            .timeout(Duration::from_secs(5))
            .send_json(json!({ "token": token }))
            .expect("revoke");
    }

    /// The next answers to calls with `token` (or to that webhook URL), before any check.
    pub fn script(&self, token: &str, answers: Value) {
        ureq::post(&self.url("/_script"))
            .timeout(Duration::from_secs(5))
            .send_json(json!({ "token": token, "answers": answers }))
            .expect("script");
    }

    /// The calls made with `token` (Web API and its webhook), oldest first.
    pub fn calls_with(&self, token: &str) -> Vec<Value> {
        let r = ureq::get(&self.url("/_log")).timeout(Duration::from_secs(5)).call().expect("log");
        r.into_json::<Vec<Value>>().expect("log JSON").into_iter().filter(|e| e["token"] == token).collect()
    }
}
