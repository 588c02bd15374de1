// Web Push in the browser: `client.push` (subscribe, unsubscribe, sync) and the service worker
// handlers (handlePush, handleNotificationClick, handleSubscriptionChange). src/browser/push.rs
// and src/browser/sw.rs export them with their types. Plain JS: this is browser plumbing
// (pushManager, IndexedDB, clients) with no feed state, and in wasm it was a fifth of the package.
//
// The registration is recorded in IndexedDB (database "tidings", store "push") under the
// service worker registration's scope: {baseUrl, apiKey, userId, endpoint, p256dh, auth,
// subscriptionToken}. The page writes it when it registers a subscription; the service worker
// reads it to find the edge, the user and the subscription token, even days later.
//
// Test seam: subscribe, unsubscribe and sync take an optional `subscription` (a
// PushSubscription, or any object with `endpoint`, `toJSON()` and optionally `unsubscribe()` and
// `options.applicationServerKey`), used instead of asking `registration.pushManager` (headless
// browsers have no push service); sync re-subscribes through `registration.pushManager`.

import { send, tidingsError, userCall } from "./bindings.js";

const SUBSCRIBE_TIMEOUT_MS = 15000;
const READY_TIMEOUT_MS = 5000;

// --- The stored registration (IndexedDB) ---

function idb(name, mode, f) {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") throw tidingsError("unsupported", "IndexedDB is not available here");
    const open = indexedDB.open("tidings", 2);
    open.onupgradeneeded = () => {
      for (const s of ["push", "inbox"]) if (!open.result.objectStoreNames.contains(s)) open.result.createObjectStore(s);
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result, tx = db.transaction(name, mode), req = f(tx.objectStore(name));
      tx.oncomplete = () => (db.close(), resolve(req.result));
      tx.onabort = () => (db.close(), reject(tx.error));
    };
  });
}
const getRecord = (scope) => idb("push", "readonly", (s) => s.get(scope)).then((r) => r || null, () => null);
const putRecord = (scope, record) => idb("push", "readwrite", (s) => s.put(record, scope));
const deleteRecord = (scope) => idb("push", "readwrite", (s) => s.delete(scope)).catch(() => {});

// --- The offline inbox (IndexedDB store "inbox"): the last 100 pushed payloads by delivery id ---

/** Keeps payload `p` (with the time it came); the oldest beyond 100 go (ids are ULIDs: key order is age). */
export const saveInbox = (p) => idb("inbox", "readwrite", (s) => {
  s.put({ p, at: new Date().toISOString() }, p.delivery_id);
  const keys = s.getAllKeys();
  keys.onsuccess = () => keys.result.slice(0, -100).forEach((k) => s.delete(k));
  return keys;
});

/** The stored payloads of `user` (by their action token), newest first ([] without IndexedDB). */
export const loadInbox = (user) =>
  idb("inbox", "readonly", (s) => s.getAll()).then((r) => r.filter((x) => tokenUser(x.p.action_token) == user).reverse(), () => []);

/** Sets the app badge to count `n` (if it is one) where the browser has a badge (page or service worker). */
export function badge(n) {
  const nav = globalThis.navigator;
  if (n >= 0 && nav && "setAppBadge" in nav) nav.setAppBadge(n).catch(() => {});
}

// --- Helpers ---

