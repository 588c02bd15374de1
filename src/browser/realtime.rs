//! The feed's realtime socket: `GET ws(s)://…/users/{id}/feed/socket?api_key&user_token[&since]`.
//! Events go to the core `FeedState` (see `feed::FollowUp`); this file keeps the socket open:
//! exponential backoff with jitter, resume by `seq`, a ping to notice dead connections, and
//! catching up when the browser comes back online or the tab becomes visible again.

use std::rc::{Rc, Weak};

use js_sys::Math;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Document, EventTarget, MessageEvent, VisibilityState, WebSocket};

use super::feed::{self, FollowUp, Inner, Shared};
use super::js::{self, Timer};
use super::wire;

/// A ping every 25 s; no answer (or any other message) by the next one = the connection is dead.
const PING_MS: f64 = 25_000.0;
/// First reconnect delay (before jitter).
const BACKOFF_BASE_MS: f64 = 500.0;
/// Longest reconnect delay.
const BACKOFF_CAP_MS: f64 = 30_000.0;
/// A tab hidden this long refetches when it becomes visible again.
const HIDDEN_REFETCH_MS: f64 = 60_000.0;

/// The delay before reconnect attempt `attempt` (0-based): `min(cap, base·2^attempt)`, of which
/// the upper half is random ("equal jitter"), so many tabs do not reconnect in lockstep.
/// `random` is in `[0, 1)`.
pub fn backoff_ms(attempt: u32, random: f64) -> f64 {
    let full = (BACKOFF_BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_CAP_MS);
    full / 2.0 + full / 2.0 * random.clamp(0.0, 1.0)
}

/// The socket URL: `ws(s)` for `http(s)`, credentials and the resume point as query parameters.
pub fn socket_url(base_url: &str, user_path: &str, api_key: &str, user_token: &str, since: u64) -> String {
    let base = match base_url.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}"),
        None => format!("ws://{}", base_url.strip_prefix("http://").unwrap_or(base_url)),
    };
    let mut url =
        format!("{base}{user_path}/feed/socket?api_key={}&user_token={}", js::enc(api_key), js::enc(user_token));
    if since > 0 {
        url.push_str(&format!("&since={since}"));
    }
    url
}

/// Where the socket stands (`realtime` in the snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RtStatus {
    /// Not asked to connect (or `disconnect()` was called).
    #[default]
    Disconnected,
    /// Opening, or waiting to reconnect.
    Connecting,
    /// Open.
    Connected,
}

impl RtStatus {
    /// The snapshot's value.
    pub fn as_str(self) -> &'static str {
        match self {
            RtStatus::Disconnected => "disconnected",
            RtStatus::Connecting => "connecting",
            RtStatus::Connected => "connected",
        }
    }
}

/// An open socket and its handlers; dropping it detaches them and closes the socket.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// `online` and `visibilitychange` listeners; removed on drop.
struct PageListeners {
    global: EventTarget,
    document: Option<EventTarget>,
    on_online: Closure<dyn FnMut()>,
    on_visibility: Closure<dyn FnMut()>,
}

impl Drop for PageListeners {
    fn drop(&mut self) {
        let _ = self.global.remove_event_listener_with_callback("online", self.on_online.as_ref().unchecked_ref());
        if let Some(d) = &self.document {
            let _ =
                d.remove_event_listener_with_callback("visibilitychange", self.on_visibility.as_ref().unchecked_ref());
        }
    }
}

/// The realtime part of a feed.
#[derive(Default)]
pub struct Realtime {
    /// `connect()` was called and `disconnect()` was not.
    wanted: bool,
    /// For the snapshot.
    pub status: RtStatus,
    socket: Option<Socket>,
    /// Number of the current socket; events of older ones are ignored.
    gen: u32,
    /// Failed attempts since the last message.
    attempt: u32,
    retry: Option<Timer>,
    ping: Option<Timer>,
    awaiting_pong: bool,
    /// The current socket was opened with `since` (no refetch needed when it opens).
    resumed: bool,
    hidden_since: Option<f64>,
    page: Option<PageListeners>,
}

