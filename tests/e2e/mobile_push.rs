//! Mobile push end to end: the edge signs (WebCrypto RS256 / ES256), exchanges and sends to
//! local fake FCM and APNs servers (tests/fakes/mobile.mjs) that verify the assertion, the
//! bearer token, the provider token, path, headers and body with node:crypto, and answer with
//! scripted errors in the real services' shapes.

use crate::fakes::fakes;
use crate::support::*;
use serde_json::{json, Value};

/// A device token unique to this run (APNs tokens are hex-like: letters and digits only).
fn device_token(kind: &str) -> String {
    unique(kind).chars().filter(char::is_ascii_alphanumeric).collect()
}

fn register(user: &str, kind: &str, token: &str, environment: Option<&str>) {
    let mut body = json!({"type": kind, "token": token, "device": {"device_id": format!("dev-{token}")}});
    if let Some(e) = environment {
        body["environment"] = e.into();
    }
    let r = send("POST", &format!("/users/{}/push-tokens", enc(user)), &body);
    assert!(r.status == 201 || r.status == 200, "{}", r.text);
}

fn push(user: &str, channels: Value) -> Value {
    let r = send(
        "POST",
        "/notifications",
        &json!({"to": user, "channels": channels, "topic": "order-42", "urgency": "high", "ttl": 120,
                "data": {"subject": "Shipped", "body": "On its way", "url": "/orders/42", "order": 42}}),
    );
    assert_eq!(r.status, 202, "{}", r.text);
    r.body["deliveries"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["channel_type"] == "mobile_push").cloned())
        .expect("a mobile_push delivery")
}

fn settled(user: &str, id: &str) -> Value {
    let path = format!("/users/{}/deliveries/{}", enc(user), enc(id));
    eventually(30, || Some(get(&path).body).filter(|d| d["status"] != "pending")).unwrap_or_else(|| get(&path).body)
}

