//! Web Push end to end: the worker encrypts (WebCrypto), signs (VAPID) and sends to a local
//! push service, which decrypts and verifies; answers drive status, pruning and retries.

use crate::push_service::{push_service, Sub};
use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;

fn subscribe_user(user: &str, script: &[u16]) -> Sub {
    let sub = push_service().subscribe(script);
    let r = send("POST", &format!("/users/{}/webpush", enc(user)), &sub.json());
    assert_eq!(r.status, 201, "{}", r.text);
    sub
}

fn push(user: &str, data: Value) -> Value {
    let r = send(
        "POST",
        "/notifications",
        &json!({"to": user, "channels": ["web_push"], "topic": "order-42", "urgency": "high", "ttl": 120, "data": data}),
    );
    assert_eq!(r.status, 202, "{}", r.text);
    r.body["deliveries"][0].clone()
}

fn delivery_when(user: &str, id: &str, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/users/{}/deliveries/{}", enc(user), enc(id));
    eventually(secs, || Some(get(&path).body).filter(|d| pred(d))).unwrap_or_else(|| get(&path).body)
}

#[test]
fn the_rfc_8291_vector_passes_through_webcrypto_in_workerd() {
    let r = send(
        "POST",
        "/dev/webpush/encrypt",
        &json!({
            "plaintext": "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24",
            "ua_public": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            "auth_secret": "BTBZMqHH6r4Tts7J_aSIgg",
            "salt": "DGv6ra1nlYgDCS1FRnbzlw",
            "as_private": "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
            "as_public": "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["body"],
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    );
}

#[test]
fn a_push_arrives_decrypts_and_verifies() {
    let user = unique("wp-ok");
    let sub = subscribe_user(&user, &[201]);
    let d = push(
        &user,
        json!({"subject": "Shipped", "body": "On its way", "url": "/orders/42", "icon": "/i.png", "order": 42}),
    );
    assert_eq!(d["status"], "pending");
    let got = push_service().wait_for(&sub, 1, 20);
    assert_eq!(got.len(), 1, "exactly one message");
    let m = &got[0];
    let payload: Value =
        serde_json::from_slice(m.plaintext.as_ref().expect("decrypts with the subscription key")).unwrap();
    assert_eq!(payload["delivery_id"], d["id"]);
    assert_eq!(payload["notification_id"], d["notification_id"]);
    assert_eq!((payload["title"].as_str(), payload["body"].as_str()), (Some("Shipped"), Some("On its way")));
    assert_eq!((payload["url"].as_str(), payload["icon"].as_str()), (Some("/orders/42"), Some("/i.png")));
    assert_eq!(payload["data"], json!({"order": 42}));
    assert!(payload["action_token"].as_str().is_some_and(|t| t.contains('.')));
    let claims = m.claims.as_ref().expect("the VAPID JWT verifies with the key from /vapid");
    assert_eq!(claims.sub, "mailto:tests@example.com");
    assert_eq!(m.headers["content-encoding"], "aes128gcm");
    let plaintext_len = m.plaintext.as_ref().map(Vec::len).unwrap_or(0);
    assert_eq!(m.body.len(), 86 + plaintext_len + 1 + 16, "one aes128gcm record, rs 4096, 65-byte key id");
    assert_eq!(m.headers["ttl"], "120");
    assert_eq!(m.headers["urgency"], "high");
    assert_eq!(m.headers["topic"], "order-42");
    let sent = delivery_when(&user, d["id"].as_str().unwrap(), 10, |d| d["status"] == "sent");
    assert_eq!(sent["status"], "sent");
    assert!(sent["sent_at"].is_string());
}

#[test]
fn gone_subscriptions_are_pruned_and_the_delivery_fails() {
    let user = unique("wp-410");
    let sub = subscribe_user(&user, &[410]);
    let d = push(&user, json!({"subject": "x"}));
    let failed = delivery_when(&user, d["id"].as_str().unwrap(), 20, |d| d["status"] == "failed");
    assert_eq!((failed["status"].as_str(), failed["reason"].as_str()), (Some("failed"), Some("subscription_gone")));
    let u = get(&format!("/users/{}", enc(&user))).body;
    assert_eq!(u["webPushTokens"], json!([]), "the 410 removed the subscription");
    assert_eq!(push_service().received(&sub).len(), 1);
}

#[test]
fn too_many_requests_then_created_delivers_exactly_once() {
    let user = unique("wp-429");
    let sub = subscribe_user(&user, &[429, 201]);
    let d = push(&user, json!({"subject": "retry me"}));
    let sent = delivery_when(&user, d["id"].as_str().unwrap(), 30, |d| d["status"] == "sent");
    assert_eq!(sent["status"], "sent");
    std::thread::sleep(Duration::from_secs(3));
    let got = push_service().received(&sub);
    assert_eq!(got.iter().map(|m| m.answered).collect::<Vec<_>>(), vec![429, 201], "one retry, then nothing more");
    assert!(got.iter().all(|m| m.plaintext.is_ok() && m.claims.is_ok()));
}

#[test]
fn persistent_server_errors_fail_after_bounded_retries() {
    let user = unique("wp-500");
    let sub = subscribe_user(&user, &[500]);
    let d = push(&user, json!({"subject": "never"}));
    let failed = delivery_when(&user, d["id"].as_str().unwrap(), 90, |d| d["status"] == "failed");
    assert_eq!((failed["status"].as_str(), failed["reason"].as_str()), (Some("failed"), Some("retries_exhausted")));
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(push_service().received(&sub).len(), 5, "five attempts, no more");
}

#[test]
fn refused_credentials_mark_the_subscription_invalid() {
    let user = unique("wp-403");
    subscribe_user(&user, &[403]);
    let d = push(&user, json!({"subject": "x"}));
    let failed = delivery_when(&user, d["id"].as_str().unwrap(), 20, |d| d["status"] == "failed");
    assert_eq!(failed["reason"], "vapid_rejected");
    let u = get(&format!("/users/{}", enc(&user))).body;
    assert_eq!(u["webPushTokens"].as_array().unwrap().len(), 1, "kept, but marked invalid");
    assert_eq!(u["isNotifiable"], false);
    // The next notification finds no valid subscription.
    let d = push(&user, json!({"subject": "y"}));
    let failed = delivery_when(&user, d["id"].as_str().unwrap(), 20, |d| d["status"] == "failed");
    assert_eq!(failed["reason"], "no_subscription");
}

#[test]
fn oversize_payloads_are_refused_at_the_api() {
    let user = unique("wp-big");
    let r = send(
        "POST",
        "/notifications",
        &json!({"to": user, "channels": ["web_push"], "data": {"subject": "x", "body": "y".repeat(3990)}}),
    );
    r.assert_error(413, "payload_too_large");
    assert_eq!(r.body["error"]["details"]["limit"], 3993);
    assert_eq!(r.field(), "data");
    assert!(all_deliveries(&user).is_empty(), "nothing was created");
    // The same body is fine in-app only (no push payload to fit).
    let r = send("POST", "/notifications", &json!({"to": user, "data": {"subject": "x", "body": "y".repeat(3990)}}));
    assert_eq!(r.status, 202);
}

#[test]
fn web_push_payloads_carry_the_unread_count_for_the_badge() {
    let user = unique("wp-badge");
    let sub = subscribe_user(&user, &[201, 201]);
    for subject in ["one", "two"] {
        let r =
            send("POST", "/notifications", &json!({"to": user, "channels": ["in_app"], "data": {"subject": subject}}));
        assert_eq!(r.status, 202, "{}", r.text);
    }
    push(&user, json!({"subject": "badge"}));
    let got = push_service().wait_for(&sub, 1, 20);
    let payload: Value = serde_json::from_slice(got[0].plaintext.as_ref().expect("decrypts")).unwrap();
    assert_eq!(payload["unread_count"], 2, "the user's in-app unread count: {payload}");

    // A payload that fits only without the count (the API checked it without) is sent without it.
    let big = |n: usize| json!({"to": user, "channels": ["web_push"], "data": {"subject": "x", "body": "y".repeat(n)}});
    let r = send("POST", "/notifications", &big(3990));
    r.assert_error(413, "payload_too_large");
    let over = r.body["error"]["details"]["size"].as_u64().expect("details.size") as usize - 3993;
    let r = send("POST", "/notifications", &big(3990 - over));
    assert_eq!(r.status, 202, "{}", r.text);
    let got = push_service().wait_for(&sub, 2, 20);
    let plaintext = got[1].plaintext.as_ref().expect("decrypts");
    assert_eq!(plaintext.len(), 3993, "the largest payload the API accepts");
    let payload: Value = serde_json::from_slice(plaintext).unwrap();
    assert!(payload.get("unread_count").is_none(), "no room for the count");
    let id = r.body["deliveries"][0]["id"].as_str().unwrap();
    assert_eq!(delivery_when(&user, id, 10, |d| d["status"] == "sent")["status"], "sent");
}
