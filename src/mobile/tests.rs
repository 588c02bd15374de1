//! `prepare`/`classify` of both providers, and their JWTs checked by an independent verifier:
//! keys are made by node:crypto, the JWTs signed here (RustCrypto test provider) and verified
//! by node:crypto (`crypto.verify`, RS256 and ES256 in IEEE P1363 form).

use super::testcrypto::TestCrypto;
use super::*;
use crate::channel::Outcome;
use crate::feed::transition::tests_support::delivery;
use crate::model::{Device, PushProvider, PushToken};
use crate::notify::Urgency;
use serde_json::{json, Value};
use std::future::Future;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the test crypto provider is ready on the first poll"),
    }
}

fn node(script: &str, input: &str) -> Value {
    let mut child = Command::new("node")
        .arg("-e")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node (node:crypto verifies the JWTs)");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("node ran");
    assert!(out.status.success(), "node failed");
    serde_json::from_slice(&out.stdout).expect("node printed JSON")
}

struct Keys {
    rsa_private: String,
    rsa_public: String,
    ec_private: String,
    ec_public: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let v = node(
            r#"const c = require('node:crypto');
            const pem = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } };
            const r = c.generateKeyPairSync('rsa', { modulusLength: 2048, ...pem });
            const e = c.generateKeyPairSync('ec', { namedCurve: 'P-256', ...pem });
            process.stdout.write(JSON.stringify([r.privateKey, r.publicKey, e.privateKey, e.publicKey]));"#,
            "",
        );
        let s = |i: usize| v[i].as_str().expect("pem").to_owned();
        Keys { rsa_private: s(0), rsa_public: s(1), ec_private: s(2), ec_public: s(3) }
    })
}

/// node:crypto's verdict on each `(jwt, public key PEM)`: `{ok, header, claims}`.
fn verify(cases: &[(&str, &str)]) -> Vec<Value> {
    let input: Vec<Value> = cases.iter().map(|(jwt, public)| json!({"jwt": jwt, "pub": public})).collect();
    let out = node(
        r#"const c = require('node:crypto');
        let s = ''; process.stdin.on('data', d => s += d).on('end', () => {
          const out = JSON.parse(s).map(({ jwt, pub }) => {
            const [h, p, sig] = jwt.split('.');
            const header = JSON.parse(Buffer.from(h, 'base64url'));
            const key = header.alg === 'ES256' ? { key: c.createPublicKey(pub), dsaEncoding: 'ieee-p1363' } : c.createPublicKey(pub);
            const ok = ['RS256', 'ES256'].includes(header.alg) && c.verify('sha256', Buffer.from(h + '.' + p), key, Buffer.from(sig, 'base64url'));
            let claims = null; try { claims = JSON.parse(Buffer.from(p, 'base64url')); } catch (e) {}
            return { ok, header, claims };
          });
          process.stdout.write(JSON.stringify(out));
        });"#,
        &Value::Array(input).to_string(),
    );
    out.as_array().expect("array").clone()
}

fn rsa_key() -> rsa::RsaPrivateKey {
    block_on(TestCrypto.import_rsa_pkcs8(&pem_to_der(&keys().rsa_private).expect("pkcs8"))).expect("rsa key")
}

fn ec_key() -> p256::ecdsa::SigningKey {
    block_on(TestCrypto.import_ec_pkcs8(&pem_to_der(&keys().ec_private).expect("pkcs8"))).expect("ec key")
}

const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

#[test]
fn the_service_account_assertion_verifies_with_node() {
    let key = rsa_key();
    let now = 1_790_000_000;
    let jwt = block_on(jwt::assertion(&TestCrypto, &key, "fcm@p.iam.gserviceaccount.com", TOKEN_URI, Some("k1"), now))
        .expect("signed");
    // The same signature over claims that say a longer lifetime.
    let parts: Vec<&str> = jwt.split('.').collect();
    let longer = jwt::assertion_input("fcm@p.iam.gserviceaccount.com", TOKEN_URI, Some("k1"), now + 60);
    let tampered = format!("{longer}.{}", parts[2]);
    let v = verify(&[(&jwt, &keys().rsa_public), (&tampered, &keys().rsa_public), (&jwt, &keys().ec_public)]);
    assert_eq!(v[0]["ok"], true, "{v:?}");
    assert_eq!(v[0]["header"], json!({"alg": "RS256", "typ": "JWT", "kid": "k1"}));
    assert_eq!(
        v[0]["claims"],
        json!({"iss": "fcm@p.iam.gserviceaccount.com", "scope": jwt::FCM_SCOPE, "aud": TOKEN_URI, "iat": now, "exp": now + 3600})
    );
    assert_eq!(v[1]["ok"], false, "a changed claim breaks the signature");
    assert_eq!(v[2]["ok"], false, "another key does not verify it");
}

