//! The webhook channel end to end, on an edge of its own (a configured webhook hears about
//! every notification, which would change the shared edge's default deliveries): each delivery
//! is POSTed to the local receiver (tests/fakes/webhook.mjs), which verifies the Standard
//! Webhooks signature with the npm `standardwebhooks` package and answers as scripted.

use crate::fakes_sms::{receiver, webhook_env_lines};
use crate::support::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn hooked() -> &'static Edge {
    static EDGE: OnceLock<Edge> = OnceLock::new();
    EDGE.get_or_init(|| start_with(&webhook_env_lines()))
}

fn post(path: &str, body: Value) -> Reply {
    call_on(hooked(), "POST", path, Some(&body.to_string()), Auth::Secret)
}

/// Sends to `user` with the default channels; the webhook delivery.
fn notify_hook(user: &str, subject: &str) -> Value {
    let r = post("/notifications", json!({"to": user, "data": {"subject": subject, "body": "b"}}));
    assert_eq!(r.status, 202, "{}", r.text);
    let ds = r.body["deliveries"].as_array().expect("deliveries");
    ds.iter().find(|d| d["channel_type"] == "webhook").cloned().expect("the defaults include the webhook")
}

fn settled(user: &str, d: &Value) -> Value {
    let path = format!("/users/{}/deliveries/{}", enc(user), enc(d["id"].as_str().unwrap()));
    let read = || call_on(hooked(), "GET", &path, None, Auth::Secret).body;
    eventually(30, || Some(read()).filter(|d| d["status"] != "pending")).unwrap_or_else(read)
}

/// What the receiver got about `user`.
fn received(user: &str) -> Vec<Value> {
    receiver().log("control").into_iter().filter(|e| e["body"]["data"]["user"]["id"] == user).collect()
}

#[test]
fn each_delivery_arrives_signed_with_its_user_and_no_secrets() {
    let user = unique("wh-signed");
    let r = call_on(
        hooked(),
        "PUT",
        &format!("/users/{}", enc(&user)),
        Some(&json!({"email": "a@example.com", "number": "+15550002222", "slackToken": {"access_token": "xoxb-secret-token"}}).to_string()),
        Auth::Secret,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let d = notify_hook(&user, "Signed");
    let done = settled(&user, &d);
    assert_eq!((done["status"].as_str(), done["provider"].as_str()), (Some("sent"), Some("webhook")), "{done}");
    let got = received(&user);
    assert_eq!(got.len(), 1, "{got:?}");
    let e = &got[0];
    assert_eq!(e["verified"], true, "standardwebhooks verified it: {e}");
    assert_eq!(e["headers"]["webhook-id"], d["id"]);
    assert_eq!(e["body"]["type"], "notification.delivery");
    assert_eq!(e["body"]["data"]["delivery"]["id"], d["id"]);
    assert_eq!(e["body"]["data"]["delivery"]["data"]["subject"], "Signed");
    assert_eq!(e["body"]["data"]["user"], json!({"id": user, "email": "a@example.com", "number": "+15550002222"}));
    assert!(!e.to_string().contains("xoxb-secret-token"), "no secrets in the webhook");

    // A user never stored is sent as its id.
    let ghost = unique("wh-ghost");
    let d = notify_hook(&ghost, "Ghost");
    assert_eq!(settled(&ghost, &d)["status"], "sent");
    assert_eq!(received(&ghost)[0]["body"]["data"]["user"], json!({"id": ghost}));
}

#[test]
fn a_500_is_retried_and_delivered_once_and_a_410_fails_without_turning_the_channel_off() {
    let user = unique("wh-retry");
    receiver().script_receiver(&user, json!([500, 204, 410]));
    let d = notify_hook(&user, "Retried");
    let done = settled(&user, &d);
    assert_eq!((done["status"].as_str(), done["attempts"].as_u64()), (Some("sent"), Some(2)), "{done}");
    let got = received(&user);
    let statuses: Vec<u64> = got.iter().filter_map(|e| e["status"].as_u64()).collect();
    assert_eq!(statuses, vec![500, 204], "one failure, then delivered once");
    assert!(got.iter().all(|e| e["verified"] == true && e["headers"]["webhook-id"] == d["id"]), "{got:?}");

    let d = notify_hook(&user, "Gone");
    let gone = settled(&user, &d);
    assert_eq!(
        (gone["status"].as_str(), gone["provider_code"].as_str(), gone["attempts"].as_u64()),
        (Some("failed"), Some("http_410"), Some(1)),
        "{gone}"
    );
    let d = notify_hook(&user, "Still on");
    assert_eq!(settled(&user, &d)["status"], "sent", "the channel stays on after a 410");
}
