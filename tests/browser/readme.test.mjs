// The package README's code examples (pkg/README.md, from pkg-template/README.md) run as tests,
// in headless Chromium against the edge scripts/test-browser.sh starts:
//   - the page examples (init, the client, the feed, push), one after the other as one script,
//     with the README's placeholders bound to real values (the edge's URL and public key, a user
//     token, a delivery id, a `render` that records its calls, a button);
//   - the service worker example, bundled against the package: every name it imports exists;
//   - the React example (JSX), bundled with react and rendered with a real client.
// Run: scripts/test-browser.sh (needs TIDINGS_TEST_BASE_URL, TIDINGS_TEST_SECRET_KEY).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const base = process.env.TIDINGS_TEST_BASE_URL;
const secret = process.env.TIDINGS_TEST_SECRET_KEY;
const pkg = new URL("../../pkg/", import.meta.url).pathname;
const admin = (method, path, body) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: body && JSON.stringify(body) })
    .then((r) => r.json());
const alias = { tidings: join(pkg, "tidings.js"), "tidings/react": join(pkg, "react.js") };

test("the package README's examples run", { skip: !base && "no edge (run scripts/test-browser.sh)" }, async () => {
  const readme = await readFile(join(pkg, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  const worker = blocks.filter((b) => b.includes("handlePush"));
  const react = blocks.filter((b) => b.includes("tidings/react"));
  const pageBlocks = blocks.filter((b) => !worker.includes(b) && !react.includes(b));
  assert.ok(pageBlocks.length >= 4 && worker.length === 1 && react.length === 1, `README blocks: ${blocks.length}`);

  // The service worker example imports only what the package exports (esbuild fails otherwise).
  await build({ stdin: { contents: worker[0], resolveDir: pkg, loader: "js" }, alias, bundle: true, format: "esm", write: false, logLevel: "silent" });
  // The React example, bundled with react, rendered below.
  const bell = (await build({
    stdin: {
      contents: `${react[0]}\nimport { createRoot } from "react-dom/client";\nimport { createElement } from "react";\n` +
        `window.renderBell = (el, client) => createRoot(el).render(createElement(Bell, { client }));`,
      resolveDir: new URL(".", import.meta.url).pathname, loader: "jsx",
    },
    alias, bundle: true, format: "esm", jsx: "automatic", write: false, logLevel: "error", define: { "process.env.NODE_ENV": '"production"' },
  })).outputFiles[0].text;

  // The page examples as one script: imports from the package, placeholders bound.
  const script = pageBlocks.map((b, i) => `window.__step = ${i};\n${b}`).join("\n")
    .replace(/import (\w+), \{([^}]*)\} from "tidings";/g, 'const { default: $1, $2 } = await import("/pkg/tidings.js");')
    .replace('"https://tidings.example.com"', "location.origin")
    .replace('"pk_…"', "publicKey")
    .replace('userId: "ada"', "userId: user");
  assert.ok(!/from "tidings"/.test(script), "every import rewritten");

  const user = `readme-${Date.now().toString(36)}`;
  await admin("POST", "/notifications", { to: user, data: { subject: "one" } });
  await admin("POST", "/notifications", { to: user, data: { subject: "two" } });
  const context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), "tidings-readme-")), {
    executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/health`);
    const out = await page.evaluate(async ({ user, script }) => {
      const { publicKey } = await (await fetch("/dev/config")).json();
      const token = async () => (await (await fetch("/dev/user-token", { method: "POST", headers: { "x-api-key": publicKey }, body: JSON.stringify({ user_id: user }) })).json()).token;
      const tokenFromYourBackend = await token(), fresh = await token();
      const rendered = [];
      const render = (items, unread) => rendered.push([items.length, unread]);
      const button = document.createElement("button");
      const first = await (await fetch(`/users/${user}/deliveries`, { headers: { "x-api-key": publicKey, "x-user-token": fresh } })).json();
      const id = first.items[0].id;
      const run = new Function("publicKey", "tokenFromYourBackend", "fresh", "render", "button", "id", "user",
        `return (async () => { ${script}\n return { client }; })();`);
      let client;
      try {
        ({ client } = await run(publicKey, tokenFromYourBackend, fresh, render, button, id, user));
      } catch (e) {
        throw new Error(`README example ${window.__step}: ${e.code || ""} ${e.message}`);
      }
      window.client = client;
      return { rendered, onclick: typeof button.onclick, supported: client.push.isSupported() };
    }, { user, script });
    // The feed example rendered, marked one read and then all: the edge agrees.
    assert.ok(out.rendered.length >= 2, JSON.stringify(out.rendered));
    assert.ok(out.rendered.every(([n, u]) => Number.isInteger(n) && Number.isInteger(u)));
    assert.equal(out.rendered.at(-1)[1], 0, "markAllRead reached the listener");
    assert.equal((await admin("GET", `/users/${user}/deliveries`)).meta.unread_count, 0);
    if (out.supported) assert.equal(out.onclick, "function", "the push example wired the button");

    // The React example renders the unread count.
    await admin("POST", "/notifications", { to: user, data: { subject: "three" } });
    await page.evaluate(() => (document.body.innerHTML = '<div id="root"></div>'));
    await page.addScriptTag({ content: bell, type: "module" });
    // An inline module runs once its imports have loaded, after addScriptTag returns.
    await page.waitForFunction(() => typeof window.renderBell === "function", null, { timeout: 15000 });
    await page.evaluate(() => window.renderBell(document.getElementById("root"), window.client));
    await page.waitForFunction(() => document.querySelector("#root button")?.textContent === "1", null, { timeout: 15000 });
  } finally {
    await context.close();
  }
});
