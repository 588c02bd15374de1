// `client.feed(filter)`: the in-app feed store. The state is Rust's (`FeedCore` of
// src/browser/feed.rs, the core's FeedState): pages, optimistic marks confirmed with the edge's
// counts or rolled back, realtime events in `seq` order, what a gap or a `reset` needs. This
// file is the I/O around it: fetch, the socket, timers, page listeners, and the listeners of
// the feed. Plain JS: in wasm the same plumbing (futures, closures, web-sys) was a third of the
// package.
//
// Tabs share one socket: in a page with Web Locks and BroadcastChannel, the feeds of one user
// (every tab, every filter) take turns holding the lock `tidings:<baseUrl>:<userId>`; the holder
// (the leader) opens the socket and posts each message on the BroadcastChannel of that name, the
// others apply what it posts. Optimistic marks are posted too (applied at once in every tab,
// then confirmed or rolled back as the edge answers the tab that made them). When the leader
// goes (tab closed, disconnect), the browser gives the lock to the next feed, which opens the
// socket with its own `since` and posts what the edge replays.
//
// Listeners get a snapshot `{items, unreadCount, unseenCount, totalCount, hasMore, status,
// error, realtime}`: the same frozen object until something changes, so it also works as
// `getSnapshot` for React's `useSyncExternalStore`.

import { tidingsError, userCall } from "./bindings.js";
import { badge, loadInbox } from "./push.js";

/** A ping every 25 s; no answer (or any other message) by the next one = the connection is dead. */
const PING_MS = 25000;
/** A tab hidden this long refetches when it becomes visible again. */
const HIDDEN_REFETCH_MS = 60000;
/** Bits of `FeedCore.event`'s answer. */
const REFETCH = 1, RECONNECT = 2, IGNORED = 4;

/**
 * What FeedCore reads of each delivery, packed in one string (a crossing per field cost more
 * than the rest of a page's ingest): these fields, each followed by "\x01", "\x02" for one that
 * is not a string, as UTF-8 (TextEncoder: wasm-bindgen's own string copy goes a character at a
 * time). The last 8 are those that can change (`changing` in src/browser/items.rs).
 */
const FIELDS = ["id", "channel_type", "topic", "status", "reason", "updated_at", "sent_at", "seen_at", "read_at", "clicked_at", "archived_at"];
const CHANGING = FIELDS.slice(3);
const encoder = new TextEncoder();
const pack = (list) => {
  let s = "";
  for (const d of list) for (const k of FIELDS) {
    const v = Object(d)[k];
    s += (typeof v == "string" ? v : "\x02") + "\x01";
  }
  return s;
};

const notAPage = () => tidingsError("invalid_response", "unexpected answer from the edge: not a page");

/**
 * `client.feed(filter)`: made by `TidingsClient.feed` with a `FeedCore` that accepted `filter`
 * and the client's credentials object.
 */
export class Feed {
  constructor(core, config, filter) {
    this._c = core;
    this._cfg = config;
    // The filter as query parameters (checked by FeedCore; their names are the edge's).
    this._query = Object.keys(filter || {})
      .filter((k) => filter[k] != null)
      .map((k) => `&${k}=${encodeURIComponent(filter[k])}`)
      .join("");
    this._status = "idle";
    this._error = null;
    this._rt = "disconnected";
    this._listeners = [];
    this._snap = null;
    // The delivery objects, by slot (FeedCore's numbers).
    this._o = [];
    // Number of the latest replacing fetch; older answers are dropped.
    this._gen = 0;
    // A replacing fetch is in flight: realtime events wait in `_buffered` until its page is in.
    this._fetching = false;
    this._buffered = [];
    this._loadingMore = false;
    this._want = false;
    this._ws = null;
    this._attempt = 0;
    // The offline inbox (push.js) is shown until the first page is in, in a feed that lists
    // every delivery (its filter has at most `limit` and `archived`, not `only`).
    this._inbox = Object.keys(filter || {}).every((k) => k == "limit" || (k == "archived" && filter[k] != "only")) ? 0 : [];
  }

  _get(after) {
    const query = this._query + (after === undefined ? "" : `&after=${encodeURIComponent(after)}`);
    return userCall(this._cfg, "GET", "/deliveries" + query.replace("&", "?"));
  }

