//! Rate limits, on a second small edge with low limits (the shared edge keeps the defaults, so
//! no other test comes near them): per secret key, per browser user, per recipient.

use crate::support::*;
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;

/// Low limits and short windows; each counter is used by one test only.
const VARS: &str =
    "TIDINGS_RATE_LIMIT_SECRET_KEY=10/5\nTIDINGS_RATE_LIMIT_BROWSER=3/5\nTIDINGS_RATE_LIMIT_RECIPIENT=2/10";

fn small() -> &'static Edge {
    static EDGE: OnceLock<Edge> = OnceLock::new();
    EDGE.get_or_init(|| start_with(VARS))
}

/// `n` requests at once; their answers in no particular order.
fn burst(n: usize, request: impl Fn(usize) -> Reply + Sync) -> Vec<Reply> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                s.spawn({
                    let request = &request;
                    move || request(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("request thread")).collect()
    })
}

/// The one 429 among `replies`, checked: envelope, `Retry-After`, details; its `retry_after`.
#[track_caller]
fn the_refusal(replies: &[Reply], limit: u64, window: u64) -> u64 {
    let refused: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!(
        refused.len(),
        1,
        "exactly one over the limit: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let r = refused[0];
    r.assert_error(429, "rate_limited");
    let details = &r.body["error"]["details"];
    assert_eq!((details["limit"].as_u64(), details["window"].as_u64()), (Some(limit), Some(window)), "{}", r.text);
    let retry_after = details["retry_after"].as_u64().expect("details.retry_after");
    assert!((1..=window).contains(&retry_after), "{}", r.text);
    assert_eq!(r.headers.get("retry-after").map(String::as_str), Some(retry_after.to_string().as_str()));
    retry_after
}

fn wait_out(retry_after: u64) {
    std::thread::sleep(Duration::from_millis(retry_after * 1000 + 100));
}

#[test]
fn per_secret_key_and_per_recipient() {
    let edge = small();
    // The secret key: a burst of 11 against a limit of 10 per 5 s.
    let path = format!("/users/{}", enc(&unique("rl")));
    let replies = burst(11, |_| call_on(edge, "GET", &path, None, Auth::Secret));
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 10);
    let retry_after = the_refusal(&replies, 10, 5);
    let served = replies.iter().find(|r| r.status == 200).unwrap();
    assert_eq!(served.headers.get("ratelimit-limit").map(String::as_str), Some("10"));
    assert!(served.headers.get("ratelimit-remaining").is_some_and(|v| v.parse::<u32>().is_ok_and(|n| n < 10)));
    wait_out(retry_after);
    let r = call_on(edge, "GET", &path, None, Auth::Secret);
    assert_eq!(r.status, 200, "the next window is served: {}", r.text);
    assert_eq!(r.headers.get("ratelimit-remaining").map(String::as_str), Some("9"));

    // One recipient: 2 notifications per 10 s. Three single-recipient sends at once: one is
    // refused (429, nothing written), whatever its Idempotency-Key.
    let user = unique("rl-rcpt");
    let other = unique("rl-other");
    let keys: Vec<String> = (0..3).map(|_| unique("idem")).collect();
    let notify = |to: Value, key: &str| {
        let body = json!({"to": to, "data": {"subject": "s", "body": "b"}}).to_string();
        call_on(
            edge,
            "POST",
            "/notifications",
            Some(&body),
            Auth::Headers(&[("authorization", &format!("Bearer {}", edge.secret_key)), ("idempotency-key", key)]),
        )
    };
    let replies = burst(3, |i| notify(json!(user), &keys[i]));
    assert_eq!(replies.iter().filter(|r| r.status == 202).count(), 2);
    let retry_after = the_refusal(&replies, 2, 10);
    let refused_key = &keys[replies.iter().position(|r| r.status == 429).unwrap()];
    let deliveries = |u: &str| {
        call_on(edge, "GET", &format!("/users/{}/deliveries?limit=100&archived=include", enc(u)), None, Auth::Secret)
            .body
    };
    assert_eq!(deliveries(&user)["items"].as_array().unwrap().len(), 2, "the refused send wrote nothing");

    // In a multi-recipient send, the recipient over the limit gets a skipped delivery and the
    // others are served; a repeat with the same key answers the same.
    let multi_key = unique("idem");
    let r = notify(json!([user, other]), &multi_key);
    assert_eq!(r.status, 202, "{}", r.text);
    let of = |body: &Value, u: &str| {
        body["deliveries"].as_array().unwrap().iter().find(|d| d["recipient_id"] == u).cloned().unwrap()
    };
    let limited = of(&r.body, &user);
    assert_eq!((limited["status"].as_str(), limited["reason"].as_str()), (Some("skipped"), Some("rate_limited")));
    assert_eq!(of(&r.body, &other)["status"], "delivered");
    let stored = deliveries(&user);
    let item = stored["items"].as_array().unwrap().iter().find(|d| d["id"] == limited["id"]).cloned();
    assert_eq!(
        item.map(|d| (d["status"].clone(), d["reason"].clone())),
        Some((json!("skipped"), json!("rate_limited")))
    );
    assert_eq!(stored["meta"]["total_count"], 2, "a skipped delivery is not counted");
    let again = notify(json!([user, other]), &multi_key);
    assert_eq!((again.status, &again.body), (202, &r.body));

    // After the window, the refused request, repeated with its key, is carried out.
    wait_out(retry_after);
    let r = notify(json!(user), refused_key);
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["deliveries"][0]["status"], "delivered");
    assert_eq!(deliveries(&user)["meta"]["total_count"], 3);
}

#[test]
fn per_browser_user() {
    let edge = small();
    let (me, someone) = (unique("rl-me"), unique("rl-someone"));
    let (token, other_token) = (user_token(&me, 3600), user_token(&someone, 3600));
    let get_user = |u: &str, t: &str| {
        call_on(
            edge,
            "GET",
            &format!("/users/{}", enc(u)),
            None,
            Auth::Headers(&[("x-api-key", PUBLIC_KEY), ("x-user-token", t)]),
        )
    };
    let replies = burst(4, |_| get_user(&me, &token));
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 3);
    let retry_after = the_refusal(&replies, 3, 5);
    assert_eq!(get_user(&someone, &other_token).status, 200, "another user has their own counter");
    assert_eq!(get_user(&me, &token).status, 429, "still limited in the window");
    wait_out(retry_after);
    assert_eq!(get_user(&me, &token).status, 200, "the next window is served");
}
