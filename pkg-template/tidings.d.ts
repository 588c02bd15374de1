/* tslint:disable */
/* eslint-disable */
// The types of the npm package `tidings` (written by hand: the API is plain JS over one wasm
// class, see src/browser/mod.rs). The wire types mirror the Rust ones of `crate::model` and
// `crate::notify::push`, as JS sees them (snake_case, as on the wire).

/** `new TidingsClient(options)`. */
export interface TidingsClientOptions {
  /** The edge, e.g. `https://tidings.example.com` (no path). */
  baseUrl: string;
  /** The public key (`pk_...`). */
  apiKey: string;
  /** The user this client acts for. */
  userId: string;
  /** HS256 JWT (`sub` = userId, `exp`) signed by your backend with TIDINGS_USER_TOKEN_SECRET. */
  userToken?: string;
}

export type DeliveryStatus = "pending" | "sent" | "delivered" | "failed" | "skipped" | "scheduled" | "canceled";
export type ChannelType = "in_app" | "web_push";

/** One notification to one user on one channel (`crate::model::Delivery`). */
export interface Delivery {
  id: string;
  notification_id: string;
  notiflow_id: string | null;
  actor_id: string | null;
  recipient_id: string;
  channel_id: string | null;
  channel_type: ChannelType;
  status: DeliveryStatus;
  reason: string | null;
  topic: string | null;
  category: string | null;
  /** `subject`, `body`, `url`, `icon` and whatever else the sender put there. */
  data: { subject?: string; body?: string; url?: string; icon?: string; [key: string]: unknown };
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  seen_at: string | null;
  read_at: string | null;
  clicked_at: string | null;
  archived_at: string | null;
  /** `scheduled`: when it is due. */
  deliver_at?: string;
  /**
   * Set on the deliveries of the offline inbox (the last 100 pushed to this browser, kept by
   * `handlePush` in IndexedDB), which a feed without a filter lists until its first page is in.
   */
  offline?: true;
}

/** The user's feed counts (non-archived in-app deliveries), whatever the filter. */
export interface FeedMeta {
  unread_count: number;
  unseen_count: number;
  total_count: number;
}

/** A page of `GET /users/{id}/deliveries`. */
export interface DeliveryPage {
  items: Delivery[];
  page: { limit: number; after: string | null; before: string | null; has_more_after: boolean; has_more_before: boolean };
  meta: FeedMeta;
}

/** `client.feed(filter)`: which deliveries the feed lists, and the page size. */
export interface FeedFilter {
  status?: DeliveryStatus;
  channel_type?: ChannelType;
  topic?: string;
  read?: boolean;
  seen?: boolean;
  /** Default `"exclude"`. */
  archived?: "exclude" | "include" | "only";
  /** Page size, 1..100 (the edge's default is 25). */
  limit?: number;
}

/** `"idle"` before the first fetch, `"loading"` during it, `"error"` if it failed. */
export type FeedStatus = "idle" | "loading" | "ready" | "error";
export type RealtimeStatus = "disconnected" | "connecting" | "connected";

/** What feed listeners get; the same frozen object until something changes. */
export interface FeedSnapshot {
  /**
   * Loaded deliveries matching the filter, newest first, optimistic changes applied. Until the
   * first page is in (loading, or offline), a feed without a filter lists its user's deliveries
   * of the offline inbox (`offline: true`) and `unreadCount` is the newest push's `unread_count`.
   */
  readonly items: readonly Delivery[];
  /** The user's unread count; a page sets the app badge to it whenever it changes (where supported). */
  readonly unreadCount: number;
  readonly unseenCount: number;
  readonly totalCount: number;
  /** Older deliveries can be loaded with `loadMore()`. */
  readonly hasMore: boolean;
  readonly status: FeedStatus;
  /** The last failure (a fetch, or an action that was rolled back); cleared by the next success. */
  readonly error: TidingsError | null;
  readonly realtime: RealtimeStatus;
}

export type FeedListener = (snapshot: FeedSnapshot) => void;

