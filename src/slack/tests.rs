use super::api::{self, classify_open, classify_post, classify_webhook};
use super::channel::{self, Target};
use super::message::{self, build, escape, fit};
use crate::channel::Outcome;
use serde_json::{json, Map, Value};

fn no_headers(_: &str) -> Option<String> {
    None
}

fn retry_after(v: &'static str) -> impl Fn(&str) -> Option<String> {
    move |h: &str| (h == "retry-after").then(|| v.to_owned())
}

#[test]
fn channel_forms() {
    assert_eq!(channel::parse("C1234567890"), Some(Target::Conversation("C1234567890".into())));
    assert_eq!(channel::parse("G0123ABCDE"), Some(Target::Conversation("G0123ABCDE".into())));
    assert_eq!(channel::parse("D024BE91L"), Some(Target::Conversation("D024BE91L".into())));
    assert_eq!(channel::parse("U1234567890"), Some(Target::User("U1234567890".into())));
    assert_eq!(channel::parse("W0123ABCDE"), Some(Target::User("W0123ABCDE".into())));
    assert_eq!(channel::parse("#test"), Some(Target::Name("test".into())));
    assert_eq!(channel::parse("test"), Some(Target::Name("test".into())));
    assert_eq!(channel::parse("dev-ops_2"), Some(Target::Name("dev-ops_2".into())));
    assert_eq!(channel::parse("#日本語"), Some(Target::Name("日本語".into())));
    assert_eq!(channel::parse("@test.user"), Some(Target::Username("test.user".into())));
    // An upper-case word is no id and no name; a lower-case "c123…" is a name.
    assert_eq!(channel::parse("c1234567890"), Some(Target::Name("c1234567890".into())));
    for bad in ["", "#", "@", "General", "two words", "#a.b", "T1234567890", "C12", "#UPPER", "@a b", &"a".repeat(81)] {
        assert_eq!(channel::parse(bad), None, "{bad:?}");
        let e = channel::validate("slackChannel", bad).unwrap_err();
        assert_eq!((e.field.as_str(), e.reason), ("slackChannel", "invalid"));
    }
    assert!(channel::parse(&"a".repeat(80)).is_some());
}

#[test]
fn post_channel_of_each_form() {
    assert_eq!(Target::Conversation("C1234567890".into()).post_channel().as_deref(), Some("C1234567890"));
    assert_eq!(Target::Name("test".into()).post_channel().as_deref(), Some("#test"));
    assert_eq!(Target::User("U1234567890".into()).post_channel(), None);
    assert_eq!(Target::Username("x".into()).post_channel(), None);
}

#[test]
fn escaping() {
    assert_eq!(escape("a & b <c> >d<"), "a &amp; b &lt;c&gt; &gt;d&lt;");
    assert_eq!(
        escape("<!channel> <@U1234567890> <https://x|y>"),
        "&lt;!channel&gt; &lt;@U1234567890&gt; &lt;https://x|y&gt;"
    );
    // Already-escaped text is escaped again: the user meant the characters.
    assert_eq!(escape("&amp;"), "&amp;amp;");
    assert_eq!(escape("*bold* _it_ ünï 🎉"), "*bold* _it_ ünï 🎉");
}

#[test]
fn fit_cuts_at_boundaries_and_never_inside_an_escape() {
    assert_eq!(fit("abc", 3, true), "abc");
    assert_eq!(fit("abcd", 3, true), "ab…");
    assert_eq!(fit("a&b", 7, true), "a&amp;b");
    // "a&amp;b" is 7 wide; with 6 the '&' does not fit whole: never "a&am…".
    assert_eq!(fit("a&b", 6, true), "a…");
    assert_eq!(fit("🎉🎉🎉🎉", 3, false), "🎉🎉…");
    assert_eq!(fit("<<<<", 4, false), "<<<<");
    let long = "x".repeat(5000);
    assert_eq!(fit(&long, 3000, true).chars().count(), 3000);
}

fn blocks_of(m: &message::Message) -> Vec<Value> {
    m.blocks.as_array().unwrap().clone()
}

#[test]
fn message_has_header_section_and_button() {
    let m = build(
        Some("Hi <team> & co"),
        Some("Build *failed* <!channel>"),
        Some("https://ex.com/r?a=1&b=2"),
        "tidings_open:d1",
    );
    let b = blocks_of(&m);
    assert_eq!(b.len(), 3);
    assert_eq!(b[0], json!({"type":"header","text":{"type":"plain_text","text":"Hi <team> & co","emoji":true}}));
    assert_eq!(b[1], json!({"type":"section","text":{"type":"mrkdwn","text":"Build *failed* &lt;!channel&gt;"}}));
    assert_eq!(b[2]["type"], "actions");
    assert_eq!(b[2]["elements"][0]["type"], "button");
    assert_eq!(b[2]["elements"][0]["url"], "https://ex.com/r?a=1&b=2");
    assert_eq!(b[2]["elements"][0]["action_id"], "tidings_open:d1");
    assert_eq!(b[2]["elements"][0]["text"]["type"], "plain_text");
    assert_eq!(m.text, "Hi &lt;team&gt; &amp; co\nBuild *failed* &lt;!channel&gt;");
}

