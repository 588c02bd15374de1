//! `/users/{userId}/webpush` and `/users/{userId}/push-tokens`.

use crate::support::*;
use serde_json::json;

#[test]
fn web_push_subscriptions_register_dedupe_and_remove() {
    let id = unique("wp");
    let base = format!("/users/{}/webpush", enc(&id));
    let endpoint = format!("https://fcm.googleapis.com/fcm/send/{}", unique("e"));
    let sub = json!({"sub": {"endpoint": endpoint, "expirationTime": null, "keys": {"p256dh": P256DH, "auth": AUTH}}, "device": {"device_id": "laptop"}});
    let r = send("POST", &base, &sub);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["sub"]["endpoint"], endpoint.as_str());
    assert_eq!(send("POST", &base, &sub).status, 200, "same endpoint again is an update");
    let user = get(&format!("/users/{}", enc(&id)));
    assert_eq!(user.body["isNotifiable"], true);
    assert_eq!(user.body["webPushTokens"].as_array().unwrap().len(), 1);

    // Local push services are accepted in dev mode; other http:// endpoints never.
    let local = json!({"sub": {"endpoint": "http://127.0.0.1:9/push/1", "keys": {"p256dh": P256DH, "auth": AUTH}}});
    assert!(matches!(send("POST", &base, &local).status, 200 | 201));
    for (sub, field) in [
        (
            json!({"sub": {"endpoint": "http://push.example.net/x", "keys": {"p256dh": P256DH, "auth": AUTH}}}),
            "sub.endpoint",
        ),
        (
            json!({"sub": {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": P256DH, "auth": "AAAA"}}}),
            "sub.keys.auth",
        ),
        (
            json!({"sub": {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "BAAA", "auth": AUTH}}}),
            "sub.keys.p256dh",
        ),
        (json!({"sub": {"endpoint": "https://fcm.googleapis.com/fcm/send/x"}}), "sub.keys"),
    ] {
        let r = send("POST", &base, &sub);
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field, "{}", r.text);
    }

    let del = |e: &str| call("DELETE", &format!("{base}?endpoint={}", enc(e)), None, Auth::Secret);
    assert_eq!(del(&endpoint).status, 204);
    del(&endpoint).assert_error(404, "not_found");
    call("DELETE", &base, None, Auth::Secret).assert_error(400, "validation_failed");
    assert_eq!(get(&format!("/users/{}", enc(&id))).body["webPushTokens"].as_array().unwrap().len(), 1);
}

#[test]
fn a_subscription_moves_to_the_user_who_registers_it() {
    let (a, b) = (unique("mva"), unique("mvb"));
    let endpoint = format!("https://fcm.googleapis.com/fcm/send/{}", unique("e"));
    let sub = json!({"sub": {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}}});
    assert_eq!(send("POST", &format!("/users/{}/webpush", enc(&a)), &sub).status, 201);
    assert_eq!(send("POST", &format!("/users/{}/webpush", enc(&b)), &sub).status, 201);
    assert_eq!(get(&format!("/users/{}", enc(&a))).body["webPushTokens"], json!([]));
    assert_eq!(get(&format!("/users/{}", enc(&b))).body["webPushTokens"][0]["sub"]["endpoint"], endpoint.as_str());
}

#[test]
fn push_tokens_register_dedupe_and_remove() {
    let id = unique("pt");
    let base = format!("/users/{}/push-tokens", enc(&id));
    let token = unique("fcm");
    let body = json!({"type": "FCM", "token": token, "device": {"device_id": "phone", "platform": "android"}});
    let r = send("POST", &base, &body);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body, body);
    assert_eq!(send("POST", &base, &body).status, 200);
    assert_eq!(get(&format!("/users/{}", enc(&id))).body["pushTokens"], json!([body]));
    let r = send(
        "POST",
        &base,
        &json!({"type": "APN", "token": "t", "device": {"device_id": "d"}, "environment": "staging"}),
    );
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "environment");
    let r = send("POST", &base, &json!({"type": "APN", "device": {"device_id": "d"}}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "token");

    let del = |t: &str| call("DELETE", &format!("{base}?token={}", enc(t)), None, Auth::Secret);
    assert_eq!(del(&token).status, 204);
    del(&token).assert_error(404, "not_found");
    assert_eq!(get(&format!("/users/{}", enc(&id))).body["isNotifiable"], false);
}
