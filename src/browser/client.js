// The package's API: `new TidingsClient(options)`, `client.feed(filter)` (feed.js),
// `client.push` (push.js) and the service worker handlers (push.js). Plain JS over the wasm
// module's one export, `FeedCore` (src/browser/feed.rs): the feed's state machine.

import { tidingsError } from "./bindings.js";
import { Feed } from "./feed.js";
import * as push from "./push.js";

export { Feed };
export { handlePush, handleNotificationClick, handleSubscriptionChange } from "./push.js";

/** The `FeedCore` class of the wasm module, given by its start function (`init()`). */
let Core = null;

/** Called once by the wasm module when it starts, with a `FeedCore`: its class makes the feeds'. */
export function register(core) {
  Core = core.constructor;
  core.free();
}

/**
 * The entry point of the package: `new TidingsClient({baseUrl, apiKey, userId, userToken})`,
 * the edge's URL (e.g. `https://tidings.example.com`), the public key, the user's id and the
 * HS256 user token your backend signed for that user. Throws `invalid_argument` when one is
 * missing. The credentials are one object that feeds and push read at each request, so
 * `setUserToken` reaches them all.
 */
export class TidingsClient {
  constructor(options) {
    const text = (k) => (options && typeof options[k] === "string" && options[k]) || undefined;
    const baseUrl = (text("baseUrl") || "").replace(/\/+$/, "");
    if (!/^https?:\/\//.test(baseUrl)) throw tidingsError("invalid_argument", "baseUrl must be an http(s) URL");
    const apiKey = text("apiKey"), userId = text("userId");
    if (!apiKey || !userId) throw tidingsError("invalid_argument", "apiKey and userId must be non-empty strings");
    this._config = { baseUrl, apiKey, userId, userToken: text("userToken") };
    this._push = new PushClient(this._config);
  }

  /**
   * The in-app feed of this user, filtered by `filter` (`status`, `channel_type`, `topic`,
   * `read`, `seen`, `archived`, and `limit`, the page size). Nothing is fetched until `fetch()`
   * or `connect()`. Throws `invalid_argument` for a field it does not know or a bad value.
   */
  feed(filter) {
    if (!Core) throw tidingsError("invalid_argument", "call the package's init() first");
    return new Feed(new Core(filter), this._config, filter);
  }

  /** Web Push: `isSupported()`, `permission()`, `subscribe({registration})`, `unsubscribe()`, `sync()`. */
  get push() {
    return this._push;
  }

  /**
   * Replaces the user token (e.g. before the old one expires); feeds and push use it from their
   * next request on (a connected feed uses it when it reconnects).
   */
  setUserToken(token) {
    this._config.userToken = token || undefined;
  }

  /** The user this client acts for. */
  get userId() {
    return this._config.userId;
  }

  /** The edge's base URL, without a trailing slash. */
  get baseUrl() {
    return this._config.baseUrl;
  }
}

/** `client.push`: this browser's Web Push subscription, registered at the edge for the user (push.js). */
export class PushClient {
  constructor(config) {
    this._config = config;
  }
  /** Whether this browser has the Push API, service workers and notifications. */
  isSupported() {
    return push.isSupported();
  }
  /** `"granted"`, `"denied"`, `"default"` (not asked yet) or `"unsupported"`. */
  permission() {
    return push.permission();
  }
  /**
   * Subscribes this browser (asking for permission if never asked) and registers the
   * subscription at the edge. Idempotent: an unchanged subscription is not sent again
   * (`changed: false`); a changed one is registered and the old one removed at the edge.
   * Options: `registration` (required), `subscription` (use this one instead of asking the
   * browser; the test seam), `device`, `timeoutMs` for `pushManager.subscribe()` (15 s).
   */
  subscribe(options) {
    return push.subscribe(this._config, options);
  }
  /**
   * Unsubscribes the browser and removes the subscription at the edge. Options:
   * `registration` (default `navigator.serviceWorker.ready`), `subscription`.
   */
  unsubscribe(options) {
    return push.unsubscribe(this._config, options);
  }
  /**
   * Brings the edge in line with the browser without prompting: registers the browser's current
   * subscription if it changed, removes the registered one if the browser has none (or
   * permission was revoked), and re-subscribes when the subscription was made with another VAPID
   * key than the edge's current one (`GET /vapid`), as after a key rotation. Call it on every
   * page load. Options as for `unsubscribe`, and `timeoutMs` for `pushManager.subscribe()`.
   */
  sync(options) {
    return push.sync(this._config, options);
  }
}