/** `client.feed(filter)`: the in-app feed store of one user and filter. */
export interface Feed {
  /** Fetches the first page (replacing what is loaded); resolves to the snapshot. */
  fetch(): Promise<FeedSnapshot>;
  /** Loads the next (older) page, if any; resolves to the snapshot. */
  loadMore(): Promise<FeedSnapshot>;
  /**
   * Takes a page answer of `GET /users/{id}/deliveries` you already have (e.g. fetched by your
   * server) as the first page, without a request; throws `invalid_response` if it is not one.
   */
  hydrate(answer: DeliveryPage): FeedSnapshot;
  /** Marks these deliveries seen (optimistic; rolled back if the edge refuses). */
  markSeen(ids: string[] | string): Promise<void>;
  /** Marks these deliveries read (and seen). */
  markRead(ids: string[] | string): Promise<void>;
  /** Marks these deliveries unread. */
  markUnread(ids: string[] | string): Promise<void>;
  /** Archives these deliveries (they leave a feed that excludes archived ones). */
  markArchived(ids: string[] | string): Promise<void>;
  /** Unarchives these deliveries. */
  markUnarchived(ids: string[] | string): Promise<void>;
  /** Marks these deliveries clicked (and read, seen). */
  markClicked(ids: string[] | string): Promise<void>;
  /** Marks every non-archived delivery of the user read, loaded or not. */
  markAllRead(): Promise<void>;
  /** Calls `listener(snapshot)` now and after every change; returns the function that unsubscribes it. */
  subscribe(listener: FeedListener): () => void;
  /** The current snapshot (the same object until something changes). */
  getSnapshot(): FeedSnapshot;
  /**
   * Opens the realtime socket and keeps it open: reconnects with exponential backoff and
   * jitter, resumes with `since=<seq>`, refetches on `reset`, on a gap, when the browser comes
   * back online and when the tab becomes visible after a minute or more hidden.
   */
  connect(): void;
  /** Closes the realtime socket and stops reconnecting. */
  disconnect(): void;
  /** The last realtime event number applied (0 before the first one). */
  readonly seq: number;
}

/** Codes of the edge's error envelope, plus those made in the browser. */
export type TidingsErrorCode =
  | "bad_request" | "validation_failed" | "unauthenticated" | "forbidden" | "not_found" | "conflict"
  | "invalid_transition" | "payload_too_large" | "rate_limited" | "provider_error" | "unavailable" | "internal"
  | "network_error" | "timeout" | "unsupported" | "permission_denied" | "invalid_argument" | "invalid_response";

/** Every rejection of this package: an `Error` named `TidingsError`. */
export interface TidingsError extends Error {
  readonly name: "TidingsError";
  readonly code: TidingsErrorCode;
  /** HTTP status of the edge's answer; 0 when none came. */
  readonly status: number;
  /** `X-Request-Id` of the answer (quote it when reporting a problem). */
  readonly requestId: string | null;
  /** What to do about it (edge errors). */
  readonly fix: string | null;
  /** Structured details of the envelope (`fields`, `retry_after`, ...). */
  readonly details: unknown;
}

/** A `PushSubscription`, or anything shaped like one (the test seam). */
export interface PushSubscriptionLike {
  readonly endpoint: string;
  toJSON(): { endpoint?: string; expirationTime?: number | null; keys?: Record<string, string> };
  unsubscribe?(): Promise<boolean>;
  /** `applicationServerKey`: the VAPID key it was made with (sync re-subscribes on a mismatch). */
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
}

/** The device a subscription lives on (optional). */
export interface PushDevice {
  device_id: string;
  app_id?: string;
  ad_id?: string;
  platform?: string;
  manufacturer?: string;
  model?: string;
}

export interface PushOptions {
  /** Default: `navigator.serviceWorker.ready`. */
  registration?: ServiceWorkerRegistration;
  /** Use this subscription (or `null`: none) instead of asking `registration.pushManager`. */
  subscription?: PushSubscription | PushSubscriptionLike | null;
  /** `sync`: how long `pushManager.subscribe()` may take when it re-subscribes (default 15000 ms). */
  timeoutMs?: number;
}

export interface PushSubscribeOptions {
  registration: ServiceWorkerRegistration;
  /** Use this subscription instead of `pushManager.subscribe()` (tests; your own subscription). */
  subscription?: PushSubscription | PushSubscriptionLike;
  device?: PushDevice;
  /** How long `pushManager.subscribe()` may take (default 15000 ms; then code `timeout`). */
  timeoutMs?: number;
}

/** What `subscribe`, `unsubscribe` and `sync` resolve to. */
export interface PushStatus {
  readonly subscribed: boolean;
  readonly endpoint: string | null;
  /** Whether the edge was changed by this call. */
  readonly changed: boolean;
}

/** What a push message of Tidings carries (`crate::notify::push::PushPayload`). */
export interface PushPayload {
  delivery_id: string;
  notification_id: string;
  title: string | null;
  body: string | null;
  url: string | null;
  icon: string | null;
  data: Record<string, unknown>;
  action_token: string;
  /** The recipient's unread count when it was sent (the app badge); absent when unknown. */
  unread_count?: number;
}

