//! Browser credentials, CORS, and the service worker's action and subscription tokens.

use crate::push_service::push_service;
use crate::support::*;
use serde_json::{json, Value};

fn as_user(method: &str, path: &str, body: Option<&Value>, token: &str) -> Reply {
    let text = body.map(Value::to_string);
    call(method, path, text.as_deref(), Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-user-token", token)]))
}

#[test]
fn browser_credentials_grant_only_the_users_own_routes() {
    let (me, other) = (unique("me"), unique("other"));
    let r = send(
        "PUT",
        &format!("/users/{}", enc(&me)),
        &json!({"email": "me@example.com", "slackToken": {"ok": true, "access_token": "xoxb-secret"}}),
    );
    assert_eq!(r.status, 201);
    let token = user_token(&me, 3600);
    let mine = format!("/users/{}", enc(&me));

    let r = as_user("GET", &mine, None, &token);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["email"], "me@example.com");
    assert!(r.body.get("slackToken").is_none(), "slackToken is never shown to browser credentials");
    assert_eq!(get(&mine).body["slackToken"]["access_token"], "xoxb-secret", "the secret key sees it");

    notify(&[&me], "for me");
    let r = as_user("GET", &format!("{mine}/deliveries"), None, &token);
    assert_eq!(r.status, 200);
    let id = r.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(as_user("PATCH", &format!("{mine}/deliveries/{id}"), Some(&json!({"read": true})), &token).status, 200);
    assert_eq!(
        as_user("POST", &format!("{mine}/deliveries/actions"), Some(&json!({"action": "seen"})), &token).status,
        200
    );
    assert_eq!(as_user("PUT", &format!("{mine}/preferences"), Some(&json!({"categories": {}})), &token).status, 200);
    assert_eq!(as_user("GET", &format!("{mine}/preferences"), None, &token).status, 200);

    as_user("GET", &format!("/users/{}", enc(&other)), None, &token).assert_error(403, "forbidden");
    as_user("GET", &format!("/users/{}/deliveries", enc(&other)), None, &token).assert_error(403, "forbidden");
    as_user("GET", "/users", None, &token).assert_error(403, "forbidden");
    as_user("POST", "/notifications", Some(&json!({"to": me, "data": {"subject": "x"}})), &token)
        .assert_error(403, "forbidden");
    as_user("DELETE", &mine, None, &token).assert_error(403, "forbidden");
    as_user("PUT", &mine, Some(&json!({"email": "x@example.com"})), &token).assert_error(403, "forbidden");

    as_user("GET", &mine, None, &user_token(&me, -5)).assert_error(401, "unauthenticated");
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    as_user("GET", &mine, None, &tampered).assert_error(401, "unauthenticated");
    let foreign = tidings::auth::sign_user_token(&me, 4_000_000_000, "another-secret");
    as_user("GET", &mine, None, &foreign).assert_error(401, "unauthenticated");
    call("GET", &mine, None, Auth::Raw("x-user-token", &token)).assert_error(401, "unauthenticated");
    call("GET", &mine, None, Auth::Headers(&[("x-api-key", "pk_wrong"), ("x-user-token", &token)]))
        .assert_error(401, "unauthenticated");
}

#[test]
fn requests_with_a_user_token_record_last_seen() {
    let me = unique("seen");
    let path = format!("/users/{}", enc(&me));
    assert!(get(&path).body.get("lastSeenTime").is_none());
    assert_eq!(as_user("GET", &format!("{path}/deliveries"), None, &user_token(&me, 3600)).status, 200);
    let seen = eventually(10, || get(&path).body.get("lastSeenTime").cloned());
    assert!(seen.is_some_and(|t| t.is_string()), "lastSeenTime is set after a browser request");
}

#[test]
fn cors_for_allowed_origins_only() {
    let origin = "http://127.0.0.1:5173";
    let r = call(
        "OPTIONS",
        "/users/x/deliveries",
        None,
        Auth::Headers(&[
            ("origin", origin),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "x-user-token"),
        ]),
    );
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.headers.get("access-control-allow-origin").map(String::as_str), Some(origin));
    assert!(r.headers["access-control-allow-headers"].contains("x-user-token"));
    let me = unique("cors");
    let token = user_token(&me, 3600);
    let r = call(
        "GET",
        &format!("/users/{}/deliveries", enc(&me)),
        None,
        Auth::Headers(&[("origin", origin), ("x-api-key", PUBLIC_KEY), ("x-user-token", &token)]),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.headers.get("access-control-allow-origin").map(String::as_str), Some(origin));
    assert!(r.headers["access-control-expose-headers"].contains("X-Request-Id"));

    let evil = "https://evil.example";
    let r = call(
        "OPTIONS",
        "/users/x/deliveries",
        None,
        Auth::Headers(&[("origin", evil), ("access-control-request-method", "GET")]),
    );
    r.assert_error(403, "forbidden");
    assert!(!r.headers.contains_key("access-control-allow-origin"));
    let r = call("GET", "/health", None, Auth::Headers(&[("origin", evil)]));
    assert!(!r.headers.contains_key("access-control-allow-origin"));
}

