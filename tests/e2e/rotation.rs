//! Key rotation: the test edge runs as in the middle of one (every `…_PREVIOUS` var set). The
//! previous secret key and user-token secret are accepted beside the current ones, the newest
//! signs, and each web push subscription is signed with the VAPID key it was made with.

use crate::push_service::push_service;
use crate::support::*;
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};
use tidings::notify::push;

fn now_s() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64
}

fn as_user(method: &str, path: &str, token: &str) -> Reply {
    call(method, path, None, Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-user-token", token)]))
}

#[test]
fn the_previous_secret_key_still_opens_admin_routes() {
    let previous = edge().secret_key_previous.clone();
    assert_ne!(previous, edge().secret_key);
    let r = call("GET", "/users?pageSize=1", None, Auth::Raw("authorization", &format!("Bearer {previous}")));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(call("GET", "/users/x", None, Auth::Raw("x-secret-key", &previous)).status, 200);
    assert_eq!(get("/users?pageSize=1").status, 200, "the current key too");
    let neither = format!("sk_test_{}", unique("neither"));
    call("GET", "/users", None, Auth::Raw("authorization", &format!("Bearer {neither}")))
        .assert_error(401, "unauthenticated");
}

#[test]
fn user_tokens_of_the_previous_secret_verify_and_the_newest_signs() {
    let me = unique("rot-user");
    let mine = format!("/users/{}", enc(&me));
    let old = tidings::auth::sign_user_token(&me, now_s() + 600, USER_TOKEN_SECRET_PREVIOUS);
    let r = as_user("GET", &mine, &old);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(as_user("GET", &mine, &user_token(&me, 600)).status, 200, "the current secret too");
    let neither = tidings::auth::sign_user_token(&me, now_s() + 600, "neither-secret");
    as_user("GET", &mine, &neither).assert_error(401, "unauthenticated");
    let expired = tidings::auth::sign_user_token(&me, now_s() - 5, USER_TOKEN_SECRET_PREVIOUS);
    as_user("GET", &mine, &expired).assert_error(401, "unauthenticated");

    let r =
        call("POST", "/dev/user-token", Some(&json!({"user_id": me}).to_string()), Auth::Raw("x-api-key", PUBLIC_KEY));
    assert_eq!(r.status, 200, "{}", r.text);
    let minted = r.body["token"].as_str().unwrap();
    assert!(tidings::auth::verify_user_token(minted, USER_TOKEN_SECRET, now_s()).is_some(), "signed with the newest");
    assert!(tidings::auth::verify_user_token(minted, USER_TOKEN_SECRET_PREVIOUS, now_s()).is_none());
}

#[test]
fn action_and_subscription_tokens_of_the_previous_secret_key_verify_and_the_newest_signs() {
    let me = unique("rot-tokens");
    let id = notify(&[&me], "in-app")["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let (current, previous) = (edge().secret_key.clone(), edge().secret_key_previous.clone());
    let path = format!("/users/{}/deliveries/{id}", enc(&me));
    let patch = |token: &str| {
        call(
            "PATCH",
            &path,
            Some("{\"seen\":true}"),
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-action-token", token)]),
        )
    };
    let r = patch(&push::action_token(&previous, &me, &id, now_s() + 600));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["seen_at"].is_string());
    assert_eq!(patch(&push::action_token(&current, &me, &id, now_s() + 600)).status, 200);
    patch(&push::action_token("sk_neither", &me, &id, now_s() + 600)).assert_error(401, "unauthenticated");

    let (a, b) = (push_service().subscribe(&[201]), push_service().subscribe(&[201]));
    let webpush = format!("/users/{}/webpush", enc(&me));
    let r = send("POST", &webpush, &a.json());
    assert_eq!(r.status, 201, "{}", r.text);
    let issued = r.body["subscription_token"].as_str().unwrap();
    assert!(push::verify_subscription_token(&current, issued).is_some(), "signed with the newest key");
    assert!(push::verify_subscription_token(&previous, issued).is_none());
    let mut replace = b.json();
    replace["old_endpoint"] = json!(a.endpoint);
    let with_sub = |token: &str| {
        call(
            "POST",
            &webpush,
            Some(&replace.to_string()),
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-subscription-token", token)]),
        )
    };
    with_sub(&push::subscription_token("sk_neither", &me, &a.endpoint)).assert_error(401, "unauthenticated");
    let r = with_sub(&push::subscription_token(&previous, &me, &a.endpoint));
    assert_eq!(r.status, 201, "{}", r.text);
}

#[test]
fn each_subscription_is_signed_with_the_vapid_key_it_was_made_with() {
    assert_eq!(get("/vapid").body["publicKey"], VAPID_PUBLIC, "/vapid answers the current key");
    let me = unique("rot-vapid");
    let path = format!("/users/{}/webpush", enc(&me));
    let old = push_service().subscribe_with_key(&[201], VAPID_PUBLIC_PREVIOUS);
    let named_current = push_service().subscribe_with_key(&[201], VAPID_PUBLIC);
    let unnamed = push_service().subscribe(&[201]);
    for sub in [&old, &named_current, &unnamed] {
        let r = send("POST", &path, &sub.json());
        assert_eq!(r.status, 201, "{}", r.text);
        assert!(r.body.get("applicationServerKey").is_none(), "the wire subscription is unchanged");
    }
    let r =
        send("POST", "/notifications", &json!({"to": me, "channels": ["web_push"], "data": {"subject": "rotated"}}));
    assert_eq!(r.status, 202, "{}", r.text);
    for (sub, key) in [(&old, VAPID_PUBLIC_PREVIOUS), (&named_current, VAPID_PUBLIC), (&unnamed, VAPID_PUBLIC)] {
        let got = push_service().wait_for(sub, 1, 20);
        assert_eq!(got.len(), 1, "one message to {}", sub.endpoint);
        let claims = got[0].claims.as_ref().expect("the JWT verifies with the key the subscription was made with");
        assert!(claims.exp <= now_s() + 24 * 3600);
        let (_, k) = tidings::webpush::parse_authorization(&got[0].headers["authorization"]).unwrap();
        assert_eq!(k, key);
        let payload: Value = serde_json::from_slice(got[0].plaintext.as_ref().expect("decrypts")).unwrap();
        assert_eq!(payload["title"], "rotated");
    }
    let id = r.body["deliveries"][0]["id"].as_str().unwrap();
    let sent = eventually(10, || {
        Some(get(&format!("/users/{}/deliveries/{id}", enc(&me))).body).filter(|d| d["status"] == "sent")
    });
    assert!(sent.is_some(), "the delivery is sent");
}

#[test]
fn an_unknown_application_server_key_is_refused_and_nothing_is_written() {
    let me = unique("rot-unknown");
    let sub = push_service().subscribe_with_key(&[201], P256DH);
    let r = send("POST", &format!("/users/{}/webpush", enc(&me)), &sub.json());
    // A well-formed key the edge does not hold clashes with its configuration: 409.
    r.assert_error(409, "conflict");
    assert_eq!(r.field(), "applicationServerKey");
    let mut garbage = sub.json();
    garbage["applicationServerKey"] = json!("not base64!");
    let r = send("POST", &format!("/users/{}/webpush", enc(&me)), &garbage);
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "applicationServerKey");
    let user = get(&format!("/users/{}", enc(&me))).body;
    assert_eq!(user["webPushTokens"], json!([]), "{user}");
}
