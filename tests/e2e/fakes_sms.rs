//! The local fake Telnyx (tests/fakes/telnyx.mjs: bearer key, body, Ed25519-signed webhooks by
//! node:crypto) and the Standard Webhooks receiver (tests/fakes/webhook.mjs: the npm
//! `standardwebhooks` verifier), each started once per test process.

use crate::fakes::start;
use serde_json::{json, Value};
use std::process::{Child, ChildStdin};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// A running fake and what it printed.
pub struct Fake {
    /// Its settings: URLs, keys.
    pub info: Value,
    _process: Mutex<(Child, ChildStdin)>,
}

static TELNYX: OnceLock<Fake> = OnceLock::new();
static RECEIVER: OnceLock<Fake> = OnceLock::new();

/// The fake Telnyx of this test process.
pub fn telnyx() -> &'static Fake {
    TELNYX.get_or_init(|| {
        let (info, process) = start("telnyx.mjs");
        Fake { info, _process: Mutex::new(process) }
    })
}

/// The webhook receiver of this test process.
pub fn receiver() -> &'static Fake {
    RECEIVER.get_or_init(|| {
        let (info, process) = start("webhook.mjs");
        Fake { info, _process: Mutex::new(process) }
    })
}

impl Fake {
    fn s(&self, key: &str) -> &str {
        self.info[key].as_str().unwrap_or_default()
    }

    fn post(&self, base: &str, path: &str, body: Value) -> Value {
        let r = ureq::post(&format!("{}{path}", self.s(base)))
            .timeout(Duration::from_secs(20))
            .send_json(body)
            .unwrap_or_else(|e| panic!("fake {path}: {e}"));
        r.into_json::<Value>().unwrap_or(Value::Null)
    }

    /// Every request the fake received, oldest first.
    pub fn log(&self, base: &str) -> Vec<Value> {
        let r = ureq::get(&format!("{}/_log", self.s(base))).timeout(Duration::from_secs(5)).call().expect("log");
        r.into_json::<Vec<Value>>().expect("log JSON")
    }
}

/// The shared edge's Telnyx variables (sending from the fake's number).
pub fn telnyx_env_lines() -> String {
    let t = telnyx();
    format!(
        "TIDINGS_TELNYX_API_KEY={}\nTIDINGS_TELNYX_FROM={}\nTIDINGS_TELNYX_PUBLIC_KEY={}\nTIDINGS_TELNYX_ENDPOINT={}\n",
        t.s("apiKey"),
        t.s("from"),
        t.s("publicKey"),
        t.s("url")
    )
}

/// The webhook channel's variables (the receiver's URL and secret).
pub fn webhook_env_lines() -> String {
    let r = receiver();
    format!("TIDINGS_WEBHOOK_URL={}\nTIDINGS_WEBHOOK_SECRET={}\n", r.s("url"), r.s("secret"))
}

impl Fake {
    /// Telnyx: answers for messages to `to`, in order (`{status, body, headers}` or
    /// `{final: "delivery_failed", errorCode}` or `{final: null}`), then the default.
    pub fn script_telnyx(&self, to: &str, answers: Value) {
        self.post("url", "/_script", json!({"to": to, "answers": answers}));
    }

    /// Telnyx: signs `payload` (optionally at `timestamp`, or with a wrong signature) and POSTs
    /// it to `url`; the edge's `{status, body}`.
    pub fn telnyx_webhook(&self, url: &str, payload: Value, timestamp: Option<i64>, tamper: bool) -> Value {
        self.post("url", "/_webhook", json!({"url": url, "payload": payload, "timestamp": timestamp, "tamper": tamper}))
    }

    /// Telnyx: an inbound `message.received` from `from` saying `text`; the edge's `{status, body}`.
    pub fn telnyx_inbound(&self, url: &str, from: &str, text: &str) -> Value {
        self.post("url", "/_inbound", json!({"url": url, "from": from, "text": text}))
    }

    /// Receiver: statuses to answer, in order, for requests about user `user` (then 204).
    pub fn script_receiver(&self, user: &str, statuses: Value) {
        self.post("control", "/_script", json!({"user": user, "statuses": statuses}));
    }
}