#[test]
fn the_action_token_of_a_push_marks_only_its_delivery() {
    let me = unique("action");
    let sub = push_service().subscribe(&[201]);
    assert_eq!(send("POST", &format!("/users/{}/webpush", enc(&me)), &sub.json()).status, 201);
    let other = notify(&[&me], "in-app neighbour")["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let r = send("POST", "/notifications", &json!({"to": me, "channels": ["web_push"], "data": {"subject": "tap me"}}));
    let id = r.body["deliveries"][0]["id"].as_str().unwrap().to_owned();
    let got = push_service().wait_for(&sub, 1, 20);
    let payload: Value = serde_json::from_slice(got[0].plaintext.as_ref().expect("decrypts")).unwrap();
    let action = payload["action_token"].as_str().unwrap().to_owned();
    let with_action = |path: &str, body: Value| {
        call(
            "PATCH",
            path,
            Some(&body.to_string()),
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-action-token", &action)]),
        )
    };
    let mine = format!("/users/{}/deliveries/{id}", enc(&me));
    let r = with_action(&mine, json!({"seen": true}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["seen_at"].is_string());
    assert!(with_action(&mine, json!({"clicked": true})).body["clicked_at"].is_string());
    with_action(&mine, json!({"archived": true})).assert_error(403, "forbidden");
    with_action(&mine, json!({"read": false})).assert_error(403, "forbidden");
    with_action(&format!("/users/{}/deliveries/{other}", enc(&me)), json!({"seen": true}))
        .assert_error(403, "forbidden");
    call(
        "GET",
        &format!("/users/{}/deliveries", enc(&me)),
        None,
        Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-action-token", &action)]),
    )
    .assert_error(401, "unauthenticated");
    let forged = format!("{}x", &action[..action.len() - 1]);
    call(
        "PATCH",
        &mine,
        Some("{\"seen\":true}"),
        Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-action-token", &forged)]),
    )
    .assert_error(401, "unauthenticated");
}

#[test]
fn the_subscription_token_replaces_only_its_subscription() {
    let me = unique("subtoken");
    let token = user_token(&me, 3600);
    let (a, b, c) =
        (push_service().subscribe(&[201]), push_service().subscribe(&[201]), push_service().subscribe(&[201]));
    let path = format!("/users/{}/webpush", enc(&me));
    let r = as_user("POST", &path, Some(&a.json()), &token);
    assert_eq!(r.status, 201, "{}", r.text);
    let sub_token = r.body["subscription_token"].as_str().unwrap().to_owned();
    let with_sub = |path: &str, body: Value| {
        call(
            "POST",
            path,
            Some(&body.to_string()),
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-subscription-token", &sub_token)]),
        )
    };
    let mut replace_c = c.json();
    replace_c["old_endpoint"] = json!(b.endpoint);
    with_sub(&path, replace_c).assert_error(403, "forbidden");
    with_sub(&path, c.json()).assert_error(403, "forbidden");
    let mut replace = b.json();
    replace["old_endpoint"] = json!(a.endpoint);
    with_sub(&format!("/users/{}/webpush", enc(&unique("someone"))), replace.clone()).assert_error(403, "forbidden");
    let r = with_sub(&path, replace);
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.body["subscription_token"].as_str().is_some_and(|t| t != sub_token));
    let endpoints: Vec<Value> = get(&format!("/users/{}", enc(&me))).body["webPushTokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sub"]["endpoint"].clone())
        .collect();
    assert_eq!(endpoints, vec![json!(b.endpoint)]);
}

#[test]
fn dev_mode_mints_user_tokens_for_the_demo_page() {
    let me = unique("devtok");
    let r =
        call("POST", "/dev/user-token", Some(&json!({"user_id": me}).to_string()), Auth::Raw("x-api-key", PUBLIC_KEY));
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.body["token"].as_str().unwrap();
    assert_eq!(as_user("GET", &format!("/users/{}/deliveries", enc(&me)), None, token).status, 200);
    call("POST", "/dev/user-token", Some(&json!({"user_id": me}).to_string()), Auth::None)
        .assert_error(401, "unauthenticated");
    let r = call("POST", "/dev/user-token", Some("{\"user_id\":\"\"}"), Auth::Raw("x-api-key", PUBLIC_KEY));
    r.assert_error(400, "validation_failed");
}