fn tokens_of(user: &str) -> Vec<String> {
    let u = get(&format!("/users/{}", enc(user))).body;
    u["pushTokens"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["token"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn health_says_which_providers_are_on() {
    let r = call("GET", "/health", None, Auth::None);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["providers"],
        json!({"webpush": true, "fcm": true, "apns": true, "ses": true, "telnyx": true, "slack": true, "webhook": false})
    );
    assert!(!r.text.contains("PRIVATE KEY"), "no secrets in /health");
}

#[test]
fn one_delivery_reaches_every_token_fcm_and_apns_mixed_with_the_feeds_badge() {
    let f = fakes();
    let user = unique("mp-mixed");
    let (fcm, prod, sandbox) = (device_token("fcm"), device_token("apnsprod"), device_token("apnssbx"));
    register(&user, "FCM", &fcm, None);
    register(&user, "APN", &prod, Some("production"));
    register(&user, "APN", &sandbox, Some("sandbox"));
    for earlier in ["earlier one", "earlier two"] {
        let ds = notify(&[&user], earlier)["deliveries"].clone();
        let channels: Vec<&str> = ds.as_array().unwrap().iter().filter_map(|d| d["channel_type"].as_str()).collect();
        assert_eq!(channels, vec!["in_app", "mobile_push"], "defaults include a reachable mobile_push");
    }
    let d = push(&user, json!(["in_app", "mobile_push"]));
    assert_eq!(d["status"], "pending");
    let done = settled(&user, d["id"].as_str().unwrap());
    assert_eq!(done["status"], "sent", "{done}");
    assert!(["fcm", "apns"].contains(&done["provider"].as_str().unwrap_or("")), "{done}");
    assert!(done["provider_message_id"].as_str().is_some_and(|id| !id.is_empty()), "{done}");
    let unread = get(&format!("/users/{}/deliveries", enc(&user))).body["meta"]["unread_count"].as_u64();
    assert_eq!(unread, Some(3), "two earlier + the in-app copy of this one");

    // The earlier notifications went to the phones too (default channels include mobile_push
    // once the user has a token): pick this delivery's requests.
    let of_this = |token: &str| {
        f.requests_for(token)
            .into_iter()
            .find(|r| r["body"]["message"]["data"]["delivery_id"] == d["id"] || r["body"]["delivery_id"] == d["id"])
    };
    let m = &eventually(10, || of_this(&fcm)).expect("FCM got it");
    assert_eq!(m["errors"], json!([]), "the fake's checks: {m}");
    assert_eq!(m["path"], "/v1/projects/tidings-test/messages:send");
    let msg = &m["body"]["message"];
    assert_eq!(msg["notification"], json!({"title": "Shipped", "body": "On its way"}));
    assert_eq!(msg["data"]["delivery_id"], d["id"]);
    assert_eq!(msg["data"]["notification_id"], d["notification_id"]);
    assert_eq!((msg["data"]["url"].as_str(), msg["data"]["order"].as_str()), (Some("/orders/42"), Some("42")));
    assert!(msg["data"]["action_token"].as_str().is_some_and(|t| t.contains('.')));
    assert_eq!(msg["android"], json!({"ttl": "120s", "priority": "HIGH", "collapse_key": "order-42"}));
    assert_eq!(msg["apns"]["payload"]["aps"]["badge"], 3);

    for (token, host) in [(&prod, "production"), (&sandbox, "sandbox")] {
        let a = &eventually(10, || of_this(token)).expect("APNs got it");
        assert_eq!(a["errors"], json!([]), "the fake's checks: {a}");
        assert_eq!(a["host"], host, "environment {host} goes to the {host} host");
        assert_eq!(a["path"], format!("/3/device/{token}"));
        assert_eq!(a["jwt"]["header"]["kid"], f.info["apnsKeyId"]);
        assert_eq!(a["jwt"]["claims"]["iss"], f.info["apnsTeamId"]);
        let h = &a["headers"];
        assert_eq!(
            (h["apns-topic"].as_str(), h["apns-push-type"].as_str(), h["apns-priority"].as_str()),
            (Some("com.example.tidings"), Some("alert"), Some("10"))
        );
        assert_eq!(h["apns-collapse-id"], "order-42");
        let b = &a["body"];
        assert_eq!(b["aps"]["alert"], json!({"title": "Shipped", "body": "On its way"}));
        assert_eq!((b["aps"]["badge"].as_u64(), b["aps"]["sound"].as_str()), (Some(3), Some("default")));
        assert_eq!(b["aps"]["thread-id"], "order-42");
        assert_eq!((&b["delivery_id"], &b["order"]), (&d["id"], &json!(42)));
    }
}

fn fcm_error(status: u16, google: &str, code: &str) -> Value {
    json!({"status": status, "body": {"error": {"code": status, "message": "scripted", "status": google,
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}}})
}

/// FCM's answer to a malformed registration token: INVALID_ARGUMENT with a field violation on
/// `message.token` (an INVALID_ARGUMENT about anything else keeps the token).
fn fcm_bad_token() -> Value {
    json!({"status": 400, "body": {"error": {"code": 400, "status": "INVALID_ARGUMENT",
        "message": "The registration token is not a valid FCM registration token",
        "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INVALID_ARGUMENT"},
            {"@type": "type.googleapis.com/google.rpc.BadRequest",
             "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]}]}}})
}

fn apns_error(status: u16, reason: &str) -> Value {
    json!({"status": status, "body": {"reason": reason}})
}

/// One token, one scripted answer: the delivery's end and what happened to the token.
fn single(kind: &str, answers: Value) -> (String, String, Value) {
    let user = unique("mp-one");
    let token = device_token(kind);
    fakes().script(&token, answers);
    register(&user, kind, &token, Some("production"));
    let d = push(&user, json!(["mobile_push"]));
    let done = settled(&user, d["id"].as_str().unwrap());
    (user, token, done)
}

#[test]
fn dead_tokens_are_pruned() {
    for (kind, answer, code) in [
        ("FCM", fcm_error(404, "NOT_FOUND", "UNREGISTERED"), "UNREGISTERED"),
        ("FCM", fcm_bad_token(), "INVALID_ARGUMENT"),
        ("APN", apns_error(410, "Unregistered"), "Unregistered"),
        ("APN", apns_error(400, "BadDeviceToken"), "BadDeviceToken"),
        ("APN", apns_error(400, "DeviceTokenNotForTopic"), "DeviceTokenNotForTopic"),
    ] {
        let (user, token, done) = single(kind, json!([answer]));
        assert_eq!((done["status"].as_str(), done["reason"].as_str()), (Some("failed"), Some("token_gone")), "{done}");
        assert_eq!(done["provider_code"], code);
        assert!(!tokens_of(&user).contains(&token), "{code}: the token is pruned");
    }
}

#[test]
fn fcm_token_of_another_sender_is_marked_invalid() {
    let (user, token, done) = single("FCM", json!([fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")]));
    assert_eq!((done["status"].as_str(), done["reason"].as_str()), (Some("failed"), Some("token_invalid")));
    assert_eq!((done["provider"].as_str(), done["provider_code"].as_str()), (Some("fcm"), Some("SENDER_ID_MISMATCH")));
    assert!(tokens_of(&user).contains(&token), "still listed");
    let u = get(&format!("/users/{}", enc(&user))).body;
    assert_eq!(u["isNotifiable"], false, "an invalid token does not make the user notifiable");
    let again = push(&user, json!(["mobile_push"]));
    assert_eq!((again["status"].as_str(), again["reason"].as_str()), (Some("skipped"), Some("no_address")));
}

#[test]
fn busy_providers_are_retried_until_they_accept() {
    let retry_after = json!({"retry-after": "1"});
    let mut busy = fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED");
    busy["headers"] = retry_after.clone();
    let (_, token, done) = single(
        "FCM",
        json!([busy, fcm_error(503, "UNAVAILABLE", "UNAVAILABLE"), fcm_error(500, "INTERNAL", "INTERNAL")]),
    );
    assert_eq!(done["status"], "sent", "{done}");
    assert_eq!(done["attempts"], 4);
    assert_eq!(fakes().requests_for(&token).len(), 4);
    let (_, _, done) =
        single("APN", json!([apns_error(429, "TooManyRequests"), apns_error(500, "InternalServerError")]));
    assert_eq!((done["status"].as_str(), done["attempts"].as_u64()), (Some("sent"), Some(3)), "{done}");
    let (_, _, done) = single("APN", json!([apns_error(503, "ServiceUnavailable")]));
    assert_eq!((done["status"].as_str(), done["provider"].as_str()), (Some("sent"), Some("apns")), "{done}");
}

#[test]
fn a_refused_apns_provider_token_is_renewed_once() {
    let (_, token, done) = single("APN", json!([apns_error(403, "ExpiredProviderToken")]));
    assert_eq!(done["status"], "sent", "{done}");
    let got = fakes().requests_for(&token);
    assert_eq!(got.len(), 2, "one retry");
    assert_ne!(got[0]["bearer"], got[1]["bearer"], "with a new provider token");
    assert_eq!(got[1]["errors"], json!([]));
    let (user, token, done) =
        single("APN", json!([apns_error(403, "InvalidProviderToken"), apns_error(403, "InvalidProviderToken")]));
    assert_eq!((done["status"].as_str(), done["reason"].as_str()), (Some("failed"), Some("token_invalid")));
    assert_eq!(done["provider_code"], "InvalidProviderToken");
    assert_eq!(fakes().requests_for(&token).len(), 2, "only one retry");
    assert!(tokens_of(&user).contains(&token));
}

#[test]
fn an_fcm_401_refreshes_the_access_token_once() {
    let f = fakes();
    // Warm the access token cache, then make every issued token stale.
    let (_, _, warm) = single("FCM", json!([]));
    assert_eq!(warm["status"], "sent", "{warm}");
    let exchanges = |log: &[Value]| log.iter().filter(|e| e["service"] == "token" && e["errors"] == json!([])).count();
    let before = exchanges(&f.log());
    f.revoke_access_tokens();
    let (_, token, done) = single("FCM", json!([]));
    assert_eq!(done["status"], "sent", "{done}");
    let got = f.requests_for(&token);
    let first = f.log().into_iter().filter(|e| e["service"] == "fcm" && e["errors"] == json!(["bearer"])).count();
    assert!(first >= 1, "the stale token was refused with 401");
    assert!(exchanges(&f.log()) > before, "a new access token was exchanged (RS256 assertion verified)");
    assert_eq!(got.last().unwrap()["errors"], json!([]));
}

#[test]
fn without_providers_mobile_push_is_skipped_as_not_configured() {
    // Its own edge, configured with no mobile push provider.
    let plain = start_with("");
    let post = |path: &str, body: Value| {
        let r = ureq::post(&format!("{}{path}", plain.base))
            .set("authorization", &format!("Bearer {}", plain.secret_key))
            .send_json(body);
        match r {
            Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_json::<Value>().unwrap_or(Value::Null)),
            Err(e) => panic!("{path}: {e}"),
        }
    };
    let health: Value = ureq::get(&format!("{}/health", plain.base)).call().unwrap().into_json().unwrap();
    assert_eq!(
        health["providers"],
        json!({"webpush": true, "fcm": false, "apns": false, "ses": false, "telnyx": false, "slack": true, "webhook": false})
    );
    let user = unique("mp-plain");
    let token = device_token("fcm");
    let (status, _) = post(
        &format!("/users/{}/push-tokens", enc(&user)),
        json!({"type": "FCM", "token": token, "device": {"device_id": "d"}}),
    );
    assert_eq!(status, 201);
    let (status, body) =
        post("/notifications", json!({"to": user, "channels": ["mobile_push"], "data": {"subject": "hi"}}));
    assert_eq!(status, 202, "{body}");
    let d = &body["deliveries"][0];
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("skipped"), Some("channel_not_configured")));
    let (_, body) = post("/notifications", json!({"to": user, "data": {"subject": "defaults"}}));
    let channels: Vec<&str> =
        body["deliveries"].as_array().unwrap().iter().filter_map(|d| d["channel_type"].as_str()).collect();
    assert_eq!(channels, vec!["in_app"], "defaults leave an unreachable channel out silently");
    assert!(fakes().requests_for(&token).is_empty(), "nothing was sent");
}
