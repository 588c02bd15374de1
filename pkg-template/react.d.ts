// `tidings/react`: React hooks over the package's stores (useSyncExternalStore).
import type { Feed, FeedFilter, FeedSnapshot, PushOptions, PushStatus, PushSubscribeOptions, TidingsClient, TidingsError } from "./tidings";

/** What `useFeed` returns: the feed's snapshot and the feed. */
export type UseFeedResult = FeedSnapshot & { readonly feed: Feed };

/**
 * The snapshot of `client.feed(filter)`, re-rendering on every change; the feed is connected
 * (realtime) while mounted, or only fetched with `{ realtime: false }`.
 */
export function useFeed(client: TidingsClient, filter?: FeedFilter, options?: { realtime?: boolean }): UseFeedResult;

/** Web Push state for this browser. */
export interface PushState {
  readonly supported: boolean;
  readonly permission: NotificationPermission | "unsupported";
  /** The last status the edge reported, `null` before one. */
  readonly status: PushStatus | null;
  readonly error: TidingsError | null;
  /** A call is in flight. */
  readonly pending: boolean;
}

/** What `usePush` returns. */
export type UsePushResult = PushState & {
  subscribe(options: PushSubscribeOptions): Promise<PushStatus>;
  unsubscribe(options?: PushOptions): Promise<PushStatus>;
  sync(options?: PushOptions): Promise<PushStatus>;
};

/** Web Push for this browser; runs `client.push.sync(options)` once when mounted (unless `{ sync: false }`). */
export function usePush(client: TidingsClient, options?: PushOptions & { sync?: boolean }): UsePushResult;
