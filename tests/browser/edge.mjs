// What the Playwright tests against the edge share (tabs.test.mjs, inbox.test.mjs): the edge
// scripts/test-browser.sh started, its admin API, polling, and a fresh Chromium profile.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const base = process.env.TIDINGS_TEST_BASE_URL;
const secret = process.env.TIDINGS_TEST_SECRET_KEY;

/** A call to the edge with the secret key; resolves to the JSON answer. */
export const admin = (method, path, body) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: body && JSON.stringify(body) })
    .then((r) => r.json());

/** Polls `f` every 50 ms until it is true; throws naming `what` (and `detail()`) after `ms`. */
export async function until(what, f, ms = 15000, detail = async () => "") {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return;
    if (Date.now() > end) throw new Error(`timed out: ${what} ${await detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Headless Chromium with a fresh persistent profile (its pages share storage, locks, channels). */
export async function profile(name) {
  return chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), `tidings-${name}-`)), {
    executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
}