  /** Fetches the first page (replacing what is loaded); resolves to the snapshot. */
  async fetch() {
    const gen = ++this._gen;
    if (this._inbox === 0) {
      this._inbox = [];
      loadInbox(this._cfg.userId).then((list) => {
        this._inbox = list.map(inboxItem);
        this._inboxUnread = list.length ? list[0].p.unread_count : undefined;
        this._notify();
      });
    }
    this._fetching = true;
    if (this._status !== "ready") this._status = "loading";
    this._notify();
    let answer, err;
    try {
      answer = await this._get();
    } catch (e) {
      err = e;
    }
    if (gen === this._gen) {
      this._fetching = false;
      if (!err && !this._page(answer, false)) err = notAPage();
      if (err) {
        if (this._status !== "ready") this._status = "error";
      } else this._status = "ready";
      this._error = err || null;
      let follow = 0;
      for (const ev of this._buffered.splice(0)) follow |= this._event(ev) & ~IGNORED;
      this._notify();
      this._follow(follow);
    }
    // Else a newer fetch replaces this one (and drains the buffered events).
    if (err) throw err;
    return this.getSnapshot();
  }

  /**
   * Takes a page answer of `GET /users/{id}/deliveries` you already have (e.g. fetched by your
   * server and rendered with the page) as the first page, without a request; returns the
   * snapshot. Throws `invalid_response` when it is not a page.
   */
  hydrate(answer) {
    if (!this._page(answer, false)) throw notAPage();
    this._status = "ready";
    this._error = null;
    this._notify();
    return this._snap;
  }

  // Applies a page answer; false when it is not one.
  _page(answer, append) {
    const items = Object(answer).items;
    const slots = Array.isArray(items) && this._c.page(answer, encoder.encode(pack(items)), append);
    if (slots) slots.forEach((s, i) => (this._o[s] = items[i]));
    return slots;
  }

  // Applies a realtime message; answers FeedCore's bits.
  _event(message) {
    const d = Object(message).delivery, bits = this._c.event(message, encoder.encode(pack([d])));
    if (bits > 7) this._o[(bits >> 3) - 1] = d;
    return bits & 7;
  }

  // The objects of the listed deliveries: the same as before, or copies with FeedCore's values
  // (null = absent) of the fields that can change. FeedCore's answer: a slot per delivery; with
  // bit 31 (changed by an operation) a copy, with bit 30 (an object just taken in) a copy only if
  // a value differs; each of the two followed by a code per changing field (0 = unchanged). The
  // statements are the same for both, so that pages warm up what a first operation runs.
  _items() {
    const out = this._c.items(), values = this._c.values().split("\x01"), o = this._o, items = [];
    const v = (c) => (c > 1 ? values[c - 2] : null);
    for (let i = 0, c; i < out.length; ) {
      const s = out[i++], j = s & 0x3fffffff;
      let d = o[j];
      if (s >>> 30) {
        const n = { ...d };
        if ((c = out[i++])) n.status = v(c);
        if ((c = out[i++])) n.reason = v(c);
        if ((c = out[i++])) n.updated_at = v(c);
        if ((c = out[i++])) n.sent_at = v(c);
        if ((c = out[i++])) n.seen_at = v(c);
        if ((c = out[i++])) n.read_at = v(c);
        if ((c = out[i++])) n.clicked_at = v(c);
        if ((c = out[i++])) n.archived_at = v(c);
        d = o[j] = s >>> 31 || CHANGING.some((k) => n[k] !== (d[k] ?? null)) ? n : d;
      }
      items.push(d);
    }
    return items;
  }

  /** Loads the next (older) page, if any; resolves to the snapshot. */
  async loadMore() {
    if (this._status === "idle") return this.fetch();
    const after = this._c.after();
    if (this._loadingMore || after === undefined) return this.getSnapshot();
    this._loadingMore = true;
    const gen = this._gen;
    let answer, err;
    try {
      answer = await this._get(after);
    } catch (e) {
      err = e;
    }
    this._loadingMore = false;
    // Unless the list was replaced meanwhile (this page's cursor belongs to the old one).
    if (gen === this._gen) {
      if (!err && !this._page(answer, true)) err = notAPage();
      this._error = err || null;
      this._notify();
    }
    if (err) throw err;
    return this.getSnapshot();
  }

  /** Marks these deliveries seen (optimistic; rolled back if the edge refuses). */
  markSeen(ids) { return this._mark("seen", ids); }
  /** Marks these deliveries read (and seen). */
  markRead(ids) { return this._mark("read", ids); }
  /** Marks these deliveries unread. */
  markUnread(ids) { return this._mark("unread", ids); }
  /** Archives these deliveries (they leave a feed that excludes archived ones). */
  markArchived(ids) { return this._mark("archived", ids); }
  /** Unarchives these deliveries. */
  markUnarchived(ids) { return this._mark("unarchived", ids); }
  /** Marks these deliveries clicked (and read, seen). */
  markClicked(ids) { return this._mark("clicked", ids); }
  /** Marks every non-archived delivery of the user read, loaded or not. */
  markAllRead() { return this._mark("read", null); }

