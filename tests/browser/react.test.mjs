// `tidings/react` in a real React page (react + react-dom 19, headless Chromium) against the
// edge scripts/test-browser.sh starts: useFeed renders the feed, realtime brings a new delivery
// into the DOM, a mark re-renders at once; usePush renders the browser's push state.
// Run: scripts/test-browser.sh (needs TIDINGS_TEST_BASE_URL, TIDINGS_TEST_SECRET_KEY).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const base = process.env.TIDINGS_TEST_BASE_URL;
const secret = process.env.TIDINGS_TEST_SECRET_KEY;
const admin = (method, path, body) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: body && JSON.stringify(body) })
    .then((r) => r.json());

const APP = `
import init, { TidingsClient } from "../../pkg/tidings.js";
import { useFeed, usePush } from "../../pkg/react.js";
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
window.renders = 0;
window.startApp = async ({ user, token, publicKey }) => {
  await init({ module_or_path: "/pkg/tidings_bg.wasm" });
  const client = new TidingsClient({ baseUrl: location.origin, apiKey: publicKey, userId: user, userToken: token });
  function App() {
    const { items, unreadCount, status, realtime, feed } = useFeed(client, { limit: 10 });
    const push = usePush(client, { sync: false });
    window.renders++;
    window.feed = feed;
    return h("div", null,
      h("p", { id: "meta" }, status + " " + realtime + " unread=" + unreadCount),
      h("p", { id: "push" }, "supported=" + push.supported + " permission=" + push.permission),
      h("ul", null, items.map((d) => h("li", { key: d.id }, d.data.subject + (d.read_at ? " (read)" : "")))));
  }
  createRoot(document.getElementById("root")).render(h(App));
};`;

test("useFeed and usePush render and update in a React page", { skip: !base && "no edge (run scripts/test-browser.sh)" }, async () => {
  const bundle = (await build({
    stdin: { contents: APP, resolveDir: new URL(".", import.meta.url).pathname },
    bundle: true, format: "esm", write: false, logLevel: "error", define: { "process.env.NODE_ENV": '"production"' },
  })).outputFiles[0].text;
  const user = `react-${Date.now().toString(36)}`;
  await admin("POST", "/notifications", { to: user, data: { subject: "first" } });
  await admin("POST", "/notifications", { to: user, data: { subject: "second" } });

  const context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), "tidings-react-")), {
    executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/health`);
    await page.evaluate(() => (document.body.innerHTML = '<div id="root"></div>'));
    await page.addScriptTag({ content: bundle, type: "module" });
    await page.evaluate(async (user) => {
      const { publicKey } = await (await fetch("/dev/config")).json();
      const { token } = await (await fetch("/dev/user-token", { method: "POST", headers: { "x-api-key": publicKey }, body: JSON.stringify({ user_id: user }) })).json();
      await window.startApp({ user, token, publicKey });
    }, user);
    const list = () => page.$$eval("li", (lis) => lis.map((li) => li.textContent));
    const meta = () => page.textContent("#meta");

    // Connected and fetched: both deliveries, newest first.
    await page.waitForFunction(() => document.querySelector("#meta")?.textContent === "ready connected unread=2", null, { timeout: 15000 });
    assert.deepEqual(await list(), ["second", "first"]);
    assert.match(await page.textContent("#push"), /^supported=(true|false) permission=(default|denied|granted|unsupported)$/);

    // Realtime: a new delivery renders without a reload.
    await admin("POST", "/notifications", { to: user, data: { subject: "live" } });
    await page.waitForFunction(() => document.querySelectorAll("li").length === 3, null, { timeout: 15000 });
    assert.deepEqual(await list(), ["live", "second", "first"]);
    assert.equal(await meta(), "ready connected unread=3");

    // A mark re-renders at once (optimistic, before the edge answers), then stays.
    const seenAtOnce = await page.evaluate(async () => {
      const p = window.feed.markAllRead();
      await new Promise((r) => setTimeout(r, 0)); // React's render of the synchronous change
      const text = document.querySelector("#meta").textContent;
      await p;
      return text;
    });
    assert.equal(seenAtOnce, "ready connected unread=0");
    assert.deepEqual(await list(), ["live (read)", "second (read)", "first (read)"]);
    const page1 = await admin("GET", `/users/${user}/deliveries`);
    assert.equal(page1.meta.unread_count, 0);
  } finally {
    await context.close();
  }
});
