//! `POST /notifications` and preferences.

use crate::support::*;
use serde_json::{json, Value};

const DELIVERY_FIELDS: [&str; 19] = [
    "id",
    "notification_id",
    "notiflow_id",
    "actor_id",
    "recipient_id",
    "channel_id",
    "channel_type",
    "status",
    "reason",
    "topic",
    "category",
    "data",
    "created_at",
    "updated_at",
    "sent_at",
    "seen_at",
    "read_at",
    "clicked_at",
    "archived_at",
];

#[test]
fn a_notification_creates_users_and_one_delivery_per_channel() {
    let (a, b) = (unique("na"), unique("nb"));
    let r = send(
        "POST",
        "/notifications",
        &json!({"to": [a, b], "channels": ["in_app", "web_push"], "topic": "order.shipped", "actor_id": "shop",
                "data": {"subject": "Shipped", "body": "On its way", "url": "/orders/1", "order": 1}}),
    );
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["notification_id"].as_str().unwrap();
    assert!(id.starts_with("ntf_"));
    let ds = r.body["deliveries"].as_array().unwrap();
    assert_eq!(ds.len(), 4);
    for d in ds {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        for f in DELIVERY_FIELDS {
            assert!(keys.contains(&f), "delivery lacks {f}: {d}");
        }
        assert_eq!(d["notification_id"], id);
        assert_eq!(d["data"]["order"], 1);
        assert_eq!(d["actor_id"], "shop");
        let expected = if d["channel_type"] == "in_app" { "delivered" } else { "pending" };
        assert_eq!(d["status"], expected);
    }
    // The recipients now exist as stored users.
    assert!(get(&format!("/users/{}", enc(&a))).body["createdAt"].is_string());
    // Each sees their own two deliveries, and only the in-app one counts.
    let r = get(&format!("/users/{}/deliveries", enc(&b)));
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    assert!(r.body["items"].as_array().unwrap().iter().all(|d| d["recipient_id"] == b.as_str()));
    assert_eq!(meta_of(&r.body["meta"]), (1, 1, 1));
    let one = &r.body["items"][0];
    let got = get(&format!("/users/{}/deliveries/{}", enc(&b), one["id"].as_str().unwrap()));
    assert_eq!(got.status, 200);
    assert_eq!(&got.body, one);
}

