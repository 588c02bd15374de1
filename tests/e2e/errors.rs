//! The error envelope on every non-2xx path, and authentication.

use crate::support::*;
use serde_json::json;

#[test]
fn unknown_route_and_wrong_method() {
    call("GET", "/nope", None, Auth::Secret).assert_error(404, "not_found");
    call("POST", "/nope", Some("{}"), Auth::None).assert_error(404, "not_found");
    let r = call("PATCH", "/users/x", Some("{}"), Auth::Secret);
    r.assert_error(405, "bad_request");
    assert_eq!(r.body["error"]["details"]["allowed_methods"], json!(["GET", "HEAD", "PUT", "DELETE"]));
    assert_eq!(r.headers.get("allow").map(String::as_str), Some("GET, HEAD, PUT, DELETE"));
    // HEAD is GET without a body.
    let r = call("HEAD", "/users/x", None, Auth::Secret);
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    // Before any authentication: the route table answers, whoever asks.
    let r = call("DELETE", "/health", None, Auth::None);
    r.assert_error(405, "bad_request");
    assert_eq!(r.headers.get("allow").map(String::as_str), Some("GET, HEAD"));
    // OPTIONS that is not a CORS preflight: the path's methods.
    let r = call("OPTIONS", "/users/x/webpush", None, Auth::None);
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.headers.get("allow").map(String::as_str), Some("POST, DELETE, OPTIONS"));
    call("OPTIONS", "/nope", None, Auth::None).assert_error(404, "not_found");
}

#[test]
fn admin_routes_need_the_secret_key() {
    call("GET", "/users", None, Auth::None).assert_error(401, "unauthenticated");
    call("GET", "/users", None, Auth::Raw("authorization", "Bearer sk_wrong")).assert_error(401, "unauthenticated");
    call("GET", "/users/x", None, Auth::Raw("x-secret-key", "")).assert_error(401, "unauthenticated");
    let key = edge().secret_key.clone();
    let almost = format!("{}x", &key[..key.len() - 1]);
    call("GET", "/users/x", None, Auth::Raw("authorization", &format!("Bearer {almost}")))
        .assert_error(401, "unauthenticated");
    assert_eq!(call("GET", "/users/x", None, Auth::SecretHeader).status, 200);
    assert_eq!(call("GET", "/users/x", None, Auth::Secret).status, 200);
}

#[test]
fn malformed_bodies_name_the_problem_and_write_nothing() {
    let id = unique("bad");
    let path = format!("/users/{}", enc(&id));
    call("PUT", &path, Some("{\"email\":"), Auth::Secret).assert_error(400, "bad_request");
    call("PUT", &path, Some(""), Auth::Secret).assert_error(400, "bad_request");
    let r = call("PUT", &path, Some("[1,2]"), Auth::Secret);
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "body");
    let r = send("PUT", &path, &json!({"email": 42}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "email");
    assert_eq!(r.body["error"]["details"]["fields"][0]["reason"], "wrong_type");
    let r = send("PUT", &path, &json!({"emial": "x@y.z"}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "emial");
    let r = send("PUT", &path, &json!({"pushTokens": [{"type": "SMS", "token": "t", "device": {"device_id": "d"}}]}));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "pushTokens[0].type");
    let big = json!({"attributes": {"blob": "x".repeat(70 * 1024)}});
    send("PUT", &path, &big).assert_error(413, "payload_too_large");
    // None of the refused writes stored anything: the user is still only implicit.
    let r = get(&path);
    assert_eq!(r.status, 200);
    assert!(r.body.get("createdAt").is_none(), "{}", r.text);
    call("DELETE", &path, None, Auth::Secret).assert_error(404, "not_found");
}

#[test]
fn bad_path_ids_are_refused() {
    let long = "x".repeat(257);
    let r = get(&format!("/users/{long}"));
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "userId");
    get("/users/a%2Fb").assert_error(400, "validation_failed");
    get("/users/a%00b").assert_error(400, "validation_failed");
    get("/users/%E0%A4%A").assert_error(400, "validation_failed");
    let ok = "ü".repeat(256);
    assert_eq!(get(&format!("/users/{}", enc(&ok))).status, 200);
}
