//! `client.feed(filter)`: the in-app feed store. Its state *is* the core
//! [`FeedState`]: pages, optimistic actions (confirmed with the server's counts or rolled back)
//! and realtime events go through it; this file only adds the I/O and the listeners.
//!
//! Listeners get a snapshot `{items, unreadCount, unseenCount, totalCount, hasMore, status,
//! error, realtime}`; the same (frozen) object until something changes, so it also works as
//! `getSnapshot` for React's `useSyncExternalStore`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, spawn_local};

use super::client::Config;
use super::error::{self, code};
use super::items::Items;
use super::js;
use super::realtime::{self, Realtime};
use super::wire;
use crate::feed::state::{EventOutcome, FeedState};
use crate::model::{Action, ArchivedFilter, ChannelType, Delivery, DeliveryFilter, DeliveryStatus, FeedEvent};

/// A realtime event and the JS object of its delivery (if it has one).
pub(crate) type Event = (FeedEvent, Option<JsValue>);

/// Where the feed's data stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Nothing fetched yet.
    Idle,
    /// The first fetch (or one after an error) is in flight; later refetches run in the
    /// background with status `ready`.
    Loading,
    /// Items and counts are there.
    Ready,
    /// The last fetch failed (see `error`).
    Error,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Loading => "loading",
            Status::Ready => "ready",
            Status::Error => "error",
        }
    }
}

/// Everything a feed holds; shared by the JS object, its pending requests and its socket.
pub(crate) struct Inner {
    pub config: Rc<Config>,
    filter: DeliveryFilter,
    limit: Option<u32>,
    pub state: FeedState,
    status: Status,
    error: JsValue,
    listeners: Vec<(u32, Function)>,
    next_listener: u32,
    snapshot: Option<JsValue>,
    /// Each loaded delivery's JS object (the edge's own, with `data`), reused by the next
    /// snapshot while it is unchanged.
    items: Items,
    /// Number of the latest replacing fetch; older answers are dropped.
    fetch_gen: u64,
    /// A replacing fetch is in flight: realtime events wait in `buffered` until its page is in.
    pub fetching: bool,
    pub buffered: Vec<Event>,
    loading_more: bool,
    pub rt: Realtime,
}

pub(crate) type Shared = Rc<RefCell<Inner>>;

/// What applying realtime events asks for next.
#[derive(Default)]
pub(crate) struct FollowUp {
    refetch: bool,
    reconnect: bool,
}

impl FollowUp {
    /// Applies `events` in order (the core decides: applied, stale, gap or reset).
    pub fn apply(i: &mut Inner, events: Vec<Event>) -> FollowUp {
        let mut f = FollowUp::default();
        for (ev, raw) in events {
            // Even when the state keeps a newer version, the object is right once patched (only
            // the changing fields can differ); one of a delivery that is not loaded is dropped.
            if let (FeedEvent::Created { delivery, .. } | FeedEvent::Updated { delivery, .. }, Some(raw)) = (&ev, raw) {
                i.items.remember(delivery, raw);
            }
            match i.state.apply_event(ev) {
                EventOutcome::Applied | EventOutcome::Stale => {}
                // Missed events: resume from our seq (the edge replays them or says reset) and
                // refetch meanwhile.
                EventOutcome::Gap => {
                    f.refetch = true;
                    f.reconnect = true;
                }
                EventOutcome::Reset => f.refetch = true,
            }
        }
        f
    }

    /// Does what was asked for (no borrow of the feed may be held).
    pub fn run(self, inner: &Shared) {
        if self.reconnect {
            realtime::reconnect_now(inner);
        }
        if self.refetch {
            refetch(inner);
        }
    }
}

/// Calls every listener with the new snapshot.
pub(crate) fn notify(inner: &Shared) {
    let (listeners, snap) = {
        let mut i = inner.borrow_mut();
        i.snapshot = None;
        (i.listeners.clone(), i.snapshot())
    };
    for (_, l) in listeners {
        if let Err(e) = l.call1(&JsValue::NULL, &snap) {
            web_sys::console::error_2(&JsValue::from_str("tidings: a feed listener threw"), &e);
        }
    }
}