impl Realtime {
    /// Closes everything without telling anyone (the feed is going away).
    pub fn stop(&mut self) {
        self.wanted = false;
        self.socket = None;
        self.retry = None;
        self.ping = None;
        self.page = None;
        self.status = RtStatus::Disconnected;
    }

    /// The socket is gone: wait, then open a new one (while wanted).
    fn lost(&mut self, weak: Weak<std::cell::RefCell<Inner>>) {
        self.socket = None;
        self.ping = None;
        if !self.wanted {
            self.status = RtStatus::Disconnected;
            return;
        }
        self.status = RtStatus::Connecting;
        let delay = backoff_ms(self.attempt, Math::random());
        self.attempt = self.attempt.saturating_add(1);
        self.retry = Some(Timer::once(delay, move || {
            if let Some(inner) = weak.upgrade() {
                open(&inner);
            }
        }));
    }
}

/// `feed.connect()`.
pub fn connect(inner: &Shared) {
    {
        let mut i = inner.borrow_mut();
        if i.rt.wanted {
            return;
        }
        i.rt.wanted = true;
        i.rt.attempt = 0;
        i.rt.page = page_listeners(Rc::downgrade(inner));
    }
    open(inner);
}

/// `feed.disconnect()`.
pub fn disconnect(inner: &Shared) {
    inner.borrow_mut().rt.stop();
    feed::notify(inner);
}

/// Reconnects at once (after a gap, or when the browser is back online), if wanted.
pub fn reconnect_now(inner: &Shared) {
    {
        let mut i = inner.borrow_mut();
        if !i.rt.wanted {
            return;
        }
        i.rt.attempt = 0;
    }
    open(inner);
}

/// Opens a new socket (closing any current one), resuming from the feed's `seq`.
fn open(inner: &Shared) {
    let weak = Rc::downgrade(inner);
    {
        let mut guard = inner.borrow_mut();
        let i = &mut *guard;
        i.rt.retry = None;
        i.rt.socket = None;
        i.rt.ping = None;
        i.rt.gen = i.rt.gen.wrapping_add(1);
        let gen = i.rt.gen;
        let seq = i.state.seq();
        let token = i.config.user_token.borrow().clone().unwrap_or_default();
        let url = socket_url(&i.config.base_url, &i.config.user_path(""), &i.config.api_key, &token, seq);
        i.rt.resumed = seq > 0;
        i.rt.status = RtStatus::Connecting;
        match WebSocket::new(&url) {
            Ok(ws) => i.rt.socket = Some(handlers(ws, weak, gen)),
            Err(_) => i.rt.lost(weak),
        }
    }
    feed::notify(inner);
}

fn handlers(ws: WebSocket, weak: Weak<std::cell::RefCell<Inner>>, gen: u32) -> Socket {
    let w = weak.clone();
    let on_open = Closure::<dyn FnMut()>::new(move || on_open(&w, gen));
    let w = weak.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| on_message(&w, gen, e.data()));
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_| on_close(&weak, gen));
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Socket { ws, _on_open: on_open, _on_message: on_message, _on_close: on_close }
}

/// The feed, if it still exists and `gen` is its current socket.
fn current(weak: &Weak<std::cell::RefCell<Inner>>, gen: u32) -> Option<Shared> {
    let inner = weak.upgrade()?;
    let ok = inner.borrow().rt.gen == gen;
    ok.then_some(inner)
}

fn on_open(weak: &Weak<std::cell::RefCell<Inner>>, gen: u32) {
    let Some(inner) = current(weak, gen) else { return };
    let fetch = {
        let mut i = inner.borrow_mut();
        i.rt.status = RtStatus::Connected;
        i.rt.awaiting_pong = false;
        let w = weak.clone();
        i.rt.ping = Some(Timer::every(PING_MS, move || on_ping(&w, gen)));
        !i.rt.resumed
    };
    feed::notify(&inner);
    if fetch {
        // No seq to resume from: what happened before this socket existed comes from a page.
        feed::refetch(&inner);
    }
}

