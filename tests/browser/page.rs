//! The browser package in a page (headless Chromium, wasm-bindgen-test) against a real edge
//! (`wrangler dev`, started by `scripts/test-browser.sh`): the feed store (pages, optimistic
//! marks, rollback, errors), realtime (events, resume after a dropped socket) and push
//! registration with an injected subscription.

#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect};
use serde_json::json;
use tidings::browser::{Feed, TidingsClient};
use tidings_browser_tests::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export async function registerWorker() {
  const reg = await navigator.serviceWorker.register("/noop-sw.js", { scope: "/noop-scope/" });
  return reg;
}

const bytes = (b64url) => Uint8Array.from(atob(b64url.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

// Marks a fake subscription as made with VAPID key `b64url` (what a browser reports in
// PushSubscription.options.applicationServerKey).
export function madeWith(sub, b64url) {
  sub.options = { applicationServerKey: bytes(b64url).buffer, userVisibleOnly: true };
}

// A registration whose pushManager.subscribe() resolves (headless Chromium's never does): it
// records the applicationServerKey asked for and answers a subscription made with it.
export function fakeRegistration(scope, endpoint, p256dh, auth) {
  const asked = [];
  const pushManager = {
    subscribe(options) {
      asked.push(options.applicationServerKey);
      const sub = {
        endpoint, expirationTime: null,
        toJSON() { return { endpoint, expirationTime: null, keys: { p256dh, auth } }; },
        unsubscribe() { return Promise.resolve(true); },
      };
      madeWith(sub, options.applicationServerKey);
      return Promise.resolve(sub);
    },
    getSubscription() { return Promise.resolve(null); },
  };
  return { scope, pushManager, asked };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = registerWorker)]
    fn register_worker() -> js_sys::Promise;
    #[wasm_bindgen(js_name = madeWith)]
    fn made_with(sub: &JsValue, key: &str);
    #[wasm_bindgen(js_name = fakeRegistration)]
    fn fake_registration(scope: &str, endpoint: &str, p256dh: &str, auth: &str) -> JsValue;
}

fn obj(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o
}

