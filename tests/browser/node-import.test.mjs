// The built package (pkg/) imports in Node, instantiates its wasm, and exports the public API.
// Run: node --test tests/browser/node-import.test.mjs (after `make pkg`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";

const pkgDir = new URL("../../pkg/", import.meta.url);

test("package.json points at the module, the types and the wasm", async () => {
  const pkg = JSON.parse(await readFile(new URL("package.json", pkgDir), "utf8"));
  assert.equal(pkg.name, "tidings");
  assert.equal(pkg.type, "module");
  assert.equal(pkg.exports["."].types, "./tidings.d.ts");
  for (const f of pkg.files) {
    if (f.endsWith("/")) assert.ok((await readdir(new URL(f, pkgDir), { recursive: true })).length > 0, f);
    else await readFile(new URL(f, pkgDir));
  }
  // Every JS module the glue imports is in the package.
  const glue = await readFile(new URL("tidings.js", pkgDir), "utf8");
  for (const [, spec] of glue.matchAll(/from\s+['"](\.\/[^'"]+)['"]/g)) {
    assert.ok(pkg.files.some((f) => spec.slice(2).startsWith(f)), `${spec} is not in package.json files`);
    await readFile(new URL(spec, pkgDir));
  }
});

test("exports exist and the module instantiates", async () => {
  const mod = await import(new URL("tidings.js", pkgDir));
  for (const name of ["TidingsClient", "Feed", "PushClient", "handlePush", "handleNotificationClick",
    "handleSubscriptionChange", "initSync", "default"]) {
    assert.equal(typeof mod[name], "function", name);
  }
  mod.initSync({ module: await readFile(new URL("tidings_bg.wasm", pkgDir)) });

  const client = new mod.TidingsClient({ baseUrl: "http://127.0.0.1:1/", apiKey: "pk", userId: "ada", userToken: "t" });
  assert.equal(client.userId, "ada");
  assert.equal(client.baseUrl, "http://127.0.0.1:1");
  assert.equal(client.push, client.push);
  assert.equal(client.push.isSupported(), false);
  assert.equal(client.push.permission(), "unsupported");

  const feed = client.feed({ limit: 10 });
  const seen = [];
  const off = feed.subscribe((s) => seen.push(s));
  assert.equal(seen.length, 1);
  assert.deepEqual(
    { ...seen[0], items: [...seen[0].items] },
    { items: [], unreadCount: 0, unseenCount: 0, totalCount: 0, hasMore: false, status: "idle", error: null, realtime: "disconnected" },
  );
  assert.ok(Object.isFrozen(seen[0]));
  off();

  // Errors are Error objects with a stable code.
  assert.throws(() => new mod.TidingsClient({ baseUrl: "x" }), (e) => e instanceof Error && e.code === "invalid_argument");
  assert.throws(() => client.feed({ colour: "red" }), (e) => e.code === "invalid_argument");
  await assert.rejects(feed.fetch(), (e) => e instanceof Error && e.name === "TidingsError" && e.code === "network_error" && e.status === 0);
  assert.equal(feed.getSnapshot().status, "error");
  await assert.rejects(feed.markRead(42), (e) => e.code === "invalid_argument");

  // Service worker handlers leave non-Tidings pushes to the app.
  assert.equal(await mod.handlePush({ data: null, waitUntil() {} }), null);
});
