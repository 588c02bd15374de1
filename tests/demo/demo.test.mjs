// The demo page in real Chromium (playwright-core, /usr/bin/chromium) against a real local edge
// and a local push service: the six steps of the demo issue, in order, in one browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startPushService } from "./push-service.mjs";

const base = process.env.TIDINGS_TEST_BASE_URL;
const secret = process.env.TIDINGS_TEST_SECRET_KEY;
const artifacts = process.env.TIDINGS_TEST_ARTIFACTS ?? "test-results";
assert.ok(base && secret, "run through scripts/test-demo.sh (it starts the edge)");

const admin = async (method, path, body) => {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
};
const until = async (what, check, ms = 10_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const user = `demo-e2e-${Date.now().toString(36)}`;
const errors = [];
let context, page, second, push;

const watch = (p) => {
  p.on("console", (m) => m.type() === "error" && errors.push(`${m.text()} (${m.location().url})`));
  p.on("pageerror", (e) => errors.push(String(e)));
};
const open = async () => {
  const p = await context.newPage();
  watch(p);
  await p.goto(`${base}/?user=${encodeURIComponent(user)}`);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  return p;
};
const badge = (p) => p.textContent('[data-testid="unread-count"]');
const items = (p) => p.locator('[data-testid="feed-item"]');
const sendInApp = (subject) => admin("POST", "/notifications", { to: user, data: { subject, body: `${subject} body` } });

before(async () => {
  push = await startPushService();
  const dir = await mkdtemp(join(tmpdir(), "tidings-chromium-"));
  context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  await context.grantPermissions(["notifications"], { origin: base });
});

after(async () => {
  await context?.close();
  await push?.close();
});

test("1. the page opens with an empty feed and a registered service worker", async () => {
  page = await open();
  assert.equal(await badge(page), "0");
  assert.equal(await page.textContent('[data-testid="push-permission"]'), "granted");
  assert.equal(await page.isVisible('[data-testid="empty"]'), true);
  assert.equal(await items(page).count(), 0);
  const sw = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg?.active?.scriptURL ?? null;
  });
  assert.equal(sw, `${base}/sw.js`);
  await until("the realtime socket", async () => (await page.textContent('[data-testid="realtime"]')) === "live");
});

test("2. a notification sent through the API appears live and the badge counts it", async () => {
  const r = await sendInApp("Your order shipped");
  assert.equal(r.status, 202);
  await until("the item", async () => (await items(page).count()) === 1);
  assert.equal(await badge(page), "1");
  assert.match(await items(page).first().textContent(), /Your order shipped/);
});

test("3. click reads it at the edge; mark all read; archive", async () => {
  const id = await items(page).first().getAttribute("data-id");
  await items(page).first().click();
  await until("the badge to drop", async () => (await badge(page)) === "0");
  await until("read_at at the edge", async () => (await admin("GET", `/users/${user}/deliveries/${id}`)).body?.read_at);

  await sendInApp("Second");
  await sendInApp("Third");
  await until("two unread", async () => (await badge(page)) === "2");
  await page.click('[data-testid="mark-all-read"]');
  await until("mark all read", async () => (await badge(page)) === "0");
  const meta = (await admin("GET", `/users/${user}/deliveries?limit=1`)).body.meta;
  assert.equal(meta.unread_count, 0);

  assert.equal(await items(page).count(), 3);
  const archived = await items(page).first().getAttribute("data-id");
  await items(page).first().locator('[data-testid="archive"]').click();
  await until("the archived item to leave the list", async () => (await items(page).count()) === 2);
  await until("archived_at at the edge", async () => (await admin("GET", `/users/${user}/deliveries/${archived}`)).body?.archived_at);
});

test("4. a second tab of the same user sees changes without reload", async () => {
  second = await open();
  await until("the second tab's feed", async () => (await items(second).count()) === 2);
  await until("the second tab's socket", async () => (await second.textContent('[data-testid="realtime"]')) === "live");
  await sendInApp("Seen in both tabs");
  await until("tab 1", async () => (await badge(page)) === "1");
  await until("tab 2", async () => (await badge(second)) === "1");
  await items(second).first().click();
  await until("tab 1 to follow tab 2", async () => (await badge(page)) === "0");
  await second.close();
});

test("5. web push: the exact encrypted request, decrypted as the browser would, reaches the service worker", async () => {
  const sub = push.subscribe();
  const state = await page.evaluate(async ({ endpoint, keys }) => {
    const { push, registration, showPush } = window.tidings;
    const subscription = { endpoint, expirationTime: null, toJSON: () => ({ endpoint, expirationTime: null, keys }) };
    const s = await push.subscribe({ registration, subscription });
    showPush(s);
    return s;
  }, { endpoint: sub.endpoint, keys: sub.keys });
  assert.equal(state.subscribed, true);
  assert.equal((await admin("GET", `/users/${user}`)).body.webPushTokens[0].sub.endpoint, sub.endpoint);

  const r = await admin("POST", "/notifications", { to: user, channels: ["web_push"], data: { subject: "Pushed from the edge", body: "Decrypted by the test, shown by the service worker" } });
  assert.equal(r.status, 202);
  const delivery = r.body.deliveries[0].id;
  await until("the push request", async () => sub.received.length === 1);
  const message = sub.received[0];
  assert.equal(message.headers["content-encoding"], "aes128gcm");
  assert.ok(message.plaintext, `decrypts: ${message.error}`);
  assert.equal(JSON.parse(message.plaintext).delivery_id, delivery);

  const cdp = await context.newCDPSession(page);
  const registrations = new Map();
  const running = new Set();
  cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: list }) => {
    for (const reg of list) registrations.set(reg.scopeURL, reg.registrationId);
  });
  cdp.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
    for (const v of versions) (v.runningStatus === "running" ? running.add(v.registrationId) : running.delete(v.registrationId));
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await until("the registration id", async () => registrations.get(`${base}/`));
  // A push to a stopped worker can be lost while it starts: start it first, as a push service's
  // wake-up would, and deliver once it runs.
  await cdp.send("ServiceWorker.startWorker", { scopeURL: `${base}/` });
  await until("the service worker to run", async () => running.has(registrationId));
  await cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId, data: message.plaintext });

  // Headless Chromium now and then drops a displayed notification (showNotification resolved,
  // seen was reported, getNotifications() stays empty); the push is then delivered again, as a
  // push service redelivers, up to three times. Each delivery is the same decrypted request.
  const listed = () =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body })));
  let shown = null;
  for (let attempt = 1; attempt <= 3 && !shown; attempt++) {
    if (attempt > 1) await cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId, data: message.plaintext });
    const end = Date.now() + 3000;
    while (!shown && Date.now() < end) {
      shown = (await listed()).find((n) => n.title === "Pushed from the edge");
      if (!shown) await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(shown, "registration.getNotifications() shows the pushed notification");
  assert.equal(shown.body, "Decrypted by the test, shown by the service worker");
  await until("seen_at at the edge", async () => (await admin("GET", `/users/${user}/deliveries/${delivery}`)).body?.seen_at);
});

test("6. no console errors, and a screenshot", async () => {
  await sendInApp("Welcome to Tidings");
  await until("the welcome item", async () => (await items(page).count()) >= 3);
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, "demo.png"), fullPage: true });
  assert.deepEqual(errors, []);
});