#[test]
fn the_apns_provider_token_verifies_with_node_and_is_cached() {
    let key = ec_key();
    let mut cache = cache::ProviderTokenCache::default();
    let mut token_at = |now: i64| match cache.get(now) {
        Some(t) => t.to_owned(),
        None => {
            let t = block_on(jwt::provider_token(&TestCrypto, &key, "KEY123", "TEAM456", now)).expect("signed");
            cache.store(t.clone(), now);
            t
        }
    };
    let t0 = token_at(1000);
    assert_eq!(token_at(1000 + 20 * 60), t0, "reused after 20 minutes");
    assert_eq!(token_at(1000 + 50 * 60 - 1), t0, "reused until 50 minutes");
    let t1 = token_at(1000 + 50 * 60);
    assert_ne!(t1, t0, "renewed at 50 minutes");
    let v = verify(&[(&t0, &keys().ec_public), (&t1, &keys().ec_public), (&t0, &keys().rsa_public)]);
    assert_eq!((v[0]["ok"].clone(), v[1]["ok"].clone()), (json!(true), json!(true)), "{v:?}");
    assert_eq!(v[0]["header"], json!({"alg": "ES256", "kid": "KEY123"}));
    assert_eq!(v[0]["claims"], json!({"iss": "TEAM456", "iat": 1000}));
    assert_eq!(v[1]["claims"]["iat"], 1000 + 50 * 60);
    assert_eq!(v[2]["ok"], false);
}

#[test]
fn service_accounts_are_read_as_downloaded() {
    let sa = json!({"type": "service_account", "project_id": "p1", "private_key_id": "k1",
        "private_key": keys().rsa_private, "client_email": "a@p1.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": TOKEN_URI});
    let parsed = fcm::ServiceAccount::parse(&sa.to_string()).expect("parses");
    assert_eq!((parsed.project_id.as_str(), parsed.private_key_id.as_deref()), ("p1", Some("k1")));
    let mut bad = sa.clone();
    bad["private_key"] = "nope".into();
    assert_eq!(
        fcm::ServiceAccount::parse(&bad.to_string()),
        Err(MobileError::Config("TIDINGS_FCM_SERVICE_ACCOUNT.private_key"))
    );
    assert_eq!(fcm::ServiceAccount::parse("{"), Err(MobileError::Config("TIDINGS_FCM_SERVICE_ACCOUNT")));
}

#[test]
fn the_token_exchange_is_a_jwt_bearer_grant() {
    let r = fcm::token_request(TOKEN_URI, "a.b-c.d_e");
    assert_eq!((r.method, r.url.as_str()), ("POST", TOKEN_URI));
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b-c.d_e"
    );
    let ok = br#"{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}"#;
    assert_eq!(fcm::parse_token(200, None, ok), Ok(fcm::AccessToken { token: "ya29.x".into(), expires_in: 3599 }));
    let refused = br#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#;
    assert_eq!(fcm::parse_token(400, None, refused), Err(Outcome::Failed { code: "invalid_grant".into() }));
    assert_eq!(fcm::parse_token(503, Some("7"), b""), Err(Outcome::Retry { after: Some(7), code: "http_503".into() }));
    assert_eq!(fcm::parse_token(200, None, b"{}"), Err(Outcome::Failed { code: "token_response_malformed".into() }));
}

fn sample(urgency: Urgency) -> content::Content {
    let mut d = delivery();
    d.topic = Some("order-7".into());
    d.data = json!({"subject": "Shipped", "body": "Your order left", "url": "/o/7", "order": 7, "gift": true, "note": "x", "google.x": "dropped"});
    content::content(&d, "act.tok".into(), 3600, urgency, 3)
}

