//! A crash in the middle of work loses nothing (DESIGN.md "Reliability and abuse"): the edge is
//! killed with SIGKILL while a 1,000-user bulk job runs, a web push send waits for its retry and
//! a user deletion has just been accepted; started again on the same state, every piece of work
//! completes, once, with no request but the test's reads (the sweeper's alarm does the rest).

use crate::push_service::push_service;
use crate::support::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Instant;

/// Lease and push retry timing of the edge under test: short, so recovery is quick.
const ENV: &str = "TIDINGS_LEASE_SECONDS=15\nTIDINGS_PUSH_RETRY_SCHEDULE=60\n";
/// Bound of each wait after the restart (generous: these machines are shared and slow).
const WAIT_S: u64 = 180;

fn ok(r: Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.text);
    r.body
}

/// Every item of `GET /bulk/{job}/users`.
fn bulk_users(edge: &RestartableEdge, job: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/bulk/{job}/users?cursor={}", enc(c)),
            None => format!("/bulk/{job}/users"),
        };
        let body = ok(edge.call("GET", &path, None), 200);
        out.extend(body["items"].as_array().expect("items").iter().cloned());
        match body["paging"]["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// Waits up to `WAIT_S` for `check`, failing with `what` and the last value seen.
fn within<T: std::fmt::Debug>(what: &str, mut probe: impl FnMut() -> T, done: impl Fn(&T) -> bool) -> T {
    let mut last = None;
    let found = eventually(WAIT_S, || {
        let v = probe();
        if done(&v) {
            return Some(v);
        }
        last = Some(v);
        None
    });
    found.unwrap_or_else(|| panic!("{what} within {WAIT_S} s after the restart; last seen: {last:?}"))
}

#[test]
fn work_in_flight_survives_a_kill_9_of_the_edge() {
    let edge = RestartableEdge::start(ENV);
    let service = push_service();
    // The push service checks VAPID against the shared edge's `/vapid` (the same test key):
    // start that edge now, not while the first push waits for its answer.
    assert_eq!(get("/vapid").status, 200);

    // A user with a feed, to be deleted right before the kill.
    let doomed = unique("rs-del");
    ok(edge.call("PUT", &format!("/users/{}", enc(&doomed)), Some(&json!({"email": "gone@example.com"}))), 201);
    let body = json!({"to": doomed, "data": {"subject": "bye"}});
    ok(edge.call("POST", "/notifications", Some(&body)), 202);

    // A bulk job of 1,000 in-app recipients, running.
    let prefix = unique("rs-bulk");
    let job = ok(edge.call("POST", "/bulk", Some(&json!({"message": {"data": {"subject": "All hands"}}}))), 201)
        ["jobId"]
        .as_str()
        .expect("jobId")
        .to_owned();
    let users: Vec<String> = (0..1000).map(|i| format!("{prefix}-{i}")).collect();
    let items: Vec<Value> = users.iter().map(|u| json!({"to": {"user_id": u}})).collect();
    assert_eq!(ok(edge.call("POST", &format!("/bulk/{job}"), Some(&json!({"users": items}))), 200)["added"], 1000);

    // A web push send whose first attempt gets a 500: it waits 60 s for its retry.
    let pusher = unique("rs-push");
    let sub = service.subscribe(&[500, 201]);
    ok(edge.call("POST", &format!("/users/{}/webpush", enc(&pusher)), Some(&sub.json())), 201);
    let body = json!({"to": pusher, "channels": ["web_push"], "data": {"subject": "Retry me", "body": "once"}});
    let sent = ok(edge.call("POST", "/notifications", Some(&body)), 202);
    let delivery = sent["deliveries"][0]["id"].as_str().expect("delivery id").to_owned();
    let first = service.wait_for(&sub, 1, 30);
    assert_eq!(first.first().map(|r| r.answered), Some(500), "the first push attempt reaches the service");

    // Run the job, accept the deletion, and kill the edge as soon as the first bulk recipients'
    // feeds exist (counted from outside: the edge's own answers wait behind the job's work).
    let feeds_before = edge.feeds();
    ok(edge.call("POST", &format!("/bulk/{job}/run"), None), 202);
    let begun = Instant::now();
    let op = ok(edge.call("DELETE", &format!("/users/{}", enc(&doomed)), None), 202)["resourceId"]
        .as_str()
        .expect("operation id")
        .to_owned();
    let at_kill = eventually(60, || Some(edge.feeds() - feeds_before).filter(|n| *n > 0))
        .expect("the bulk job writes its first feeds within 60 s");
    edge.kill();
    let killed = Instant::now();
    let at_kill = at_kill.max(edge.feeds() - feeds_before);
    eprintln!("restart: killed {:.1} s after the run, {at_kill} of 1000 feeds written", begun.elapsed().as_secs_f64());
    assert!(at_kill < 1000, "the kill came before the bulk job finished ({at_kill} of 1000 feeds written)");
    assert!(service.received(&sub).len() == 1, "the push retry was still waiting at the kill");

    edge.restart();
    let restarted = Instant::now();
    eprintln!("restart: {:.1} s from SIGKILL to healthy", (restarted - killed).as_secs_f64());

    // The bulk job completes; its counters equal its users' statuses; every user has one delivery.
    let done = within(
        "the bulk job completes",
        || ok(edge.call("GET", &format!("/bulk/{job}"), None), 200),
        |b| b["job"]["status"] == "COMPLETED",
    );
    eprintln!(
        "restart: bulk job completed {:.1} s after the restart ({at_kill} of 1000 feeds written at the kill)",
        restarted.elapsed().as_secs_f64()
    );
    let listed = bulk_users(&edge, &job);
    assert_eq!(listed.len(), 1000);
    let mut by_status: HashMap<String, u64> = HashMap::new();
    for item in &listed {
        *by_status.entry(item["status"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
    }
    let counters =
        (done["job"]["received"].as_u64(), done["job"]["enqueued"].as_u64(), done["job"]["failures"].as_u64());
    let recount = (
        Some(listed.len() as u64),
        by_status.get("ENQUEUED").copied(),
        Some(by_status.get("ERROR").copied().unwrap_or(0)),
    );
    assert_eq!(counters, recount, "the job's counters equal its users' statuses");
    assert_eq!(by_status.get("ENQUEUED"), Some(&1000), "every user was sent to: {by_status:?}");
    // Every tenth user's feed (100), on top of the counters.
    for (user, item) in users.iter().zip(&listed).step_by(10) {
        let page =
            ok(edge.call("GET", &format!("/users/{}/deliveries?limit=100&archived=include", enc(user)), None), 200);
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{user} has exactly one delivery: {items:?}");
        assert_eq!(items[0]["notification_id"], item["messageId"], "{user}'s delivery is the job's message");
        assert_eq!(page["meta"]["total_count"], 1);
    }
    eprintln!("restart: 100 feeds checked {:.1} s after the restart", restarted.elapsed().as_secs_f64());

    // The push retry arrives after the restart, exactly once.
    let path = format!("/users/{}/deliveries/{}", enc(&pusher), enc(&delivery));
    let d = within("the push delivery is sent", || ok(edge.call("GET", &path, None), 200), |d| d["status"] == "sent");
    let received = service.received(&sub);
    let answers: Vec<u16> = received.iter().map(|r| r.answered).collect();
    assert_eq!(answers, [500, 201], "the push service got the message twice: the 500, then once more");
    assert!(received[1].plaintext.is_ok(), "{:?}", received[1].plaintext);
    assert!(d["sent_at"].is_string());

    // The deletion ends succeeded and the user is gone.
    let op = within(
        "the deletion succeeds",
        || ok(edge.call("GET", &format!("/operations/{op}"), None), 200),
        |o| o["status"] != "pending",
    );
    assert_eq!(op["status"], "succeeded", "{op}");
    let user = ok(edge.call("GET", &format!("/users/{}", enc(&doomed)), None), 200);
    assert!(user.get("createdAt").is_none() && user.get("email").is_none(), "the user is gone: {user}");
    let feed = ok(edge.call("GET", &format!("/users/{}/deliveries?archived=include", enc(&doomed)), None), 200);
    assert_eq!(feed["items"], json!([]), "the user's feed is gone");
    edge.call("DELETE", &format!("/users/{}", enc(&doomed)), None).assert_error(404, "not_found");
    eprintln!("restart: everything verified {:.1} s after the restart", restarted.elapsed().as_secs_f64());
}