/// Starts a background refetch of the first page (results reach the listeners).
pub(crate) fn refetch(inner: &Shared) {
    let inner = inner.clone();
    spawn_local(async move {
        let _ = fetch(inner).await;
    });
}

impl Inner {
    fn snapshot(&mut self) -> JsValue {
        if let Some(s) = &self.snapshot {
            return s.clone();
        }
        let filter = &self.filter;
        let items = self.items.list(self.state.items(), |d| filter.matches(d));
        let meta = self.state.meta();
        let o = Object::new();
        js::set(&o, "items", &items);
        js::set(&o, "unreadCount", &JsValue::from(meta.unread_count as f64));
        js::set(&o, "unseenCount", &JsValue::from(meta.unseen_count as f64));
        js::set(&o, "totalCount", &JsValue::from(meta.total_count as f64));
        js::set(&o, "hasMore", &JsValue::from(self.state.has_more()));
        js::set(&o, "status", &JsValue::from_str(self.status.as_str()));
        js::set(&o, "error", &self.error);
        js::set(&o, "realtime", &JsValue::from_str(self.rt.status.as_str()));
        let snap: JsValue = Object::freeze(&o).into();
        self.snapshot = Some(snap.clone());
        snap
    }

    /// Keeps the edge's JS objects of `items` for the snapshots.
    fn remember(&mut self, items: &[Delivery], raw: Vec<JsValue>) {
        for (d, raw) in items.iter().zip(raw) {
            self.items.remember(d, raw);
        }
    }

    /// `GET /users/{id}/deliveries` with this feed's filter.
    fn list_url(&self, after: Option<&str>) -> String {
        let f = &self.filter;
        let mut query = String::new();
        let mut add = |name: &str, value: &str| {
            query.push(if query.is_empty() { '?' } else { '&' });
            query.push_str(name);
            query.push('=');
            query.push_str(value);
        };
        if let Some(l) = self.limit {
            add("limit", &l.to_string());
        }
        if let Some(a) = after {
            add("after", &js::enc(a));
        }
        if let Some(s) = f.status {
            add("status", s.as_str());
        }
        if let Some(c) = f.channel_type {
            add("channel_type", c.as_str());
        }
        if let Some(t) = &f.topic {
            add("topic", &js::enc(t));
        }
        if let Some(r) = f.read {
            add("read", if r { "true" } else { "false" });
        }
        if let Some(s) = f.seen {
            add("seen", if s { "true" } else { "false" });
        }
        match f.archived {
            ArchivedFilter::Exclude => {}
            ArchivedFilter::Include => add("archived", "include"),
            ArchivedFilter::Only => add("archived", "only"),
        }
        self.config.user_url(&format!("/deliveries{query}"))
    }
}

/// Fetches the first page, replacing the loaded items (pending optimistic actions stay
/// applied); resolves to the new snapshot.
pub(crate) async fn fetch(inner: Shared) -> Result<JsValue, JsValue> {
    let (gen, url, config) = {
        let mut i = inner.borrow_mut();
        i.fetch_gen += 1;
        i.fetching = true;
        if i.status != Status::Ready {
            i.status = Status::Loading;
        }
        (i.fetch_gen, i.list_url(None), i.config.clone())
    };
    notify(&inner);
    let res = config.call("GET", &url, None).await.and_then(decode_page);
    let (out, follow) = {
        let mut i = inner.borrow_mut();
        if i.fetch_gen != gen {
            // A newer fetch replaces this one (and drains the buffered events).
            return res.map(|_| i.snapshot());
        }
        i.fetching = false;
        let out = match res {
            Ok((page, raw)) => {
                i.remember(&page.items, raw);
                i.state.apply_page(page, false);
                i.status = Status::Ready;
                i.error = JsValue::NULL;
                Ok(())
            }
            Err(e) => {
                if i.status != Status::Ready {
                    i.status = Status::Error;
                }
                i.error = e.clone();
                Err(e)
            }
        };
        let events = std::mem::take(&mut i.buffered);
        (out, FollowUp::apply(&mut i, events))
    };
    notify(&inner);
    follow.run(&inner);
    out.map(|_| inner.borrow_mut().snapshot())
}