#[test]
fn fcm_prepare_sends_one_message_with_string_data() {
    let c = sample(Urgency::High);
    let r = fcm::prepare(&c, "fcm-token-1", "p1", "http://127.0.0.1:9/", "ya29.x", 1000).expect("prepared");
    assert_eq!(r.url, "http://127.0.0.1:9/v1/projects/p1/messages:send");
    assert_eq!(r.header("authorization"), Some("Bearer ya29.x"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"message": {
            "token": "fcm-token-1",
            "notification": {"title": "Shipped", "body": "Your order left"},
            "data": {"delivery_id": c.delivery_id, "notification_id": c.notification_id, "url": "/o/7",
                     "action_token": "act.tok", "order": "7", "gift": "true", "note": "x"},
            "android": {"ttl": "3600s", "priority": "HIGH", "collapse_key": "order-7"},
            "apns": {"headers": {"apns-priority": "10", "apns-expiration": "4600", "apns-collapse-id": "order-7"},
                     "payload": {"aps": {"badge": 3, "sound": "default", "thread-id": "order-7"}}}
        }})
    );
    let normal = fcm::prepare(&sample(Urgency::Normal), "t", "p1", fcm::DEFAULT_ENDPOINT, "x", 0).unwrap();
    let body: Value = serde_json::from_slice(&normal.body).unwrap();
    assert_eq!(body["message"]["android"]["priority"], "NORMAL");
    assert_eq!(normal.url, "https://fcm.googleapis.com/v1/projects/p1/messages:send");
}

fn apns_token(environment: Option<&str>, app_id: Option<&str>) -> PushToken {
    PushToken {
        provider: PushProvider::Apn,
        token: "a1b2c3".into(),
        device: Device {
            device_id: "d1".into(),
            app_id: app_id.map(str::to_owned),
            ad_id: None,
            platform: None,
            manufacturer: None,
            model: None,
        },
        environment: environment.map(str::to_owned),
    }
}

#[test]
fn apns_prepare_picks_the_host_and_sets_the_apns_headers() {
    let config = apns::ApnsConfig {
        key_id: "K".into(),
        team_id: "T".into(),
        topic: "com.example.app".into(),
        endpoint: None,
        sandbox_endpoint: None,
    };
    let c = sample(Urgency::Normal);
    let r = apns::prepare(&c, &apns_token(Some("production"), None), &config, "jwt", 1000).unwrap();
    assert_eq!(r.url, "https://api.push.apple.com/3/device/a1b2c3");
    let sandbox =
        apns::prepare(&c, &apns_token(Some("sandbox"), Some("com.example.other")), &config, "jwt", 0).unwrap();
    assert_eq!(sandbox.url, "https://api.sandbox.push.apple.com/3/device/a1b2c3");
    assert_eq!(sandbox.header("apns-topic"), Some("com.example.other"), "device.app_id overrides the topic");
    assert_eq!(apns::prepare(&c, &apns_token(None, None), &config, "jwt", 0).unwrap().url, sandbox.url);
    let local = apns::ApnsConfig { endpoint: Some("http://127.0.0.1:9/".into()), ..config.clone() };
    let overridden = apns::prepare(&c, &apns_token(Some("production"), None), &local, "jwt", 0).unwrap();
    assert_eq!(overridden.url, "http://127.0.0.1:9/3/device/a1b2c3");
    let sandboxed = apns::prepare(&c, &apns_token(Some("sandbox"), None), &local, "jwt", 0).unwrap();
    assert_eq!(sandboxed.url, "http://127.0.0.1:9/3/device/a1b2c3", "one override replaces both hosts");
    let pair = apns::ApnsConfig { sandbox_endpoint: Some("http://127.0.0.1:8".into()), ..local.clone() };
    let sandboxed = apns::prepare(&c, &apns_token(None, None), &pair, "jwt", 0).unwrap();
    assert_eq!(sandboxed.url, "http://127.0.0.1:8/3/device/a1b2c3");
    let headers: Vec<(&str, &str)> = r.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    assert_eq!(
        headers,
        vec![
            ("authorization", "bearer jwt"),
            ("apns-topic", "com.example.app"),
            ("apns-push-type", "alert"),
            ("apns-priority", "5"),
            ("apns-expiration", "4600"),
            ("content-type", "application/json"),
            ("apns-collapse-id", "order-7"),
        ]
    );
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"aps": {"alert": {"title": "Shipped", "body": "Your order left"}, "sound": "default", "badge": 3,
                       "thread-id": "order-7"},
               "delivery_id": c.delivery_id, "notification_id": c.notification_id, "url": "/o/7",
               "action_token": "act.tok", "order": 7, "gift": true, "note": "x", "google.x": "dropped"})
    );
    let high = apns::prepare(&sample(Urgency::High), &apns_token(None, None), &config, "jwt", 0).unwrap();
    assert_eq!(high.header("apns-priority"), Some("10"));
}

