// The load test of `make bench`: mixed traffic against one local edge from CLIENTS concurrent
// clients for SECONDS (and at most MAX_REQUESTS requests), plus one realtime socket per feed user;
// then every user's `meta` is compared with a recount of their feed.
// Prints requests/s, p50/p99 latency per kind and overall, the 5xx count (must be 0) and the
// recount result; exits 1 on any 5xx, network error or count mismatch.
// Usage (Node 22, for WebSocket): node scripts/bench-load.mjs BASE SECRET_KEY PUBLIC_KEY USER_TOKEN_SECRET
import { createHmac } from "node:crypto";

const [base, sk, pk, tokenSecret] = process.argv.slice(2);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 16);
const MAX_REQUESTS = Number(process.env.BENCH_LOAD_MAX_REQUESTS ?? 200_000);
const USERS = Number(process.env.BENCH_LOAD_USERS ?? 40);
if (!base || !sk || !pk || !tokenSecret) {
  console.error("usage: node scripts/bench-load.mjs BASE SECRET_KEY PUBLIC_KEY USER_TOKEN_SECRET");
  process.exit(2);
}

const run = Date.now().toString(36);
const users = Array.from({ length: USERS }, (_, i) => `load-${run}-${i}`);
const admin = { authorization: `Bearer ${sk}`, "content-type": "application/json" };
const pick = (list) => list[Math.floor(Math.random() * list.length)];

function userToken(sub) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${body}.${createHmac("sha256", tokenSecret).update(body).digest("base64url")}`;
}

// Latencies per kind, in ms; status classes; failures.
const stats = new Map();
let requests = 0;
let serverErrors = 0;
let networkErrors = 0;
let limited = 0;
const firstErrors = [];
const knownIds = new Map(users.map((u) => [u, []]));

async function timed(kind, method, path, body) {
  requests++;
  const t0 = performance.now();
  let status = 0;
  let json = null;
  try {
    const r = await fetch(base + path, { method, headers: admin, body: body && JSON.stringify(body) });
    status = r.status;
    const text = await r.text();
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    networkErrors++;
    if (firstErrors.length < 5) firstErrors.push(`${method} ${path}: ${e.message}`);
  }
  const ms = performance.now() - t0;
  if (!stats.has(kind)) stats.set(kind, []);
  stats.get(kind).push(ms);
  if (status >= 500) {
    serverErrors++;
    if (firstErrors.length < 5) firstErrors.push(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
  }
  if (status === 429) limited++;
  return { status, json };
}

// The mix: what a busy deployment sees (reads dominate; sends, marks and profile writes).
const MIX = [
  [30, "feed read", async (u) => {
    const { json } = await timed("feed read", "GET", `/users/${u}/deliveries?limit=25`);
    for (const d of json?.items ?? []) if (!knownIds.get(u).includes(d.id)) knownIds.get(u).push(d.id);
  }],
  [20, "send", (u) => timed("send", "POST", "/notifications", {
    to: u, topic: pick(["orders", "comments", "billing"]), data: { subject: "Load", body: `sent at ${Date.now()}` },
  })],
  [15, "mark one", (u) => {
    const id = pick(knownIds.get(u));
    if (!id) return timed("feed read", "GET", `/users/${u}/deliveries?limit=25`);
    return timed("mark one", "PATCH", `/users/${u}/deliveries/${id}`, pick([{ read: true }, { read: false }, { seen: true }, { archived: true }, { archived: false }]));
  }],
  [10, "mark all", (u) => timed("mark all", "POST", `/users/${u}/deliveries/actions`, { action: pick(["read", "seen", "unread"]) })],
  [15, "PUT user", (u) => timed("PUT user", "PUT", `/users/${u}`, { attributes: { n: Math.floor(Math.random() * 1e6) }, timezone: pick(["Europe/Paris", "America/New_York", null]) })],
  [10, "GET user", (u) => timed("GET user", "GET", `/users/${u}`)],
];
const WEIGHT = MIX.reduce((s, [w]) => s + w, 0);
function choose() {
  let r = Math.random() * WEIGHT;
  for (const entry of MIX) if ((r -= entry[0]) < 0) return entry;
  return MIX[0];
}

// One socket per user for the whole run; reconnects with `since` if dropped.
let socketEvents = 0;
let socketErrors = 0;
const sockets = [];
let stopping = false;
function openSocket(u, since) {
  const q = new URLSearchParams({ api_key: pk, user_token: userToken(u) });
  if (since !== undefined) q.set("since", String(since));
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/users/${u}/feed/socket?${q}`);
  let last;
  ws.onmessage = (e) => { socketEvents++; try { last = JSON.parse(e.data).seq ?? last; } catch { /* not JSON */ } };
  ws.onerror = () => { socketErrors++; };
  ws.onclose = () => { if (!stopping) setTimeout(() => openSocket(u, last), 200); };
  sockets.push(ws);
}