fn ids(list: &[&str]) -> JsValue {
    list.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

/// What the listeners see, as plain Rust values.
#[derive(Debug)]
struct Snap {
    ids: Vec<String>,
    /// `data.subject` of each item (the edge's `data` reaches the items untouched).
    subjects: Vec<String>,
    read: Vec<bool>,
    unread: u64,
    unseen: u64,
    total: u64,
    has_more: bool,
    status: String,
    realtime: String,
    error_code: Option<String>,
}

fn snap_of(s: &JsValue) -> Snap {
    let items: Array = get(s, "items").unchecked_into();
    let num = |k: &str| get(s, k).as_f64().unwrap() as u64;
    Snap {
        ids: items.iter().map(|d| get(&d, "id").as_string().unwrap()).collect(),
        subjects: items.iter().map(|d| get(&get(&d, "data"), "subject").as_string().unwrap_or_default()).collect(),
        read: items.iter().map(|d| !get(&d, "read_at").is_null()).collect(),
        unread: num("unreadCount"),
        unseen: num("unseenCount"),
        total: num("totalCount"),
        has_more: get(s, "hasMore").as_bool().unwrap(),
        status: get(s, "status").as_string().unwrap(),
        realtime: get(s, "realtime").as_string().unwrap(),
        error_code: get(&get(s, "error"), "code").as_string(),
    }
}

fn snap(feed: &Feed) -> Snap {
    snap_of(&feed.get_snapshot())
}

/// A listener that keeps every snapshot it is given.
fn recorder(feed: &Feed) -> (std::rc::Rc<std::cell::RefCell<Vec<JsValue>>>, JsValue) {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let s = seen.clone();
    let f = Closure::<dyn FnMut(JsValue)>::new(move |v| s.borrow_mut().push(v)).into_js_value();
    let unsubscribe = feed.subscribe(f.unchecked_into());
    (seen, unsubscribe)
}

fn feed(c: &TidingsClient, limit: Option<u32>) -> Feed {
    let filter = limit.map(|l| obj(&[("limit", JsValue::from(l))]));
    c.feed(filter).expect("feed")
}

#[wasm_bindgen_test]
async fn feed_pages_newest_first_with_the_users_counts() {
    let user = unique("page");
    let a = notify(&user, "one").await;
    let b = notify(&user, "two").await;
    let c3 = notify(&user, "three").await;
    let c = client(&user);
    let feed = feed(&c, Some(2));
    assert_eq!(snap(&feed).status, "idle");
    let first = wait(feed.fetch()).await.expect("fetch");
    let s = snap_of(&first);
    assert_eq!(s.ids, [c3.clone(), b.clone()]);
    assert_eq!((s.unread, s.unseen, s.total, s.has_more, s.status.as_str()), (3, 3, 3, true, "ready"));
    wait(feed.load_more()).await.expect("load more");
    let s = snap(&feed);
    assert_eq!(s.ids, [c3.clone(), b.clone(), a.clone()]);
    assert_eq!(s.subjects, ["three", "two", "one"]);
    assert!(!s.has_more);
    // Nothing more to load: a no-op.
    wait(feed.load_more()).await.expect("load more at the end");
    assert_eq!(snap(&feed).ids.len(), 3);
    // The snapshot is the same object until something changes.
    assert!(Object::is(&feed.get_snapshot(), &feed.get_snapshot()));

    // A filtered feed: only unread ones, and the counts stay the user's.
    wait(feed.mark_read(ids(&[&b]))).await.expect("mark read");
    let s = snap(&feed);
    assert_eq!(
        (s.read.clone(), s.subjects),
        (vec![false, true, false], vec!["three".into(), "two".into(), "one".into()])
    );
    let unread = c.feed(Some(obj(&[("read", JsValue::FALSE)]))).unwrap();
    wait(unread.fetch()).await.expect("fetch unread");
    let s = snap(&unread);
    assert_eq!(s.ids, [c3, a]);
    assert_eq!((s.unread, s.total), (2, 3));
}

#[wasm_bindgen_test]
async fn marks_apply_at_once_and_are_confirmed_by_the_edge() {
    let user = unique("marks");
    let a = notify(&user, "a").await;
    let b = notify(&user, "b").await;
    let d = notify(&user, "c").await;
    let c = client(&user);
    let feed = feed(&c, None);
    wait(feed.fetch()).await.unwrap();
    let (seen, _unsubscribe) = recorder(&feed);
    assert_eq!(seen.borrow().len(), 1, "subscribe calls the listener at once");

    // Optimistic: visible before the edge answers.
    let p = feed.mark_read(ids(&[&a]));
    let s = snap(&feed);
    assert_eq!((s.unread, s.unseen), (2, 2));
    assert!(s.read[s.ids.iter().position(|x| *x == a).unwrap()]);
    wait(p).await.expect("mark read");
    assert!(delivery(&user, &a).await["read_at"].is_string());
    assert_eq!(snap(&feed).unread, 2);

    wait(feed.mark_seen(JsValue::from_str(&b))).await.expect("mark seen (one id as a string)");
    assert_eq!((snap(&feed).unread, snap(&feed).unseen), (2, 1));
    assert!(delivery(&user, &b).await["seen_at"].is_string());

    wait(feed.mark_clicked(ids(&[&b]))).await.expect("mark clicked");
    assert!(delivery(&user, &b).await["clicked_at"].is_string());
    assert_eq!(snap(&feed).unread, 1);

    wait(feed.mark_unread(ids(&[&a]))).await.expect("mark unread");
    assert!(delivery(&user, &a).await["read_at"].is_null());
    assert_eq!(snap(&feed).unread, 2);

    // Archived deliveries leave a feed that excludes them, and the counts.
    wait(feed.mark_archived(ids(&[&d]))).await.expect("archive");
    let s = snap(&feed);
    assert!(!s.ids.contains(&d));
    assert_eq!((s.unread, s.total), (1, 2));
    wait(feed.mark_unarchived(ids(&[&d]))).await.expect("unarchive");
    assert_eq!(snap(&feed).total, 3);

    let p = feed.mark_all_read();
    assert_eq!((snap(&feed).unread, snap(&feed).unseen), (0, 0));
    wait(p).await.expect("mark all read");
    let (_, page) = admin("GET", &format!("/users/{user}/deliveries"), None).await;
    assert_eq!(page["meta"], json!({"unread_count": 0, "unseen_count": 0, "total_count": 3}));
    let s = snap(&feed);
    assert_eq!((s.unread, s.unseen, s.total), (0, 0, 3));
    assert!(s.error_code.is_none());
    // Every change reached the listener.
    assert!(seen.borrow().len() >= 14, "{} snapshots", seen.borrow().len());
}

#[wasm_bindgen_test]
async fn refused_marks_roll_back_and_set_the_error() {
    let user = unique("rollback");
    let a = notify(&user, "a").await;
    let _b = notify(&user, "b").await;
    let c = client(&user);
    let feed = feed(&c, None);
    wait(feed.fetch()).await.unwrap();
    let (seen, unsubscribe) = recorder(&feed);

    c.set_user_token("not-a-token".into());
    let p = feed.mark_read(ids(&[&a]));
    assert_eq!(snap(&feed).unread, 1, "optimistic");
    let err = wait(p).await.expect_err("the edge refuses a bad token");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("unauthenticated"));
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
    assert!(get(&err, "requestId").as_string().is_some_and(|r| !r.is_empty()));
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("TidingsError"));
    let s = snap(&feed);
    assert_eq!((s.unread, s.unseen), (2, 2), "rolled back");
    assert!(s.read.iter().all(|r| !r));
    assert_eq!(s.error_code.as_deref(), Some("unauthenticated"));
    {
        let seen = seen.borrow();
        let unread: Vec<u64> = seen.iter().map(|s| snap_of(s).unread).collect();
        assert_eq!(unread, [2, 1, 2], "listener saw the optimistic change, then the rollback");
        assert_eq!(snap_of(seen.last().unwrap()).error_code.as_deref(), Some("unauthenticated"));
    }

    // Valid credentials of another user: 403, rolled back too ("mark all" included).
    c.set_user_token(user_token("someone-else"));
    let p = feed.mark_all_read();
    assert_eq!(snap(&feed).unread, 0);
    let err = wait(p).await.expect_err("forbidden");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("forbidden"));
    assert_eq!((snap(&feed).unread, snap(&feed).unseen), (2, 2));
    assert!(delivery(&user, &a).await["read_at"].is_null());

    // Unsubscribed listeners hear nothing more; the next success clears the error.
    unsubscribe.unchecked_ref::<Function>().call0(&JsValue::NULL).unwrap();
    let heard = seen.borrow().len();
    c.set_user_token(user_token(&user));
    wait(feed.mark_read(ids(&[&a]))).await.expect("mark read");
    assert_eq!(seen.borrow().len(), heard);
    assert!(snap(&feed).error_code.is_none());
}

