//! The feed's state machine for JS (`FeedCore`, the package's one wasm export): the core
//! [`FeedState`] behind methods that take and give JS values, with no I/O. `feed.js` drives
//! it: it fetches pages,
//! holds the socket, the timers and the listeners, and asks this object what each answer and
//! event means (counts, optimistic operations, event order, resume, when to refetch). Nothing
//! here awaits, holds a closure or touches a browser API, which keeps the wasm small (futures,
//! closures and web-sys bindings were a third of it).
//!
//! The feed itself (`client.feed(filter)`) is the JS class of `feed.js`; [`Feed`] is its type
//! on the Rust side.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{self, code};
use super::items::Items;
use super::js;
use super::wire;
use crate::feed::state::{EventOutcome, FeedState, OpId};
use crate::model::{Action, ArchivedFilter, ChannelType, DeliveryFilter, DeliveryStatus, FeedEvent};

/// What `FeedCore.event` asks of the driver: refetch the first page.
const REFETCH: u32 = 1;
/// ... and reconnect at once, resuming from `seq` (missed events).
const RECONNECT: u32 = 2;
/// The message is no event this version knows (e.g. `pong`): nothing changed.
const IGNORED: u32 = 4;

#[wasm_bindgen(module = "/src/browser/feed.js")]
extern "C" {
    /// `client.feed(filter)`: the in-app feed store of one user and filter (see `feed.js`).
    #[wasm_bindgen(typescript_type = "Feed")]
    pub type Feed;

    /// Fetches the first page (replacing what is loaded); resolves to the snapshot.
    #[wasm_bindgen(method)]
    pub fn fetch(this: &Feed) -> Promise;
    /// Loads the next (older) page, if any; resolves to the snapshot.
    #[wasm_bindgen(method, js_name = loadMore)]
    pub fn load_more(this: &Feed) -> Promise;
    /// Marks these deliveries seen (optimistic; rolled back if the edge refuses).
    #[wasm_bindgen(method, js_name = markSeen)]
    pub fn mark_seen(this: &Feed, ids: JsValue) -> Promise;
    /// Marks these deliveries read (and seen).
    #[wasm_bindgen(method, js_name = markRead)]
    pub fn mark_read(this: &Feed, ids: JsValue) -> Promise;
    /// Marks these deliveries unread.
    #[wasm_bindgen(method, js_name = markUnread)]
    pub fn mark_unread(this: &Feed, ids: JsValue) -> Promise;
    /// Archives these deliveries.
    #[wasm_bindgen(method, js_name = markArchived)]
    pub fn mark_archived(this: &Feed, ids: JsValue) -> Promise;
    /// Unarchives these deliveries.
    #[wasm_bindgen(method, js_name = markUnarchived)]
    pub fn mark_unarchived(this: &Feed, ids: JsValue) -> Promise;
    /// Marks these deliveries clicked (and read, seen).
    #[wasm_bindgen(method, js_name = markClicked)]
    pub fn mark_clicked(this: &Feed, ids: JsValue) -> Promise;
    /// Marks every non-archived delivery of the user read, loaded or not.
    #[wasm_bindgen(method, js_name = markAllRead)]
    pub fn mark_all_read(this: &Feed) -> Promise;
    /// Calls `listener(snapshot)` now and after every change; returns the unsubscribe function.
    #[wasm_bindgen(method)]
    pub fn subscribe(this: &Feed, listener: js_sys::Function) -> JsValue;
    /// The current snapshot (the same object until something changes).
    #[wasm_bindgen(method, js_name = getSnapshot)]
    pub fn get_snapshot(this: &Feed) -> JsValue;
    /// Opens the realtime socket and keeps it open.
    #[wasm_bindgen(method)]
    pub fn connect(this: &Feed);
    /// Closes the realtime socket and stops reconnecting.
    #[wasm_bindgen(method)]
    pub fn disconnect(this: &Feed);
    /// The last realtime event number applied (0 before the first one).
    #[wasm_bindgen(method, getter)]
    pub fn seq(this: &Feed) -> f64;
}

/// The feed's state for `feed.js`: the core's `FeedState`, the filter, and the delivery
/// objects its snapshots list.
#[wasm_bindgen(skip_typescript)]
pub struct FeedCore {
    filter: DeliveryFilter,
    state: FeedState,
    items: Items,
}

#[wasm_bindgen]
impl FeedCore {
    /// Applies a page answer, its `items` packed (`pack` in `feed.js`) (`append`: an older page
    /// after the loaded ones; else it replaces them, pending optimistic operations staying
    /// applied). Answers the slot of each item's object (`feed.js` keeps them there), or
    /// nothing when it is not a page.
    pub fn page(&mut self, answer: JsValue, packed: &[u8], append: bool) -> Option<Vec<u32>> {
        // SAFETY: `feed.js` makes `packed` with TextEncoder, which writes UTF-8.
        let page = wire::page(&answer, unsafe { std::str::from_utf8_unchecked(packed) })?;
        self.items.moved();
        let slots: Vec<u32> = page.items.iter().map(|d| self.items.remember(d)).collect();
        // A first page taken as it came: its objects hold the state's values but for the
        // fields pending operations set, which it flags. Appended pages are still compared,
        // which also warms the copy code the first operation runs.
        if self.state.apply_page(page, append) && !append {
            self.items.taken(&slots);
        }
        Some(slots)
    }

