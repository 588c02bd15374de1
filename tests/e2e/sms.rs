//! SMS end to end: the shared edge sends to the local fake Telnyx (tests/fakes/telnyx.mjs),
//! which checks the bearer key and the body as Telnyx does, answers in Telnyx's shapes and
//! reports each message's fate to the edge's `/providers/telnyx/events`, signed with its own
//! Ed25519 key (node:crypto). The edge verifies with WebCrypto `Ed25519`.

use crate::fakes_sms::telnyx;
use crate::support::*;
use serde_json::{json, Value};

/// A number unique to this run (E.164, the 555 range).
fn number() -> String {
    let h = unique("n").bytes().fold(7u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b)));
    format!("+1555{:07}", h % 10_000_000)
}

fn events_url() -> String {
    format!("{}/providers/telnyx/events", edge().base)
}

/// A stored user with a fresh number.
fn user_with_number(prefix: &str) -> (String, String) {
    let (user, n) = (unique(prefix), number());
    let r = send("PUT", &format!("/users/{}", enc(&user)), &json!({"number": n}));
    assert_eq!(r.status, 201, "{}", r.text);
    (user, n)
}

/// Sends `data` to `user` on `channels` (omitted: the defaults); the sms delivery, if any.
fn notify_sms(user: &str, channels: Option<Value>, data: Value) -> Option<Value> {
    let mut body = json!({"to": user, "data": data});
    if let Some(c) = channels {
        body["channels"] = c;
    }
    let r = send("POST", "/notifications", &body);
    assert_eq!(r.status, 202, "{}", r.text);
    r.body["deliveries"].as_array().and_then(|ds| ds.iter().find(|d| d["channel_type"] == "sms").cloned())
}

fn delivery(user: &str, id: &str) -> Value {
    get(&format!("/users/{}/deliveries/{}", enc(user), enc(id))).body
}

/// Waits until the delivery's status is `status` (30 s), and returns it as it is then.
fn until_status(user: &str, d: &Value, status: &str) -> Value {
    let id = d["id"].as_str().expect("delivery id");
    eventually(30, || Some(delivery(user, id)).filter(|d| d["status"] == status)).unwrap_or_else(|| delivery(user, id))
}

/// What the fake Telnyx accepted for `to`.
fn messages_to(to: &str) -> Vec<Value> {
    telnyx().log("url").into_iter().filter(|e| e["kind"] == "message" && e["body"]["to"] == to).collect()
}

fn finalized(message_id: &str, to: &str, status: &str) -> Value {
    json!({"data": {"event_type": "message.finalized", "id": unique("evt"), "occurred_at": "2026-12-01T00:00:00Z",
        "record_type": "event", "payload": {"id": message_id, "direction": "outbound", "errors": [],
            "to": [{"phone_number": to, "status": status}]}}, "meta": {"attempt": 1}})
}

#[test]
fn an_sms_is_sent_then_delivered_by_the_signed_receipt() {
    let (user, n) = user_with_number("sms-ok");
    let d = notify_sms(
        &user,
        None,
        json!({"subject": "Shipped", "body": "Order 42 is on its way", "url": "https://shop.example/o/42"}),
    )
    .expect("the defaults include sms for a user with a number");
    let done = until_status(&user, &d, "delivered");
    assert_eq!(done["status"], "delivered", "{done}");
    assert_eq!(done["provider"], "telnyx");
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["segments"], 1);
    let sent = messages_to(&n);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m["errors"], json!([]), "the fake found nothing wrong: {m}");
    assert_eq!(done["provider_message_id"], m["id"]);
    assert_eq!(m["body"]["text"], "Shipped\nOrder 42 is on its way\nhttps://shop.example/o/42");
    assert_eq!(m["body"]["from"], telnyx().info["from"]);
    assert_eq!(m["body"]["webhook_url"], events_url().as_str());
    assert!(m["body"].get("messaging_profile_id").is_none());

    // A long UCS-2 text is cut to at most 10 segments at a character boundary; the count the
    // edge records is the one the fake (its own GSM/UCS-2 reckoning) reports.
    let long = format!("Héllo 😀 {}", "ünïcødé 😀 ".repeat(200));
    let d = notify_sms(&user, Some(json!(["sms"])), json!({"subject": "Long", "body": long})).expect("sms delivery");
    let done = until_status(&user, &d, "delivered");
    let sent = messages_to(&n);
    let m = sent.last().expect("a second message");
    assert_eq!(m["encoding"], "UCS-2");
    assert_eq!(done["segments"], m["parts"], "{done}");
    assert_eq!(done["segments"], 10);
    assert!(m["body"]["text"].as_str().unwrap().ends_with("..."));
}