#[test]
fn oversized_payloads_are_refused_before_sending() {
    let mut d = delivery();
    d.data = json!({"subject": "x".repeat(5000)});
    let c = content::content(&d, "t".into(), 60, Urgency::Normal, 0);
    assert!(matches!(fcm::prepare(&c, "t", "p", "https://x", "a", 0), Err(MobileError::PayloadTooLarge(_))));
    let config = apns::ApnsConfig {
        key_id: "K".into(),
        team_id: "T".into(),
        topic: "b".into(),
        endpoint: None,
        sandbox_endpoint: None,
    };
    assert!(matches!(
        apns::prepare(&c, &apns_token(None, None), &config, "j", 0),
        Err(MobileError::PayloadTooLarge(_))
    ));
}

fn fcm_error(status: u16, google: &str, code: Option<&str>) -> Vec<u8> {
    let mut details = vec![];
    if let Some(code) = code {
        details.push(json!({"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}));
    }
    json!({"error": {"code": status, "message": "m", "status": google, "details": details}}).to_string().into_bytes()
}

#[test]
fn fcm_answers_map_to_outcomes() {
    let none = |_: &str| None;
    let wait = |h: &str| (h == "retry-after").then(|| "30".to_owned());
    let s = |c: &str| c.to_owned();
    assert_eq!(
        fcm::classify(200, none, br#"{"name":"projects/p1/messages/0:17"}"#),
        Outcome::Sent { provider_message_id: Some("projects/p1/messages/0:17".into()) }
    );
    assert_eq!(
        fcm::classify(404, none, &fcm_error(404, "NOT_FOUND", Some("UNREGISTERED"))),
        Outcome::Gone { code: s("UNREGISTERED") }
    );
    assert_eq!(fcm::classify(404, none, b""), Outcome::Gone { code: s("http_404") });
    let bad_token = json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "The registration token is not a valid FCM registration token",
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INVALID_ARGUMENT"},
                    {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]}]}});
    assert_eq!(
        fcm::classify(400, none, bad_token.to_string().as_bytes()),
        Outcome::Gone { code: s("INVALID_ARGUMENT") }
    );
    assert_eq!(
        fcm::classify(400, none, &fcm_error(400, "INVALID_ARGUMENT", Some("INVALID_ARGUMENT"))),
        Outcome::Failed { code: s("INVALID_ARGUMENT") },
        "an invalid argument that is not the token is not a dead token"
    );
    assert_eq!(
        fcm::classify(403, none, &fcm_error(403, "PERMISSION_DENIED", Some("SENDER_ID_MISMATCH"))),
        Outcome::Invalid { code: s("SENDER_ID_MISMATCH") }
    );
    assert_eq!(
        fcm::classify(401, none, &fcm_error(401, "UNAUTHENTICATED", None)),
        Outcome::Refresh { code: s("UNAUTHENTICATED") }
    );
    assert_eq!(
        fcm::classify(429, wait, &fcm_error(429, "RESOURCE_EXHAUSTED", Some("QUOTA_EXCEEDED"))),
        Outcome::Retry { after: Some(30), code: s("QUOTA_EXCEEDED") }
    );
    assert_eq!(
        fcm::classify(500, none, &fcm_error(500, "INTERNAL", Some("INTERNAL"))),
        Outcome::Retry { after: None, code: s("INTERNAL") }
    );
    assert_eq!(fcm::classify(503, wait, b"<html>"), Outcome::Retry { after: Some(30), code: s("http_503") });
    assert_eq!(fcm::classify(413, none, b""), Outcome::Failed { code: s("http_413") });
    let refresh = fcm::classify(401, none, b"");
    assert_eq!(refresh.clone().after_refresh(), Outcome::Invalid { code: s("http_401") });
    assert_eq!(refresh.reason(), "token_invalid");
}