/** Options of the service worker handlers; all optional. */
export interface ServiceWorkerOptions {
  /** The edge; default: the one `client.push.subscribe()` stored for this scope. */
  baseUrl?: string;
  /** The public key; default: the stored one. */
  apiKey?: string;
  /** Default: the service worker's `self.registration`. */
  registration?: ServiceWorkerRegistration;
  /** `handlePush`: report the delivery seen (default true). */
  reportSeen?: boolean;
  /** `handleNotificationClick`: where to go when the payload has no `url`. */
  defaultUrl?: string;
  /** `handleSubscriptionChange`: how long `pushManager.subscribe()` may take (default 15000 ms). */
  timeoutMs?: number;
}

/** The parts of a `PushEvent` `handlePush` uses. */
export interface PushEventLike {
  readonly data: { json(): any } | null;
  waitUntil(f: Promise<any>): void;
}

/** The parts of a `NotificationEvent` `handleNotificationClick` uses. */
export interface NotificationEventLike {
  readonly notification: { readonly data: any; close(): void };
  waitUntil(f: Promise<any>): void;
}

/** The parts of a `pushsubscriptionchange` event `handleSubscriptionChange` uses. */
export interface SubscriptionChangeEventLike {
  readonly oldSubscription?: { readonly endpoint: string } | null;
  readonly newSubscription?: PushSubscription | PushSubscriptionLike | null;
  waitUntil(f: Promise<any>): void;
}

export interface NotificationClickResult {
  /** The URL focused or opened (absolute), or null. */
  readonly url: string | null;
  /** The `WindowClient` focused or opened; null when the browser refused or there was no URL. */
  readonly window: object | null;
}

/** `client.push`: this browser's Web Push subscription, registered at the edge for the user. */
export class PushClient {
  private constructor();
  /** Whether this browser has the Push API, service workers and notifications. */
  isSupported(): boolean;
  /** `"granted"`, `"denied"`, `"default"` (not asked yet) or `"unsupported"`. */
  permission(): NotificationPermission | "unsupported";
  /**
   * Subscribes this browser (asking for permission if never asked) and registers the
   * subscription at the edge. Idempotent: an unchanged subscription is not sent again
   * (`changed: false`); a changed one is registered and the old one removed at the edge.
   */
  subscribe(options: PushSubscribeOptions): Promise<PushStatus>;
  /** Brings the edge in line with the browser without prompting (call it on every page load). */
  sync(options?: PushOptions): Promise<PushStatus>;
  /** Unsubscribes the browser and removes the subscription at the edge. */
  unsubscribe(options?: PushOptions): Promise<PushStatus>;
}

/** The entry point of the package: the browser credentials of one user. */
export class TidingsClient {
  /** Throws `invalid_argument` when an option is missing. */
  constructor(options: TidingsClientOptions);
  /** The in-app feed of this user, filtered by `filter`. Nothing is fetched until `fetch()` or `connect()`. */
  feed(filter?: FeedFilter): Feed;
  /** Replaces the user token; feeds and push use it from their next request on. */
  setUserToken(token: string): void;
  /** The edge's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Web Push; the same object on every access. */
  readonly push: PushClient;
  /** The user this client acts for. */
  readonly userId: string;
}

/**
 * The service worker's `push` handler: shows the notification, sets the app badge to the
 * payload's `unread_count` (where `navigator.setAppBadge` exists) and keeps the payload in the
 * offline inbox (IndexedDB, the 100 newest); `null` for a push that is not Tidings'.
 */
export function handlePush(event: PushEventLike, options?: ServiceWorkerOptions): Promise<PushPayload | null>;
/** The service worker's `notificationclick` handler: marks it clicked and focuses or opens its URL. */
export function handleNotificationClick(event: NotificationEventLike, options?: ServiceWorkerOptions): Promise<NotificationClickResult>;
/** The service worker's `pushsubscriptionchange` handler: registers the new subscription. */
export function handleSubscriptionChange(event: SubscriptionChangeEventLike, options?: ServiceWorkerOptions): Promise<PushStatus | null>;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
export type SyncInitInput = BufferSource | WebAssembly.Module;
/** Instantiates the wasm module from bytes or a compiled module, synchronously. */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): unknown;
/** Loads and instantiates the wasm module (`tidings_bg.wasm` next to this file by default); await it once before anything else. */
export default function init(module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<unknown>;