/// Loads the next (older) page and appends it; resolves to the new snapshot.
async fn load_more(inner: Shared) -> Result<JsValue, JsValue> {
    if inner.borrow().status == Status::Idle {
        return fetch(inner).await;
    }
    let (gen, url, config) = {
        let mut i = inner.borrow_mut();
        if i.loading_more || !i.state.has_more() {
            return Ok(i.snapshot());
        }
        let Some(after) = i.state.after().map(str::to_owned) else {
            return Ok(i.snapshot());
        };
        i.loading_more = true;
        (i.fetch_gen, i.list_url(Some(&after)), i.config.clone())
    };
    let res = config.call("GET", &url, None).await.and_then(decode_page);
    let out = {
        let mut i = inner.borrow_mut();
        i.loading_more = false;
        if i.fetch_gen != gen {
            // The list was replaced meanwhile: this page's cursor belongs to the old one.
            return res.map(|_| i.snapshot());
        }
        match res {
            Ok((page, raw)) => {
                i.remember(&page.items, raw);
                i.state.apply_page(page, true);
                i.error = JsValue::NULL;
                Ok(())
            }
            Err(e) => {
                i.error = e.clone();
                Err(e)
            }
        }
    };
    notify(&inner);
    out.map(|_| inner.borrow_mut().snapshot())
}

/// Applies `action` optimistically (listeners see it at once), sends it, then confirms it
/// with the server's counts or rolls it back (listeners see `error`).
fn mark(inner: &Shared, action: Action, ids: Option<Vec<String>>) -> Promise {
    if ids.as_ref().is_some_and(Vec::is_empty) {
        return Promise::resolve(&JsValue::UNDEFINED);
    }
    let (op, config) = {
        let mut i = inner.borrow_mut();
        let (op, _) = i.state.optimistic(action, ids.as_deref(), &js::now_iso());
        (op, i.config.clone())
    };
    notify(inner);
    let inner = inner.clone();
    future_to_promise(async move {
        let body = wire::object(&[("action", action.as_str())]);
        if let Some(ids) = &ids {
            js::set(&body, "ids", &ids.iter().map(|id| JsValue::from_str(id)).collect::<Array>());
        }
        let url = config.user_url("/deliveries/actions");
        let res = config.call("POST", &url, Some(&body.into())).await.and_then(|r| {
            wire::meta(&js::get(&r, "meta")).ok_or_else(|| error::new(code::INVALID_RESPONSE, "no meta in the answer"))
        });
        let out = {
            let mut i = inner.borrow_mut();
            match res {
                Ok(meta) => {
                    i.state.confirm(op, Some(meta));
                    i.error = JsValue::NULL;
                    Ok(JsValue::UNDEFINED)
                }
                // Applied at the edge, but the answer is not understood: keep the change.
                Err(e) if error::has_code(&e, code::INVALID_RESPONSE) => {
                    i.state.confirm(op, None);
                    Ok(JsValue::UNDEFINED)
                }
                Err(e) => {
                    i.state.rollback(op);
                    i.error = e.clone();
                    Err(e)
                }
            }
        };
        notify(&inner);
        out
    })
}

/// The in-app feed store of one user and filter (`client.feed(filter)`).
#[wasm_bindgen]
pub struct Feed {
    inner: Shared,
}

impl Feed {
    pub(crate) fn new(config: Rc<Config>, filter: JsValue) -> Result<Feed, JsValue> {
        let (filter, limit) = parse_filter(filter)?;
        let inner = Inner {
            config,
            filter,
            limit,
            state: FeedState::new(),
            status: Status::Idle,
            error: JsValue::NULL,
            listeners: Vec::new(),
            next_listener: 0,
            snapshot: None,
            items: Items::default(),
            fetch_gen: 0,
            fetching: false,
            buffered: Vec::new(),
            loading_more: false,
            rt: Realtime::default(),
        };
        Ok(Feed { inner: Rc::new(RefCell::new(inner)) })
    }
}

