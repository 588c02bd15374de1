//! Slack end to end: the edge posts to a local fake Slack (tests/fakes/slack.mjs) that checks
//! the bearer token against the tokens it issued, the JSON body and Block Kit as Slack
//! documents them, and answers in Slack's shapes (HTTP 200 `ok:false`, 429 + Retry-After,
//! plain-text webhook answers).

use crate::slack_fake::slack;
use crate::support::*;
use serde_json::{json, Value};

/// A user with a fresh Slack installation as `slackToken` and `slackChannel` (if any); returns
/// the installation's bot token.
fn slack_user(user: &str, channel: Option<&str>) -> String {
    let install = slack().install();
    let mut body = json!({"slackToken": install});
    if let Some(c) = channel {
        body["slackChannel"] = c.into();
    }
    let r = send("PUT", &format!("/users/{}", enc(user)), &body);
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    install["access_token"].as_str().expect("access_token").to_owned()
}

fn set_channel(user: &str, channel: &str) {
    let r = send("PUT", &format!("/users/{}", enc(user)), &json!({"slackChannel": channel}));
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Sends to `user` on `channels` (none: the defaults); returns the `slack` delivery.
fn post(user: &str, channels: Option<Value>, data: Value) -> Value {
    let mut body = json!({"to": user, "data": data});
    if let Some(c) = channels {
        body["channels"] = c;
    }
    let r = send("POST", "/notifications", &body);
    assert_eq!(r.status, 202, "{}", r.text);
    r.body["deliveries"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["channel_type"] == "slack").cloned())
        .unwrap_or_else(|| panic!("a slack delivery in {}", r.text))
}

fn settled(user: &str, d: &Value) -> Value {
    let path = format!("/users/{}/deliveries/{}", enc(user), enc(d["id"].as_str().expect("id")));
    eventually(30, || Some(get(&path).body).filter(|d| d["status"] != "pending")).unwrap_or_else(|| get(&path).body)
}

/// The fake's successful chat.postMessage / webhook entries for `token`.
fn messages(token: &str) -> Vec<Value> {
    slack().calls_with(token).into_iter().filter(|e| e["text"].is_string() && e["error"].is_null()).collect()
}

fn is_notifiable(user: &str) -> bool {
    get(&format!("/users/{}", enc(user))).body["isNotifiable"].as_bool().expect("isNotifiable")
}

#[test]
fn posts_to_a_channel_id_a_channel_name_and_a_user_by_dm() {
    let user = unique("slack-forms");
    let token = slack_user(&user, Some("C0GENERAL01"));
    assert!(is_notifiable(&user), "a usable Slack token makes the user notifiable");
    let data = json!({"subject": "Deploy <prod> & co", "body": "Build *42* failed <!channel> a>b", "url": "https://ci.example.com/b/42?x=1&y=2"});
    let d = post(&user, Some(json!(["slack"])), data.clone());
    let done = settled(&user, &d);
    assert_eq!(done["status"], "sent", "{done}");
    assert_eq!(done["provider"], "slack");
    let m = eventually(10, || messages(&token).into_iter().next()).expect("Slack got the message");
    assert_eq!(done["provider_message_id"], m["ts"], "the message id is Slack's ts");
    assert_eq!(m["channel"], "C0GENERAL01");
    let blocks = m["blocks"].as_array().expect("blocks");
    assert_eq!(
        blocks[0],
        json!({"type": "header", "text": {"type": "plain_text", "text": "Deploy <prod> & co", "emoji": true}})
    );
    assert_eq!(blocks[1]["text"], json!({"type": "mrkdwn", "text": "Build *42* failed &lt;!channel&gt; a&gt;b"}));
    let button = &blocks[2]["elements"][0];
    assert_eq!(
        (button["type"].as_str(), button["url"].as_str()),
        (Some("button"), Some("https://ci.example.com/b/42?x=1&y=2"))
    );
    assert_eq!(button["action_id"], format!("tidings_open:{}", d["id"].as_str().unwrap()));
    assert_eq!(m["text"], "Deploy &lt;prod&gt; &amp; co\nBuild *42* failed &lt;!channel&gt; a&gt;b");

    // A channel name (with `#`; `direct_message` is the seed's alias of slack).
    set_channel(&user, "#general");
    assert_eq!(settled(&user, &post(&user, Some(json!(["direct_message"])), data.clone()))["status"], "sent");
    // A user id: the DM is opened first, then posted to.
    set_channel(&user, "U0BOB000001");
    assert_eq!(settled(&user, &post(&user, Some(json!(["slack"])), data))["status"], "sent");
    let calls = slack().calls_with(&token);
    let posted: Vec<&Value> = calls.iter().filter(|e| e["ts"].is_string()).collect();
    assert_eq!(posted.len(), 3, "{calls:?}");
    assert_eq!(posted[1]["body"]["channel"], "#general");
    assert_eq!(posted[1]["channel"], "C0GENERAL01");
    let open = calls.iter().find(|e| e["method"] == "conversations.open").expect("conversations.open was called");
    assert_eq!(open["body"], json!({"users": "U0BOB000001"}));
    assert_eq!(posted[2]["channel"], open["opened"], "posted to the DM conversations.open gave");
    assert!(calls.iter().all(|e| e["blockErrors"].is_null()), "the fake's Block Kit checks passed");
}