  // Applies `action` at once (listeners see it), sends it, then confirms it with the edge's
  // counts or rolls it back (listeners see `error`).
  _mark(action, ids) {
    if (ids !== null) {
      if (typeof ids === "string") ids = [ids];
      else if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
        return Promise.reject(tidingsError("invalid_argument", "ids must be a delivery id or an array of them"));
      }
      if (!ids.length) return Promise.resolve();
    }
    const now = new Date().toISOString(), joined = ids && ids.join("\x01");
    const op = this._c.mark(action, joined, now);
    const key = Math.random();
    this._post({ mark: [key, action, joined, now] });
    this._notify();
    return userCall(this._cfg, "POST", "/deliveries/actions", ids ? { action, ids } : { action }).then(
      (answer) => {
        // Counts not understood: the change is kept (the edge applied it), the counts stay.
        if (this._c.confirm(op, answer && answer.meta)) this._error = null;
        this._post({ done: [key, answer && answer.meta] });
        this._notify();
      },
      (err) => {
        const kept = err.code === "invalid_response";
        if (kept) this._c.confirm(op, undefined);
        else {
          this._c.rollback(op);
          this._error = err;
        }
        this._post(kept ? { done: [key] } : { undo: key });
        this._notify();
        if (!kept) throw err;
      },
    );
  }

  /** Calls `listener(snapshot)` now and after every change; returns the unsubscribe function. */
  subscribe(listener) {
    const entry = { listener };
    this._listeners.push(entry);
    call(listener, this.getSnapshot());
    return () => {
      this._listeners = this._listeners.filter((e) => e !== entry);
    };
  }

  /** The current snapshot (the same object until something changes). */
  getSnapshot() {
    if (!this._snap) {
      let [unreadCount, unseenCount, totalCount, more] = this._c.counts(), items = this._items();
      // No page yet (loading, offline): the deliveries pushed to this browser, and the last count.
      if (this._status != "ready" && this._inbox.length) {
        items = this._inbox;
        unreadCount = this._inboxUnread ?? unreadCount;
      }
      this._snap = Object.freeze({
        items, unreadCount, unseenCount, totalCount, hasMore: more === 1,
        status: this._status, error: this._error, realtime: this._rt,
      });
    }
    return this._snap;
  }

  /** The last realtime event number applied (0 before the first one). */
  get seq() {
    return this._c.counts()[4];
  }

  _notify() {
    this._snap = null;
    const snap = this.getSnapshot(), n = snap.unreadCount;
    for (const { listener } of this._listeners.slice()) call(listener, snap);
    // The app badge once the listeners have the snapshot (the call can take a millisecond).
    if (snap.status == "ready" && n !== this._badge) badge((this._badge = n));
  }

  _follow(bits) {
    if (bits & RECONNECT) this._reconnectNow();
    if (bits & REFETCH) this._refetch();
  }

  _refetch() {
    this.fetch().catch(() => {});
  }

  // --- Realtime ---

  /**
   * Opens the realtime socket and keeps it open: reconnects with exponential backoff and jitter,
   * resumes with `since=<seq>`, refetches on `reset`, on a gap, when the browser comes back
   * online and when the tab becomes visible after a minute or more hidden. Without a known `seq`
   * (first connect), the first page is (re)fetched once the socket is open, so nothing created
   * in between is missed.
   */
  connect() {
    if (this._want) return;
    this._want = true;
    this._attempt = 0;
    this._pageListeners(true);
    const cfg = this._cfg, name = `tidings:${cfg.baseUrl}:${cfg.userId}`;
    const locks = globalThis.navigator && navigator.locks;
    if (!locks || typeof BroadcastChannel != "function") return this._open();
    const bc = (this._bc = new BroadcastChannel(name));
    bc.onmessage = (e) => this._shared(e.data);
    const lock = (this._lock = new AbortController());
    locks.request(name, { signal: lock.signal }, () => new Promise((release) => {
      this._release = release;
      this._open();
    })).catch(() => {});
    // Until this feed leads: a page of its own, then what the leader posts.
    this._rt = "connecting";
    this._post({ hello: 1 });
    this._refetch();
  }

  /** Closes the realtime socket (or leaves the tabs sharing one) and stops reconnecting. */
  disconnect() {
    this._want = false;
    this._drop();
    this._pageListeners(false);
    if (this._bc) {
      this._lock.abort();
      if (this._release) this._release();
      this._bc.close();
      this._bc = this._release = null;
    }
    this._rt = "disconnected";
    this._notify();
  }

  // Posts to the other feeds of this user (when tabs share the socket).
  _post(message) {
    if (this._bc) this._bc.postMessage(message);
  }

  // Sets the realtime status; the leader tells the others.
  _setRt(rt) {
    this._rt = rt;
    if (this._release) this._post({ rt });
  }

  // What another feed of this user posted.
  _shared(d) {
    const ops = (this._ops ||= new Map());
    if (d.m !== undefined) this._message(d.m);
    else if (d.rt) {
      if (!this._release) this._rt = d.rt;
      this._notify();
    } else if (d.hello) {
      if (this._release) this._post({ rt: this._rt });
    } else if (d.mark) {
      ops.set(d.mark[0], this._c.mark(d.mark[1], d.mark[2], d.mark[3]));
      this._notify();
    } else if (ops.has(d.done ? d.done[0] : d.undo)) {
      const key = d.done ? d.done[0] : d.undo;
      if (d.done) this._c.confirm(ops.get(key), d.done[1]);
      else this._c.rollback(ops.get(key));
      ops.delete(key);
      this._notify();
    }
  }

  _drop() {
    clearTimeout(this._retry);
    clearInterval(this._ping);
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }

  _reconnectNow() {
    // A feed that does not lead has no socket: the leader resumes, a refetch catches up.
    if (!this._want || (this._bc && !this._release)) return;
    this._attempt = 0;
    this._open();
  }

  // Opens a new socket (closing any current one), resuming from the feed's `seq`.
  _open() {
    this._drop();
    const cfg = this._cfg, seq = this.seq;
    const enc = encodeURIComponent;
    const url = `${cfg.baseUrl.replace(/^http/, "ws")}/users/${enc(cfg.userId)}/feed/socket?api_key=${enc(cfg.apiKey)}` +
      `&user_token=${enc(cfg.userToken || "")}` + (seq > 0 ? `&since=${seq}` : "");
    const resumed = seq > 0;
    this._setRt("connecting");
    try {
      const ws = (this._ws = new WebSocket(url));
      ws.onopen = () => this._opened(ws, resumed);
      ws.onmessage = (e) => {
        this._post({ m: e.data });
        this._message(e.data);
      };
      ws.onclose = () => {
        this._lost();
        this._notify();
      };
    } catch {
      this._lost();
    }
    this._notify();
  }

  // The socket is gone: wait, then open a new one (while wanted).
  _lost() {
    this._drop();
    if (!this._want) {
      this._rt = "disconnected";
      return;
    }
    this._setRt("connecting");
    // Exponential backoff (0.5 s doubling to 30 s), the upper half random ("equal jitter"), so
    // many tabs do not reconnect in lockstep.
    const full = Math.min(30000, 500 * 2 ** Math.min(this._attempt++, 16));
    const delay = full / 2 + (full / 2) * Math.random();
    this._retry = setTimeout(() => this._open(), delay);
  }

  _opened(ws, resumed) {
    this._setRt("connected");
    let awaitingPong = false;
    this._ping = setInterval(() => {
      if (awaitingPong) {
        this._lost();
        this._notify();
      } else {
        awaitingPong = true;
        ws.send("ping");
      }
    }, PING_MS);
    this._pong = () => (awaitingPong = false);
    this._notify();
    // No seq to resume from: what happened before this socket existed comes from a page.
    if (!resumed) this._refetch();
  }

  _message(data) {
    if (this._pong) this._pong();
    this._attempt = 0;
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (this._fetching) return void this._buffered.push(message);
    const bits = this._event(message);
    if (bits & IGNORED) return;
    this._notify();
    this._follow(bits);
  }

  // Catch up when the browser is back online or the tab is visible again (pages only).
  _pageListeners(on) {
    if (typeof addEventListener !== "function") return;
    const doc = globalThis.document;
    this._onOnline ||= () => this._catchUp();
    this._onVisibility ||= () => {
      const now = Date.now();
      if (doc.visibilityState === "hidden") return void (this._hiddenSince = now);
      const stale = this._hiddenSince !== undefined && now - this._hiddenSince >= HIDDEN_REFETCH_MS;
      this._hiddenSince = undefined;
      if (stale || this._rt !== "connected") this._catchUp();
    };
    const method = on ? "addEventListener" : "removeEventListener";
    globalThis[method]("online", this._onOnline);
    if (doc) doc[method]("visibilitychange", this._onVisibility);
  }

  // Refetches, and reconnects at once unless the socket is open.
  _catchUp() {
    if (this._rt !== "connected") this._reconnectNow();
    this._refetch();
  }
}

/** A delivery object of the offline inbox, from a stored push payload (push.js). */
function inboxItem({ p, at }) {
  return {
    id: p.delivery_id, notification_id: p.notification_id, channel_type: "web_push", status: "sent",
    data: { ...p.data, subject: p.title, body: p.body, url: p.url, icon: p.icon },
    created_at: at, updated_at: at, sent_at: at, seen_at: null, read_at: null, clicked_at: null, archived_at: null,
    offline: true,
  };
}

function call(listener, snap) {
  try {
    listener(snap);
  } catch (e) {
    console.error("tidings: a feed listener threw", e);
  }
}