/// Reads `client.feed(filter)`: the delivery filter, and `limit` (page size, 1..=100).
fn parse_filter(filter: JsValue) -> Result<(DeliveryFilter, Option<u32>), JsValue> {
    let mut f = DeliveryFilter::default();
    let mut limit = None;
    if filter.is_undefined() || filter.is_null() {
        return Ok((f, limit));
    }
    if !filter.is_object() {
        return Err(error::new(code::INVALID_ARGUMENT, "the feed filter must be an object"));
    }
    for key in Object::keys(filter.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        let v = js::get(&filter, &key);
        if v.is_undefined() || v.is_null() {
            continue;
        }
        let (text, flag) = (v.as_string(), v.as_bool());
        // Each known field: `Some(())` once set, `None` when the value does not fit.
        let set = match key.as_str() {
            "limit" => {
                let n = v.as_f64().filter(|n| n.fract() == 0.0 && (1.0..=100.0).contains(n));
                n.map(|n| limit = Some(n as u32))
            }
            "status" => text.as_deref().and_then(DeliveryStatus::parse).map(|s| f.status = Some(s)),
            "channel_type" => text.as_deref().and_then(ChannelType::parse).map(|c| f.channel_type = Some(c)),
            "archived" => text.as_deref().and_then(ArchivedFilter::parse).map(|a| f.archived = a),
            "topic" => text.map(|t| f.topic = Some(t)),
            "read" => flag.map(|r| f.read = Some(r)),
            "seen" => flag.map(|s| f.seen = Some(s)),
            _ => return Err(error::new(code::INVALID_ARGUMENT, &format!("feed filter has an unknown field `{key}`"))),
        };
        if set.is_none() {
            return Err(error::new(code::INVALID_ARGUMENT, &format!("feed filter: `{key}` is not valid")));
        }
    }
    Ok((f, limit))
}

/// `ids`: one id, or an array of them.
fn ids_arg(ids: JsValue) -> Result<Vec<String>, JsValue> {
    if let Some(one) = ids.as_string() {
        return Ok(vec![one]);
    }
    let bad = || error::new(code::INVALID_ARGUMENT, "ids must be a delivery id or an array of them");
    ids.dyn_into::<Array>().map_err(|_| bad())?.iter().map(|id| id.as_string().ok_or_else(bad)).collect()
}

/// A page answer, or `invalid_response`.
fn decode_page(answer: JsValue) -> Result<(crate::model::DeliveryPage, Vec<JsValue>), JsValue> {
    wire::page(&answer).ok_or_else(|| error::new(code::INVALID_RESPONSE, "unexpected answer from the edge: not a page"))
}

#[wasm_bindgen]
impl Feed {
    /// Fetches the first page (replacing what is loaded); resolves to the snapshot.
    #[wasm_bindgen(unchecked_return_type = "Promise<FeedSnapshot>")]
    pub fn fetch(&self) -> Promise {
        future_to_promise(fetch(self.inner.clone()))
    }

    /// Loads the next (older) page, if any; resolves to the snapshot.
    #[wasm_bindgen(js_name = loadMore, unchecked_return_type = "Promise<FeedSnapshot>")]
    pub fn load_more(&self) -> Promise {
        future_to_promise(load_more(self.inner.clone()))
    }

    /// Marks these deliveries seen (optimistic; rolled back if the edge refuses).
    #[wasm_bindgen(js_name = markSeen, unchecked_return_type = "Promise<void>")]
    pub fn mark_seen(&self, #[wasm_bindgen(unchecked_param_type = "string[] | string")] ids: JsValue) -> Promise {
        self.mark_ids(Action::Seen, ids)
    }

