//! The realtime feed socket: events, resume by `seq`, authentication, `isOnline`.

use crate::support::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn seq(ev: &serde_json::Value) -> u64 {
    ev["seq"].as_u64().expect("seq")
}

#[test]
fn a_notification_arrives_on_the_socket_within_a_second() {
    let user = unique("live");
    let mut socket = Socket::open(&user, "", true).expect("socket");
    let hello = socket.next(Duration::from_secs(5)).expect("counts on connect");
    assert_eq!(hello["type"], "counts");
    assert_eq!(meta_of(&hello["meta"]), (0, 0, 0));

    let sent_at = Instant::now();
    let id = notify(&[&user], "live one")["deliveries"][0]["id"].clone();
    let created = socket.until(Duration::from_secs(5), |e| e["type"] == "delivery.created").expect("delivery.created");
    assert!(sent_at.elapsed() < Duration::from_secs(1), "took {:?}", sent_at.elapsed());
    assert_eq!(created["delivery"]["id"], id);
    assert_eq!(created["delivery"]["data"]["subject"], "live one");
    let counts = socket.next(Duration::from_secs(2)).expect("counts after the change");
    assert_eq!(counts["type"], "counts");
    assert_eq!(seq(&counts), seq(&created) + 1);
    assert_eq!(meta_of(&counts["meta"]), (1, 1, 1));

    let r =
        send("PATCH", &format!("/users/{}/deliveries/{}", enc(&user), id.as_str().unwrap()), &json!({"read": true}));
    assert_eq!(r.status, 200);
    let updated = socket.until(Duration::from_secs(5), |e| e["type"] == "delivery.updated").expect("delivery.updated");
    assert!(updated["delivery"]["read_at"].is_string());
    assert_eq!(seq(&updated), seq(&counts) + 1);
    socket.close();
}

#[test]
fn a_reconnecting_client_gets_what_it_missed_or_a_reset() {
    let user = unique("resume");
    let mut socket = Socket::open(&user, "", true).expect("socket");
    notify(&[&user], "first");
    let last = socket
        .until(Duration::from_secs(5), |e| e["type"] == "counts" && e["meta"]["total_count"] == 1)
        .expect("counts");
    let since = seq(&last);
    socket.close();

    notify(&[&user], "missed 1");
    notify(&[&user], "missed 2");
    let mut socket = Socket::open(&user, &format!("since={since}"), true).expect("socket");
    let mut replay = Vec::new();
    while let Some(ev) = socket.next(Duration::from_millis(1500)) {
        replay.push(ev);
    }
    let created: Vec<&str> = replay
        .iter()
        .filter(|e| e["type"] == "delivery.created")
        .map(|e| e["delivery"]["data"]["subject"].as_str().unwrap())
        .collect();
    assert_eq!(created, vec!["missed 1", "missed 2"]);
    let seqs: Vec<u64> = replay.iter().map(seq).collect();
    assert_eq!(seqs[0], since + 1, "replay starts right after `since`");
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1 || (w[1] == w[0] && replay.last().unwrap()["type"] == "counts")),
        "{seqs:?}"
    );
    assert_eq!(meta_of(&replay.last().unwrap()["meta"]), (3, 3, 3));
    socket.close();

    let mut ahead = Socket::open(&user, "since=999999", true).expect("socket");
    assert_eq!(ahead.next(Duration::from_secs(5)).expect("event")["type"], "reset");
    ahead.close();
}

#[test]
fn the_socket_takes_the_secret_key_or_that_users_token() {
    let user = unique("sockauth");
    let other = unique("sockother");
    let token = user_token(&user, 3600);
    let q = |key: &str, tok: &str| format!("api_key={}&user_token={}", enc(key), enc(tok));
    let mut ok = Socket::open(&user, &q(PUBLIC_KEY, &token), false).expect("own token opens the socket");
    assert_eq!(ok.next(Duration::from_secs(5)).expect("counts")["type"], "counts");
    ok.close();
    assert_eq!(Socket::open(&other, &q(PUBLIC_KEY, &token), false).err(), Some(403), "another user's socket");
    assert_eq!(Socket::open(&user, &q(PUBLIC_KEY, &user_token(&user, -10)), false).err(), Some(401), "expired token");
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(Socket::open(&user, &q(PUBLIC_KEY, &tampered), false).err(), Some(401), "tampered token");
    assert_eq!(Socket::open(&user, &q("pk_wrong", &token), false).err(), Some(401), "wrong public key");
    assert_eq!(Socket::open(&user, "", false).err(), Some(401), "no credentials");
    // Browser credentials open only the user's own routes, never admin ones.
    let r = call("GET", "/users", None, Auth::Raw("x-api-key", PUBLIC_KEY));
    r.assert_error(401, "unauthenticated");
    get(&format!("/users/{}/feed/socket", enc(&user))).assert_error(400, "validation_failed");
}

#[test]
fn is_online_while_a_socket_is_open() {
    let user = unique("online");
    let path = format!("/users/{}", enc(&user));
    assert_eq!(get(&path).body["isOnline"], false);
    let mut socket = Socket::open(&user, "", true).expect("socket");
    socket.next(Duration::from_secs(5)).expect("counts");
    assert!(eventually(10, || (get(&path).body["isOnline"] == true).then_some(())).is_some(), "online while connected");
    socket.close();
    assert!(eventually(15, || (get(&path).body["isOnline"] == false).then_some(())).is_some(), "offline after close");
}
