//! `/users/{userId}`: implicit users, upsert and merge, identity, create, delete.

use crate::support::*;
use serde_json::{json, Value};

fn path(id: &str) -> String {
    format!("/users/{}", enc(id))
}

fn web_push(endpoint: &str) -> Value {
    json!({"sub": {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}}})
}

#[test]
fn unknown_users_exist_implicitly_and_nothing_is_written() {
    let id = unique("implicit");
    let r = get(&path(&id));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"id": id, "pushTokens": [], "webPushTokens": [], "isNotifiable": false, "isOnline": false})
    );
    // Still not stored: deleting it is a 404.
    call("DELETE", &path(&id), None, Auth::Secret).assert_error(404, "not_found");
}

#[test]
fn put_creates_then_merges_and_null_clears() {
    let id = unique("merge");
    let r = send(
        "PUT",
        &path(&id),
        &json!({"email": "ada@example.com", "timezone": "Europe/London", "attributes": {"a": 1, "b": 2}}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["email"], "ada@example.com");
    let created_at = r.body["createdAt"].clone();
    assert!(created_at.is_string());

    let r = send("PUT", &path(&id), &json!({"number": "+14155550123", "attributes": {"c": 3}}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["email"], "ada@example.com", "omitted fields stay");
    assert_eq!(r.body["number"], "+14155550123");
    assert_eq!(r.body["attributes"], json!({"c": 3}), "given objects replace whole");
    assert_eq!(r.body["createdAt"], created_at);

    let r = send("PUT", &path(&id), &json!({"email": null, "timezone": null}));
    assert_eq!(r.status, 200);
    assert!(r.body.get("email").is_none() && r.body.get("timezone").is_none(), "{}", r.text);
    assert_eq!(r.body["number"], "+14155550123");
    assert_eq!(get(&path(&id)).body, r.body);
}

#[test]
fn invalid_fields_are_named_and_nothing_is_written() {
    let id = unique("invalid");
    for (body, field, reason) in [
        (json!({"email": "not-an-email"}), "email", "invalid"),
        (json!({"number": "555-1234"}), "number", "invalid"),
        (json!({"timezone": "Mars/Olympus_Mons"}), "timezone", "invalid"),
        (json!({"identity": ""}), "identity", "required"),
        (json!({"createdAt": "2020-01-01T00:00:00Z"}), "createdAt", "read_only"),
        (json!({"isNotifiable": true}), "isNotifiable", "read_only"),
        (json!({"lastSeenTime": "x"}), "lastSeenTime", "read_only"),
        (json!({"id": "someone-else"}), "id", "invalid"),
        (
            json!({"pushTokens": [{"type": "FCM", "token": "t", "device": {}}]}),
            "pushTokens[0].device.device_id",
            "required",
        ),
        (
            json!({"webPushTokens": [{"sub": {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": AUTH, "auth": AUTH}}}]}),
            "webPushTokens[0].sub.keys.p256dh",
            "invalid",
        ),
    ] {
        let mut with_valid = body.clone();
        with_valid["friendlyName"] = json!("should not be stored");
        let r = send("PUT", &path(&id), &with_valid);
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), field, "{}", r.text);
        assert_eq!(r.body["error"]["details"]["fields"][0]["reason"], reason);
    }
    assert!(get(&path(&id)).body.get("friendlyName").is_none());
    call("DELETE", &path(&id), None, Auth::Secret).assert_error(404, "not_found");
}

#[test]
fn tokens_merge_by_token_and_endpoint() {
    let id = unique("tokens");
    let t1 = json!({"type": "FCM", "token": unique("fcm"), "device": {"device_id": "d1"}});
    let t2 = json!({"type": "APN", "token": unique("apn"), "device": {"device_id": "d2", "platform": "ios"}, "environment": "production"});
    let e1 = format!("https://fcm.googleapis.com/fcm/send/{}", unique("e"));
    let e2 = format!("https://fcm.googleapis.com/fcm/send/{}", unique("e"));
    let r = send("PUT", &path(&id), &json!({"pushTokens": [t1], "webPushTokens": [web_push(&e1)]}));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["isNotifiable"], true);

    let mut t1_moved = t1.clone();
    t1_moved["device"]["device_id"] = json!("d1-new");
    let r = send(
        "PUT",
        &path(&id),
        &json!({"pushTokens": [t2, t1_moved], "webPushTokens": [web_push(&e2), web_push(&e1)]}),
    );
    assert_eq!(r.status, 200);
    let tokens = r.body["pushTokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{}", r.text);
    assert_eq!(tokens.iter().find(|t| t["token"] == t1["token"]).unwrap()["device"]["device_id"], "d1-new");
    let endpoints: Vec<&str> =
        r.body["webPushTokens"].as_array().unwrap().iter().map(|s| s["sub"]["endpoint"].as_str().unwrap()).collect();
    assert_eq!(endpoints.len(), 2);
    assert!(endpoints.contains(&e1.as_str()) && endpoints.contains(&e2.as_str()));

    let r = send("PUT", &path(&id), &json!({"pushTokens": null, "webPushTokens": null}));
    assert_eq!(r.status, 200);
    assert_eq!(r.body["pushTokens"], json!([]));
    assert_eq!(r.body["webPushTokens"], json!([]));
    assert_eq!(r.body["isNotifiable"], false);
}

#[test]
fn identity_finds_the_user_and_is_unique() {
    let a = unique("ida");
    let b = unique("idb");
    let identity = unique("identity");
    assert_eq!(send("PUT", &path(&a), &json!({"identity": identity, "friendlyName": "A"})).status, 201);
    let r = get(&path(&identity));
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], a.as_str());
    assert_eq!(r.body["friendlyName"], "A");

    let r = send("PUT", &path(&b), &json!({"identity": identity, "friendlyName": "B"}));
    r.assert_error(409, "conflict");
    assert_eq!(r.field(), "identity");
    // The refused PUT wrote nothing, not even the user row.
    call("DELETE", &path(&b), None, Auth::Secret).assert_error(404, "not_found");
    // Releasing the identity frees it.
    assert_eq!(send("PUT", &path(&a), &json!({"identity": null})).status, 200);
    assert_eq!(send("PUT", &path(&b), &json!({"identity": identity})).status, 201);
    assert_eq!(get(&path(&identity)).body["id"], b.as_str());
}

#[test]
fn post_users_generates_ids_and_refuses_taken_ones() {
    let r = send("POST", "/users", &json!({"email": "gen@example.com"}));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("usr_") && id.len() == 30, "{id}");
    assert_eq!(get(&path(&id)).body["email"], "gen@example.com");
    let r = call("POST", "/users", None, Auth::Secret);
    assert_eq!(r.status, 201);
    assert_ne!(r.body["id"], id.as_str());

    let mine = unique("chosen");
    assert_eq!(send("POST", "/users", &json!({"id": mine})).status, 201);
    let r = send("POST", "/users", &json!({"id": mine, "email": "x@example.com"}));
    r.assert_error(409, "conflict");
    assert_eq!(r.field(), "id");
    assert!(get(&path(&mine)).body.get("email").is_none());
}

#[test]
fn delete_cascades_through_the_queue() {
    let id = unique("del");
    let token = unique("tok");
    let endpoint = format!("https://fcm.googleapis.com/fcm/send/{}", unique("e"));
    let r = send(
        "PUT",
        &path(&id),
        &json!({"email": "del@example.com",
        "pushTokens": [{"type": "FCM", "token": token, "device": {"device_id": "d"}}],
        "webPushTokens": [web_push(&endpoint)]}),
    );
    assert_eq!(r.status, 201);

    let r = call("DELETE", &path(&id), None, Auth::Secret);
    assert_eq!(r.status, 202, "{}", r.text);
    let op = r.body["resourceId"].as_str().unwrap().to_owned();
    assert!(op.starts_with("op_"));
    assert_eq!(r.body["resourceLocation"], format!("/operations/{op}"));
    let first = get(&format!("/operations/{op}"));
    assert_eq!(first.status, 200);
    assert_eq!(first.body["resourceId"], id.as_str());
    assert_eq!(first.body["kind"], "user.delete");

    let done = eventually(30, || {
        let r = get(&format!("/operations/{op}"));
        (r.body["status"] == "succeeded").then_some(r)
    });
    assert!(done.is_some(), "the delete operation did not succeed within 30 s");
    let r = get(&path(&id));
    assert_eq!(
        r.body,
        json!({"id": id, "pushTokens": [], "webPushTokens": [], "isNotifiable": false, "isOnline": false})
    );
    // The token and subscription went with the user: removing them now finds nothing.
    call("DELETE", &format!("{}/push-tokens?token={}", path(&id), enc(&token)), None, Auth::Secret)
        .assert_error(404, "not_found");
    call("DELETE", &format!("{}/webpush?endpoint={}", path(&id), enc(&endpoint)), None, Auth::Secret)
        .assert_error(404, "not_found");
    get("/operations/op_unknown").assert_error(404, "not_found");
}
