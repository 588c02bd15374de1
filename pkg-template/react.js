// `tidings/react`: React hooks over the package's stores, on `useSyncExternalStore`. React stays
// out of the main entry; this one imports only `react` (a peer dependency) and takes the objects
// you made with the main entry.
import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";

/**
 * `useFeed(client, filter, options)`: the snapshot of `client.feed(filter)` (`items`,
 * `unreadCount`, `unseenCount`, `totalCount`, `hasMore`, `status`, `error`, `realtime`) and the
 * `feed` itself (for `markRead`, `loadMore`, …), re-rendering on every change. While mounted the
 * feed is connected (realtime; it fetches its first page once the socket is open), or only
 * fetched with `{ realtime: false }`. The feed is made again when the client or the filter's
 * content changes.
 */
export function useFeed(client, filter, options) {
  const key = JSON.stringify(filter ?? null);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const feed = useMemo(() => client.feed(filter), [client, key]);
  const realtime = !options || options.realtime !== false;
  useEffect(() => {
    if (!realtime) {
      feed.fetch().catch(() => {});
      return undefined;
    }
    feed.connect();
    return () => feed.disconnect();
  }, [feed, realtime]);
  const subscribe = useCallback((onChange) => feed.subscribe(onChange), [feed]);
  const snapshot = useSyncExternalStore(subscribe, () => feed.getSnapshot(), () => feed.getSnapshot());
  return { ...snapshot, feed };
}

/** One store per `client.push`: `{supported, permission, status, error, pending}`. */
const pushStores = new WeakMap();

function pushStore(push) {
  let store = pushStores.get(push);
  if (store) return store;
  const listeners = new Set();
  let state = { supported: push.isSupported(), permission: push.permission(), status: null, error: null, pending: false };
  const set = (patch) => {
    state = { ...state, permission: push.permission(), ...patch };
    listeners.forEach((l) => l());
  };
  const run = async (call) => {
    set({ pending: true });
    try {
      const status = await call();
      set({ status, error: null, pending: false });
      return status;
    } catch (error) {
      set({ error, pending: false });
      throw error;
    }
  };
  store = {
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    get: () => state,
    subscribePush: (options) => run(() => push.subscribe(options)),
    unsubscribe: (options) => run(() => push.unsubscribe(options)),
    sync: (options) => run(() => push.sync(options)),
  };
  pushStores.set(push, store);
  return store;
}

/**
 * `usePush(client, options)`: Web Push for this browser: `{supported, permission, status, error,
 * pending}` (`status`: the last `PushStatus`, `null` before one) and `subscribe(options)`,
 * `unsubscribe(options)`, `sync(options)` (the `client.push` calls, which update the state).
 * When mounted it runs `client.push.sync(options)` once (where push is supported; pass
 * `{ sync: false }` not to), which brings the edge in line with the browser without prompting.
 */
export function usePush(client, options) {
  const store = pushStore(client.push);
  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  const sync = !options || options.sync !== false;
  useEffect(() => {
    if (sync && store.get().supported) store.sync(options).catch(() => {});
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, sync]);
  return { ...state, subscribe: store.subscribePush, unsubscribe: store.unsubscribe, sync: store.sync };
}
