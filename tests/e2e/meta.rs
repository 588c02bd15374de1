use crate::support::*;

#[test]
fn health_openapi_and_vapid_need_no_credentials() {
    let r = call("GET", "/health", None, Auth::None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ok");
    assert!(r.request_id.as_deref().is_some_and(|id| id.starts_with("req_")));

    let r = call("GET", "/openapi.json", None, Auth::None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["openapi"], "3.1.0");
    assert!(r.body["paths"]["/users/{userId}"]["put"].is_object());

    let r = call("GET", "/vapid", None, Auth::None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["publicKey"], edge().vapid_public_key.as_str());
}

#[test]
fn the_demo_page_is_served_at_the_root() {
    let r = call("GET", "/", None, Auth::None);
    assert_eq!(r.status, 200);
    assert!(r.content_type.as_deref().is_some_and(|c| c.starts_with("text/html")));
    assert!(r.text.contains("Tidings"));
    assert!(r.request_id.is_some(), "static answers carry X-Request-Id too");
}
