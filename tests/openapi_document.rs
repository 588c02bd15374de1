//! `/openapi.json` against the code: every route is documented with its parameters and the
//! answers its access can give, every `$ref` resolves, and the document's patterns accept
//! exactly what the validators accept (checked on generated strings with a real regex engine).

use proptest::prelude::*;
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};
use tidings::paging::{decode_token, TokenKind};
use tidings::route::{Access, ROUTES};
use tidings::validate::{self, PushHosts};

static DOC: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(tidings::openapi::DOCUMENT).expect("openapi.json is JSON"));
static REGEXES: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);

fn doc() -> &'static Value {
    &DOC
}

fn pointer<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let path = reference.strip_prefix('#').expect("local $ref");
    doc.pointer(path).unwrap_or_else(|| panic!("$ref {reference} does not resolve"))
}

fn schema(doc: &Value, name: &str) -> Value {
    doc["components"]["schemas"][name].clone()
}

/// A JSON Schema pattern in the `regex` crate's syntax, which has no lookaround: the lookaheads
/// (an id is not `.` or `..`; a delivery id not `actions` either) are checked apart.
fn rust_regex(pattern: &str) -> Regex {
    let mut cache = REGEXES.lock().expect("regex cache");
    let p = pattern.replace("(?!\\.\\.?$)", "").replace("(?!\\.\\.?$|actions$)", "");
    cache.entry(p).or_insert_with_key(|p| Regex::new(p).unwrap_or_else(|e| panic!("{pattern}: {e}"))).clone()
}

fn walk_refs(doc: &Value, v: &Value, seen: &mut usize) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                pointer(doc, r);
                *seen += 1;
            }
            m.values().for_each(|x| walk_refs(doc, x, seen));
        }
        Value::Array(a) => a.iter().for_each(|x| walk_refs(doc, x, seen)),
        _ => {}
    }
}

#[test]
fn every_ref_resolves() {
    let d = doc();
    let mut seen = 0;
    walk_refs(d, d, &mut seen);
    assert!(seen > 100, "{seen} refs");
}

