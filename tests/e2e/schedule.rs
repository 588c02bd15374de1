//! Scheduling end to end (issue 15): `send_at` and `deliver_at_local` held by the recipient's
//! feed object until its alarm, cancel, quiet hours, digests, dedupe and throttle, and a
//! restart of the edge before a due time. Alarms fire in real time on the local edge: the
//! waits are seconds, and the cases run side by side.

use crate::push_service::{push_service, Sub};
use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64
}

fn rfc3339(ms: i64) -> String {
    tidings::time::rfc3339(ms)
}

fn at(rfc: &str) -> i64 {
    tidings::time::parse_rfc3339(rfc).expect("RFC 3339")
}

fn user_in(zone: Option<&str>, prefix: &str) -> String {
    let user = unique(prefix);
    let body = match zone {
        Some(z) => json!({"timezone": z}),
        None => json!({"email": "s@example.com"}),
    };
    let r = send("PUT", &format!("/users/{}", enc(&user)), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    user
}

fn subscribed(user: &str) -> Sub {
    let sub = push_service().subscribe(&[201]);
    let r = send("POST", &format!("/users/{}/webpush", enc(user)), &sub.json());
    assert_eq!(r.status, 201, "{}", r.text);
    sub
}

fn post(body: Value) -> Value {
    let r = send("POST", "/notifications", &body);
    assert_eq!(r.status, 202, "{}", r.text);
    r.body
}

fn delivery(user: &str, id: &Value) -> Value {
    get(&format!("/users/{}/deliveries/{}", enc(user), enc(id.as_str().expect("id")))).body
}

fn status_becomes(user: &str, id: &Value, status: &str, secs: u64) -> Value {
    eventually(secs, || Some(delivery(user, id)).filter(|d| d["status"] == status))
        .unwrap_or_else(|| panic!("{id} did not become {status}: {}", delivery(user, id)))
}

fn payload(m: &crate::push_service::Received) -> Value {
    serde_json::from_slice(m.plaintext.as_ref().expect("decrypts")).expect("JSON payload")
}

#[test]
fn send_at_goes_out_at_its_time_and_not_before() {
    let user = user_in(None, "sch-at");
    let sub = subscribed(&user);
    let mut socket = Socket::open(&user, "", true).expect("socket");
    let due = now_ms() + 5_000;
    let body = post(json!({"to": user, "channels": ["in_app", "web_push"], "send_at": rfc3339(due),
        "data": {"subject": "Later"}}));
    let ds = body["deliveries"].as_array().expect("deliveries");
    for d in ds {
        assert_eq!((d["status"].as_str(), d["deliver_at"].as_str()), (Some("scheduled"), Some(&*rfc3339(due))));
        assert!(d["sent_at"].is_null());
    }
    assert_eq!(delivery(&user, &ds[0]["id"])["status"], "scheduled");
    // Not in the feed, not on the socket, not at the push service before its time.
    let early =
        socket.until(Duration::from_millis((due - now_ms() - 700).max(0) as u64), |e| e["type"] == "delivery.created");
    assert!(early.is_none(), "created before due: {early:?}");
    assert!(push_service().received(&sub).is_empty(), "pushed before due");
    assert_eq!(all_deliveries(&user).len(), 0);
    let in_app = ds[0]["id"].clone();
    let created = socket
        .until(Duration::from_secs(20), |e| e["type"] == "delivery.created" && e["delivery"]["id"] == in_app)
        .expect("created event of the in-app item");
    assert!(now_ms() >= due, "arrived {} ms early", due - now_ms());
    assert_eq!(created["delivery"]["status"], "delivered");
    let got = push_service().wait_for(&sub, 1, 20);
    assert_eq!(got.len(), 1);
    assert_eq!(payload(&got[0])["delivery_id"], ds[1]["id"]);
    status_becomes(&user, &ds[1]["id"], "sent", 20);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(push_service().received(&sub).len(), 1, "sent once");
    socket.close();
}

/// The expected instant of `local` (`YYYY-MM-DDTHH:MM`) in `zone` from the IANA database:
/// the first occurrence of a repeated time, the end of the gap for a skipped one.
fn tzdb_instant(zone: &str, local: &str) -> i64 {
    let tz = jiff::tz::TimeZone::get(zone).expect("zone");
    let dt: jiff::civil::DateTime = local.parse().expect("civil");
    let ts = match tz.to_ambiguous_timestamp(dt).offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { offset } | jiff::tz::AmbiguousOffset::Fold { before: offset, .. } => {
            dt.to_zoned(jiff::tz::TimeZone::fixed(offset)).expect("zoned").timestamp()
        }
        jiff::tz::AmbiguousOffset::Gap { after, .. } => {
            let early = dt.to_zoned(jiff::tz::TimeZone::fixed(after)).expect("zoned").timestamp();
            tz.following(early).next().expect("transition").timestamp()
        }
    };
    ts.as_millisecond()
}

