// The offline inbox and the app badge, in headless Chromium against the edge
// scripts/test-browser.sh starts. The service worker's `handlePush` (the package's own export,
// called in a page with a synthetic push event and a stub registration: the same function a
// service worker runs) keeps the pushed payloads in IndexedDB (the 100 newest) and sets the
// badge to the payload's `unread_count`; a feed started offline lists those of its user; a feed whose first
// fetch is held lists them until the page is in, then the edge's page replaces them and the
// page sets the badge to the edge's unread count. `navigator.setAppBadge` is stubbed (headless
// Chromium has no badge) and records its calls.
// Run: scripts/test-browser.sh (needs TIDINGS_TEST_BASE_URL, TIDINGS_TEST_SECRET_KEY).
import { test } from "node:test";
import assert from "node:assert/strict";
import { admin, base, profile, until } from "./edge.mjs";

test("offline start shows the pushed deliveries; the badge follows the unread count", { skip: !base && "no edge (run scripts/test-browser.sh)" }, async () => {
  const user = `inbox-${Date.now().toString(36)}`;
  const sent = await admin("POST", "/notifications", { to: user, channels: ["in_app"], data: { subject: "from the edge" } });
  assert.ok(sent.deliveries?.[0]?.id, JSON.stringify(sent));
  const context = await profile("inbox");
  await context.addInitScript(() => {
    window.__badges = [];
    navigator.setAppBadge = async (n) => void window.__badges.push(n);
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/health`);
    await page.evaluate(async (user) => {
      const pkg = await import("/pkg/tidings.js");
      await pkg.default();
      window.pkg = pkg;
      const { publicKey } = await (await fetch("/dev/config")).json();
      const { token } = await (await fetch("/dev/user-token", { method: "POST", headers: { "x-api-key": publicKey }, body: JSON.stringify({ user_id: user }) })).json();
      window.client = new pkg.TidingsClient({ baseUrl: location.origin, apiKey: publicKey, userId: user, userToken: token });
      window.snap = (feed) => {
        const s = feed.getSnapshot();
        return { ids: s.items.map((d) => d.id), subjects: s.items.map((d) => d.data.subject), offline: s.items.map((d) => d.offline === true), unread: s.unreadCount, status: s.status };
      };
    }, user);

    // 102 pushes through handlePush (ids in age order, as ULIDs are): 101 for the user, the last
    // with count 7, and one for another user of this browser (its action token names them).
    const pushed = await page.evaluate(async (user) => {
      const registration = { scope: `${location.origin}/`, shown: 0, showNotification: async () => void registration.shown++ };
      const token = (u) => `${btoa(JSON.stringify({ u, d: "x", e: 0 })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}.sig`;
      const ids = Array.from({ length: 101 }, (_, i) => [`dlv_${String(i).padStart(4, "0")}`, user]);
      ids.splice(51, 0, ["dlv_0050x", "someone-else"]);
      for (const [i, [id, u]] of ids.entries()) {
        const payload = {
          delivery_id: id, notification_id: `ntf_${i}`, title: `pushed ${id}`, body: "b", url: null, icon: null,
          data: { order: i }, action_token: token(u), unread_count: id === "dlv_0100" ? 7 : i,
        };
        const event = { data: { json: () => payload }, waitUntil() { throw new Error("synthetic"); } };
        await window.pkg.handlePush(event, { registration, reportSeen: false });
      }
      return { shown: registration.shown, badges: window.__badges.slice() };
    }, user);
    assert.equal(pushed.shown, 102, "every push showed a notification");
    assert.equal(pushed.badges.at(-1), 7, "the service worker set the badge to the payload's unread count");

    // Offline start: the fetch fails, the feed lists the user's pushes among the 100 newest
    // stored (dlv_0000 and dlv_0001 were dropped), newest first.
    await context.setOffline(true);
    await page.evaluate(() => {
      window.__badges.length = 0;
      window.offlineFeed = window.client.feed();
      window.offlineFeed.fetch().catch(() => {});
    });
    await until("the offline feed lists the stored pushes", async () => (await page.evaluate(() => window.snap(window.offlineFeed))).ids.length === 99, 15000,
      async () => JSON.stringify(await page.evaluate(() => window.snap(window.offlineFeed))));
    const offline = await page.evaluate(() => window.snap(window.offlineFeed));
    assert.equal(offline.status, "error", "the fetch failed (offline)");
    assert.equal(offline.ids[0], "dlv_0100", "newest first");
    assert.equal(offline.ids.at(-1), "dlv_0002", "the oldest beyond 100 were dropped");
    assert.ok(!offline.ids.includes("dlv_0050x"), "another user's push is not listed");
    assert.equal(offline.subjects[0], "pushed dlv_0100");
    assert.ok(offline.offline.every(Boolean), "marked offline");
    assert.equal(offline.unread, 7, "the newest push's unread count");
    // A filtered feed does not list them (the payloads do not say what the filter needs).
    const filtered = await page.evaluate(async () => {
      const f = window.client.feed({ topic: "billing" });
      await f.fetch().catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
      return window.snap(f).ids.length;
    });
    assert.equal(filtered, 0, "a filtered feed lists no offline deliveries");
    await context.setOffline(false);

    // Online, first fetch held: the stored pushes show at once, then the edge's page replaces them.
    let held = null;
    const list = (url) => url.pathname.endsWith("/deliveries");
    await page.route(list, (route) => { held = route; });
    await page.evaluate(() => {
      window.feed = window.client.feed();
      window.fetched = window.feed.fetch();
    });
    await until("the fetch is on its way", () => held !== null);
    await until("the stored pushes show before the page is in", async () => (await page.evaluate(() => window.snap(window.feed))).ids.length === 99);
    assert.equal((await page.evaluate(() => window.snap(window.feed))).status, "loading");
    await held.continue();
    await page.evaluate(() => window.fetched);
    await page.unroute(list);
    const online = await page.evaluate(() => window.snap(window.feed));
    assert.deepEqual([online.status, online.subjects, online.offline, online.unread], ["ready", ["from the edge"], [false], 1], JSON.stringify(online));
    await until("the page set the badge to the edge's unread count", async () => (await page.evaluate(() => window.__badges)).at(-1) === 1);

    // The count changes (a mark): the badge follows.
    await page.evaluate(() => window.feed.markAllRead());
    await until("the badge is cleared", async () => (await page.evaluate(() => window.__badges)).at(-1) === 0,
      5000, async () => JSON.stringify(await page.evaluate(() => window.__badges)));
  } finally {
    await context.close();
  }
});