#[wasm_bindgen_test]
async fn errors_carry_stable_codes() {
    let user = unique("errors");
    // Nothing listens on port 9: fetch fails.
    let o = options(&user, &user_token(&user));
    Reflect::set(&o, &"baseUrl".into(), &"http://127.0.0.1:9".into()).unwrap();
    let c = TidingsClient::new(o).unwrap();
    let feed = feed(&c, None);
    let err = wait(feed.fetch()).await.expect_err("network error");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("network_error"));
    assert_eq!(get(&err, "status").as_f64(), Some(0.0));
    let s = snap(&feed);
    assert_eq!((s.status.as_str(), s.error_code.as_deref()), ("error", Some("network_error")));

    // A bad token: the envelope's code.
    let c = TidingsClient::new(options(&user, "nope")).unwrap();
    let err = wait(c.feed(None).unwrap().fetch()).await.expect_err("401");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("unauthenticated"));
    assert!(get(&err, "fix").is_string());

    // Bad arguments throw synchronously.
    let err = TidingsClient::new(obj(&[("baseUrl", "ftp://x".into())]).into()).err().expect("bad options");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_argument"));
    let err = client(&user).feed(Some(obj(&[("colour", "red".into())]))).err().expect("unknown filter field");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_argument"));
    let err = client(&user).feed(Some(obj(&[("limit", 500.into())]))).err().expect("limit out of range");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_argument"));
}

