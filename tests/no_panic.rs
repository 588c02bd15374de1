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
                    "Type",
                    "Message",
                    "SignatureVersion",
                    "SigningCertURL",
                    "eventType",
                    "bounce",
                    "mail",
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
        if let Ok(m) = tidings::email::sns::parse(b) {
            let _ = m.string_to_sign();
            let _ = m.fresh(0);
        }
        let _ = tidings::email::events::parse(&body);
        let _ = tidings::email::x509::spki(b);
        let _ = tidings::email::x509::spki_from_pem(&body);
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
        let _ = tidings::email::sigv4::canonical_request("GET", &path, &query, &[("host", &value)], b"");
        let _ = tidings::email::sigv4::split_url(&value);
        let mut request = tidings::channel::HttpRequest { method: "POST", url: value.clone(), headers: vec![], body: vec![] };
        let creds = tidings::email::sigv4::Credentials { access_key_id: "a".into(), secret_access_key: "s".into() };
        let _ = tidings::email::sigv4::sign(&mut request, &creds, "r", "s", 0);
        let _ = tidings::email::sns::url_ok(&value, true);
        let _ = tidings::email::unsubscribe::verify("secret", &value);
        let _ = tidings::email::ses::from_address(&value);
        let _ = tidings::email::ses::subject(Some(&value), Some(&query));
        let _ = tidings::email::ses::classify(400, |_| Some(value.clone()), query.as_bytes());
    }

    #[test]
    fn certificates_never_panic(prefix in prop::sample::select(vec![vec![], vec![0x30u8], vec![0x30, 0x82], vec![0x30, 0x81, 0x10, 0x30], vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff]]),
                                rest in prop::collection::vec(any::<u8>(), 0..96)) {
        let der: Vec<u8> = prefix.into_iter().chain(rest).collect();
        let _ = tidings::email::x509::spki(&der);
    }
}