#[test]
fn deliver_at_local_resolves_in_each_recipients_zone_as_the_tz_database_does() {
    // Intl in workerd answers the zones; the IANA database (jiff) checks it, over DST gaps,
    // folds, the odd offsets and ordinary times through the year ahead.
    let zones = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kathmandu", "Pacific/Chatham"];
    let users: Vec<String> = zones.iter().map(|z| user_in(Some(z), "sch-local")).collect();
    let mut locals: Vec<String> = vec![
        "2027-03-14T02:30".into(), // New York gap
        "2027-11-07T01:30".into(), // New York fold
        "2027-03-28T01:15".into(), // London gap
        "2027-10-31T01:30".into(), // London fold
        "2027-04-04T02:30".into(), // Sydney fold
        "2027-10-03T02:30".into(), // Sydney gap
        "2027-04-04T03:15".into(), // Chatham fold
        "2027-09-26T03:00".into(), // Chatham gap
    ];
    let mut seed = now_ms() as u64;
    for _ in 0..8 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let day = 30 + (seed >> 33) % 300;
        let minute = (seed >> 13) % 1440;
        let date = jiff::Timestamp::from_millisecond(now_ms() + day as i64 * 86_400_000)
            .expect("ts")
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        locals.push(format!("{date}T{:02}:{:02}", minute / 60, minute % 60));
    }
    let mut notifications = Vec::new();
    for local in &locals {
        let body = post(json!({"to": users, "deliver_at_local": local, "data": {"subject": "Local"}}));
        for d in body["deliveries"].as_array().expect("deliveries") {
            let zone = zones[users.iter().position(|u| d["recipient_id"] == *u).expect("recipient")];
            assert_eq!(d["status"], "scheduled");
            let got = at(d["deliver_at"].as_str().expect("deliver_at"));
            assert_eq!(got, tzdb_instant(zone, local), "{local} in {zone}: {}", d["deliver_at"]);
        }
        notifications.push(body["notification_id"].as_str().expect("id").to_owned());
    }
    // "HH:MM": the next such time in each zone; different zones, different instants.
    let body = post(json!({"to": users, "deliver_at_local": "09:00", "data": {"subject": "Nine"}}));
    let instants: Vec<i64> =
        body["deliveries"].as_array().expect("ds").iter().map(|d| at(d["deliver_at"].as_str().expect("at"))).collect();
    for (i, t) in instants.iter().enumerate() {
        assert!(*t > now_ms() && *t <= now_ms() + 86_400_000, "{} is not the next 09:00", rfc3339(*t));
        let shown =
            jiff::Timestamp::from_millisecond(*t).expect("ts").to_zoned(jiff::tz::TimeZone::get(zones[i]).expect("tz"));
        assert_eq!((shown.hour(), shown.minute()), (9, 0), "{}", zones[i]);
    }
    let mut distinct = instants.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), zones.len());
    notifications.push(body["notification_id"].as_str().expect("id").to_owned());
    for n in notifications {
        let r = call("DELETE", &format!("/notifications/{n}"), None, Auth::Secret);
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Bad schedule fields name themselves; nothing is written.
    for (body, field) in [
        (json!({"to": "x", "deliver_at_local": "9am", "data": {"subject": "s"}}), "deliver_at_local"),
        (json!({"to": "x", "send_at": rfc3339(now_ms() + 400 * 86_400_000), "data": {"subject": "s"}}), "send_at"),
    ] {
        let r = send("POST", "/notifications", &body);
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field);
    }
}