#[wasm_bindgen_test]
async fn realtime_brings_new_and_changed_deliveries() {
    let user = unique("live");
    let a = notify(&user, "before").await;
    let c = client(&user);
    let feed = feed(&c, None);
    feed.connect();
    until("connected and fetched", 10_000, || {
        let s = snap(&feed);
        s.realtime == "connected" && s.status == "ready" && s.ids == [a.clone()]
    })
    .await;

    let b = notify(&user, "live").await;
    until("the new delivery arrives", 10_000, || {
        let s = snap(&feed);
        s.ids.first() == Some(&b) && s.unread == 2 && s.total == 2
    })
    .await;

    // Another tab (here: the admin) reads it: the change and the counts arrive.
    let (status, _) = admin("PATCH", &format!("/users/{user}/deliveries/{a}"), Some(json!({"read": true}))).await;
    assert_eq!(status, 200);
    until("the update arrives", 10_000, || {
        let s = snap(&feed);
        s.unread == 1 && s.read[s.ids.iter().position(|x| *x == a).unwrap()]
    })
    .await;
    // Items from events carry the edge's `data` too.
    assert_eq!(snap(&feed).subjects, ["live", "before"]);

    feed.disconnect();
    assert_eq!(snap(&feed).realtime, "disconnected");
}

#[wasm_bindgen_test]
async fn realtime_resumes_from_its_seq_after_a_dropped_socket() {
    let sockets = record_sockets();
    let user = unique("resume");
    let _a = notify(&user, "first").await;
    let c = client(&user);
    let feed = feed(&c, None);
    let opened = sockets.length();
    feed.connect();
    until("connected with a seq", 10_000, || {
        let s = snap(&feed);
        s.realtime == "connected" && s.status == "ready" && feed.seq() > 0.0
    })
    .await;
    assert_eq!(sockets.length(), opened + 1);
    let seq = feed.seq();

    // The connection drops (as a network failure would): the feed reconnects by itself.
    let socket = sockets.get(opened);
    Reflect::get(&socket, &"close".into()).unwrap().unchecked_into::<Function>().call0(&socket).unwrap();
    until("the drop is noticed", 5_000, || snap(&feed).realtime != "connected").await;
    let b = notify(&user, "while away").await;
    until("the missed delivery arrives", 15_000, || {
        let s = snap(&feed);
        s.realtime == "connected" && s.ids.first() == Some(&b) && s.unread == 2
    })
    .await;
    let url = get(&sockets.get(sockets.length() - 1), "url").as_string().unwrap();
    assert!(url.contains(&format!("since={seq}")), "resumed from seq {seq}: {url}");
    assert!(feed.seq() > seq);
    feed.disconnect();
}

async fn call(target: &JsValue, method: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).unchecked_into();
    wait(f.call1(target, arg)?.unchecked_into()).await
}

#[wasm_bindgen_test]
async fn push_registration_is_idempotent_and_follows_the_browser() {
    let registration = wait(register_worker()).await.expect("register the test service worker");
    let user = unique("push");
    let c = client(&user);
    let push: JsValue = c.push();
    assert!(Object::is(&push, &c.push()), "client.push is one object");
    let supported: Function = get(&push, "isSupported").unchecked_into();
    assert_eq!(supported.call0(&push).unwrap(), JsValue::TRUE);
    let permission: Function = get(&push, "permission").unchecked_into();
    assert!(permission.call0(&push).unwrap().is_string());

    let ea = format!("https://fcm.googleapis.com/fcm/send/{}", unique("a"));
    let eb = format!("https://fcm.googleapis.com/fcm/send/{}", unique("b"));
    let sub_a = fake_subscription(&ea, P256DH, AUTH);
    let sub_b = fake_subscription(&eb, P256DH, AUTH);
    let with =
        |sub: &JsValue| JsValue::from(obj(&[("registration", registration.clone()), ("subscription", sub.clone())]));

    let st = call(&push, "subscribe", &with(&sub_a)).await.expect("subscribe");
    assert_eq!((get(&st, "subscribed"), get(&st, "changed")), (JsValue::TRUE, JsValue::TRUE));
    assert_eq!(get(&st, "endpoint").as_string(), Some(ea.clone()));
    assert_eq!(endpoints(&user).await, [ea.as_str()]);

    // The same subscription again: nothing sent.
    let st = call(&push, "subscribe", &with(&sub_a)).await.expect("subscribe again");
    assert_eq!(get(&st, "changed"), JsValue::FALSE);

    // The browser's subscription changed: the new one replaces the old one at the edge.
    let st = call(&push, "subscribe", &with(&sub_b)).await.expect("subscribe changed");
    assert_eq!(get(&st, "changed"), JsValue::TRUE);
    assert_eq!(endpoints(&user).await, [eb.as_str()]);
    let st = call(&push, "sync", &with(&sub_b)).await.expect("sync unchanged");
    assert_eq!(get(&st, "changed"), JsValue::FALSE);

    // The browser lost its subscription: sync removes it at the edge.
    let st = call(&push, "sync", &with(&JsValue::NULL)).await.expect("sync without subscription");
    assert_eq!((get(&st, "subscribed"), get(&st, "changed")), (JsValue::FALSE, JsValue::TRUE));
    assert!(endpoints(&user).await.is_empty());

    call(&push, "subscribe", &with(&sub_b)).await.expect("subscribe again");
    assert_eq!(endpoints(&user).await, [eb.as_str()]);
    let st = call(&push, "unsubscribe", &with(&sub_b)).await.expect("unsubscribe");
    assert_eq!(get(&st, "subscribed"), JsValue::FALSE);
    assert!(endpoints(&user).await.is_empty());
    assert_eq!(get(&sub_b, "unsubscribed"), JsValue::TRUE, "the browser side is unsubscribed too");

    // A bad subscription is refused by the edge with the field named.
    let bad = fake_subscription("https://fcm.googleapis.com/fcm/send/x", "AAAA", AUTH);
    let err = call(&push, "subscribe", &with(&bad)).await.expect_err("bad p256dh");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("validation_failed"));
}

