//! Bulk jobs: create, add users in batches, run once through the queue, page the outcomes.

use crate::support::*;
use serde_json::{json, Value};
use std::collections::HashSet;

fn create_job(message: Value) -> String {
    let r = send("POST", "/bulk", &json!({"message": message}));
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["jobId"].as_str().unwrap().to_owned()
}

fn all_users(job: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/bulk/{job}/users?cursor={}", enc(c)),
            None => format!("/bulk/{job}/users"),
        };
        let r = get(&path);
        assert_eq!(r.status, 200, "{}", r.text);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 100);
        out.extend(items.iter().cloned());
        assert_eq!(r.body["paging"]["more"], r.body["paging"]["cursor"].is_string());
        match r.body["paging"]["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

#[test]
fn a_job_of_250_users_completes_and_every_user_has_the_delivery() {
    let prefix = unique("bulk");
    let job = create_job(json!({"data": {"subject": "Hello everyone", "body": "news"}, "topic": "newsletter"}));
    let users: Vec<String> = (0..250).map(|i| format!("{prefix}-{i}")).collect();
    for chunk in users.chunks(100) {
        let items: Vec<Value> =
            chunk.iter().map(|u| json!({"to": {"user_id": u}, "data": {"body": format!("for {u}")}})).collect();
        let r = send("POST", &format!("/bulk/{job}"), &json!({"users": items}));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["added"], chunk.len());
    }
    let bad = send(
        "POST",
        &format!("/bulk/{job}"),
        &json!({"users": [{"to": {"user_id": "a/b"}}, {"to": {}}, {"to": {"user_id": format!("{prefix}-ok")}, "data": {"subject": 5}}]}),
    );
    assert_eq!(bad.status, 200, "{}", bad.text);
    assert_eq!(bad.body["errors"], 3);
    let r = get(&format!("/bulk/{job}"));
    assert_eq!((r.body["job"]["status"].as_str(), r.body["job"]["received"].as_u64()), (Some("CREATED"), Some(253)));
    assert_eq!(r.body["job"]["definition"]["message"]["topic"], "newsletter");

    assert_eq!(call("POST", &format!("/bulk/{job}/run"), None, Auth::Secret).status, 202);
    let done = eventually(60, || Some(get(&format!("/bulk/{job}")).body).filter(|b| b["job"]["status"] == "COMPLETED"));
    let done = done.expect("the job completes within a minute");
    assert_eq!((done["job"]["enqueued"].as_u64(), done["job"]["failures"].as_u64()), (Some(250), Some(3)));

    let listed = all_users(&job);
    assert_eq!(listed.len(), 253);
    let ids: HashSet<&str> = listed.iter().filter_map(|i| i["to"]["user_id"].as_str()).collect();
    assert_eq!(ids.len(), 252, "every user once (one bad item has no user id)");
    for (i, item) in listed.iter().enumerate().take(250) {
        assert_eq!(item["to"]["user_id"], users[i].as_str(), "in the order added");
        assert_eq!(item["status"], "ENQUEUED");
        assert!(item["messageId"].as_str().is_some_and(|m| m.starts_with("ntf_")));
    }
    for item in &listed[250..] {
        assert_eq!(item["status"], "ERROR");
        assert!(item["reason"].as_str().is_some_and(|r| !r.is_empty()), "{item}");
        assert!(item["messageId"].is_null());
    }
    for i in [0usize, 137, 249] {
        let ds = all_deliveries(&users[i]);
        assert_eq!(ds.len(), 1, "{} has exactly one delivery", users[i]);
        assert_eq!(ds[0]["notification_id"], listed[i]["messageId"]);
        assert_eq!(ds[0]["data"], json!({"subject": "Hello everyone", "body": format!("for {}", users[i])}));
        assert_eq!(ds[0]["topic"], "newsletter");
    }
    // A job runs once.
    call("POST", &format!("/bulk/{job}/run"), None, Auth::Secret).assert_error(409, "conflict");
    send("POST", &format!("/bulk/{job}"), &json!({"users": [{"to": {"user_id": "late"}}]}))
        .assert_error(409, "conflict");
}

#[test]
fn bulk_refusals_name_the_problem() {
    let r = send("POST", "/bulk", &json!({"message": {"data": {}}}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "message.data.subject");
    let r = send("POST", "/bulk", &json!({"message": {"to": "x", "data": {"subject": "s"}}}));
    assert_eq!(r.field(), "message.to");
    let job = create_job(json!({"data": {"subject": "s"}}));
    let too_many: Vec<Value> = (0..1001).map(|i| json!({"to": {"user_id": format!("u{i}")}})).collect();
    let r = send("POST", &format!("/bulk/{job}"), &json!({"users": too_many}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "users");
    send("POST", &format!("/bulk/{job}"), &json!({"users": []})).assert_error(400, "validation_failed");
    get("/bulk/bulk_nope").assert_error(404, "not_found");
    call("POST", "/bulk/bulk_nope/run", None, Auth::Secret).assert_error(404, "not_found");
    get(&format!("/bulk/{job}/users?cursor=zzz")).assert_error(400, "validation_failed");
    // An empty job completes at once.
    assert_eq!(call("POST", &format!("/bulk/{job}/run"), None, Auth::Secret).status, 202);
    assert_eq!(get(&format!("/bulk/{job}")).body["job"]["status"], "COMPLETED");
}

#[test]
fn bulk_applies_preferences_per_user() {
    let prefix = unique("bulkpref");
    let (a, b) = (format!("{prefix}-a"), format!("{prefix}-b"));
    assert_eq!(
        send(
            "PUT",
            &format!("/users/{}/preferences", enc(&a)),
            &json!({"categories": {"promo": {"status": "OPTED_OUT"}}})
        )
        .status,
        200
    );
    let job = create_job(json!({"data": {"subject": "Sale"}, "category": "promo"}));
    let items = json!({"users": [{"to": {"user_id": a}}, {"to": {"user_id": b}, "preferences": {"categories": {"promo": {"status": "OPTED_OUT"}}}}, {"to": {"user_id": format!("{prefix}-c")}}]});
    assert_eq!(send("POST", &format!("/bulk/{job}"), &items).status, 200);
    assert_eq!(call("POST", &format!("/bulk/{job}/run"), None, Auth::Secret).status, 202);
    assert!(
        eventually(30, || (get(&format!("/bulk/{job}")).body["job"]["status"] == "COMPLETED").then_some(())).is_some()
    );
    for (user, status) in [(&a, "skipped"), (&b, "skipped"), (&format!("{prefix}-c"), "delivered")] {
        let ds = all_deliveries(user);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0]["status"], status, "{user}");
    }
}