#[test]
fn cancel_before_due_cancels_and_nothing_arrives() {
    let user = user_in(None, "sch-cancel");
    let sub = subscribed(&user);
    let due = now_ms() + 3_000;
    let body = post(json!({"to": user, "channels": ["in_app", "web_push"], "send_at": rfc3339(due),
        "data": {"subject": "Never"}}));
    let id = body["notification_id"].as_str().expect("id").to_owned();
    let r = call("DELETE", &format!("/notifications/{id}"), None, Auth::Secret);
    assert_eq!(r.status, 200, "{}", r.text);
    let canceled = r.body["canceled"].as_array().expect("canceled");
    assert_eq!(canceled.len(), 2);
    assert!(canceled.iter().all(|d| d["status"] == "canceled"));
    std::thread::sleep(Duration::from_millis((due - now_ms() + 3_000).max(0) as u64));
    assert!(push_service().received(&sub).is_empty());
    assert_eq!(all_deliveries(&user).len(), 0, "nothing arrived in the feed");
    assert_eq!(delivery(&user, &body["deliveries"][0]["id"])["status"], "canceled");
    // Again: nothing left to cancel. Unknown: 404.
    let again = call("DELETE", &format!("/notifications/{id}"), None, Auth::Secret);
    assert_eq!((again.status, again.body["canceled"].as_array().map(Vec::len)), (200, Some(0)));
    call("DELETE", "/notifications/ntf_unknown", None, Auth::Secret).assert_error(404, "not_found");
}

#[test]
fn quiet_hours_delay_a_push_but_not_the_in_app_item() {
    let zone = "Asia/Kathmandu";
    let user = user_in(Some(zone), "sch-quiet");
    let sub = subscribed(&user);
    // Quiet from a minute ago until the next minute boundary at least 5 s away, on the user's clock.
    let tz = jiff::tz::TimeZone::get(zone).expect("tz");
    let now = now_ms();
    let mut end = (now / 60_000 + 1) * 60_000;
    if end - now < 5_000 {
        end += 60_000;
    }
    let hm = |ms: i64| {
        let z = jiff::Timestamp::from_millisecond(ms).expect("ts").to_zoned(tz.clone());
        format!("{:02}:{:02}", z.hour(), z.minute())
    };
    let prefs = json!({"quiet_hours": {"start": hm(now - 60_000), "end": hm(end)}});
    let r = send("PUT", &format!("/users/{}/preferences", enc(&user)), &prefs);
    assert_eq!(r.status, 200, "{}", r.text);
    let body = post(json!({"to": user, "channels": ["in_app", "web_push"], "data": {"subject": "Shh"}}));
    let ds = &body["deliveries"];
    assert_eq!(ds[0]["status"], "delivered", "in-app is never delayed");
    assert_eq!((ds[1]["status"].as_str(), ds[1]["deliver_at"].as_str()), (Some("scheduled"), Some(&*rfc3339(end))));
    std::thread::sleep(Duration::from_millis((end - now_ms() - 1_000).max(0) as u64));
    assert!(push_service().received(&sub).is_empty(), "pushed during quiet hours");
    assert_eq!(push_service().wait_for(&sub, 1, 20).len(), 1);
    assert!(now_ms() >= end);
    status_becomes(&user, &ds[1]["id"], "sent", 20);
}

#[test]
fn a_digest_collects_three_notifications_into_one_push() {
    let user = user_in(None, "sch-digest");
    let sub = subscribed(&user);
    let prefs = json!({"notifications": {"comments": {"status": "OPTED_IN", "delivery": "hourly", "window": 4}}});
    let r = send("PUT", &format!("/users/{}/preferences", enc(&user)), &prefs);
    assert_eq!(r.status, 200, "{}", r.text);
    let mut pushes = Vec::new();
    for i in 1..=3 {
        let body = post(json!({"to": user, "topic": "comments", "channels": ["in_app", "web_push"],
            "data": {"subject": format!("Comment {i}"), "n": i}}));
        assert_eq!(body["deliveries"][0]["status"], "delivered", "in-app items arrive one by one");
        assert_eq!(body["deliveries"][1]["status"], "scheduled");
        pushes.push(body["deliveries"][1]["id"].clone());
    }
    let got = push_service().wait_for(&sub, 1, 25);
    assert_eq!(got.len(), 1);
    let p = payload(&got[0]);
    assert_eq!(p["title"], "3 new notifications");
    assert_eq!(p["data"]["count"], 3);
    let ns: Vec<&Value> = p["data"]["items"].as_array().expect("items").iter().map(|i| &i["n"]).collect();
    assert_eq!(ns, vec![&json!(3), &json!(2), &json!(1)], "newest first");
    assert_eq!(p["delivery_id"], pushes[0]);
    status_becomes(&user, &pushes[0], "sent", 20);
    for id in &pushes[1..] {
        let d = delivery(&user, id);
        assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("skipped"), Some("digested")));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(push_service().received(&sub).len(), 1);
}

