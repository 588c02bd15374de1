//! Bad input gets an error, never a panic (a panic in a Worker takes the isolate down): every
//! parser of request data, fed arbitrary text and arbitrary JSON-ish bodies.

use proptest::prelude::*;
use tidings::{bulk, feed::query, notify, route, users, validate};

fn bodies() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,200}",
        // JSON objects with the API's field names and odd values.
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "to",
                    "data",
                    "subject",
                    "body",
                    "email",
                    "number",
                    "timezone",
                    "identity",
                    "pushTokens",
                    "webPushTokens",
                    "sub",
                    "keys",
                    "p256dh",
                    "auth",
                    "endpoint",
                    "categories",
                    "status",
                    "rules",
                    "start",
                    "until",
                    "message",
                    "users",
                    "action",
                    "ids",
                    "filter",
                    "seen",
                    "read",
                    "archived",
                ]),
                prop_oneof![
                    Just("null".to_owned()),
                    Just("[]".to_owned()),
                    Just("{}".to_owned()),
                    "-?[0-9]{1,20}(\\.[0-9]{1,5})?",
                    "\"\\PC{0,30}\"",
                    Just("{\"user_id\":\"x\"}".to_owned()),
                    Just("\"2016-01-23T04:36:08é12:3\"".to_owned()),
                ],
            ),
            0..6,
        )
        .prop_map(|fields| {
            let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", inner.join(","))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn request_bodies_never_panic(body in bodies(), id in "\\PC{0,300}") {
        let b = body.as_bytes();
        let hosts = validate::PushHosts::parse("", true);
        let _ = users::parse_put(&id, b, &validate::PushHosts::default());
        let _ = users::parse_create(b, "usr_x".into(), &hosts);
        let _ = users::parse_push_token(b);
        let _ = users::parse_web_push(b, &hosts, tidings::auth::Rotating { current: "BAAA", previous: "" });
        let _ = notify::parse(b);
        let _ = notify::prefs::parse(b);
        let _ = query::parse_action(b);
        if let Ok((_, n)) = bulk::parse_create(b) {
            let _ = bulk::parse_users(b, &n);
        }
        let message = notify::parse_message(&serde_json::json!({"data": {"subject": "s"}})).unwrap();
        let _ = bulk::parse_users(b, &message);
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(b) {
            let _ = bulk::recipient(&message, &v);
            let _ = notify::parse_message(&v);
        }
    }

    #[test]
    fn paths_queries_and_fields_never_panic(path in "\\PC{0,120}", query in "\\PC{0,120}", value in "\\PC{0,80}") {
        for method in ["GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"] {
            let _ = route::resolve(method, &path);
        }
        let pairs = route::query_pairs(&query);
        let _ = query::parse_list(&pairs);
        let _ = tidings::paging::page_size(Some(&value));
        let _ = tidings::paging::decode_token(tidings::paging::TokenKind::Users, "pageToken", &value);
        let _ = validate::email("e", &value);
        let _ = validate::e164("n", &value);
        let _ = validate::timezone("t", &value);
        let _ = validate::endpoint("e", &value, &validate::PushHosts::parse("", true));
        let _ = validate::PushHosts::parse(&value, false).check(&value);
        let _ = validate::PushHosts::invalid_entries(&value);
        let _ = validate::p256dh("p", &value);
        let _ = validate::auth_secret("a", &value);
        let _ = tidings::time::parse_rfc3339(&value);
        let _ = tidings::auth::verify_user_token(&value, "secret", 0);
        let _ = tidings::notify::push::verify_action_token("secret", &value, 0);
        let _ = tidings::notify::push::verify_subscription_token("secret", &value);
        let _ = tidings::webpush::parse_authorization(&value);
        let _ = tidings::webpush::audience(&value);
    }
}
