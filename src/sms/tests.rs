use super::events::{self, Event, Final, Keyword};
use super::telnyx::{self, Account, Sender};
use super::text::{compose, count, gsm7_cost, Encoding, Parts, ELLIPSIS, MAX_SEGMENTS};
use crate::channel::Outcome;
use serde_json::{json, Value};

fn parts<'a>(subject: Option<&'a str>, body: Option<&'a str>, url: Option<&'a str>) -> Parts<'a> {
    Parts { subject, body, url }
}

#[test]
fn gsm7_basic_extension_and_others() {
    for c in ['@', 'A', 'z', '0', ' ', '\n', 'é', 'Ä', 'ß', 'Δ', '¿', '_'] {
        assert_eq!(gsm7_cost(c), Some(1), "{c:?}");
    }
    for c in ['€', '[', ']', '{', '}', '\\', '^', '~', '|', '\u{c}'] {
        assert_eq!(gsm7_cost(c), Some(2), "{c:?}");
    }
    for c in ['á', 'ç', '`', 'ж', '中', '😀', '…', '\u{1b}'] {
        assert_eq!(gsm7_cost(c), None, "{c:?}");
    }
}

#[test]
fn single_segment_limits() {
    let c = count(&"a".repeat(160));
    assert_eq!((c.encoding, c.units, c.segments), (Encoding::Gsm7, 160, 1));
    assert_eq!(count(&"a".repeat(161)).segments, 2);
    assert_eq!(count(&"a".repeat(306)).segments, 2);
    assert_eq!(count(&"a".repeat(307)).segments, 3);
    assert_eq!(count("").segments, 0);
    // Extension characters cost two septets: 80 euros fill one message, 81 do not.
    let c = count(&"€".repeat(80));
    assert_eq!((c.units, c.segments), (160, 1));
    assert_eq!(count(&"€".repeat(81)).segments, 2);
}

#[test]
fn ucs2_limits_and_surrogates() {
    let c = count(&"ж".repeat(70));
    assert_eq!((c.encoding, c.units, c.segments), (Encoding::Ucs2, 70, 1));
    assert_eq!(count(&"ж".repeat(71)).segments, 2);
    assert_eq!(count(&"ж".repeat(134)).segments, 2);
    assert_eq!(count(&"ж".repeat(135)).segments, 3);
    // One non-GSM character makes the whole text UCS-2.
    let c = count(&format!("{}ç", "a".repeat(69)));
    assert_eq!((c.encoding, c.segments), (Encoding::Ucs2, 1));
    // An emoji is a surrogate pair: 2 units.
    let c = count(&"😀".repeat(35));
    assert_eq!((c.units, c.segments), (70, 1));
    assert_eq!(count(&"😀".repeat(36)).segments, 2);
}

#[test]
fn pairs_are_never_split_across_segments() {
    // 66 units then an emoji: 68 > 67, so the emoji starts the second part.
    let text = format!("{}😀{}", "ж".repeat(66), "ж".repeat(66));
    let c = count(&text);
    assert_eq!(c.units, 134);
    // Naive division says 2 (134 / 67); packing says 3 because the pair moves whole.
    assert_eq!(c.segments, 3);
    // Same for an escape pair in GSM-7 at septet 153.
    let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
    let c = count(&text);
    assert_eq!(c.units, 306);
    assert_eq!(c.segments, 3);
}

#[test]
fn compose_joins_lines_and_keeps_short_texts_whole() {
    let t =
        compose(parts(Some("Hi"), Some("Your order shipped"), Some("https://x.example/o/1")), MAX_SEGMENTS).unwrap();
    assert_eq!(t.text, "Hi\nYour order shipped\nhttps://x.example/o/1");
    assert!(!t.cut);
    assert_eq!(t.count.segments, 1);
    assert_eq!(compose(parts(None, Some("b"), None), MAX_SEGMENTS).unwrap().text, "b");
    assert_eq!(compose(parts(None, None, Some("https://u")), MAX_SEGMENTS).unwrap().text, "https://u");
    assert_eq!(compose(parts(None, None, None), MAX_SEGMENTS), None);
    let data = json!({"subject": "  S ", "body": 5, "url": ""});
    assert_eq!(Parts::of(&data), parts(Some("S"), None, None));
}

#[test]
fn compose_cuts_to_the_limit_and_keeps_the_url() {
    let body = "word ".repeat(1000);
    let url = "https://x.example/o/1";
    let t = compose(parts(Some("Subject"), Some(&body), Some(url)), MAX_SEGMENTS).unwrap();
    assert!(t.cut);
    assert_eq!(t.count.segments, MAX_SEGMENTS);
    assert_eq!(t.count.encoding, Encoding::Gsm7);
    assert!(t.text.starts_with("Subject\nword word"));
    assert!(t.text.ends_with(&format!("{ELLIPSIS}\n{url}")), "{}", &t.text[t.text.len() - 40..]);
    // As long as it can be: one more character would not fit.
    assert!(t.count.units > 10 * 153 - 10, "{}", t.count.units);
    assert!(t.count.units <= 10 * 153);
}

