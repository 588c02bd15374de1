// A TypeScript consumer of the package (`tsc --noEmit`, strict, no `any` escapes): checks that
// the generated types describe the public API as documented. Not run, only type-checked.
import init, {
  TidingsClient,
  handleNotificationClick,
  handlePush,
  handleSubscriptionChange,
  type Delivery,
  type FeedSnapshot,
  type PushPayload,
  type PushStatus,
  type TidingsError,
  type TidingsErrorCode,
} from "tidings";

export async function page(registration: ServiceWorkerRegistration): Promise<number> {
  await init();
  const client = new TidingsClient({
    baseUrl: "http://127.0.0.1:8787",
    apiKey: "pk_test",
    userId: "ada",
    userToken: "header.claims.signature",
  });
  client.setUserToken("a-fresh-token");
  const who: string = client.userId;

  const feed = client.feed({ archived: "exclude", read: false, limit: 20 });
  const all = client.feed();
  const unsubscribe: () => void = feed.subscribe((s: FeedSnapshot) => {
    const first: Delivery | undefined = s.items[0];
    const subject: string | undefined = first?.data.subject;
    const counts: number = s.unreadCount + s.unseenCount + s.totalCount;
    const status: "idle" | "loading" | "ready" | "error" = s.status;
    const realtime: "disconnected" | "connecting" | "connected" = s.realtime;
    const code: TidingsErrorCode | undefined = s.error?.code;
    void [subject, counts, status, realtime, code, s.hasMore, who];
  });
  const snap: FeedSnapshot = await feed.fetch();
  await feed.loadMore();
  const ids = snap.items.map((d) => d.id);
  await feed.markSeen(ids);
  await feed.markRead(ids[0]);
  await feed.markUnread(ids);
  await feed.markArchived(ids);
  await feed.markClicked(ids);
  await feed.markAllRead();
  feed.connect();
  feed.disconnect();
  unsubscribe();
  const again: FeedSnapshot = all.getSnapshot();

  try {
    await all.fetch();
  } catch (e) {
    const err = e as TidingsError;
    const status: number = err.status;
    const requestId: string | null = err.requestId;
    if (err.code === "unauthenticated" || err.code === "network_error") void [status, requestId];
  }

  const push = client.push;
  if (push.isSupported() && push.permission() !== "denied") {
    const st: PushStatus = await push.subscribe({ registration, timeoutMs: 10_000 });
    const sub = await registration.pushManager.getSubscription();
    if (sub) await push.subscribe({ registration, subscription: sub, device: { device_id: "laptop" } });
    await push.sync();
    await push.sync({ registration, subscription: null });
    await push.unsubscribe({ registration });
    void st.endpoint;
  }
  return again.items.length;
}

// What a service worker passes (structural types, so this compiles with the DOM lib too).
declare const pushEvent: { readonly data: { json(): any } | null; waitUntil(p: Promise<any>): void };
declare const clickEvent: {
  readonly notification: { readonly data: any; close(): void };
  waitUntil(p: Promise<any>): void;
};
declare const changeEvent: {
  readonly oldSubscription: PushSubscription | null;
  readonly newSubscription: PushSubscription | null;
  waitUntil(p: Promise<any>): void;
};

export async function worker(): Promise<void> {
  const payload: PushPayload | null = await handlePush(pushEvent, { baseUrl: "https://edge.example", apiKey: "pk" });
  if (payload) void [payload.delivery_id, payload.action_token, payload.url];
  await handlePush(pushEvent);
  const click = await handleNotificationClick(clickEvent, { defaultUrl: "/inbox" });
  const url: string | null = click.url;
  const changed: PushStatus | null = await handleSubscriptionChange(changeEvent);
  void [url, changed];
}

// `tidings/react` (the hooks; React itself is not needed to typecheck their signatures).
import { useFeed, usePush, type UseFeedResult, type UsePushResult } from "tidings/react";

export function hooks(client: TidingsClient): void {
  const feed: UseFeedResult = useFeed(client, { limit: 10 }, { realtime: false });
  const n: number = feed.unreadCount;
  void feed.feed.markAllRead();
  const push: UsePushResult = usePush(client, { sync: false });
  const permission: NotificationPermission | "unsupported" = push.permission;
  void [n, permission, push.status?.subscribed];
}