#[test]
fn documents_exactly_the_routes_with_their_parameters_and_answers() {
    let d = doc();
    assert_eq!(d["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in d["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys().filter(|m| *m != "parameters") {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<_> = ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    assert_eq!(documented, routed);

    for r in ROUTES {
        let item = &d["paths"][r.path];
        let op = &item[r.method.to_lowercase()];
        let label = format!("{} {}", r.method, r.path);
        // Every `{name}` of the template is a required path parameter.
        let params: Vec<&Value> = item["parameters"]
            .as_array()
            .into_iter()
            .chain(op["parameters"].as_array())
            .flatten()
            .map(|p| p.get("$ref").and_then(Value::as_str).map_or(p, |r| pointer(d, r)))
            .collect();
        for name in r.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')) {
            let p = params.iter().find(|p| p["name"] == name && p["in"] == "path");
            assert!(p.is_some_and(|p| p["required"] == true), "{label}: path parameter {name}");
        }
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{label}: responses"));
        let has = |code: &str| responses.contains_key(code);
        match r.access {
            Access::Public => assert!(!has("401") && op["security"] == Value::Array(vec![]), "{label}"),
            Access::Signed => assert!(has("401") && op["security"] == Value::Array(vec![]), "{label}"),
            Access::PublicKey => assert!(has("401") && has("429"), "{label}"),
            Access::Admin | Access::Own => assert!(has("401") && has("403") && has("429"), "{label}"),
        }
        assert!(has("5XX"), "{label}: 5XX");
        // Every error answer is the envelope.
        for (code, resp) in responses.iter().filter(|(c, _)| c.starts_with('4') || c.starts_with('5')) {
            let resp = resp.get("$ref").and_then(Value::as_str).map_or(resp, |r| pointer(d, r));
            assert_eq!(
                resp["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorEnvelope",
                "{label} {code}"
            );
        }
        if !matches!(r.access, Access::Public | Access::Signed) {
            let rate = pointer(d, responses["429"]["$ref"].as_str().expect("429 is a $ref"));
            assert!(rate["headers"]["Retry-After"].is_object(), "{label}: Retry-After");
        }
    }
}

#[test]
fn token_patterns_are_the_ones_the_edge_issues() {
    let d = doc();
    let query = |path: &str, method: &str, name: &str| {
        d["paths"][path][method]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .map(|p| p["schema"]["pattern"].clone())
            .unwrap_or_else(|| panic!("{path} {name}"))
    };
    assert_eq!(query("/users", "get", "pageToken"), TokenKind::Users.pattern());
    assert_eq!(query("/users/{userId}/deliveries", "get", "after"), TokenKind::Deliveries.pattern());
    assert_eq!(query("/users/{userId}/deliveries", "get", "before"), TokenKind::Deliveries.pattern());
    assert_eq!(query("/bulk/{jobId}/users", "get", "cursor"), TokenKind::BulkUsers.pattern());
    assert_eq!(
        schema(d, "UserPage")["properties"]["pagination"]["properties"]["next"]["pattern"],
        TokenKind::Users.pattern()
    );
    assert_eq!(
        schema(d, "DeliveryPage")["properties"]["page"]["properties"]["after"]["pattern"],
        TokenKind::Deliveries.pattern()
    );
    assert_eq!(
        schema(d, "BulkUsersPage")["properties"]["paging"]["properties"]["cursor"]["pattern"],
        TokenKind::BulkUsers.pattern()
    );
}

#[test]
fn timezones_are_the_validators_list() {
    let names: Vec<String> = serde_json::from_value(schema(doc(), "Timezone")["enum"].clone()).expect("enum");
    assert_eq!(names, validate::TIMEZONES);
}

fn pattern(d: &Value, schema_name: &str, pointer_in_schema: &str) -> Regex {
    let s = schema(d, schema_name);
    let p = s
        .pointer(pointer_in_schema)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{schema_name}{pointer_in_schema}"));
    rust_regex(p)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn id_pattern_is_the_validator(s in prop_oneof![
        "\\PC{0,3}", "[./a]{1,3}", "[^/]{250,260}", "\\PC{0,20}[/\\x00-\\x1f\\x7f-\\u{9f}]\\PC{0,5}", "\\PC{1,40}"
    ]) {
        let d = doc();
        let re = pattern(d, "Id", "/pattern");
        let documented = re.is_match(&s) && s != "." && s != "..";
        prop_assert_eq!(documented, validate::id("id", &s).is_ok(), "{:?}", s);
    }

    #[test]
    fn email_pattern_is_the_validator(s in prop_oneof![
        "[a-z!#'.+~(\"]{0,3}@[a-z0-9-]{0,4}(\\.[a-z0-9-]{0,4}){0,2}",
        "[a-z.]{0,5}@[a-z]{1,3}\\.[a-z]{2}",
        "[ -~]{0,12}@[ -~]{0,12}",
        "\\PC{0,6}@\\PC{0,6}\\.[a-z]{2}",
        "[a-z]{60,70}@[a-z]{1,3}\\.[a-z]{60,66}",
        "[a-z]{1,2}@([a-z]{60,63}\\.){3}[a-z]{50,70}",
    ]) {
        let d = doc();
        let s_ok = validate::email("email", &s).is_ok();
        let schema = &schema(d, "UserInput")["properties"]["email"];
        let re = rust_regex(schema["pattern"].as_str().expect("pattern"));
        let max = schema["maxLength"].as_u64().expect("maxLength") as usize;
        // `format: email` bounds the local part to 64 characters; the pattern says the rest.
        let local_ok = s.split_once('@').is_some_and(|(l, _)| l.chars().count() <= 64);
        prop_assert_eq!(re.is_match(&s) && local_ok && s.chars().count() <= max, s_ok, "{:?}", s);
    }

    #[test]
    fn endpoint_pattern_is_the_validator_on_allowed_hosts(
        host in prop_oneof![
            Just("fcm.googleapis.com"),
            Just("android.googleapis.com"),
            Just("web.push.apple.com"),
            Just("wns2-a.notify.windows.com")
        ],
        rest in "([/?#][ -~]{0,12})?",
    ) {
        // The allowlist is the limits' rule; on allowed hosts the pattern and the URL checks agree.
        let s = format!("https://{host}{rest}");
        let re = pattern(doc(), "PushSubscription", "/properties/endpoint/pattern");
        prop_assert_eq!(re.is_match(&s), validate::endpoint("e", &s, &PushHosts::default()).is_ok(), "{:?}", s);
    }

    #[test]
    fn endpoint_pattern_is_the_default_allowlist(
        labels in "([a-z0-9-]{1,6}\\.){0,4}",
        suffix in prop_oneof![
            Just("push.services.mozilla.com"),
            Just("push.apple.com"),
            Just("notify.windows.com"),
            Just("googleapis.com"),
            Just("example.com")
        ],
    ) {
        // Hosts the default TIDINGS_PUSH_HOSTS allows are exactly the ones the pattern names.
        let s = format!("https://{labels}{suffix}/p");
        let re = pattern(doc(), "PushSubscription", "/properties/endpoint/pattern");
        prop_assert_eq!(re.is_match(&s), validate::endpoint("e", &s, &PushHosts::default()).is_ok(), "{:?}", s);
    }

    #[test]
    fn e164_pattern_is_the_validator(s in "\\+?[0-9+]{0,17}") {
        let re = pattern(doc(), "UserInput", "/properties/number/pattern");
        prop_assert_eq!(re.is_match(&s), validate::e164("n", &s).is_ok(), "{:?}", s);
    }

    #[test]
    fn slack_channel_pattern_is_the_validator(s in prop_oneof![
        "[CGDUWT][A-Z0-9a-z]{6,22}", "[#@]?[a-z0-9_.A-Z-]{0,82}", "[#@]?\\PC{0,6}", "[#@]?[\\x00-\\u{2ff}]{1,5}",
        "#?[a-z\\u{ffd0}-\\u{10010}]{1,4}",
    ]) {
        let re = pattern(doc(), "UserInput", "/properties/slackChannel/pattern");
        prop_assert_eq!(re.is_match(&s), tidings::slack::channel::validate("c", &s).is_ok(), "{:?}", s);
        prop_assert_eq!(re.as_str(), tidings::slack::channel::PATTERN);
    }

    #[test]
    fn slack_webhook_pattern_is_the_validator(path in prop_oneof!["[ -~]{0,12}", "\\PC{0,4}"], host in prop_oneof![
        Just("https://hooks.slack.com/"), Just("https://hooks.slack.com"), Just("https://HOOKS.slack.com/"),
        Just("https://hooks.slack.com.evil.io/"), Just("http://hooks.slack.com/"),
    ]) {
        let s = format!("{host}{path}");
        let schema = &schema(doc(), "UserInput")["properties"]["slackToken"];
        let re = rust_regex(schema["properties"]["incoming_webhook"]["properties"]["url"]["pattern"].as_str().expect("pattern"));
        prop_assert_eq!(re.is_match(&s), tidings::slack::api::webhook_url_ok(&s, false), "{:?}", s);
        prop_assert_eq!(re.as_str(), tidings::slack::api::WEBHOOK_PATTERN);
    }

    #[test]
    fn token_patterns_are_the_decoders(s in prop_oneof!["(dXNy|ZGx2|Ymxr)[A-Za-z0-9_=-]{9,12}", "[A-Za-z0-9_-]{0,16}"]) {
        for kind in [TokenKind::Users, TokenKind::Deliveries, TokenKind::BulkUsers] {
            let re = rust_regex(&kind.pattern());
            let accepted = s.is_empty() || decode_token(kind, "t", &s).is_ok();
            prop_assert_eq!(re.is_match(&s), accepted, "{:?} {:?}", kind, s);
        }
    }

    #[test]
    fn subscription_key_patterns_are_the_validators(bytes in prop::collection::vec(any::<u8>(), 14..18), pad in "={0,3}") {
        use base64::Engine;
        let d = doc();
        let keys = "/properties/keys/properties";
        let auth = format!("{}{pad}", validate::B64URL.encode(&bytes));
        let re = pattern(d, "PushSubscription", &format!("{keys}/auth/pattern"));
        prop_assert_eq!(re.is_match(&auth), validate::auth_secret("a", &auth).is_ok(), "{:?}", auth);
        // p256dh: the pattern says base64url of 65 bytes starting 0x04; the curve check is on top.
        let mut point = vec![4u8; 65];
        point[1..].iter_mut().zip(bytes.iter().cycle()).for_each(|(p, b)| *p = *b);
        let p = format!("{}{pad}", validate::B64URL.encode(&point));
        let re = pattern(d, "PushSubscription", &format!("{keys}/p256dh/x-pattern"));
        let canonical_padding = pad.len() <= 1;
        prop_assert_eq!(re.is_match(&p), canonical_padding, "{:?}", p);
        prop_assert!(re.is_match(&p) || validate::p256dh("p", &p).is_err());
    }
}

#[test]
fn a_real_p256dh_and_endpoints_match() {
    let d = doc();
    let keys = "/properties/keys/properties";
    let re = pattern(d, "PushSubscription", &format!("{keys}/p256dh/x-pattern"));
    let p = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    assert!(re.is_match(p) && validate::p256dh("p", p).is_ok());
    let re = pattern(d, "PushSubscription", "/properties/endpoint/pattern");
    for ok in [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGuQ",
        "https://wns2-by3p.notify.windows.com/w/?token=BQYAAA",
    ] {
        assert!(re.is_match(ok) && validate::endpoint("e", ok, &PushHosts::default()).is_ok(), "{ok}");
    }
    for bad in [
        "http://fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
        "https://evil.example/x",
        "https://1.2.3.4/x",
    ] {
        assert!(!re.is_match(bad), "{bad}");
    }
}
