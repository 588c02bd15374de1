//! Outbound safety: push endpoints only on the push service allowlist (defaults: the browsers'
//! push services; loopback only in dev mode, which the test edge is in), wherever they enter;
//! and a stored endpoint that fails the rule is never sent to.

use crate::push_service::push_service;
use crate::support::*;
use serde_json::{json, Value};

fn sub(endpoint: &str) -> Value {
    json!({"sub": {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}}})
}

/// Endpoints every entry point refuses, and the reason given.
const REFUSED: &[(&str, &str)] = &[
    ("https://10.0.0.1/push/1", "invalid"),
    ("https://169.254.169.254/latest/meta-data", "invalid"),
    ("https://2130706433/push/1", "invalid"),
    ("https://0x7f.1/push/1", "invalid"),
    ("https://[fd00::1]/push/1", "invalid"),
    ("https://metadata.internal/computeMetadata/v1/", "not_allowed"),
    ("https://localhost.localdomain/push/1", "not_allowed"),
    ("https://push.example.net/push/1", "not_allowed"),
    ("https://fcm.googleapis.com.evil.example/fcm/send/1", "not_allowed"),
    ("https://fcm.googleapis.com:8443/fcm/send/1", "not_allowed"),
    ("https://user@fcm.googleapis.com/fcm/send/1", "invalid"),
    ("http://fcm.googleapis.com/fcm/send/1", "invalid"),
];

fn web_push_tokens(user: &str) -> Value {
    get(&format!("/users/{}", enc(user))).body["webPushTokens"].clone()
}

#[test]
fn registration_refuses_endpoints_off_the_allowlist_with_either_credential() {
    let me = unique("hosts");
    let token = user_token(&me, 3600);
    let path = format!("/users/{}/webpush", enc(&me));
    let browser = |body: &Value| {
        call(
            "POST",
            &path,
            Some(&body.to_string()),
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-user-token", &token)]),
        )
    };
    for (endpoint, reason) in REFUSED {
        for (who, r) in [("secret key", send("POST", &path, &sub(endpoint))), ("browser", browser(&sub(endpoint)))] {
            r.assert_error(400, "validation_failed");
            assert_eq!(r.field(), "sub.endpoint", "{endpoint} with the {who}: {}", r.text);
            assert_eq!(r.body["error"]["details"]["fields"][0]["reason"], *reason, "{endpoint}: {}", r.text);
        }
    }
    assert_eq!(web_push_tokens(&me), json!([]), "nothing was written");

    let chrome = format!("https://fcm.googleapis.com/fcm/send/{}", unique("c"));
    let firefox = format!("https://updates.push.services.mozilla.com/wpush/v2/{}", unique("f"));
    let safari = format!("https://web.push.apple.com/{}", unique("s"));
    let edge = format!("https://wns2-par02p.notify.windows.com/w/?token={}", unique("e"));
    assert_eq!(send("POST", &path, &sub(&chrome)).status, 201);
    for e in [&firefox, &safari, &edge] {
        let r = browser(&sub(e));
        assert_eq!(r.status, 201, "{e}: {}", r.text);
    }
    assert_eq!(web_push_tokens(&me).as_array().map(Vec::len), Some(4));
}

#[test]
fn put_user_names_the_refused_subscription() {
    let id = unique("hosts-put");
    let good = format!("https://fcm.googleapis.com/fcm/send/{}", unique("g"));
    for (endpoint, reason) in REFUSED {
        let r = send(
            "PUT",
            &format!("/users/{}", enc(&id)),
            &json!({"email": "a@example.com", "webPushTokens": [sub(&good), sub(endpoint)]}),
        );
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), "webPushTokens[1].sub.endpoint", "{endpoint}: {}", r.text);
        assert_eq!(r.body["error"]["details"]["fields"][0]["reason"], *reason);
    }
    let r = get(&format!("/users/{}", enc(&id)));
    assert!(r.body.get("email").is_none() && r.body["webPushTokens"] == json!([]), "nothing written: {}", r.text);
    let r = send("PUT", &format!("/users/{}", enc(&id)), &json!({"webPushTokens": [sub(&good)]}));
    assert_eq!(r.status, 201, "{}", r.text);
}

#[test]
fn the_subscription_token_cannot_move_a_subscription_off_the_allowlist() {
    let me = unique("hosts-swap");
    let token = user_token(&me, 3600);
    let path = format!("/users/{}/webpush", enc(&me));
    let old = format!("https://fcm.googleapis.com/fcm/send/{}", unique("o"));
    let r = call(
        "POST",
        &path,
        Some(&sub(&old).to_string()),
        Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-user-token", &token)]),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let sub_token = r.body["subscription_token"].as_str().unwrap().to_owned();
    for (endpoint, _) in REFUSED {
        let mut body = sub(endpoint);
        body["old_endpoint"] = json!(old);
        let r = call(
            "POST",
            &path,
            Some(&body.to_string()),
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-subscription-token", &sub_token)]),
        );
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), "sub.endpoint", "{endpoint}: {}", r.text);
    }
    assert_eq!(web_push_tokens(&me)[0]["sub"]["endpoint"], old.as_str(), "the old subscription stays");
}

#[test]
fn a_stored_endpoint_off_the_allowlist_is_not_sent_to() {
    let user = unique("hosts-stored");
    let local = push_service().subscribe(&[201]);
    assert_eq!(send("POST", &format!("/users/{}/webpush", enc(&user)), &local.json()).status, 201);
    // As if it had been stored before the allowlist existed: an internal address.
    let bad = "https://10.0.0.1/push/stored";
    d1_execute(
        edge(),
        &format!(
            "UPDATE webpush_subscriptions SET endpoint = '{bad}', body = replace(body, '{}', '{bad}') WHERE user_id = '{user}'",
            local.endpoint
        ),
    );
    assert_eq!(web_push_tokens(&user)[0]["sub"]["endpoint"], bad);
    let r = send(
        "POST",
        "/notifications",
        &json!({"to": user, "channels": ["web_push"], "data": {"subject": "s", "body": "b"}}),
    );
    assert_eq!(r.status, 202, "{}", r.text);
    let path = format!("/users/{}/deliveries/{}", enc(&user), r.body["deliveries"][0]["id"].as_str().unwrap());
    let d = eventually(20, || Some(get(&path).body).filter(|d| d["status"] != "pending"))
        .unwrap_or_else(|| get(&path).body);
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("failed"), Some("endpoint_not_allowed")), "{d}");
}