#[wasm_bindgen_test]
async fn sync_resubscribes_a_subscription_made_with_an_old_vapid_key() {
    let (status, vapid) = admin("GET", "/vapid", None).await;
    assert_eq!(status, 200, "{vapid}");
    let current = vapid["publicKey"].as_str().unwrap().to_owned();
    let user = unique("rotate");
    let c = client(&user);
    let push: JsValue = c.push();
    let (ea, eb) = (
        format!("https://fcm.googleapis.com/fcm/send/{}", unique("old")),
        format!("https://fcm.googleapis.com/fcm/send/{}", unique("new")),
    );
    let registration = fake_registration(&format!("https://scope.test/{}/", unique("s")), &eb, P256DH, AUTH);
    let old = fake_subscription(&ea, P256DH, AUTH);
    let with =
        |sub: &JsValue| JsValue::from(obj(&[("registration", registration.clone()), ("subscription", sub.clone())]));

    // Registered before the rotation (the browser reports no key: the edge binds the current one).
    call(&push, "subscribe", &with(&old)).await.expect("subscribe");
    assert_eq!(endpoints(&user).await, [ea.as_str()]);
    // The edge's key has since changed: the browser's subscription was made with another one.
    made_with(&old, P256DH);

    let st = call(&push, "sync", &with(&old)).await.expect("sync re-subscribes");
    assert_eq!((get(&st, "endpoint").as_string(), get(&st, "changed")), (Some(eb.clone()), JsValue::TRUE));
    assert_eq!(get(&old, "unsubscribed"), JsValue::TRUE, "the old subscription is unsubscribed in the browser");
    let asked: js_sys::Array = get(&registration, "asked").unchecked_into();
    assert_eq!(
        asked.iter().map(|k| k.as_string().unwrap()).collect::<Vec<_>>(),
        [current.as_str()],
        "made with /vapid's key"
    );
    assert_eq!(endpoints(&user).await, [eb.as_str()], "the new one registered, the old one removed at the edge");

    // In line now: sync neither re-subscribes nor registers again.
    let fresh = fake_subscription(&eb, P256DH, AUTH);
    made_with(&fresh, &current);
    let st = call(&push, "sync", &with(&fresh)).await.expect("sync in line");
    assert_eq!(get(&st, "changed"), JsValue::FALSE);
    assert_eq!(asked.length(), 1);

    // subscribe() sends the key the browser used: one the edge does not know is refused, named.
    let unknown = fake_subscription(&format!("https://fcm.googleapis.com/fcm/send/{}", unique("x")), P256DH, AUTH);
    made_with(&unknown, P256DH);
    let err = call(&push, "subscribe", &with(&unknown)).await.expect_err("unknown applicationServerKey");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("conflict"));
    let field = get(&get(&get(&err, "details"), "fields"), "0");
    assert_eq!(get(&field, "field").as_string().as_deref(), Some("applicationServerKey"));
}