#[test]
fn apns_answers_map_to_outcomes() {
    let id = |h: &str| (h == "apns-id").then(|| "EC1BF194-B3B2-424A-89A9-5A918A6E6B5D".to_owned());
    let wait = |h: &str| (h == "retry-after").then(|| "12".to_owned());
    let r = |reason: &str| json!({ "reason": reason }).to_string().into_bytes();
    let s = |c: &str| c.to_owned();
    assert_eq!(
        apns::classify(200, id, b""),
        Outcome::Sent { provider_message_id: Some("EC1BF194-B3B2-424A-89A9-5A918A6E6B5D".into()) }
    );
    assert_eq!(apns::classify(410, id, &r("Unregistered")), Outcome::Gone { code: s("Unregistered") });
    assert_eq!(apns::classify(400, id, &r("BadDeviceToken")), Outcome::Gone { code: s("BadDeviceToken") });
    assert_eq!(
        apns::classify(400, id, &r("DeviceTokenNotForTopic")),
        Outcome::Gone { code: s("DeviceTokenNotForTopic") }
    );
    assert_eq!(
        apns::classify(403, id, &r("ExpiredProviderToken")),
        Outcome::Refresh { code: s("ExpiredProviderToken") }
    );
    assert_eq!(
        apns::classify(403, id, &r("InvalidProviderToken")).after_refresh(),
        Outcome::Invalid { code: s("InvalidProviderToken") }
    );
    assert_eq!(
        apns::classify(429, wait, &r("TooManyRequests")),
        Outcome::Retry { after: Some(12), code: s("TooManyRequests") }
    );
    assert_eq!(apns::classify(500, wait, &r("InternalServerError")).code(), Some("InternalServerError"));
    assert_eq!(
        apns::classify(503, id, &r("ServiceUnavailable")),
        Outcome::Retry { after: None, code: s("ServiceUnavailable") }
    );
    assert_eq!(apns::classify(400, id, &r("PayloadTooLarge")), Outcome::Failed { code: s("PayloadTooLarge") });
    assert_eq!(apns::classify(400, id, b"not json"), Outcome::Failed { code: s("http_400") });
}

#[test]
fn pem_bodies_decode_with_real_or_escaped_newlines() {
    let pem = "-----BEGIN PRIVATE KEY-----\nAAEC\nAw==\n-----END PRIVATE KEY-----\n";
    assert_eq!(pem_to_der(pem), Some(vec![0, 1, 2, 3]));
    assert_eq!(pem_to_der(&pem.replace('\n', "\\n")), Some(vec![0, 1, 2, 3]));
    assert_eq!(pem_to_der("-----BEGIN RSA PRIVATE KEY-----\nAAEC\n-----END RSA PRIVATE KEY-----"), None);
    assert_eq!(pem_to_der("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"), None);
    assert_eq!(pem_to_der(""), None);
}

#[test]
fn reach_needs_a_provider_and_a_token_for_it() {
    use crate::notify::Reach::*;
    let fcm = PushToken { provider: PushProvider::Fcm, ..apns_token(None, None) };
    let apn = apns_token(None, None);
    assert_eq!(reach(std::slice::from_ref(&fcm), false, false), NotConfigured);
    assert_eq!(reach(&[], true, false), NoAddress);
    assert_eq!(reach(std::slice::from_ref(&fcm), true, false), Ready);
    assert_eq!(reach(std::slice::from_ref(&apn), true, false), NotConfigured);
    assert_eq!(reach(&[apn, fcm], false, true), Ready);
}

#[test]
fn provider_urls_are_https_or_loopback_http_in_dev_mode() {
    assert!(provider_url_ok("https://fcm.googleapis.com", false));
    assert!(provider_url_ok("http://127.0.0.1:9000", true));
    assert!(provider_url_ok("http://[::1]:9000/x", true));
    assert!(!provider_url_ok("http://127.0.0.1:9000", false));
    assert!(!provider_url_ok("http://example.com", true));
    assert!(!provider_url_ok("https://", true));
    assert!(!provider_url_ok("ftp://x", true));
}