    /// Applies a realtime message (`JSON.parse`d; `packed`: its `delivery` packed); answers
    /// what to do next: a bit set of REFETCH (1), RECONNECT (2), or IGNORED (4) when it is no
    /// event, plus 8 × (1 + the slot for the delivery's object) when it carries one.
    pub fn event(&mut self, message: JsValue, packed: &[u8]) -> u32 {
        // SAFETY: as in `page`.
        let Some(ev) = wire::event(&message, unsafe { std::str::from_utf8_unchecked(packed) }) else { return IGNORED };
        let mut slot = 0;
        if let FeedEvent::Created { delivery: d, .. } | FeedEvent::Updated { delivery: d, .. } = &ev {
            // Even when the state keeps a newer version, the object is right once patched (only
            // the changing fields can differ); one of a delivery that is not loaded is dropped.
            slot = 8 * (1 + self.items.remember(d));
        }
        slot + match self.state.apply_event(ev) {
            EventOutcome::Applied | EventOutcome::Stale => 0,
            // Missed events: resume from our seq (the edge replays them or says reset) and
            // refetch meanwhile.
            EventOutcome::Gap => REFETCH | RECONNECT,
            EventOutcome::Reset => REFETCH,
        }
    }

    /// Applies `action` (`seen`, `read`, …) to `ids` (joined with `\x01`; every delivery when
    /// null) at once; answers the operation's number for `confirm` or `rollback`.
    pub fn mark(&mut self, action: &str, ids: Option<String>, now: &str) -> f64 {
        let all = [Action::Seen, Action::Read, Action::Unread, Action::Clicked, Action::Archived, Action::Unarchived];
        let Some(action) = all.into_iter().find(|a| a.as_str() == action) else { return 0.0 };
        let ids: Option<Vec<String>> = ids.map(|ids| ids.split('\x01').map(str::to_owned).collect());
        self.state.optimistic(action, ids.as_deref(), now).0 .0 as f64
    }

    /// The edge applied operation `op`; `meta` is its answer's counts (or not understood:
    /// the change is kept, the counts stay). True when the counts were read.
    pub fn confirm(&mut self, op: f64, meta: JsValue) -> bool {
        let meta = wire::meta(&meta);
        let read = meta.is_some();
        self.state.confirm(OpId(op as u64), meta);
        read
    }

    /// The edge refused operation `op`: undoes it.
    pub fn rollback(&mut self, op: f64) {
        self.state.rollback(OpId(op as u64));
    }

    /// The deliveries the filter lists, newest first, as the slots of their objects with the
    /// changes to make to them (see `Items::list`).
    pub fn items(&mut self) -> Vec<u32> {
        let filter = &self.filter;
        let (loaded, touched) = self.state.touched();
        self.items.list(loaded, touched, |d| filter.matches(d))
    }

    /// The values the codes of the last `items` answer stand for, each followed by `\x01`.
    pub fn values(&mut self) -> String {
        self.items.values()
    }

    /// `[unreadCount, unseenCount, totalCount, hasMore (0/1), seq]` (each below 2^32: a
    /// user's deliveries and events are far fewer).
    pub fn counts(&self) -> Vec<u32> {
        let m = self.state.meta();
        let more = u32::from(self.state.has_more());
        vec![m.unread_count as u32, m.unseen_count as u32, m.total_count as u32, more, self.state.seq() as u32]
    }

    /// The cursor of the next (older) page, when there is one.
    pub fn after(&self) -> Option<String> {
        self.state.has_more().then(|| self.state.after().map(str::to_owned)).flatten()
    }
}

impl FeedCore {
    /// A feed with no filter.
    pub(crate) fn empty() -> FeedCore {
        FeedCore { filter: DeliveryFilter::default(), state: FeedState::new(), items: Items::default() }
    }
}

#[wasm_bindgen]
impl FeedCore {
    /// Reads `client.feed(filter)`: the delivery filter, and `limit` (page size, 1..=100; the
    /// JS side puts it in the query). Throws `invalid_argument` for a field it does not know or
    /// a value that does not fit.
    #[wasm_bindgen(constructor)]
    pub fn new(filter: JsValue) -> Result<FeedCore, JsValue> {
        let mut core = FeedCore::empty();
        if filter.is_undefined() || filter.is_null() {
            return Ok(core);
        }
        if !filter.is_object() {
            return Err(error::new(code::INVALID_ARGUMENT, "the feed filter must be an object"));
        }
        let f = &mut core.filter;
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
                    n.map(|_| ())
                }
                "status" => text.as_deref().and_then(DeliveryStatus::parse).map(|s| f.status = Some(s)),
                "channel_type" => text.as_deref().and_then(ChannelType::parse).map(|c| f.channel_type = Some(c)),
                "archived" => text.as_deref().and_then(ArchivedFilter::parse).map(|a| f.archived = a),
                "topic" => text.map(|t| f.topic = Some(t)),
                "read" => flag.map(|r| f.read = Some(r)),
                "seen" => flag.map(|s| f.seen = Some(s)),
                _ => return Err(error::field(code::INVALID_ARGUMENT, "feed filter has an unknown field", &key)),
            };
            if set.is_none() {
                return Err(error::field(code::INVALID_ARGUMENT, "feed filter: this field is not valid", &key));
            }
        }
        Ok(core)
    }
}