#[test]
fn message_limits() {
    let m = build(Some(&"s".repeat(200)), Some(&"<".repeat(1000)), None, "a");
    let b = blocks_of(&m);
    assert_eq!(b[0]["text"]["text"].as_str().unwrap().chars().count(), 150);
    let section = b[1]["text"]["text"].as_str().unwrap();
    assert!(section.chars().count() <= 3000 && section.ends_with('…') && section.starts_with("&lt;"));
    assert!(!section.trim_end_matches('…').ends_with("&lt") && section.trim_end_matches('…').ends_with("&lt;"));
    assert!(m.text.chars().count() <= 3000);
}

#[test]
fn message_without_parts() {
    let only_subject = build(Some("Hello"), None, None, "a");
    assert_eq!(blocks_of(&only_subject).len(), 1);
    assert_eq!(only_subject.text, "Hello");
    let nothing = build(Some("  "), Some(""), Some("javascript:alert(1)"), "a");
    let b = blocks_of(&nothing);
    assert_eq!(b.len(), 1, "no header for a blank subject, no button for a non-http link");
    assert_eq!(b[0]["text"]["text"], message::EMPTY);
    assert_eq!(nothing.text, message::EMPTY);
    for bad in ["ftp://x/y", "https://", "http:///x", "https://a b", "mailto:a@b.c"] {
        assert!(!message::link_ok(bad), "{bad}");
    }
    assert!(message::link_ok("http://localhost:8080/x"));
    assert!(!message::link_ok(&format!("https://e.com/{}", "a".repeat(3000))));
}

fn token_map(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn token_and_webhook_from_slack_token() {
    let t = token_map(
        json!({"ok": true, "access_token": "xoxb-1", "incoming_webhook": {"url": "https://hooks.slack.com/services/T/B/X", "channel": "#x"}}),
    );
    assert_eq!(api::token(Some(&t), Some("xoxb-bot")).as_deref(), Some("xoxb-1"));
    assert_eq!(api::token(None, Some("xoxb-bot")).as_deref(), Some("xoxb-bot"));
    assert_eq!(api::token(Some(&token_map(json!({"access_token": ""}))), None), None);
    assert_eq!(api::token(None, Some("")), None);
    assert_eq!(api::webhook_url(Some(&t)), Some("https://hooks.slack.com/services/T/B/X"));
    assert_eq!(api::webhook_url(Some(&token_map(json!({"incoming_webhook": {}})))), None);
}

#[test]
fn webhook_url_policy() {
    assert!(api::webhook_url_ok("https://hooks.slack.com/services/T0/B0/xyz", false));
    for bad in [
        "http://hooks.slack.com/services/T/B/X",
        "https://hooks.slack.com.evil.com/services/T/B/X",
        "https://evil.com/hooks.slack.com/services",
        "https://user@hooks.slack.com/services/T/B/X",
        "https://hooks.slack.com:8443/services/T/B/X",
        "https://hooks.slack.com/",
        "https://hooks.slack.com",
        "https://HOOKS.slack.com/services/T0/B0/xyz",
        "https://hooks.slack.com/services/T/B/X Y",
        "http://127.0.0.1:9999/services/T/B/X",
    ] {
        assert!(!api::webhook_url_ok(bad, false), "{bad}");
    }
    assert!(api::webhook_url_ok("http://127.0.0.1:9999/services/T/B/X", true));
    assert!(!api::webhook_url_ok("http://10.0.0.1/services/T/B/X", true));
}

#[test]
fn prepare_post_message() {
    let m = build(Some("S"), Some("B"), None, "a");
    let r = api::post_message("http://127.0.0.1:1/", "xoxb-1", "#general", &m);
    assert_eq!(r.method, "POST");
    assert_eq!(r.url, "http://127.0.0.1:1/api/chat.postMessage");
    assert_eq!(r.header("authorization"), Some("Bearer xoxb-1"));
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["channel"], "#general");
    assert_eq!(body["text"], "S\nB");
    assert_eq!(body["blocks"], m.blocks);
    assert_eq!(body["unfurl_links"], false);
}

