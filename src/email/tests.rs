//! Native tests of the email core. SigV4 vectors: the cases of AWS's SigV4 test suite that
//! apply to a header-signed request (`get-vanilla`, query order, unreserved, UTF-8 path and
//! query, encoded path, POST with body, header trimming), with canonical requests and
//! signatures produced by botocore's `SigV4Auth` (an independent implementation; the script is
//! tests/vectors/sigv4_botocore.py). `get-vanilla` also equals the value AWS publishes.
//! SNS signatures: a certificate and signatures made by the `openssl` command line in the test.

use super::events::{self, EventKind};
use super::ses::{self, SesConfig};
use super::sigv4::{self, Credentials};
use super::sns::{self, Hash, SnsCrypto};
use super::template::{self, EmailContent};
use super::{unsubscribe, x509, EmailError};
use crate::channel::{HttpRequest, Outcome};
use serde_json::{json, Value};

/// 2015-08-30T12:36:00Z, the test suite's time.
const SUITE_TIME_MS: i64 = 1_440_938_160_000;

fn suite_credentials() -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
    }
}

struct Vector {
    name: &'static str,
    method: &'static str,
    url: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    canonical_request: &'static str,
    signature: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        name: "get-vanilla",
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: &[],
        body: "",
        canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    Vector {
        name: "get-vanilla-query-order-key-case",
        method: "GET",
        url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        headers: &[],
        body: "",
        canonical_request: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    },
    Vector {
        name: "get-vanilla-query-unreserved",
        method: "GET",
        url: "https://example.amazonaws.com/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        headers: &[],
        body: "",
        canonical_request: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    },
    Vector {
        name: "get-utf8",
        method: "GET",
        url: "https://example.amazonaws.com/ሴ",
        headers: &[],
        body: "",
        canonical_request: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    },
    Vector {
        name: "get-vanilla-utf8-query",
        method: "GET",
        url: "https://example.amazonaws.com/?%E1%88%B4=bar",
        headers: &[],
        body: "",
        canonical_request: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    },
    Vector {
        name: "get-space-encoded-path",
        method: "GET",
        url: "https://example.amazonaws.com/example%20space/",
        headers: &[],
        body: "",
        canonical_request: "GET\n/example%2520space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "446b817944c553435b35e813c261ff4e161fff982d1bacdef1c87f6785dd1662",
    },
    Vector {
        name: "post-vanilla",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[],
        body: "",
        canonical_request: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    },
    Vector {
        name: "post-x-www-form-urlencoded",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[("content-type", "application/x-www-form-urlencoded")],
        body: "Param1=value1",
        canonical_request: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    },
    Vector {
        name: "post-header-value-trim",
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: &[("my-header1", " value1"), ("my-header2", " \"a   b   c\"")],
        body: "",
        canonical_request: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "3eb9288751ab1906691f9f6b3eb68236f10b60a223bf1ba32c5a792f289ee65a",
    },
];

fn signature_of(request: &HttpRequest) -> &str {
    request.header("authorization").and_then(|a| a.rsplit_once("Signature=")).map(|(_, s)| s).unwrap_or("")
}

#[test]
fn sigv4_matches_the_suite_cases_computed_by_botocore() {
    for v in VECTORS {
        let mut request = HttpRequest {
            method: v.method,
            url: v.url.into(),
            headers: v.headers.iter().map(|(n, val)| (*n, (*val).to_owned())).collect(),
            body: v.body.as_bytes().to_vec(),
        };
        sigv4::sign(&mut request, &suite_credentials(), "us-east-1", "service", SUITE_TIME_MS).unwrap();
        assert_eq!(request.header("x-amz-date"), Some("20150830T123600Z"), "{}", v.name);
        let (host, path, query) = sigv4::split_url(v.url).unwrap();
        let mut headers: Vec<(&str, &str)> = vec![("host", host)];
        headers.extend(request.headers.iter().filter(|(n, _)| *n != "authorization").map(|(n, x)| (*n, x.as_str())));
        let canonical = sigv4::canonical_request(v.method, path, query, &headers, v.body.as_bytes());
        assert_eq!(canonical, v.canonical_request, "{}", v.name);
        assert_eq!(signature_of(&request), v.signature, "{}", v.name);
    }
}

