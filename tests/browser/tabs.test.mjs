// One realtime socket for all tabs (Web Locks leader + BroadcastChannel), in headless Chromium
// against the edge scripts/test-browser.sh starts: five tabs (pages of one browser profile) of
// one user open one socket, and all five see a new delivery; a mark in tab 1 shows in tab 3
// before the edge answers it; when the leader tab closes another takes over, resuming by `seq`,
// and an event sent during the hand-over reaches every tab. Sockets are counted where the
// pages open them and at the edge (dev mode's GET /dev/users/{id}/sockets: the feed object's
// own list of open sockets).
// Run: scripts/test-browser.sh (needs TIDINGS_TEST_BASE_URL, TIDINGS_TEST_SECRET_KEY).
import { test } from "node:test";
import assert from "node:assert/strict";
import { admin, base, profile, until } from "./edge.mjs";

const notify = async (user, subject) => (await admin("POST", "/notifications", { to: user, data: { subject } })).deliveries?.[0]?.id;

test("five tabs share one socket; marks and hand-over reach every tab", { skip: !base && "no edge (run scripts/test-browser.sh)" }, async () => {
  const user = `tabs-${Date.now().toString(36)}`;
  await notify(user, "before");
  const context = await profile("tabs");
  // Every socket a page opens (its URL).
  await context.addInitScript(() => {
    const Native = WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        window.__sockets.push(String(url));
      }
    };
  });
  try {
    const tabs = [];
    for (let i = 0; i < 5; i++) {
      const page = await context.newPage();
      await page.goto(`${base}/health`);
      await page.evaluate(async (user) => {
        const { default: init, TidingsClient } = await import("/pkg/tidings.js");
        await init();
        const { publicKey } = await (await fetch("/dev/config")).json();
        const { token } = await (await fetch("/dev/user-token", { method: "POST", headers: { "x-api-key": publicKey }, body: JSON.stringify({ user_id: user }) })).json();
        const client = new TidingsClient({ baseUrl: location.origin, apiKey: publicKey, userId: user, userToken: token });
        window.feed = client.feed();
        window.feed.connect();
      }, user);
      tabs.push(page);
    }
    const snap = (page) => page.evaluate(() => {
      const s = window.feed.getSnapshot();
      return { subjects: s.items.map((d) => d.data.subject), read: s.items.map((d) => !!d.read_at), unread: s.unreadCount, status: s.status, realtime: s.realtime };
    });
    const sockets = async (pages) => (await Promise.all(pages.map((p) => p.evaluate(() => window.__sockets)))).flat();
    const everyTab = (pages, f) => async () => (await Promise.all(pages.map(snap))).every(f);

    const all = async () => JSON.stringify(await Promise.all(tabs.filter((p) => !p.isClosed()).map(snap)));
    await until("five tabs connected and fetched", everyTab(tabs, (s) => s.status === "ready" && s.realtime === "connected" && s.subjects.includes("before")), 15000, all);
    assert.equal((await sockets(tabs)).length, 1, "one socket for the five tabs");
    const atEdge = async () => (await admin("GET", `/dev/users/${encodeURIComponent(user)}/sockets`)).sockets;
    assert.equal(await atEdge(), 1, "one socket at the edge for the five tabs");

    await notify(user, "new");
    await until("all five see the new delivery", everyTab(tabs, (s) => s.subjects[0] === "new" && s.unread === 2));

    // A mark in tab 1 shows in tab 3 while the edge has not answered tab 1 yet.
    let held = null;
    await tabs[0].route("**/deliveries/actions", (route) => { held = route; });
    await tabs[0].evaluate(() => { window.marked = window.feed.markRead(window.feed.getSnapshot().items[0].id); });
    await until("tab 1's request is on its way", () => held !== null);
    await until("tab 3 shows the mark", async () => { const s = await snap(tabs[2]); return s.read[0] && s.unread === 1; });
    assert.ok(held, "the edge has not answered yet");
    await held.continue();
    await tabs[0].evaluate(() => window.marked);
    await tabs[0].unroute("**/deliveries/actions");
    await until("every tab agrees after the answer", everyTab(tabs, (s) => s.read[0] && s.unread === 1));

    // The leader tab closes; a delivery sent during the hand-over reaches the other four.
    const leader = (await Promise.all(tabs.map((p) => p.evaluate(() => window.__sockets.length)))).findIndex((n) => n === 1);
    assert.ok(leader >= 0, "one tab holds the socket");
    const rest = tabs.filter((_, i) => i !== leader);
    const closed = Date.now();
    await tabs[leader].close();
    await notify(user, "during the hand-over");
    await until("a new leader opened a socket", async () => (await sockets(rest)).length === 1);
    const handover = Date.now() - closed;
    await until("the four others see it", everyTab(rest, (s) => s.subjects[0] === "during the hand-over" && s.realtime === "connected"));
    const [url] = await sockets(rest);
    assert.match(url, /[?&]since=\d+/, "the new leader resumed by seq");
    assert.equal((await sockets(rest)).length, 1, "still one socket");
    await until("the closed leader's socket is gone at the edge", async () => (await atEdge()) === 1, 5000,
      async () => `(${await atEdge()} at the edge)`);
    console.log(`hand-over: a new leader's socket ${handover} ms after the leader tab closed`);
  } finally {
    await context.close();
  }
});