fn on_message(weak: &Weak<std::cell::RefCell<Inner>>, gen: u32, data: JsValue) {
    let Some(inner) = current(weak, gen) else { return };
    let Some(text) = data.as_string() else { return };
    let follow = {
        let mut i = inner.borrow_mut();
        i.rt.awaiting_pong = false;
        i.rt.attempt = 0;
        let Ok(v) = js_sys::JSON::parse(&text) else { return };
        // `pong` and event types this version does not know are skipped.
        let Some(ev) = wire::event(&v) else { return };
        if i.fetching {
            i.buffered.push(ev);
            return;
        }
        FollowUp::apply(&mut i, vec![ev])
    };
    feed::notify(&inner);
    follow.run(&inner);
}

fn on_close(weak: &Weak<std::cell::RefCell<Inner>>, gen: u32) {
    let Some(inner) = current(weak, gen) else { return };
    inner.borrow_mut().rt.lost(weak.clone());
    feed::notify(&inner);
}

fn on_ping(weak: &Weak<std::cell::RefCell<Inner>>, gen: u32) {
    let Some(inner) = current(weak, gen) else { return };
    let dead = {
        let mut i = inner.borrow_mut();
        if i.rt.awaiting_pong {
            i.rt.lost(weak.clone());
            true
        } else {
            i.rt.awaiting_pong = true;
            if let Some(s) = &i.rt.socket {
                let _ = s.ws.send_with_str("ping");
            }
            false
        }
    };
    if dead {
        feed::notify(&inner);
    }
}

/// Catch up when the browser is back online or the tab is visible again (pages only).
fn page_listeners(weak: Weak<std::cell::RefCell<Inner>>) -> Option<PageListeners> {
    let global: EventTarget = js::global().dyn_into().ok()?;
    let document: Option<Document> = js::get_some(&global, "document").map(JsCast::unchecked_into);
    let w = weak.clone();
    let on_online = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = w.upgrade() {
            catch_up(&inner);
        }
    });
    let doc = document.clone();
    let on_visibility = Closure::<dyn FnMut()>::new(move || {
        let (Some(inner), Some(doc)) = (weak.upgrade(), doc.as_ref()) else { return };
        let now = js_sys::Date::now();
        let stale = {
            let mut i = inner.borrow_mut();
            if doc.visibility_state() == VisibilityState::Hidden {
                i.rt.hidden_since = Some(now);
                return;
            }
            i.rt.hidden_since.take().is_some_and(|t| now - t >= HIDDEN_REFETCH_MS)
        };
        let connected = inner.borrow().rt.status == RtStatus::Connected;
        if stale || !connected {
            catch_up(&inner);
        }
    });
    let _ = global.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    let document: Option<EventTarget> = document.map(Into::into);
    if let Some(d) = &document {
        let _ = d.add_event_listener_with_callback("visibilitychange", on_visibility.as_ref().unchecked_ref());
    }
    Some(PageListeners { global, document, on_online, on_visibility })
}

/// Refetches, and reconnects at once unless the socket is open.
fn catch_up(inner: &Shared) {
    let connected = inner.borrow().rt.status == RtStatus::Connected;
    if !connected {
        reconnect_now(inner);
    }
    feed::refetch(inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_the_upper_half_random() {
        assert_eq!(backoff_ms(0, 0.0), 250.0);
        assert_eq!(backoff_ms(0, 1.0), 500.0);
        assert_eq!(backoff_ms(1, 0.0), 500.0);
        assert_eq!(backoff_ms(3, 0.5), 3000.0);
        assert_eq!(backoff_ms(10, 0.0), 15_000.0);
        assert_eq!(backoff_ms(u32::MAX, 0.999), 15_000.0 + 15_000.0 * 0.999);
    }
}