#[test]
fn compose_cuts_emoji_text_at_a_character_boundary() {
    for n in [1usize, 2, 3] {
        let body = format!("{}{}", "a".repeat(n), "😀".repeat(1000));
        let t = compose(parts(None, Some(&body), None), 2).unwrap();
        assert!(t.cut);
        assert_eq!(t.count.encoding, Encoding::Ucs2);
        assert!(t.count.segments <= 2);
        assert!(t.count.units >= 2 * 67 - 4, "{n}: {}", t.count.units);
        // Every emoji is whole (a &str cannot hold half of one) and the cut ends with "...".
        assert!(t.text.ends_with(&format!("😀{ELLIPSIS}")), "{n}: {}", t.text);
        assert_eq!(t.text.chars().filter(|c| *c == '😀').count() * 2 + n + 3, t.count.units as usize);
    }
}

#[test]
fn compose_cuts_everything_when_the_url_alone_is_too_long() {
    let url = format!("https://x.example/{}", "p".repeat(400));
    let t = compose(parts(Some("S"), None, Some(&url)), 2).unwrap();
    assert!(t.cut);
    assert_eq!(t.count.segments, 2);
    assert!(t.text.starts_with("S\nhttps://x.example/ppp"));
    assert!(t.text.ends_with(ELLIPSIS));
}

fn account(sender: &Sender) -> Account<'_> {
    Account { api_key: "KEY123", sender, endpoint: "https://api.telnyx.com/" }
}

#[test]
fn prepare_builds_the_messages_request() {
    let from = Sender::From("+15550001111".into());
    let r = telnyx::prepare(&account(&from), "+15552223333", "Hi", Some("https://t.example/providers/telnyx/events"))
        .unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.url, "https://api.telnyx.com/v2/messages");
    assert_eq!(r.header("authorization"), Some("Bearer KEY123"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"from": "+15550001111", "to": "+15552223333", "text": "Hi",
               "webhook_url": "https://t.example/providers/telnyx/events"})
    );
    let profile = Sender::Profile("4001-abc".into());
    let r = telnyx::prepare(&account(&profile), "+15552223333", "Hi", None).unwrap();
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body, json!({"messaging_profile_id": "4001-abc", "to": "+15552223333", "text": "Hi"}));
    assert!(telnyx::prepare(&account(&profile), "+15552223333", "", None).is_err());
}

fn no_headers(_: &str) -> Option<String> {
    None
}

#[test]
fn classify_telnyx_answers() {
    let ok = br#"{"data":{"record_type":"message","id":"40385f64-5717-4562-b3fc-2c963f66afa6","parts":1}}"#;
    assert_eq!(
        telnyx::classify(200, no_headers, ok),
        Outcome::Sent { provider_message_id: Some("40385f64-5717-4562-b3fc-2c963f66afa6".into()) }
    );
    let invalid =
        br#"{"errors":[{"code":"40310","title":"Invalid 'to' address","detail":"The 'to' address is invalid."}]}"#;
    assert_eq!(telnyx::classify(400, no_headers, invalid), Outcome::Failed { code: "40310".into() });
    let auth = br#"{"errors":[{"code":"10009","title":"Authentication failed"}]}"#;
    assert_eq!(telnyx::classify(401, no_headers, auth), Outcome::Failed { code: "10009".into() });
    assert_eq!(telnyx::classify(422, no_headers, b"nope"), Outcome::Failed { code: "http_422".into() });
    let limited = br#"{"errors":[{"code":"10011","title":"Too many requests"}]}"#;
    let retry_after = |h: &str| (h == "retry-after").then(|| "7".to_owned());
    assert_eq!(telnyx::classify(429, retry_after, limited), Outcome::Retry { after: Some(7), code: "10011".into() });
    assert_eq!(telnyx::classify(503, no_headers, b""), Outcome::Retry { after: None, code: "http_503".into() });
    let numeric = br#"{"errors":[{"code":40300}]}"#;
    assert_eq!(telnyx::classify(403, no_headers, numeric), Outcome::Failed { code: "40300".into() });
}

fn finalized(status: &str, errors: Value) -> Vec<u8> {
    json!({"data": {"event_type": "message.finalized", "id": "evt-1", "occurred_at": "2026-12-01T00:00:00Z",
        "payload": {"id": "msg-1", "direction": "outbound", "errors": errors,
            "to": [{"phone_number": "+15552223333", "status": status}], "from": {"phone_number": "+15550001111"}},
        "record_type": "event"}, "meta": {"attempt": 1}})
    .to_string()
    .into_bytes()
}