#[test]
fn a_forged_or_stale_receipt_is_refused_and_changes_nothing() {
    let (user, n) = user_with_number("sms-forged");
    telnyx().script_telnyx(&n, json!([{"final": null}, {"final": "delivery_failed", "errorCode": "40008"}]));
    let d = notify_sms(&user, Some(json!(["sms"])), json!({"body": "no receipt yet"})).expect("sms delivery");
    let sent = until_status(&user, &d, "sent");
    assert_eq!(sent["status"], "sent", "{sent}");
    let message_id = sent["provider_message_id"].as_str().expect("message id").to_owned();
    let event = finalized(&message_id, &n, "delivered");

    let forged = telnyx().telnyx_webhook(&events_url(), event.clone(), None, true);
    assert_eq!(forged["status"], 401, "{forged}");
    let body: Value = serde_json::from_str(forged["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    let stale_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 - 301;
    let stale = telnyx().telnyx_webhook(&events_url(), event.clone(), Some(stale_at), false);
    assert_eq!(stale["status"], 401, "a validly signed receipt older than 5 minutes: {stale}");
    let unsigned = call("POST", "/providers/telnyx/events", Some(&event.to_string()), Auth::None);
    unsigned.assert_error(401, "unauthenticated");
    let still = delivery(&user, d["id"].as_str().unwrap());
    assert_eq!((still["status"].as_str(), still["updated_at"].as_str()), (Some("sent"), sent["updated_at"].as_str()));

    let genuine = telnyx().telnyx_webhook(&events_url(), event, None, false);
    assert_eq!(genuine["status"], 204, "{genuine}");
    assert_eq!(delivery(&user, d["id"].as_str().unwrap())["status"], "delivered");

    // A carrier failure: failed, with Telnyx's code.
    let d = notify_sms(&user, Some(json!(["sms"])), json!({"body": "this one bounces"})).expect("sms delivery");
    let failed = until_status(&user, &d, "failed");
    assert_eq!(
        (failed["status"].as_str(), failed["reason"].as_str(), failed["provider_code"].as_str()),
        (Some("failed"), Some("undelivered"), Some("40008")),
        "{failed}"
    );
}

#[test]
fn stop_opts_the_number_out_and_start_opts_it_back_in() {
    let (user, n) = user_with_number("sms-stop");
    let stop = telnyx().telnyx_inbound(&events_url(), &n, "Stop");
    assert_eq!(stop["status"], 204, "{stop}");
    let d = notify_sms(&user, Some(json!(["in_app", "sms"])), json!({"body": "after STOP"})).expect("sms delivery");
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("skipped"), Some("sms_opted_out")), "{d}");
    assert!(notify_sms(&user, None, json!({"body": "defaults after STOP"})).is_none(), "defaults leave sms out");
    assert!(messages_to(&n).is_empty(), "nothing was sent to an opted-out number");

    let start = telnyx().telnyx_inbound(&events_url(), &n, "START");
    assert_eq!(start["status"], 204, "{start}");
    let d = notify_sms(&user, Some(json!(["sms"])), json!({"body": "after START"})).expect("sms delivery");
    assert_eq!(until_status(&user, &d, "delivered")["status"], "delivered");
    assert_eq!(messages_to(&n).len(), 1);
}

#[test]
fn telnyx_refusals_fail_with_their_code_and_429_is_retried() {
    let (user, n) = user_with_number("sms-refused");
    let invalid = json!({"errors": [{"code": "40310", "title": "Invalid 'to' address", "detail": "The 'to' address is not valid."}]});
    let limited = json!({"errors": [{"code": "10011", "title": "Too many requests"}]});
    telnyx().script_telnyx(
        &n,
        json!([{"status": 400, "body": invalid}, {"status": 429, "headers": {"retry-after": "1"}, "body": limited}]),
    );
    let d = notify_sms(&user, Some(json!(["sms"])), json!({"body": "refused"})).expect("sms delivery");
    let failed = until_status(&user, &d, "failed");
    assert_eq!(
        (failed["reason"].as_str(), failed["provider_code"].as_str(), failed["attempts"].as_u64()),
        (Some("provider_rejected"), Some("40310"), Some(1)),
        "{failed}"
    );
    let d = notify_sms(&user, Some(json!(["sms"])), json!({"body": "limited, then sent"})).expect("sms delivery");
    let done = until_status(&user, &d, "delivered");
    assert_eq!((done["status"].as_str(), done["attempts"].as_u64()), (Some("delivered"), Some(2)), "{done}");
    let accepted = messages_to(&n).into_iter().filter(|m| m["id"].is_string()).count();
    assert_eq!(accepted, 1, "accepted once");
}