async function client(deadline) {
  while (Date.now() < deadline && requests < MAX_REQUESTS) {
    const [, , act] = choose();
    await act(pick(users));
  }
}

// Every user exists and has a few deliveries before the clock starts.
await Promise.all(users.map((u) => timed("setup", "POST", "/notifications", { to: u, data: { subject: "Welcome", body: "first" } })));
stats.delete("setup");
requests = 0;
for (const u of users) openSocket(u);
await new Promise((r) => setTimeout(r, 1000));

const start = Date.now();
await Promise.all(Array.from({ length: CLIENTS }, () => client(start + SECONDS * 1000)));
const elapsed = (Date.now() - start) / 1000;
stopping = true;
for (const ws of sockets) ws.close();

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const row = (name, xs) => {
  xs.sort((a, b) => a - b);
  return `  ${name.padEnd(12)} ${String(xs.length).padStart(7)} ${(xs.length / elapsed).toFixed(0).padStart(7)}/s  p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms  p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms`;
};
console.log(`Load test: ${CLIENTS} clients + ${USERS} sockets for ${elapsed.toFixed(1)} s (cap ${MAX_REQUESTS} requests), ${USERS} users`);
const all = [];
for (const [kind, xs] of stats) { all.push(...xs); console.log(row(kind, xs)); }
console.log(row("all", all));
console.log(`  5xx: ${serverErrors}   network errors: ${networkErrors}   429: ${limited}   socket events: ${socketEvents}   socket errors: ${socketErrors}`);

// Every user's meta against a recount of their (non-archived, in-app) feed.
let mismatches = 0;
for (const u of users) {
  const items = [];
  let after = "";
  let meta;
  for (;;) {
    const { status, json } = await timed("recount", "GET", `/users/${u}/deliveries?limit=100&channel_type=in_app${after}`);
    if (status !== 200) { mismatches++; break; }
    meta ??= json.meta;
    items.push(...json.items);
    if (!json.page.has_more_after) break;
    after = `&after=${encodeURIComponent(json.page.after)}`;
  }
  const live = items.filter((d) => d.status !== "skipped" && d.status !== "failed");
  const recount = { total_count: live.length, unread_count: live.filter((d) => !d.read_at).length, unseen_count: live.filter((d) => !d.seen_at).length };
  if (!meta || ["total_count", "unread_count", "unseen_count"].some((k) => meta[k] !== recount[k])) {
    mismatches++;
    if (mismatches <= 3) console.log(`  meta ${JSON.stringify(meta)} != recount ${JSON.stringify(recount)} for ${u}`);
  }
}
console.log(`  meta equals a recount for ${USERS - mismatches} of ${USERS} users`);
for (const e of firstErrors) console.log(`  error: ${e}`);
const ok = serverErrors === 0 && networkErrors === 0 && mismatches === 0;
console.log(`  ${ok ? "ok" : "FAILED"}: 5xx must be 0, every meta must equal its recount`);
process.exit(ok ? 0 : 1);