const has = (o, k) => o != null && typeof o === "object" && k in o;
const status = (endpoint, changed) => ({ subscribed: endpoint != null, endpoint: endpoint ?? null, changed });

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(tidingsError("timeout", `${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function b64url(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The subscription's `{endpoint, keys: {p256dh, auth}}`, as the edge takes it. */
function subscriptionJson(sub) {
  const j = sub.toJSON();
  const keys = (j && j.keys) || {};
  if (!j || !j.endpoint || !keys.p256dh || !keys.auth) {
    throw tidingsError("invalid_argument", "the push subscription has no endpoint, keys.p256dh or keys.auth");
  }
  return { endpoint: j.endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

function pushManager(registration) {
  if (!registration || !registration.pushManager) {
    throw tidingsError("unsupported", "this registration has no pushManager (Push API not available)");
  }
  return registration.pushManager;
}

function scopeOf(registration) {
  if (!registration || typeof registration.scope !== "string") {
    throw tidingsError("invalid_argument", "registration must be a ServiceWorkerRegistration");
  }
  return registration.scope;
}

async function vapidKey(baseUrl) {
  const answer = await send("GET", `${baseUrl}/vapid`, {});
  if (typeof (answer && answer.publicKey) !== "string") {
    throw tidingsError("invalid_response", "GET /vapid answered without a publicKey");
  }
  return answer.publicKey.replace(/=+$/, "");
}

/** The VAPID key a subscription was made with (base64url), when the browser tells. */
const serverKey = (sub) => (sub.options && sub.options.applicationServerKey ? b64url(sub.options.applicationServerKey) : undefined);

/**
 * `sub`, unless it was made with another VAPID key than the edge's current one (a key rotation):
 * then, or without `sub`, a new subscription made with the current key.
 */
async function withCurrentKey(config, registration, sub, options) {
  const made = sub && serverKey(sub);
  if (sub && !made) return sub;
  const key = await vapidKey(config.baseUrl);
  if (made === key) return sub;
  if (sub) await Promise.resolve().then(() => sub.unsubscribe()).catch(() => {});
  return createSubscription(registration, key, options && options.timeoutMs);
}

function createSubscription(registration, key, timeoutMs) {
  const p = pushManager(registration).subscribe({ userVisibleOnly: true, applicationServerKey: key });
  return withTimeout(p, timeoutMs ?? SUBSCRIBE_TIMEOUT_MS, "pushManager.subscribe()");
}

/** The browser's subscription: the injected one when `options` has `subscription` (even null). */
async function currentSubscription(registration, options) {
  if (has(options, "subscription")) return options.subscription ?? null;
  return (await pushManager(registration).getSubscription()) ?? null;
}

async function registrationOf(options) {
  if (options && options.registration) return options.registration;
  const container = typeof navigator !== "undefined" && navigator.serviceWorker;
  if (!container) throw tidingsError("unsupported", "service workers are not available here");
  return withTimeout(container.ready, READY_TIMEOUT_MS, "navigator.serviceWorker.ready");
}

// --- client.push ---

export function isSupported() {
  return "PushManager" in globalThis && "Notification" in globalThis && "ServiceWorkerRegistration" in globalThis;
}

export function permission() {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

async function removeAtEdge(config, endpoint) {
  try {
    await userCall(config, "DELETE", `/webpush?endpoint=${encodeURIComponent(endpoint)}`);
  } catch (e) {
    if (e.code !== "not_found") throw e;
  }
}

/** Registers `sub` unless the record says it already is; a replaced subscription is removed. */
async function register(config, scope, sub, device) {
  const json = subscriptionJson(sub);
  const old = await getRecord(scope);
  if (old && old.userId === config.userId && old.baseUrl === config.baseUrl && old.endpoint === json.endpoint &&
    old.p256dh === json.keys.p256dh && old.auth === json.keys.auth) {
    return status(json.endpoint, false);
  }
  // The edge validates `device` (and names the field it refuses).
  const body = { sub: json, device: device || undefined, applicationServerKey: serverKey(sub) };
  const answer = await userCall(config, "POST", "/webpush", body);
  if (typeof (answer && answer.subscription_token) !== "string") {
    throw tidingsError("invalid_response", "the edge did not return a subscription_token");
  }
  if (old && old.endpoint !== json.endpoint && old.userId === config.userId) {
    // The browser's subscription changed: the old endpoint is dead.
    await removeAtEdge(config, old.endpoint).catch(() => {});
  }
  const record = {
    baseUrl: config.baseUrl, apiKey: config.apiKey, userId: config.userId, endpoint: json.endpoint,
    p256dh: json.keys.p256dh, auth: json.keys.auth, subscriptionToken: answer.subscription_token,
  };
  await putRecord(scope, record).catch((e) => console.warn("tidings: could not store the push registration", e));
  return status(json.endpoint, true);
}

async function ensurePermission() {
  if (!isSupported()) throw tidingsError("unsupported", "this browser has no Push API");
  let state = permission();
  if (state === "default" && Notification.requestPermission) state = await Notification.requestPermission();
  if (state !== "granted") throw tidingsError("permission_denied", `notification permission is ${state}`);
}

export async function subscribe(config, options) {
  const registration = options && options.registration;
  if (!registration) {
    throw tidingsError("invalid_argument", "subscribe({registration}) needs the service worker registration");
  }
  const scope = scopeOf(registration);
  const device = options.device ?? null;
  if (device !== null && typeof device !== "object") throw tidingsError("invalid_argument", "device must be an object");
  let sub = options.subscription;
  if (!sub) {
    await ensurePermission();
    sub = await withCurrentKey(config, registration, await currentSubscription(registration, undefined), options);
  }
  return register(config, scope, sub, device);
}

export async function unsubscribe(config, options) {
  const registration = await registrationOf(options);
  const scope = scopeOf(registration);
  const record = await getRecord(scope);
  const browser = await currentSubscription(registration, options).catch(() => null);
  const endpoints = [];
  if (record && record.userId === config.userId) endpoints.push(record.endpoint);
  if (browser) {
    if (typeof browser.endpoint === "string" && !endpoints.includes(browser.endpoint)) endpoints.push(browser.endpoint);
    if (browser.unsubscribe) await Promise.resolve(browser.unsubscribe()).catch(() => {});
  }
  for (const e of endpoints) await removeAtEdge(config, e);
  await deleteRecord(scope);
  return status(null, endpoints.length > 0 || record !== null);
}

export async function sync(config, options) {
  const registration = await registrationOf(options);
  const scope = scopeOf(registration);
  let browser = await currentSubscription(registration, options);
  // Permission revoked: the browser's subscription no longer delivers.
  if (!has(options, "subscription") && permission() !== "granted") browser = null;
  if (browser) return register(config, scope, await withCurrentKey(config, registration, browser, options), null);
  const record = await getRecord(scope);
  if (record) {
    if (record.userId === config.userId) await removeAtEdge(config, record.endpoint);
    await deleteRecord(scope);
  }
  return status(null, record !== null);
}

// --- Service worker handlers ---

/** Hands `promise` to `event.waitUntil` (synthetic events refuse; callers await it) and returns it. */
function extend(event, promise) {
  try {
    event.waitUntil(promise);
  } catch {
    // An untrusted event: the caller waits on the returned promise.
  }
  return promise;
}

function swRegistration(options) {
  const r = (options && options.registration) || globalThis.registration;
  if (!r) throw tidingsError("unsupported", "no service worker registration: call this from a service worker");
  return r;
}

/** The edge from `options`, completed by the stored record of the registration's scope. */
async function edgeOf(options, registration) {
  const record = typeof registration.scope === "string" ? await getRecord(registration.scope) : null;
  const baseUrl = (options && options.baseUrl) || (record && record.baseUrl);
  const apiKey = (options && options.apiKey) || (record && record.apiKey);
  return baseUrl && apiKey ? { baseUrl: baseUrl.replace(/\/+$/, ""), apiKey, record } : null;
}

/** A Tidings payload has `delivery_id` and `action_token`. */
const isPayload = (p) => p != null && typeof p.delivery_id === "string" && typeof p.action_token === "string";

/** The user id inside an action token (`u` of its base64url JSON claims). */
function tokenUser(token) {
  try {
    const claims = atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(claims, (c) => c.charCodeAt(0)))).u;
  } catch {
    return undefined;
  }
}

/** `PATCH /users/{u}/deliveries/{d}` `{[field]: true}` with the payload's action token. */
function report(edge, p, field) {
  const user = tokenUser(p.action_token) ?? (edge.record && edge.record.userId);
  if (typeof user !== "string") {
    return Promise.reject(tidingsError("invalid_argument", "the payload's action token names no user"));
  }
  const url = `${edge.baseUrl}/users/${encodeURIComponent(user)}/deliveries/${encodeURIComponent(p.delivery_id)}`;
  const headers = { "x-api-key": edge.apiKey, "x-action-token": p.action_token };
  return send("PATCH", url, headers, { [field]: true });
}

export function handlePush(event, options) {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    // Not JSON: not ours.
  }
  return extend(event, (async () => {
    if (!isPayload(payload)) return null;
    const registration = swRegistration(options);
    const n = { tag: payload.delivery_id, data: payload };
    if (typeof payload.body === "string") n.body = payload.body;
    if (typeof payload.icon === "string") n.icon = payload.icon;
    await registration.showNotification(typeof payload.title === "string" ? payload.title : "", n);
    badge(payload.unread_count);
    await saveInbox(payload).catch(() => {});
    if (!options || options.reportSeen !== false) {
      const edge = await edgeOf(options, registration);
      if (!edge) console.warn("tidings: no baseUrl/apiKey (options or a stored registration)");
      else await report(edge, payload, "seen").catch((e) => console.warn("tidings: could not report the notification seen", e));
    }
    return payload;
  })());
}

/** Focuses the window showing `url`, else opens one; null when the browser refuses. */
async function focusOrOpen(url) {
  try {
    const list = await clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = list.find((c) => c.url === url);
    if (open) return await open.focus();
  } catch {
    // Fall through to openWindow.
  }
  return clients.openWindow(url).then((w) => w ?? null, () => null);
}

export function handleNotificationClick(event, options) {
  const notification = event.notification;
  try {
    notification.close();
  } catch {
    // Nothing to close.
  }
  const payload = isPayload(notification && notification.data) ? notification.data : null;
  return extend(event, (async () => {
    const registration = swRegistration(options);
    const edge = payload && (await edgeOf(options, registration));
    // Start the report first; focusing must not wait for the network.
    const reported = edge && report(edge, payload, "clicked")
      .catch((e) => console.warn("tidings: could not report the notification clicked", e));
    const target = (payload && typeof payload.url === "string" && payload.url) || (options && options.defaultUrl);
    let url = null;
    try {
      url = target ? new URL(target, registration.scope).href : null;
    } catch {
      // Not a URL: nothing to open.
    }
    const window = url ? await focusOrOpen(url) : null;
    await reported;
    return { url, window };
  })());
}

export function handleSubscriptionChange(event, options) {
  const { oldSubscription, newSubscription } = event;
  return extend(event, (async () => {
    const registration = swRegistration(options);
    const scope = typeof registration.scope === "string" ? registration.scope : "";
    const edge = await edgeOf(options, registration);
    if (!edge || !edge.record) {
      console.warn("tidings: pushsubscriptionchange with no stored registration for", scope);
      return null;
    }
    const { baseUrl, apiKey, record } = edge;
    const sub = newSubscription ||
      (await createSubscription(registration, await vapidKey(baseUrl), options && options.timeoutMs));
    const json = subscriptionJson(sub);
    const body = {
      sub: json, old_endpoint: (oldSubscription && oldSubscription.endpoint) || record.endpoint, applicationServerKey: serverKey(sub),
    };
    const url = `${baseUrl}/users/${encodeURIComponent(record.userId)}/webpush`;
    const answer = await send("POST", url, { "x-api-key": apiKey, "x-subscription-token": record.subscriptionToken }, body);
    await putRecord(scope, {
      baseUrl, apiKey, userId: record.userId, endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth,
      subscriptionToken: typeof (answer && answer.subscription_token) === "string"
        ? answer.subscription_token : record.subscriptionToken,
    });
    return status(json.endpoint, true);
  })());
}