#[test]
fn a_revoked_token_fails_the_delivery_and_is_marked_invalid_until_a_new_one_is_set() {
    let user = unique("slack-revoked");
    let token = slack_user(&user, Some("C0GENERAL01"));
    slack().revoke(&token);
    let d = settled(&user, &post(&user, Some(json!(["slack"])), json!({"subject": "one"})));
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("failed"), Some("token_invalid")), "{d}");
    assert_eq!(d["provider_code"], "token_revoked");
    assert!(!is_notifiable(&user), "a refused token does not make the user notifiable");
    let calls_before = slack().calls_with(&token).len();

    // The next send is skipped without a call to Slack; by default slack is not even planned.
    let next = post(&user, Some(json!(["slack"])), json!({"subject": "two"}));
    assert_eq!((next["status"].as_str(), next["reason"].as_str()), (Some("skipped"), Some("token_invalid")), "{next}");
    let r = send("POST", "/notifications", &json!({"to": user, "data": {"subject": "three"}}));
    assert!(r.body["deliveries"].as_array().unwrap().iter().all(|d| d["channel_type"] != "slack"), "{}", r.text);
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(slack().calls_with(&token).len(), calls_before, "nothing more was sent with the revoked token");

    // A new installation clears the mark.
    let fresh = slack_user(&user, None);
    assert!(is_notifiable(&user));
    assert_eq!(settled(&user, &post(&user, Some(json!(["slack"])), json!({"subject": "four"})))["status"], "sent");
    assert_eq!(messages(&fresh).len(), 1);

    // The incoming webhook of a removed app answers `invalid_token`: the same mark.
    let r = send("PUT", &format!("/users/{}", enc(&user)), &json!({"slackChannel": null}));
    assert_eq!(r.status, 200, "{}", r.text);
    slack().revoke(&fresh);
    let d = settled(&user, &post(&user, Some(json!(["slack"])), json!({"subject": "five"})));
    assert_eq!(
        (d["reason"].as_str(), d["provider_code"].as_str()),
        (Some("token_invalid"), Some("invalid_token")),
        "{d}"
    );
    assert!(!is_notifiable(&user));
}

#[test]
fn ratelimited_then_ok_delivers_once() {
    let user = unique("slack-ratelimited");
    let token = slack_user(&user, Some("C0GENERAL01"));
    slack().script(&token, json!([{"status": 429, "error": "ratelimited", "retryAfter": 1}]));
    let d = settled(&user, &post(&user, Some(json!(["slack"])), json!({"subject": "later", "body": "b"})));
    assert_eq!(d["status"], "sent", "{d}");
    assert_eq!(d["attempts"], 2, "{d}");
    let calls = slack().calls_with(&token);
    assert_eq!(calls.len(), 2, "one refused, one accepted: {calls:?}");
    assert!(calls[1]["at"].as_f64().unwrap() - calls[0]["at"].as_f64().unwrap() >= 1000.0, "waited Retry-After");
    assert_eq!(messages(&token).len(), 1, "delivered once");
}

#[test]
fn the_incoming_webhook_is_used_when_no_other_place_is_asked_for() {
    let user = unique("slack-webhook");
    let token = slack_user(&user, None);
    assert!(is_notifiable(&user));
    // No `channels`: the defaults include slack, which the user can be reached on.
    let d = settled(&user, &post(&user, None, json!({"subject": "Hooked", "body": "x < y"})));
    assert_eq!(d["status"], "sent", "{d}");
    assert!(d["provider_message_id"].is_null(), "webhooks give no message id: {d}");
    let m = eventually(10, || messages(&token).into_iter().next()).expect("the webhook got it");
    assert_eq!(m["service"], "webhook");
    assert_eq!(m["channel"], "C0ALERTS001");
    assert_eq!(m["blocks"][1]["text"]["text"], "x &lt; y");

    // The webhook's own channel by name is no other place; @name is not postable: both webhook.
    for channel in ["#alerts", "@someone"] {
        set_channel(&user, channel);
        assert_eq!(settled(&user, &post(&user, Some(json!(["slack"])), json!({"subject": channel})))["status"], "sent");
    }
    let calls = slack().calls_with(&token);
    assert!(calls.iter().all(|e| e["service"] == "webhook"), "{calls:?}");
    assert_eq!(messages(&token).len(), 3);
}

#[test]
fn at_names_are_kept_but_skipped_and_bad_slack_fields_are_refused_by_name() {
    let user = unique("slack-fields");
    let r = send("PUT", &format!("/users/{}", enc(&user)), &json!({"slackChannel": "@someone"}));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["slackChannel"], "@someone");
    let d = post(&user, Some(json!(["slack"])), json!({"subject": "s"}));
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("skipped"), Some("slack_username_unsupported")));

    let r = send("PUT", &format!("/users/{}", enc(&user)), &json!({"slackChannel": "Not a channel"}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "slackChannel");
    let r = send(
        "PUT",
        &format!("/users/{}", enc(&user)),
        &json!({"slackToken": {"access_token": "xoxb-1", "incoming_webhook": {"url": "https://evil.example/services/T/B/X"}}}),
    );
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "slackToken.incoming_webhook.url");
    assert_eq!(get(&format!("/users/{}", enc(&user))).body["slackChannel"], "@someone", "nothing written");
}

#[test]
fn channel_errors_fail_the_delivery_with_slacks_code_and_keep_the_token() {
    let user = unique("slack-channel-errors");
    let token = slack_user(&user, None);
    for (channel, code) in
        [("#elsewhere", "not_in_channel"), ("C0ARCHIVED1", "is_archived"), ("#nowhere", "channel_not_found")]
    {
        set_channel(&user, channel);
        let d = settled(&user, &post(&user, Some(json!(["slack"])), json!({"subject": channel})));
        assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("failed"), Some("provider_rejected")), "{d}");
        assert_eq!(d["provider_code"], code, "{d}");
        assert_eq!(d["attempts"], 1, "not retried: {d}");
    }
    assert!(is_notifiable(&user), "a channel error says nothing about the token");
    assert_eq!(slack().calls_with(&token).len(), 3);
}
