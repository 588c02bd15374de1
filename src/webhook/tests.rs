use super::message::{classify, prepare, WebhookUser, EVENT_TYPE};
use super::signature::{sign, Secret};
use crate::channel::Outcome;
use crate::model::{ChannelType, Delivery, DeliveryStatus, Profile};
use serde_json::{json, Map, Value};

/// Made by the npm `standardwebhooks` package (1.1.1), `new Webhook(SECRET).sign(ID, new
/// Date(TS * 1000), BODY)`: an implementation we did not write.
const SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const ID: &str = "dlv_01J0000000000000000000000";
const TS: i64 = 1_767_225_600;
const BODY: &str = r#"{"type":"notification.delivery","data":{"x":"é😀"}}"#;
const SIGNATURE: &str = "v1,rQr38R5mOLirmPWvzL+aWxzWaUy0V7tC2OI8f58hBDM=";

#[test]
fn signature_matches_the_standardwebhooks_package() {
    let secret = Secret::parse(SECRET).unwrap();
    assert_eq!(sign(&secret, ID, TS, BODY.as_bytes()), SIGNATURE);
    assert_ne!(sign(&secret, ID, TS + 1, BODY.as_bytes()), SIGNATURE);
    assert_ne!(sign(&secret, "dlv_other", TS, BODY.as_bytes()), SIGNATURE);
}

#[test]
fn secrets_parse_and_stay_hidden() {
    assert!(Secret::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_none());
    assert!(Secret::parse("whsec_not base64!").is_none());
    assert!(Secret::parse("whsec_AAECAw==").is_none());
    assert_eq!(format!("{:?}", Secret::parse(SECRET).unwrap()), "Secret(..)");
}

fn delivery() -> Delivery {
    Delivery {
        id: ID.into(),
        recipient_id: "u1".into(),
        channel_type: ChannelType::Webhook,
        status: DeliveryStatus::Pending,
        data: json!({"subject": "Hi", "body": "B"}),
        ..crate::feed::transition::tests_support::delivery()
    }
}

#[test]
fn prepare_signs_the_body_it_sends_and_leaves_secrets_out() {
    let mut token = Map::new();
    token.insert("access_token".into(), "xoxb-secret".into());
    let profile = Profile {
        email: Some("a@example.com".into()),
        number: Some("+15552223333".into()),
        slack_token: Some(token),
        ..Profile::default()
    };
    let secret = Secret::parse(SECRET).unwrap();
    let d = delivery();
    let r = prepare(&d, WebhookUser::new("u1", &profile), "https://hooks.example/in", &secret, TS * 1000 + 250);
    assert_eq!(r.url, "https://hooks.example/in");
    assert_eq!(r.header("webhook-id"), Some(ID));
    assert_eq!(r.header("webhook-timestamp"), Some("1767225600"));
    assert_eq!(r.header("webhook-signature"), Some(sign(&secret, ID, TS, &r.body).as_str()));
    let text = String::from_utf8(r.body.clone()).unwrap();
    assert!(!text.contains("xoxb-secret") && !text.contains("slackToken"), "{text}");
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["type"], EVENT_TYPE);
    assert_eq!(body["timestamp"], "2026-01-01T00:00:00.250Z");
    assert_eq!(body["data"]["delivery"]["id"], ID);
    assert_eq!(body["data"]["delivery"]["data"]["subject"], "Hi");
    assert_eq!(body["data"]["user"], json!({"id": "u1", "email": "a@example.com", "number": "+15552223333"}));
}

#[test]
fn classify_receiver_answers() {
    let none = |_: &str| None;
    assert_eq!(classify(200, none), Outcome::Sent { provider_message_id: None });
    assert_eq!(classify(204, none), Outcome::Sent { provider_message_id: None });
    assert_eq!(classify(410, none), Outcome::Failed { code: "http_410".into() });
    assert_eq!(classify(500, none), Outcome::Retry { after: None, code: "http_500".into() });
    assert_eq!(classify(400, none), Outcome::Retry { after: None, code: "http_400".into() });
    let later = |h: &str| (h == "retry-after").then(|| "30".to_owned());
    assert_eq!(classify(429, later), Outcome::Retry { after: Some(30), code: "http_429".into() });
}