#[test]
fn prepare_open_and_webhook() {
    let r = api::open_conversation(api::DEFAULT_ENDPOINT, "xoxb-2", "U1234567890");
    assert_eq!(r.url, "https://slack.com/api/conversations.open");
    assert_eq!(r.header("authorization"), Some("Bearer xoxb-2"));
    assert_eq!(serde_json::from_slice::<Value>(&r.body).unwrap(), json!({"users": "U1234567890"}));
    let m = build(Some("S"), None, None, "a");
    let w = api::post_webhook("https://hooks.slack.com/services/T/B/X", &m, false).unwrap();
    assert_eq!(w.url, "https://hooks.slack.com/services/T/B/X");
    assert_eq!(w.header("authorization"), None, "a webhook URL is its own credential");
    let body: Value = serde_json::from_slice(&w.body).unwrap();
    assert_eq!(body, json!({"text": "S", "blocks": m.blocks}));
    assert_eq!(api::post_webhook("https://example.com/services/T/B/X", &m, true), Err(super::SlackError::WebhookUrl));
}

#[test]
fn classify_post_message_answers() {
    let ok = br#"{"ok":true,"channel":"C1234567890","ts":"1503435956.000247","message":{}}"#;
    assert_eq!(
        classify_post(200, no_headers, ok),
        Outcome::Sent { provider_message_id: Some("1503435956.000247".into()) }
    );
    let err = |code: &str| format!(r#"{{"ok":false,"error":"{code}"}}"#).into_bytes();
    for code in
        ["channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long", "missing_scope"]
    {
        assert_eq!(classify_post(200, no_headers, &err(code)), Outcome::Failed { code: code.into() });
    }
    for code in ["invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"] {
        assert_eq!(classify_post(200, no_headers, &err(code)), Outcome::Invalid { code: code.into() });
    }
    assert_eq!(
        classify_post(429, retry_after("30"), &err("ratelimited")),
        Outcome::Retry { after: Some(30), code: "ratelimited".into() }
    );
    assert_eq!(classify_post(429, no_headers, b""), Outcome::Retry { after: None, code: "http_429".into() });
    assert_eq!(
        classify_post(200, no_headers, &err("internal_error")),
        Outcome::Retry { after: None, code: "internal_error".into() }
    );
    assert_eq!(classify_post(503, no_headers, b"<html>"), Outcome::Retry { after: None, code: "http_503".into() });
    assert_eq!(classify_post(404, no_headers, b"not found"), Outcome::Failed { code: "http_404".into() });
    assert_eq!(classify_post(200, no_headers, b"not json"), Outcome::Failed { code: "http_200".into() });
    // Token trouble is the token's, whatever else is said.
    assert_eq!(Outcome::Invalid { code: "token_revoked".into() }.reason(), "token_invalid");
}

#[test]
fn classify_conversations_open_answers() {
    let ok = br#"{"ok":true,"no_op":true,"already_open":true,"channel":{"id":"D069C7QFK"}}"#;
    assert_eq!(classify_open(200, no_headers, ok), Ok("D069C7QFK".into()));
    assert_eq!(
        classify_open(200, no_headers, br#"{"ok":false,"error":"user_not_found"}"#),
        Err(Outcome::Failed { code: "user_not_found".into() })
    );
    assert_eq!(
        classify_open(200, no_headers, br#"{"ok":false,"error":"token_revoked"}"#),
        Err(Outcome::Invalid { code: "token_revoked".into() })
    );
    assert_eq!(
        classify_open(429, retry_after("2"), br#"{"ok":false,"error":"ratelimited"}"#),
        Err(Outcome::Retry { after: Some(2), code: "ratelimited".into() })
    );
    assert_eq!(
        classify_open(200, no_headers, br#"{"ok":true}"#),
        Err(Outcome::Failed { code: "conversations_open_malformed".into() })
    );
}

#[test]
fn classify_incoming_webhook_answers() {
    assert_eq!(classify_webhook(200, no_headers, b"ok"), Outcome::Sent { provider_message_id: None });
    for (status, code) in [(403, "invalid_token"), (404, "no_service"), (404, "no_team"), (410, "no_active_hooks")] {
        assert_eq!(classify_webhook(status, no_headers, code.as_bytes()), Outcome::Invalid { code: code.into() });
    }
    for (status, code) in [
        (400, "invalid_payload"),
        (400, "invalid_blocks"),
        (400, "user_not_found"),
        (403, "action_prohibited"),
        (404, "channel_not_found"),
        (410, "channel_is_archived"),
    ] {
        assert_eq!(classify_webhook(status, no_headers, code.as_bytes()), Outcome::Failed { code: code.into() });
    }
    assert_eq!(
        classify_webhook(500, no_headers, b"rollup_error"),
        Outcome::Retry { after: None, code: "rollup_error".into() }
    );
    assert_eq!(
        classify_webhook(429, retry_after("7"), b""),
        Outcome::Retry { after: Some(7), code: "http_429".into() }
    );
    assert_eq!(
        classify_webhook(400, no_headers, b"<html> a page </html>"),
        Outcome::Failed { code: "http_400".into() }
    );
}

#[test]
fn slack_token_checks_name_the_member() {
    let ok = token_map(
        json!({"ok": true, "access_token": "xoxb-1", "incoming_webhook": {"url": "https://hooks.slack.com/services/T/B/X"}}),
    );
    assert!(super::check_token("slackToken", &ok, false).is_empty());
    let bad = token_map(json!({"access_token": 5, "incoming_webhook": {"url": "https://evil.example/services/T/B/X"}}));
    let fields: Vec<String> = super::check_token("slackToken", &bad, false).into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["slackToken.access_token", "slackToken.incoming_webhook.url"]);
    let local = token_map(json!({"incoming_webhook": {"url": "http://127.0.0.1:9/services/T/B/X"}}));
    assert_eq!(super::check_token("slackToken", &local, false).len(), 1);
    assert!(super::check_token("slackToken", &local, true).is_empty());
    assert!(
        super::check_token("slackToken", &token_map(json!({"ok": false, "error": "invalid_code"})), false).is_empty()
    );
}

fn profile(channel: Option<&str>, token: Option<Value>) -> crate::model::Profile {
    crate::model::Profile {
        slack_channel: channel.map(str::to_owned),
        slack_token: token.map(token_map),
        ..Default::default()
    }
}

const HOOK: &str = "https://hooks.slack.com/services/T/B/X";

#[test]
fn route_prefers_the_webhook_only_when_no_other_place_is_asked_for() {
    use super::{route, Route};
    use crate::notify::Reach;
    let both = json!({"access_token": "xoxb-u", "incoming_webhook": {"url": HOOK, "channel": "#alerts", "channel_id": "C0ALERTS001"}});
    let hook = || Ok(Route::Webhook(HOOK.into()));
    assert_eq!(route(&profile(None, Some(both.clone())), false, None), hook());
    assert_eq!(route(&profile(Some("@someone"), Some(both.clone())), false, None), hook());
    assert_eq!(route(&profile(Some("C0ALERTS001"), Some(both.clone())), false, None), hook());
    assert_eq!(route(&profile(Some("#alerts"), Some(both.clone())), false, None), hook());
    assert_eq!(route(&profile(Some("alerts"), Some(both.clone())), false, None), hook());
    assert_eq!(
        route(&profile(Some("#general"), Some(both.clone())), false, Some("xoxb-bot")),
        Ok(Route::Api { token: "xoxb-u".into(), own: true, target: Target::Name("general".into()) })
    );
    assert_eq!(
        route(&profile(Some("U1234567890"), None), false, Some("xoxb-bot")),
        Ok(Route::Api { token: "xoxb-bot".into(), own: false, target: Target::User("U1234567890".into()) })
    );
    assert_eq!(route(&profile(Some("C1234567890"), None), false, None), Err(Reach::NotConfigured));
    assert_eq!(route(&profile(None, Some(json!({"access_token": "xoxb-u"}))), false, None), Err(Reach::NoAddress));
    assert_eq!(route(&profile(None, None), false, Some("xoxb-bot")), Err(Reach::NoAddress));
    assert_eq!(
        route(&profile(Some("@someone"), Some(json!({"access_token": "xoxb-u"}))), false, None),
        Err(Reach::Blocked("slack_username_unsupported"))
    );
    // A refused token blocks the user's Slack until a new slackToken is set.
    assert_eq!(
        route(&profile(Some("C1234567890"), Some(both)), true, Some("xoxb-bot")),
        Err(Reach::Blocked("token_invalid"))
    );
    // The mark is about the user's token; without one the operator's bot token still serves.
    assert!(route(&profile(Some("C1234567890"), None), true, Some("xoxb-bot")).is_ok());
}

#[test]
fn is_notifiable_counts_a_usable_slack_token_until_it_is_refused() {
    let mut u = crate::users::StoredUser {
        profile: profile(Some("C1234567890"), Some(json!({"access_token": "xoxb-u"}))),
        ..Default::default()
    };
    assert!(u.clone().into_user(false).is_notifiable);
    u.slack_token_invalid = true;
    assert!(!u.clone().into_user(true).is_notifiable);
    let channel_only = crate::users::StoredUser { profile: profile(Some("C1234567890"), None), ..Default::default() };
    assert!(!channel_only.into_user(true).is_notifiable, "the operator's bot token is not the user's address");
}