#[test]
fn bad_requests_name_the_field_and_send_nothing() {
    let user = unique("nbad");
    let many: Vec<String> = (0..1001).map(|i| format!("{user}-{i}")).collect();
    for (body, field) in [
        (json!({"data": {"subject": "x"}}), "to"),
        (json!({"to": [], "data": {"subject": "x"}}), "to"),
        (json!({"to": many, "data": {"subject": "x"}}), "to"),
        (json!({"to": user, "data": {}}), "data.subject"),
        (json!({"to": user}), "data"),
        (json!({"to": user, "data": {"subject": "x"}, "channels": ["fax"]}), "channels[0]"),
        (json!({"to": user, "data": {"subject": "x"}, "urgency": "asap"}), "urgency"),
        (json!({"to": user, "data": {"subject": "x"}, "ttl": -1}), "ttl"),
        (json!({"to": [user, "a/b"], "data": {"subject": "x"}}), "to[1]"),
        (json!({"to": user, "data": {"subject": "x"}, "surprise": true}), "surprise"),
    ] {
        let r = send("POST", "/notifications", &body);
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field, "{}", r.text);
    }
    call("POST", "/notifications", Some("{\"to\":"), Auth::Secret).assert_error(400, "bad_request");
    call("POST", "/notifications", Some(r#"{"to":"x","data":{"subject":"x"}}"#), Auth::None)
        .assert_error(401, "unauthenticated");
    assert!(all_deliveries(&user).is_empty());
    call("DELETE", &format!("/users/{}", enc(&user)), None, Auth::Secret).assert_error(404, "not_found");
}

fn keyed(key: &str, body: &Value) -> Reply {
    let edge = edge();
    let resp = ureq::post(&format!("{}/notifications", edge.base))
        .set("authorization", &format!("Bearer {}", edge.secret_key))
        .set("idempotency-key", key)
        .send_string(&body.to_string());
    let resp = match resp {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = resp.status();
    let request_id = resp.header("x-request-id").map(str::to_owned);
    let text = resp.into_string().unwrap();
    Reply {
        status,
        request_id,
        content_type: None,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: Default::default(),
    }
}

#[test]
fn idempotency_keys_replay_and_refuse_other_bodies() {
    let user = unique("idem");
    let key = unique("key");
    let body = json!({"to": user, "data": {"subject": "once"}});
    let first = keyed(&key, &body);
    assert_eq!(first.status, 202, "{}", first.text);
    let again = keyed(&key, &body);
    assert_eq!(again.status, 202);
    assert_eq!(again.body, first.body, "a repeat answers exactly as the first time");
    assert_eq!(all_deliveries(&user).len(), 1, "a repeat creates no new delivery");

    let other = keyed(&key, &json!({"to": user, "data": {"subject": "twice"}}));
    other.assert_error(409, "conflict");
    assert_eq!(other.field(), "Idempotency-Key");
    assert_eq!(all_deliveries(&user).len(), 1);
    // Without a key, the same body is a new notification.
    assert_eq!(send("POST", "/notifications", &body).status, 202);
    assert_eq!(all_deliveries(&user).len(), 2);
}

#[test]
fn preferences_skip_deliveries_with_a_reason() {
    let user = unique("prefs");
    let path = format!("/users/{}/preferences", enc(&user));
    assert_eq!(get(&path).body, json!({"categories": {}, "notifications": {}}));
    let prefs = json!({
        "categories": {
            "marketing": {"status": "OPTED_OUT"},
            "security": {"status": "REQUIRED"},
            "news": {"status": "OPTED_IN", "channel_preferences": [{"channel": "in_app"}]}
        },
        "notifications": {"login-alert": {"status": "OPTED_OUT"}}
    });
    let r = send("PUT", &path, &prefs);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(get(&path).body, prefs);

    let send_cat = |category: &str, topic: Option<&str>| {
        let mut body = json!({"to": user, "category": category, "channels": ["in_app", "web_push"], "data": {"subject": category}});
        if let Some(t) = topic {
            body["topic"] = json!(t);
        }
        let r = send("POST", "/notifications", &body);
        assert_eq!(r.status, 202, "{}", r.text);
        r.body["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["status"].as_str().unwrap().to_owned(), d["reason"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        send_cat("marketing", None),
        vec![("skipped".into(), json!("opted_out")), ("skipped".into(), json!("opted_out"))]
    );
    assert_eq!(
        send_cat("security", Some("login-alert")),
        vec![("delivered".into(), json!(null)), ("pending".into(), json!(null))]
    );
    assert_eq!(
        send_cat("news", None),
        vec![("delivered".into(), json!(null)), ("skipped".into(), json!("channel_opted_out"))]
    );

    // Skipped deliveries are kept but do not count, and accept no engagement.
    let items = all_deliveries(&user);
    assert_eq!(items.len(), 6);
    let r = get(&format!("/users/{}/deliveries?limit=1", enc(&user)));
    assert_eq!(meta_of(&r.body["meta"]), (2, 2, 2));
    let skipped = items.iter().find(|d| d["status"] == "skipped" && d["channel_type"] == "in_app").unwrap();
    let r = send(
        "PATCH",
        &format!("/users/{}/deliveries/{}", enc(&user), skipped["id"].as_str().unwrap()),
        &json!({"read": true}),
    );
    r.assert_error(409, "invalid_transition");
    assert_eq!(r.body["error"]["details"]["current_status"], "skipped");
    assert_eq!(r.body["error"]["details"]["allowed_transitions"], json!([]));

    let r = send("PUT", &path, &json!({"categories": {"x": {"status": "SOMETIMES"}}}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "categories.x.status");
    assert_eq!(get(&path).body, prefs, "a refused PUT changes nothing");
}