#[test]
fn duplicates_and_throttled_sends_are_skipped_with_their_reasons() {
    let user = user_in(None, "sch-repeat");
    let first = post(json!({"to": user, "dedupe_key": "order-7-shipped", "data": {"subject": "Shipped"}}));
    assert_eq!(first["deliveries"][0]["status"], "delivered");
    let again = post(json!({"to": user, "dedupe_key": "order-7-shipped", "data": {"subject": "Shipped"}}));
    let d = &again["deliveries"][0];
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("skipped"), Some("duplicate")));
    assert_eq!(delivery(&user, &d["id"])["reason"], "duplicate");
    // Another user is not a duplicate: dedupe is per user.
    let other = user_in(None, "sch-repeat-other");
    let o = post(json!({"to": other, "dedupe_key": "order-7-shipped", "data": {"subject": "Shipped"}}));
    assert_eq!(o["deliveries"][0]["status"], "delivered");
    let statuses: Vec<(String, Option<String>)> = (0..3)
        .map(|i| {
            let b = post(json!({"to": user, "topic": "promo", "throttle": {"max": 2, "per": 60},
                "data": {"subject": format!("Deal {i}")}}));
            let d = &b["deliveries"][0];
            (d["status"].as_str().unwrap_or("").to_owned(), d["reason"].as_str().map(str::to_owned))
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("delivered".to_owned(), None),
            ("delivered".to_owned(), None),
            ("skipped".to_owned(), Some("throttled".to_owned()))
        ]
    );
    // Another topic has its own throttle.
    let b = post(json!({"to": user, "topic": "news", "throttle": {"max": 2, "per": 60}, "data": {"subject": "N"}}));
    assert_eq!(b["deliveries"][0]["status"], "delivered");
}

#[test]
fn a_restart_of_the_edge_before_the_due_time_still_sends_once() {
    let edge = RestartableEdge::start("TIDINGS_LEASE_SECONDS=5\n");
    assert_eq!(get("/vapid").status, 200);
    let user = unique("sch-restart");
    let sub = push_service().subscribe(&[201]);
    assert_eq!(edge.call("POST", &format!("/users/{}/webpush", enc(&user)), Some(&sub.json())).status, 201);
    let due = now_ms() + 6_000;
    let r = edge.call(
        "POST",
        "/notifications",
        Some(&json!({"to": user, "channels": ["in_app", "web_push"], "send_at": rfc3339(due), "data": {"subject": "Survives"}})),
    );
    assert_eq!(r.status, 202, "{}", r.text);
    let in_app = r.body["deliveries"][0]["id"].as_str().expect("id").to_owned();
    edge.kill();
    std::thread::sleep(Duration::from_millis((due - now_ms() + 1_000).max(0) as u64));
    edge.restart();
    let got = push_service().wait_for(&sub, 1, 60);
    assert_eq!(got.len(), 1, "the push went out after the restart");
    let path = format!("/users/{}/deliveries/{}", enc(&user), enc(&in_app));
    let d = eventually(30, || Some(edge.call("GET", &path, None).body).filter(|d| d["status"] == "delivered"));
    assert!(d.is_some(), "the in-app item arrived");
    // Past a lease and a sweep: still exactly once.
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(push_service().received(&sub).len(), 1, "sent once");
    let list = edge.call("GET", &format!("/users/{}/deliveries?limit=100", enc(&user)), None);
    let items = list.body["items"].as_array().expect("items");
    let in_app_items = items.iter().filter(|d| d["channel_type"] == "in_app").count();
    assert_eq!((items.len(), in_app_items), (2, 1), "one in-app item, one push delivery: {}", list.text);
    edge.kill();
}