#[test]
fn sigv4_published_values() {
    // AWS's documented signing-key example (IAM, 2012-02-15).
    let key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
    assert_eq!(sigv4::hex(&key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    // The empty body's hash, and get-vanilla's string to sign (as botocore makes it).
    assert_eq!(sigv4::sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    let sts = sigv4::string_to_sign(
        "20150830T123600Z",
        &sigv4::scope("20150830", "us-east-1", "service"),
        VECTORS[0].canonical_request,
    );
    assert_eq!(
        sts,
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
         bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
    );
    assert_eq!(sigv4::amz_date(0), "19700101T000000Z");
    assert_eq!(sigv4::amz_date(SUITE_TIME_MS + 999), "20150830T123600Z");
}

#[test]
fn sigv4_signs_an_ses_request_to_a_port_as_botocore_does() {
    let mut request = HttpRequest {
        method: "POST",
        url: "http://127.0.0.1:4566/v2/email/outbound-emails".into(),
        headers: vec![("content-type", "application/json".into())],
        body: r#"{"FromEmailAddress":"é <a@b.co>"}"#.as_bytes().to_vec(),
    };
    sigv4::sign(&mut request, &suite_credentials(), "us-east-1", "ses", SUITE_TIME_MS).unwrap();
    assert_eq!(
        request.header("authorization").unwrap(),
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date, \
         Signature=a38c95f7648708e0980383b5063cfacc9c69d862ef203b74c38f44f9c42dd2bc"
    );
    // Signing again replaces, never duplicates.
    sigv4::sign(&mut request, &suite_credentials(), "us-east-1", "ses", SUITE_TIME_MS).unwrap();
    assert_eq!(request.headers.iter().filter(|(n, _)| *n == "authorization").count(), 1);
    assert!(sigv4::sign(&mut request.clone(), &suite_credentials(), "r", "s", 0).is_some());
    let mut no_host = HttpRequest { url: "nope".into(), ..request };
    assert!(sigv4::sign(&mut no_host, &suite_credentials(), "us-east-1", "ses", 0).is_none());
}

fn config() -> SesConfig {
    SesConfig {
        region: "eu-west-1".into(),
        credentials: suite_credentials(),
        from: "Acme <news@acme.example>".into(),
        configuration_set: Some("tidings-events".into()),
        endpoint: ses::default_endpoint("eu-west-1"),
    }
}

fn content() -> EmailContent {
    EmailContent {
        subject: ses::subject(Some("<script>alert(1)</script> & \"you\"\r\nBcc: x@y.z"), None),
        body: Some("Hello <b>Ada</b>\nsecond line".into()),
        url: Some("https://app.example/o?a=1&b=2".into()),
        unsubscribe_url: Some(unsubscribe::url("https://tidings.example/", "tok.sig")),
    }
}

#[test]
fn prepare_builds_a_signed_send_email_v2_request() {
    let r = ses::prepare(&config(), "ada@example.com", &content(), "dlv_1", "user 1/é", SUITE_TIME_MS).unwrap();
    assert_eq!((r.method, r.url.as_str()), ("POST", "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails"));
    assert!(r.header("authorization").unwrap().contains("/20150830/eu-west-1/ses/aws4_request"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["FromEmailAddress"], "Acme <news@acme.example>");
    assert_eq!(body["Destination"], json!({"ToAddresses": ["ada@example.com"]}));
    assert_eq!(body["ConfigurationSetName"], "tidings-events");
    let simple = &body["Content"]["Simple"];
    // The subject is one line: a header injection attempt stays text.
    assert_eq!(simple["Subject"]["Data"], "<script>alert(1)</script> & \"you\"  Bcc: x@y.z");
    assert_eq!(simple["Subject"]["Charset"], "UTF-8");
    assert_eq!(
        simple["Headers"],
        json!([
            {"Name": "List-Unsubscribe", "Value": "<https://tidings.example/email/unsubscribe?token=tok.sig>"},
            {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
        ])
    );
    assert_eq!(
        body["EmailTags"],
        json!([{"Name": "tidings_delivery", "Value": "dlv_1"}, {"Name": "tidings_user", "Value": "dXNlciAxL8Op"}])
    );
    let text = simple["Body"]["Text"]["Data"].as_str().unwrap();
    assert!(text.starts_with("Hello <b>Ada</b>\nsecond line\n\nOpen: https://app.example/o?a=1&b=2"), "{text}");
    assert!(text.contains("Unsubscribe: https://tidings.example/email/unsubscribe?token=tok.sig"));
    let html = simple["Body"]["Html"]["Data"].as_str().unwrap();
    assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;you&quot;"), "{html}");
    assert!(html.contains("Hello &lt;b&gt;Ada&lt;/b&gt;<br>\nsecond line"), "{html}");
    assert!(html.contains("href=\"https://app.example/o?a=1&amp;b=2\""), "{html}");
    assert!(html.contains("href=\"https://tidings.example/email/unsubscribe?token=tok.sig\""), "{html}");
}

#[test]
fn prepare_leaves_out_what_is_absent_or_unsafe() {
    let mut c = content();
    c.url = Some("javascript:alert(1)".into());
    c.unsubscribe_url = None;
    let cfg = SesConfig { configuration_set: None, ..config() };
    let r = ses::prepare(&cfg, "a@b.co", &c, "dlv_1", &"u".repeat(200), 0).unwrap();
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(body.get("ConfigurationSetName").is_none());
    assert_eq!(body["Content"]["Simple"]["Headers"], json!([]));
    assert_eq!(body["EmailTags"].as_array().unwrap().len(), 1, "a user id too long for a tag is left out");
    let html = body["Content"]["Simple"]["Body"]["Html"]["Data"].as_str().unwrap();
    assert!(!html.contains("javascript:") && !html.contains("Unsubscribe"), "{html}");
    assert_eq!(ses::subject(None, Some("\n  First line\nsecond")), "First line");
    assert_eq!(ses::subject(Some("  "), None), "Notification");
    assert_eq!(template::escape_html("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
}

#[test]
fn config_rules() {
    assert_eq!(ses::from_address("Acme <news@acme.example>"), Some("news@acme.example"));
    assert_eq!(ses::from_address("news@acme.example"), Some("news@acme.example"));
    assert_eq!(ses::from_address("Acme <nope>"), None);
    assert_eq!(ses::from_address("Acme news@acme.example>"), None);
    assert!(ses::region_ok("eu-west-1") && ses::region_ok("us-gov-west-1"));
    assert!(!ses::region_ok("eu-west") && !ses::region_ok("EU-west-1") && !ses::region_ok("eu..1"));
}

fn header<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |n| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| (*v).to_owned())
}

#[test]
fn classify_reads_ses_answers() {
    let sent = ses::classify(200, header(&[]), br#"{"MessageId":"0102-abc"}"#);
    assert_eq!(sent, Outcome::Sent { provider_message_id: Some("0102-abc".into()) });
    let rejected = ses::classify(
        400,
        header(&[("x-amzn-ErrorType", "MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/")]),
        br#"{"message":"Email address is not verified."}"#,
    );
    assert_eq!(rejected, Outcome::Failed { code: "MessageRejected".into() });
    for code in ["MailFromDomainNotVerifiedException", "AccountSuspendedException", "SendingPausedException"] {
        let body = json!({"__type": format!("com.amazonaws.sesv2#{code}"), "message": "no"}).to_string();
        assert_eq!(ses::classify(400, header(&[]), body.as_bytes()), Outcome::Failed { code: code.into() });
    }
    let throttled = ses::classify(429, header(&[("Retry-After", "7")]), br#"{"message":"slow down"}"#);
    assert_eq!(throttled, Outcome::Retry { after: Some(7), code: "http_429".into() });
    let limit = ses::classify(400, header(&[("x-amzn-ErrorType", "LimitExceededException")]), b"{}");
    assert_eq!(limit, Outcome::Retry { after: None, code: "LimitExceededException".into() });
    let many = ses::classify(429, header(&[("x-amzn-ErrorType", "TooManyRequestsException:")]), b"{}");
    assert_eq!(many, Outcome::Retry { after: None, code: "TooManyRequestsException".into() });
    assert_eq!(ses::classify(503, header(&[]), b"<html>"), Outcome::Retry { after: None, code: "http_503".into() });
    let sig = ses::classify(403, header(&[("x-amzn-ErrorType", "SignatureDoesNotMatch")]), b"");
    assert_eq!(sig, Outcome::Failed { code: "SignatureDoesNotMatch".into() });
}

#[test]
fn unsubscribe_tokens_grant_one_scope_and_cannot_be_forged() {
    let t = unsubscribe::token("sk", "u1", Some("comments"), Some("social")).unwrap();
    assert_eq!(unsubscribe::verify("sk", &t), Some(("u1".into(), unsubscribe::Scope::Topic("comments".into()))));
    let c = unsubscribe::token("sk", "u1", None, Some("social")).unwrap();
    assert_eq!(unsubscribe::verify("sk", &c), Some(("u1".into(), unsubscribe::Scope::Category("social".into()))));
    assert_eq!(unsubscribe::token("sk", "u1", None, None), None);
    assert_eq!(unsubscribe::verify("other", &t), None);
    assert_eq!(unsubscribe::verify("", &t), None);
    let (body, sig) = t.split_once('.').unwrap();
    let forged = format!("{}.{sig}", crate::validate::B64URL.encode(r#"{"u":"u2","t":"comments"}"#));
    assert_ne!(forged.split_once('.').unwrap().0, body);
    assert_eq!(unsubscribe::verify("sk", &forged), None);
    // An action token of Web Push is not an unsubscribe token.
    let action = crate::notify::push::action_token("sk", "u1", "dlv", i64::MAX);
    assert_eq!(unsubscribe::verify("sk", &action), None);
}

use base64::Engine;

// ---- SNS ----

fn notification(message: &str, subject: Option<&str>) -> sns::SnsMessage {
    sns::SnsMessage {
        kind: "Notification".into(),
        message_id: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324".into(),
        token: None,
        topic_arn: "arn:aws:sns:us-west-2:123456789012:MyTopic".into(),
        subject: subject.map(str::to_owned),
        message: message.into(),
        timestamp: "2015-08-30T12:30:00.000Z".into(),
        signature_version: "1".into(),
        signature: String::new(),
        signing_cert_url: "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc.pem".into(),
        subscribe_url: None,
    }
}

#[test]
fn sns_string_to_sign_per_type() {
    let n = notification("hello", Some("My First Message"));
    assert_eq!(
        n.string_to_sign().unwrap(),
        "Message\nhello\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n\
         Timestamp\n2015-08-30T12:30:00.000Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n"
    );
    let no_subject = notification("hello", None).string_to_sign().unwrap();
    assert!(!no_subject.contains("Subject"));
    let mut c = notification("You have chosen to subscribe", None);
    c.kind = "SubscriptionConfirmation".into();
    assert_eq!(c.string_to_sign(), Err(EmailError::Sns("no SubscribeURL")));
    c.subscribe_url = Some("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t".into());
    c.token = Some("t".into());
    assert_eq!(
        c.string_to_sign().unwrap(),
        "Message\nYou have chosen to subscribe\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
         SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t\n\
         Timestamp\n2015-08-30T12:30:00.000Z\nToken\nt\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n\
         Type\nSubscriptionConfirmation\n"
    );
    c.kind = "Other".into();
    assert!(c.string_to_sign().is_err());
}

#[test]
fn sns_url_and_time_rules() {
    for ok in [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/x.pem",
        "https://sns.eu-west-1.amazonaws.com:443/x.pem",
    ] {
        assert!(sns::url_ok(ok, false), "{ok}");
    }
    for bad in [
        "http://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
        "https://s3.amazonaws.com/x.pem",
        "https://sns..amazonaws.com/x.pem",
        "http://127.0.0.1:9000/cert.pem",
        "ftp://sns.us-east-1.amazonaws.com/x.pem",
    ] {
        assert!(!sns::url_ok(bad, false), "{bad}");
    }
    assert!(sns::url_ok("http://127.0.0.1:9000/cert.pem", true));
    assert!(sns::url_ok("http://localhost:9000/cert.pem", true));
    assert!(!sns::url_ok("http://10.0.0.1:9000/cert.pem", true));
    let n = notification("m", None);
    let t = crate::time::parse_rfc3339(&n.timestamp).unwrap();
    assert!(n.fresh(t) && n.fresh(t + sns::MAX_AGE_MS) && n.fresh(t - sns::MAX_SKEW_MS));
    assert!(!n.fresh(t + sns::MAX_AGE_MS + 1) && !n.fresh(t - sns::MAX_SKEW_MS - 1));
    let mut bad = n.clone();
    bad.timestamp = "yesterday".into();
    assert!(!bad.fresh(t));
    bad.signature_version = "3".into();
    assert!(bad.hash().is_err());
}

/// Verifies with RustCrypto's `rsa` (dev-dependency), as WebCrypto does at the edge.
struct TestCrypto;

impl SnsCrypto for TestCrypto {
    async fn verify_rsa(&self, spki: &[u8], hash: Hash, message: &[u8], signature: &[u8]) -> Result<bool, EmailError> {
        use rsa::pkcs8::DecodePublicKey;
        use rsa::signature::Verifier;
        let key = rsa::RsaPublicKey::from_public_key_der(spki).map_err(|_| EmailError::Crypto("not an RSA key"))?;
        let Ok(signature) = rsa::pkcs1v15::Signature::try_from(signature) else { return Ok(false) };
        Ok(match hash {
            Hash::Sha1 => rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(key).verify(message, &signature).is_ok(),
            Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key).verify(message, &signature).is_ok(),
        })
    }
}

/// A throwaway RSA key and self-signed certificate made by the `openssl` command line.
struct OpenSsl {
    dir: std::path::PathBuf,
}

impl OpenSsl {
    fn new(name: &str) -> OpenSsl {
        let dir = std::env::temp_dir().join(format!("tidings-sns-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=sns.test", "-days", "1"])
            .args(["-keyout", "key.pem", "-out", "cert.pem"])
            .current_dir(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the openssl command line is installed");
        assert!(status.success());
        OpenSsl { dir }
    }

    fn cert(&self) -> String {
        std::fs::read_to_string(self.dir.join("cert.pem")).unwrap()
    }

    fn sign(&self, digest: &str, data: &str) -> String {
        std::fs::write(self.dir.join("data"), data).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["dgst", digest, "-sign", "key.pem", "data"])
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(out.status.success());
        base64::engine::general_purpose::STANDARD.encode(out.stdout)
    }

    fn spki(&self) -> Vec<u8> {
        let out = std::process::Command::new("openssl")
            .args(["x509", "-in", "cert.pem", "-pubkey", "-noout"])
            .current_dir(&self.dir)
            .output()
            .unwrap();
        let pem = String::from_utf8(out.stdout).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
    }
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[test]
fn sns_signatures_v1_and_v2_verify_with_a_certificate_made_here() {
    let ssl = OpenSsl::new("verify");
    let cert = ssl.cert();
    assert_eq!(x509::spki_from_pem(&cert).unwrap(), ssl.spki(), "the DER walk finds openssl's SPKI");
    let mut n = notification(r#"{"eventType":"Delivery"}"#, None);
    let now = crate::time::parse_rfc3339(&n.timestamp).unwrap() + 1000;
    for (version, digest) in [("1", "-sha1"), ("2", "-sha256")] {
        n.signature_version = version.into();
        n.signature = ssl.sign(digest, &n.string_to_sign().unwrap());
        assert_eq!(block_on(sns::verify(&n, &cert, &TestCrypto, now)), Ok(()), "v{version}");
        // The same signature under the other version's digest does not verify.
        let mut other = n.clone();
        other.signature_version = if version == "1" { "2".into() } else { "1".into() };
        assert!(block_on(sns::verify(&other, &cert, &TestCrypto, now)).is_err());
        // Any signed member changed: refused.
        let mut forged = n.clone();
        forged.message = r#"{"eventType":"Bounce"}"#.into();
        assert_eq!(
            block_on(sns::verify(&forged, &cert, &TestCrypto, now)),
            Err(EmailError::Sns("signature does not verify"))
        );
        let mut forged = n.clone();
        forged.topic_arn.push('x');
        assert!(block_on(sns::verify(&forged, &cert, &TestCrypto, now)).is_err());
        // Stale.
        assert_eq!(
            block_on(sns::verify(&n, &cert, &TestCrypto, now + sns::MAX_AGE_MS)),
            Err(EmailError::Sns("stale or future Timestamp"))
        );
    }
    let mut unsigned = n.clone();
    unsigned.signature = String::new();
    assert!(block_on(sns::verify(&unsigned, &cert, &TestCrypto, now)).is_err());
    // Another key's certificate: refused.
    let other = OpenSsl::new("other");
    assert!(block_on(sns::verify(&n, &other.cert(), &TestCrypto, now)).is_err());
    assert!(block_on(sns::verify(&n, "not a pem", &TestCrypto, now)).is_err());
}

#[test]
fn x509_walk_refuses_what_is_not_a_certificate() {
    assert_eq!(x509::spki(&[]), None);
    assert_eq!(x509::spki(&[0x30, 0x82, 0xff]), None);
    assert_eq!(x509::spki(&[0x30, 0x03, 0x02, 0x01, 0x00]), None);
    assert_eq!(x509::spki_from_pem("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"), None);
}

#[test]
fn ses_events_from_sns_messages() {
    let mail = json!({"messageId": "0102-abc", "destination": ["ada@example.com"],
        "tags": {"tidings_delivery": ["dlv_1"], "tidings_user": ["dXNlciAxL8Op"], "ses:configuration-set": ["x"]}});
    let bounce = json!({"eventType": "Bounce", "mail": mail, "bounce": {"bounceType": "Permanent",
        "bounceSubType": "General", "bouncedRecipients": [{"emailAddress": "ada@example.com", "status": "5.1.1"}],
        "timestamp": "2026-12-01T00:00:00.000Z", "feedbackId": "f"}});
    let e = events::parse(&bounce.to_string()).unwrap();
    assert_eq!(e.kind, EventKind::Bounce { permanent: true });
    assert_eq!(e.recipients, vec!["ada@example.com".to_owned()]);
    assert_eq!((e.delivery_id.as_deref(), e.user_id.as_deref()), (Some("dlv_1"), Some("user 1/é")));
    assert_eq!(e.code, "Bounce:Permanent:General");
    assert_eq!(e.suppression.unwrap(), json!({"reason": "Bounce", "details": bounce["bounce"]}));
    let mut transient = bounce.clone();
    transient["bounce"]["bounceType"] = "Transient".into();
    let t = events::parse(&transient.to_string()).unwrap();
    assert_eq!((t.kind, t.suppression), (EventKind::Bounce { permanent: false }, None));
    // Identity notifications (no configuration set) name the type `notificationType`.
    let complaint = json!({"notificationType": "Complaint", "mail": {"messageId": "m"},
        "complaint": {"complainedRecipients": [{"emailAddress": "b@example.com"}], "complaintFeedbackType": "abuse"}});
    let c = events::parse(&complaint.to_string()).unwrap();
    assert_eq!((c.kind, c.delivery_id, c.recipients), (EventKind::Complaint, None, vec!["b@example.com".to_owned()]));
    assert_eq!(c.suppression.unwrap()["reason"], "Complaint");
    let delivery = json!({"eventType": "Delivery", "mail": mail, "delivery": {"recipients": ["ada@example.com"]}});
    assert_eq!(events::parse(&delivery.to_string()).unwrap().kind, EventKind::Delivery);
    let reject = json!({"eventType": "Reject", "mail": mail, "reject": {"reason": "Bad content"}});
    assert_eq!(events::parse(&reject.to_string()).unwrap().code, "Reject:Bad content");
    assert_eq!(events::parse(r#"{"eventType":"Open","mail":{}}"#).unwrap().kind, EventKind::Other);
    assert_eq!(events::parse("not json"), None);
    assert_eq!(events::parse(r#"{"hello":1}"#), None);
}

#[test]
fn reach_and_unsubscribe_preferences() {
    use crate::model::{PreferenceStatus, Preferences};
    use crate::notify::Reach;
    assert_eq!(super::reach(None, false), Reach::NoAddress);
    assert_eq!(super::reach(Some("a@b.co"), true), Reach::Blocked("suppressed"));
    assert_eq!(super::reach(Some("a@b.co"), false), Reach::Ready);
    let mut prefs: Preferences = serde_json::from_value(json!({"categories": {"billing": {"status": "REQUIRED"}},
            "notifications": {"comments": {"status": "OPTED_IN", "channel_preferences": [{"channel": "email"}]}}}))
    .unwrap();
    assert!(unsubscribe::apply(&mut prefs, &unsubscribe::Scope::Topic("comments".into())));
    assert_eq!(prefs.notifications["comments"].status, PreferenceStatus::OptedOut);
    assert!(prefs.notifications["comments"].channel_preferences.is_empty());
    assert!(unsubscribe::apply(&mut prefs, &unsubscribe::Scope::Topic("new".into())));
    assert!(!unsubscribe::apply(&mut prefs, &unsubscribe::Scope::Category("billing".into())));
    assert_eq!(prefs.categories["billing"].status, PreferenceStatus::Required);
    let page = unsubscribe::page(unsubscribe::Page::Confirm { name: "<x>", token: "a.b" });
    assert!(page.contains("&lt;x&gt;") && page.contains("action=\"?token=a.b\"") && page.contains("method=\"post\""));
}
