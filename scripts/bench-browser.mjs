// `make bench`, browser part: markAllRead on a feed holding 1,000 loaded deliveries, in real
// headless Chromium, on the npm package served by the local edge. The time is from the call to
// the listener seeing unreadCount 0 (the optimistic update; the network answer comes later).
// Usage: node scripts/bench-browser.mjs BASE_URL SECRET_KEY RUNS
import { chromium } from "playwright-core";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, secret, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const admin = (method, path, body) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: body && JSON.stringify(body) })
    .then((r) => r.json());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// 1,000 in-app deliveries per user, through one bulk job.
const users = Array.from({ length: runs }, (_, i) => `bench-feed-${Date.now().toString(36)}-${i}`);
const { jobId } = await admin("POST", "/bulk", { message: { data: { subject: "Bench", body: "One of a thousand." } } });
for (const user of users) await admin("POST", `/bulk/${jobId}`, { users: Array.from({ length: 1000 }, () => ({ to: { user_id: user } })) });
await admin("POST", `/bulk/${jobId}/run`);
for (let i = 0; i < 600; i++) {
  if ((await admin("GET", `/bulk/${jobId}`)).job.status === "COMPLETED") break;
  await sleep(250);
}

const context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), "tidings-bench-")), {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await context.newPage();
await page.goto(`${base}/health`);
const times = [];
for (const user of users) {
  times.push(await page.evaluate(async (user) => {
    const { default: init, TidingsClient } = await import("/pkg/tidings.js");
    await init();
    const { publicKey } = await (await fetch("/dev/config")).json();
    const { token } = await (await fetch("/dev/user-token", { method: "POST", headers: { "x-api-key": publicKey }, body: JSON.stringify({ user_id: user }) })).json();
    const client = new TidingsClient({ baseUrl: location.origin, apiKey: publicKey, userId: user, userToken: token });
    const feed = client.feed({ limit: 100 });
    await feed.fetch();
    while (feed.getSnapshot().hasMore) await feed.loadMore();
    const loaded = feed.getSnapshot();
    if (loaded.items.length !== 1000 || loaded.unreadCount !== 1000) throw new Error(`loaded ${loaded.items.length}, unread ${loaded.unreadCount}`);
    let done = 0;
    feed.subscribe((s) => { if (!done && s.unreadCount === 0) done = performance.now(); });
    const start = performance.now();
    const answer = feed.markAllRead();
    while (!done) await new Promise((r) => setTimeout(r, 0));
    await answer;
    return done - start;
  }, user));
}
await context.close();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`markAllRead, 1,000 loaded deliveries, Chromium: median ${median.toFixed(2)} ms of ${times.map((t) => t.toFixed(2)).join(", ")} ms  budget <= 1 ms ${median <= 1 ? "ok" : "MISSED"}`);