#[test]
fn parse_finalized_events() {
    assert_eq!(
        events::parse(&finalized("delivered", json!([]))),
        Ok(Event::Finalized { message_id: "msg-1".into(), state: Final::Delivered })
    );
    let failed = finalized("delivery_failed", json!([{"code": "40008", "title": "Undeliverable"}]));
    assert_eq!(
        events::parse(&failed),
        Ok(Event::Finalized { message_id: "msg-1".into(), state: Final::Failed { code: "40008".into() } })
    );
    assert_eq!(
        events::parse(&finalized("expired", json!([]))),
        Ok(Event::Finalized { message_id: "msg-1".into(), state: Final::Failed { code: "expired".into() } })
    );
    assert_eq!(
        events::parse(&finalized("delivery_unconfirmed", json!([]))),
        Ok(Event::Finalized { message_id: "msg-1".into(), state: Final::Unconfirmed })
    );
    let no_to = br#"{"data":{"event_type":"message.finalized","payload":{"id":"m"}}}"#;
    assert_eq!(events::parse(no_to), Err(events::EventError::Missing("payload.to[0].status")));
    assert_eq!(events::parse(b"[]"), Err(events::EventError::Malformed));
    assert_eq!(events::parse(b"{"), Err(events::EventError::Malformed));
    let sent = br#"{"data":{"event_type":"message.sent","payload":{"id":"m"}}}"#;
    assert_eq!(events::parse(sent), Ok(Event::Other("message.sent".into())));
}

fn received(text: &str) -> Vec<u8> {
    json!({"data": {"event_type": "message.received", "payload": {"direction": "inbound",
        "from": {"phone_number": "+15552223333"}, "to": [{"phone_number": "+15550001111"}], "text": text}}})
    .to_string()
    .into_bytes()
}

#[test]
fn inbound_keywords() {
    for w in ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "CANCEL", "end", "QUIT"] {
        assert_eq!(Keyword::of(w), Some(Keyword::OptOut), "{w}");
    }
    for w in ["START", "unstop", "Yes", "yes!"] {
        assert_eq!(Keyword::of(w), Some(Keyword::OptIn), "{w}");
    }
    for w in ["stop by at 5", "STOPPED", "", "no"] {
        assert_eq!(Keyword::of(w), None, "{w}");
    }
    assert_eq!(
        events::parse(&received("Stop")),
        Ok(Event::Received { from: "+15552223333".into(), keyword: Some(Keyword::OptOut) })
    );
    assert_eq!(events::parse(&received("thanks")), Ok(Event::Received { from: "+15552223333".into(), keyword: None }));
}

#[test]
fn signed_message_and_staleness() {
    assert_eq!(events::signed_message("1767225600", b"{\"a\":1}"), b"1767225600|{\"a\":1}".to_vec());
    let now = 1_767_225_600;
    assert!(events::fresh("1767225600", now));
    assert!(events::fresh("1767225300", now));
    assert!(!events::fresh("1767225299", now));
    assert!(events::fresh("1767225900", now));
    assert!(!events::fresh("1767225901", now));
    assert!(!events::fresh("", now));
    assert!(!events::fresh("1767225600.5", now));
}

proptest::proptest! {
    /// Any subject/body/url: the text fits the limit, is whole when it was not cut, and the
    /// count agrees with a recount of what is sent.
    #[test]
    fn compose_always_fits(
        subject in proptest::option::of("[a-zé€\\[ 😀ж]{0,40}"),
        body in proptest::option::of("[a-zA-Z0-9 .,€{}ß😀🎉жç\n]{0,900}"),
        url in proptest::option::of("https://x\\.example/[a-z0-9]{0,200}"),
        max in 1u32..6,
    ) {
        let p = parts(subject.as_deref(), body.as_deref(), url.as_deref());
        match compose(p, max) {
            Some(t) => {
                proptest::prop_assert!(t.count.segments <= max && t.count.segments >= 1);
                proptest::prop_assert_eq!(t.count, count(&t.text));
                let given = [&subject, &body, &url].into_iter().flatten().filter(|s| !s.is_empty());
                if t.cut {
                    proptest::prop_assert!(t.text.contains(ELLIPSIS));
                } else {
                    for part in given {
                        proptest::prop_assert!(t.text.contains(part.as_str()));
                    }
                }
            }
            None => proptest::prop_assert!([&subject, &body, &url].into_iter().flatten().all(|s| s.is_empty())),
        }
    }

    /// Any bytes: parsing a webhook body never panics.
    #[test]
    fn webhook_bodies_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let _ = events::parse(&body);
    }
}
