//! `/users/{userId}/deliveries`: get, list, PATCH transitions, bulk actions, concurrency, cursors.

use crate::support::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::HashSet;

fn dpath(user: &str, id: &str) -> String {
    format!("/users/{}/deliveries/{}", enc(user), enc(id))
}

fn first_id(body: &Value) -> String {
    body["deliveries"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn another_users_or_unknown_delivery_is_not_found() {
    let (a, b) = (unique("da"), unique("db"));
    let id = first_id(&notify(&[&a], "mine"));
    assert_eq!(get(&dpath(&a, &id)).status, 200);
    get(&dpath(&b, &id)).assert_error(404, "not_found");
    get(&dpath(&a, "dlv_nope")).assert_error(404, "not_found");
    send("PATCH", &dpath(&b, &id), &json!({"read": true})).assert_error(404, "not_found");
}

#[test]
fn patch_follows_the_transition_rules() {
    let user = unique("patch");
    let id = first_id(&notify(&[&user], "p"));
    let p = dpath(&user, &id);

    let r = send("PATCH", &p, &json!({"read": true}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["read_at"].is_string() && r.body["seen_at"].is_string(), "read implies seen");
    let read_at = r.body["read_at"].clone();
    let again = send("PATCH", &p, &json!({"read": true}));
    assert_eq!(again.status, 200);
    assert_eq!(again.body["read_at"], read_at, "a repeat is a no-op");

    let r = send("PATCH", &p, &json!({"read": false}));
    assert!(r.body["read_at"].is_null() && r.body["seen_at"].is_string(), "unread keeps seen");

    let r = send("PATCH", &p, &json!({"seen": false}));
    r.assert_error(409, "invalid_transition");
    assert_eq!(r.body["error"]["details"]["current_status"], "delivered");
    assert_eq!(r.body["error"]["details"]["allowed_transitions"], json!(["read", "clicked", "archived"]));

    let r = send("PATCH", &p, &json!({"clicked": true}));
    assert!(r.body["clicked_at"].is_string() && r.body["read_at"].is_string(), "clicked implies read");
    send("PATCH", &p, &json!({"clicked": false})).assert_error(409, "invalid_transition");

    let r = send("PATCH", &p, &json!({"archived": true}));
    assert!(r.body["archived_at"].is_string());
    let listed = get(&format!("/users/{}/deliveries", enc(&user)));
    assert!(listed.body["items"].as_array().unwrap().is_empty(), "archived deliveries are excluded by default");
    assert_eq!(meta_of(&listed.body["meta"]), (0, 0, 0));
    let only = get(&format!("/users/{}/deliveries?archived=only", enc(&user)));
    assert_eq!(only.body["items"][0]["id"], id.as_str());
    let r = send("PATCH", &p, &json!({"archived": false}));
    assert!(r.body["archived_at"].is_null());

    for (body, field) in [(json!({}), "body"), (json!({"read": "yes"}), "read"), (json!({"pinned": true}), "pinned")] {
        let r = send("PATCH", &p, &body);
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field);
    }
}

#[test]
fn list_filters_and_validation() {
    let user = unique("filters");
    for i in 0..3 {
        notify(&[&user], &format!("n{i}"));
    }
    let items = all_deliveries(&user);
    send("PATCH", &dpath(&user, items[0]["id"].as_str().unwrap()), &json!({"read": true}));
    let base = format!("/users/{}/deliveries", enc(&user));
    let unread = get(&format!("{base}?read=false"));
    assert_eq!(unread.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(meta_of(&unread.body["meta"]), (2, 2, 3), "meta ignores the filter");
    assert_eq!(get(&format!("{base}?read=true")).body["items"].as_array().unwrap().len(), 1);
    assert_eq!(get(&format!("{base}?status=pending")).body["items"].as_array().unwrap().len(), 0);
    assert_eq!(get(&format!("{base}?channel_type=in_app&seen=false")).body["items"].as_array().unwrap().len(), 2);
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("status=lost", "status"),
        ("read=maybe", "read"),
        ("after=%21", "after"),
        ("before=dXNyAAAAAAAAAAA", "before"),
    ] {
        let r = get(&format!("{base}?{q}"));
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field, "{q}");
    }
}

#[test]
fn bulk_actions_are_atomic_and_answer_counts() {
    let user = unique("bulk");
    for i in 0..5 {
        notify(&[&user], &format!("b{i}"));
    }
    let ids: Vec<String> = all_deliveries(&user).iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect();
    let actions = format!("/users/{}/deliveries/actions", enc(&user));
    let r = send("POST", &actions, &json!({"action": "seen", "ids": [ids[0], ids[1]]}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["updated"], 2);
    assert_eq!(meta_of(&r.body["meta"]), (5, 3, 5));
    let r = send("POST", &actions, &json!({"action": "archived", "filter": {"seen": true}}));
    assert_eq!(r.body["updated"], 2);
    assert_eq!(meta_of(&r.body["meta"]), (3, 3, 3));
    let r = send("POST", &actions, &json!({"action": "read"}));
    assert_eq!(r.body["updated"], 3, "mark all read covers the non-archived ones");
    assert_eq!(meta_of(&r.body["meta"]), (0, 0, 3));
    let r = send("POST", &actions, &json!({"action": "read"}));
    assert_eq!(r.body["updated"], 0);
    let r = send("POST", &actions, &json!({"action": "unarchived", "filter": {"archived": "only"}}));
    assert_eq!(r.body["updated"], 2);
    assert_eq!(meta_of(&r.body["meta"]), (2, 0, 5));
    for (body, field) in [
        (json!({"action": "read", "ids": ["a"], "filter": {}}), "filter"),
        (json!({"action": "read", "ids": []}), "ids"),
        (json!({"action": "explode"}), "action"),
        (json!({"action": "read", "filter": {"colour": "red"}}), "filter.colour"),
    ] {
        let r = send("POST", &actions, &body);
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field, "{}", r.text);
    }
    let too_many: Vec<String> = (0..1001).map(|i| format!("id{i}")).collect();
    send("POST", &actions, &json!({"action": "read", "ids": too_many})).assert_error(400, "validation_failed");
}

#[test]
fn fifty_concurrent_changes_leave_exact_counts() {
    let user = unique("race");
    for i in 0..10 {
        notify(&[&user], &format!("r{i}"));
    }
    let ids: Vec<String> = all_deliveries(&user).iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect();
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let (user, ids) = (user.clone(), ids.clone());
            std::thread::spawn(move || {
                let id = &ids[i % ids.len()];
                let r = match i % 5 {
                    0 => send("PATCH", &dpath(&user, id), &json!({"read": true})),
                    1 => send("PATCH", &dpath(&user, id), &json!({"read": false})),
                    2 => send("PATCH", &dpath(&user, id), &json!({"archived": i % 2 == 0})),
                    3 => send(
                        "POST",
                        &format!("/users/{}/deliveries/actions", enc(&user)),
                        &json!({"action": "read", "ids": [id]}),
                    ),
                    _ => send(
                        "POST",
                        &format!("/users/{}/deliveries/actions", enc(&user)),
                        &json!({"action": if i % 3 == 0 { "unread" } else { "seen" }}),
                    ),
                };
                assert_eq!(r.status, 200, "{}", r.text);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("request thread");
    }
    let items = all_deliveries(&user);
    assert_eq!(items.len(), 10);
    let meta = get(&format!("/users/{}/deliveries?limit=1", enc(&user))).body["meta"].clone();
    assert_eq!(meta_of(&meta), recount(&items));
}

fn walk(user: &str, limits: &[u32], insert_midway: bool) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut i = 0;
    loop {
        let limit = limits[i % limits.len()];
        let mut q = format!("/users/{}/deliveries?limit={limit}", enc(user));
        if let Some(a) = &after {
            q.push_str(&format!("&after={}", enc(a)));
        }
        let r = get(&q);
        assert_eq!(r.status, 200, "{}", r.text);
        let page = r.body["items"].as_array().unwrap();
        assert!(page.len() <= limit as usize);
        assert_eq!(r.body["page"]["has_more_before"], after.is_some() && !seen.is_empty());
        seen.extend(page.iter().map(|d| d["id"].as_str().unwrap().to_owned()));
        if insert_midway && i < 2 {
            notify(&[user], "late");
        }
        match r.body["page"]["after"].as_str() {
            Some(a) => {
                assert_eq!(r.body["page"]["has_more_after"], true);
                after = Some(a.to_owned());
            }
            None => {
                assert_eq!(r.body["page"]["has_more_after"], false);
                return seen;
            }
        }
        i += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]
    #[test]
    fn cursors_never_skip_or_repeat(count in 3usize..20, limits in prop::collection::vec(1u32..7, 1..4)) {
        let user = unique("cursor");
        let mut created = Vec::new();
        for i in 0..count {
            created.push(first_id(&notify(&[&user], &format!("c{i}"))));
        }
        let seen = walk(&user, &limits, true);
        let set: HashSet<&String> = seen.iter().collect();
        prop_assert_eq!(set.len(), seen.len(), "a delivery was listed twice");
        for id in &created {
            prop_assert!(set.contains(id), "{} was skipped", id);
        }
        // Newest first: the ones created before the walk appear in reverse creation order.
        let order: Vec<&String> = seen.iter().filter(|id| created.contains(id)).collect();
        let expected: Vec<&String> = created.iter().rev().collect();
        prop_assert_eq!(order, expected);

        // And back: `before` from the last page returns the newer neighbours, no overlap.
        let base = format!("/users/{}/deliveries?limit=2", enc(&user));
        let first = get(&base);
        let after = first.body["page"]["after"].as_str().map(str::to_owned);
        if let Some(after) = after {
            let second = get(&format!("{base}&after={}", enc(&after)));
            let before = second.body["page"]["before"].as_str().unwrap().to_owned();
            let back = get(&format!("{base}&before={}", enc(&before)));
            prop_assert_eq!(&back.body["items"], &first.body["items"]);
            prop_assert_eq!(&back.body["page"]["has_more_before"], &json!(false));
        }
    }
}