    /// Marks these deliveries read (and seen).
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_read(&self, #[wasm_bindgen(unchecked_param_type = "string[] | string")] ids: JsValue) -> Promise {
        self.mark_ids(Action::Read, ids)
    }

    /// Marks these deliveries unread.
    #[wasm_bindgen(js_name = markUnread, unchecked_return_type = "Promise<void>")]
    pub fn mark_unread(&self, #[wasm_bindgen(unchecked_param_type = "string[] | string")] ids: JsValue) -> Promise {
        self.mark_ids(Action::Unread, ids)
    }

    /// Archives these deliveries (they leave a feed that excludes archived ones).
    #[wasm_bindgen(js_name = markArchived, unchecked_return_type = "Promise<void>")]
    pub fn mark_archived(&self, #[wasm_bindgen(unchecked_param_type = "string[] | string")] ids: JsValue) -> Promise {
        self.mark_ids(Action::Archived, ids)
    }

    /// Unarchives these deliveries.
    #[wasm_bindgen(js_name = markUnarchived, unchecked_return_type = "Promise<void>")]
    pub fn mark_unarchived(&self, #[wasm_bindgen(unchecked_param_type = "string[] | string")] ids: JsValue) -> Promise {
        self.mark_ids(Action::Unarchived, ids)
    }

    /// Marks these deliveries clicked (and read, seen).
    #[wasm_bindgen(js_name = markClicked, unchecked_return_type = "Promise<void>")]
    pub fn mark_clicked(&self, #[wasm_bindgen(unchecked_param_type = "string[] | string")] ids: JsValue) -> Promise {
        self.mark_ids(Action::Clicked, ids)
    }

    /// Marks every non-archived delivery of the user read, loaded or not.
    #[wasm_bindgen(js_name = markAllRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_all_read(&self) -> Promise {
        mark(&self.inner, Action::Read, None)
    }

    /// Calls `listener(snapshot)` now and after every change; returns the function that
    /// unsubscribes it.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn subscribe(&self, #[wasm_bindgen(unchecked_param_type = "FeedListener")] listener: Function) -> JsValue {
        let (id, snap) = {
            let mut i = self.inner.borrow_mut();
            let id = i.next_listener;
            i.next_listener += 1;
            i.listeners.push((id, listener.clone()));
            (id, i.snapshot())
        };
        if let Err(e) = listener.call1(&JsValue::NULL, &snap) {
            web_sys::console::error_2(&JsValue::from_str("tidings: a feed listener threw"), &e);
        }
        let weak = Rc::downgrade(&self.inner);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().listeners.retain(|(i, _)| *i != id);
            }
        })
        .into_js_value()
    }

    /// The current snapshot (the same object until something changes).
    #[wasm_bindgen(js_name = getSnapshot, unchecked_return_type = "FeedSnapshot")]
    pub fn get_snapshot(&self) -> JsValue {
        self.inner.borrow_mut().snapshot()
    }

    /// Opens the realtime socket and keeps it open: reconnects with exponential backoff and
    /// jitter, resumes with `since=<seq>`, refetches on `reset`, on a gap, when the browser
    /// comes back online and when the tab becomes visible after a minute or more hidden.
    /// Without a known `seq` (first connect), the first page is (re)fetched once the socket is
    /// open, so nothing created in between is missed.
    pub fn connect(&self) {
        realtime::connect(&self.inner);
    }

    /// Closes the realtime socket and stops reconnecting.
    pub fn disconnect(&self) {
        realtime::disconnect(&self.inner);
    }

    /// The last realtime event number applied (0 before the first one).
    #[wasm_bindgen(getter)]
    pub fn seq(&self) -> f64 {
        self.inner.borrow().state.seq() as f64
    }
}

impl Feed {
    fn mark_ids(&self, action: Action, ids: JsValue) -> Promise {
        match ids_arg(ids) {
            Ok(ids) => mark(&self.inner, action, Some(ids)),
            Err(e) => Promise::reject(&e),
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.rt.stop();
            i.listeners.clear();
        }
    }
}
