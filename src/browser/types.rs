//! The TypeScript shapes wasm-bindgen cannot derive: the core's wire types as JS sees them
//! (snake_case, as on the wire), options objects, listener snapshots and error codes. Kept in
//! one place, next to the Rust types they mirror (`crate::model`, `crate::notify::push`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
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
}

/** The user's feed counts (non-archived in-app deliveries), whatever the filter. */
export interface FeedMeta {
  unread_count: number;
  unseen_count: number;
  total_count: number;
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
  /** Loaded deliveries matching the filter, newest first, optimistic changes applied. */
  readonly items: readonly Delivery[];
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
"#;
