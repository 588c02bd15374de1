// Local fake Slack for the end-to-end tests: the Web API (`chat.postMessage`,
// `conversations.open`, `oauth.v2.access`-shaped token issuing) and incoming webhooks
// (`/services/T…/B…/secret`). It checks what Slack checks: the bearer token against its own
// table of issued tokens (unknown → invalid_auth, revoked → token_revoked, none → not_authed),
// the JSON content type and body, the channel (by id, `#name` or `name`; archived, not a member,
// unknown; DMs only once opened), and Block Kit (./blockkit.mjs, from Slack's documented rules:
// Slack refuses the message with invalid_blocks). It answers in Slack's shapes: HTTP 200 with
// {ok:false, error} on the Web API, plain-text codes with 4xx on webhooks, 429 + Retry-After
// when rate limited.
//
// Start: `node tests/fakes/slack.mjs`; prints one JSON line {url, botToken, channels, users}.
// Exits when stdin closes. Control: POST /_issue → an OAuth v2 answer with a new bot token and
// incoming webhook (the user's slackToken); POST /_revoke {token}; POST /_script {token,
// answers: [{status, error, retryAfter}]} (answers to the next calls made with that token or
// to that webhook URL, before any check); GET /_log (messages and conversations.open calls).
import crypto from 'node:crypto';
import http from 'node:http';
import { check as checkBlocks } from './blockkit.mjs';

const TEAM = 'T0TIDINGS';
const channels = [
  { id: 'C0GENERAL01', name: 'general' },
  { id: 'C0ALERTS001', name: 'alerts' },
  { id: 'G0PRIVATE01', name: 'private-team' },
  { id: 'C0ARCHIVED1', name: 'old-stuff', archived: true },
  { id: 'C0NOTMEMBER', name: 'elsewhere', notMember: true },
];
const users = ['U0ALICE0001', 'U0BOB000001', 'W0GRID00001'];
const tokens = new Map(); // token -> {revoked, webhook}
const hooks = new Map(); // path -> {token, channel}
const scripts = new Map(); // token or hook path -> [answer]
const dms = new Map(); // D… id -> user
const log = [];
let seq = 0;

const rand = (n) => crypto.randomBytes(n).toString('hex');
const issue = (prefix) => {
  const t = `${prefix}-${++seq}-${rand(12)}`;
  tokens.set(t, { revoked: false });
  return t;
};
const botToken = issue('xoxb-operator');

async function read(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, headers = {}) {
  const json = typeof body !== 'string';
  res.writeHead(status, { 'content-type': json ? 'application/json; charset=utf-8' : 'text/html', ...headers });
  res.end(json ? JSON.stringify(body) : body);
}

function scripted(key) {
  const list = scripts.get(key);
  return list && list.length ? list.shift() : null;
}

/** Slack reads a JSON body only with `Content-Type: application/json` (charset optional). */
function jsonBody(req, text) {
  const ct = (req.headers['content-type'] || '').toLowerCase();
  if (!/^application\/json(;\s*charset=utf-8)?$/.test(ct)) return { error: 'invalid_form_data' };
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? { body: v } : { error: 'invalid_json' };
  } catch {
    return { error: 'invalid_json' };
  }
}

function findChannel(c) {
  if (typeof c !== 'string' || !c) return null;
  if (dms.has(c)) return { id: c, name: null, dm: true };
  const name = c.startsWith('#') ? c.slice(1) : c;
  return channels.find((x) => x.id === c || x.name === name) || null;
}

function ts() {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + (++seq % 1000)).padStart(6, '0')}`;
}

/** The message checks both chat.postMessage and webhooks make; an error code or null. */
function messageError(body, entry) {
  const hasText = typeof body.text === 'string' && body.text.length > 0;
  if (!hasText && !body.blocks && !body.attachments) return 'no_text';
  if (body.text !== undefined && typeof body.text !== 'string') return 'invalid_arguments';
  if (hasText && [...body.text].length > 40000) return 'msg_too_long';
  if (body.blocks !== undefined) {
    const errors = checkBlocks(body.blocks);
    if (errors.length) {
      entry.blockErrors = errors;
      return 'invalid_blocks';
    }
  }
  return null;
}

async function webApi(req, res, method, text) {
  const entry = { service: 'api', method, at: Date.now() };
  log.push(entry);
  const auth = req.headers.authorization || '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  entry.token = token;
  const s = token && scripted(token);
  if (s) {
    entry.scripted = s;
    const headers = s.retryAfter !== undefined ? { 'retry-after': String(s.retryAfter) } : {};
    return send(res, s.status || 200, { ok: false, error: s.error }, headers);
  }
  const fail = (error, extra = {}) => {
    entry.error = error;
    return send(res, 200, { ok: false, error, ...extra });
  };
  if (!token) return fail('not_authed');
  const known = tokens.get(token);
  if (!known) return fail('invalid_auth');
  if (known.revoked) return fail('token_revoked');
  const { body, error } = jsonBody(req, text);
  if (error) return fail(error);
  entry.body = body;
  if (method === 'conversations.open') {
    if (typeof body.users !== 'string' || !body.users) return fail('users_list_not_supplied');
    if (body.users.includes(',')) return fail('not_enough_users'); // one user: a DM, not a group DM
    if (!users.includes(body.users)) return fail('user_not_found');
    const id = `D${body.users.slice(1)}`;
    const already = dms.has(id);
    dms.set(id, body.users);
    entry.opened = id;
    return send(res, 200, { ok: true, ...(already ? { no_op: true, already_open: true } : {}), channel: { id } });
  }
  // chat.postMessage
  const ch = findChannel(body.channel);
  if (!ch) return fail('channel_not_found');
  if (ch.archived) return fail('is_archived');
  if (ch.notMember) return fail('not_in_channel');
  const bad = messageError(body, entry);
  if (bad === 'invalid_blocks') {
    return fail(bad, { errors: entry.blockErrors, response_metadata: { messages: entry.blockErrors.map((e) => `[ERROR] ${e}`) } });
  }
  if (bad) return fail(bad);
  const t = ts();
  Object.assign(entry, { channel: ch.id, channelName: ch.name, ts: t, text: body.text, blocks: body.blocks });
  return send(res, 200, { ok: true, channel: ch.id, ts: t, message: { type: 'message', text: body.text, blocks: body.blocks, ts: t, bot_id: 'B0FAKEBOT' } });
}

async function webhook(req, res, path, text) {
  const entry = { service: 'webhook', path, at: Date.now() };
  log.push(entry);
  const hook = hooks.get(path);
  if (!hook) return send(res, 404, (entry.error = 'no_service'));
  entry.token = hook.token;
  const s = scripted(path);
  if (s) {
    entry.scripted = s;
    const headers = s.retryAfter !== undefined ? { 'retry-after': String(s.retryAfter) } : {};
    return send(res, s.status || 400, s.error || '', headers);
  }
  if (tokens.get(hook.token).revoked) return send(res, 403, (entry.error = 'invalid_token'));
  const { body, error } = jsonBody(req, text);
  if (error) return send(res, 400, (entry.error = 'invalid_payload'));
  const bad = messageError(body, entry);
  if (bad === 'no_text') return send(res, 400, (entry.error = 'missing_text_or_fallback_or_attachments'));
  if (bad) return send(res, 400, (entry.error = bad === 'invalid_blocks' ? 'invalid_blocks' : 'invalid_payload'));
  Object.assign(entry, { channel: hook.channel.id, channelName: hook.channel.name, text: body.text, blocks: body.blocks });
  return send(res, 200, 'ok');
}

let base = '';

async function handle(req, res) {
  const text = await read(req);
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (req.method === 'GET' && p === '/_log') return send(res, 200, log);
  if (req.method === 'POST' && p === '/_issue') {
    const access = issue('xoxb');
    const channel = channels[1];
    const hookPath = `/services/${TEAM}/B${rand(5).toUpperCase()}/${rand(12)}`;
    hooks.set(hookPath, { token: access, channel });
    return send(res, 200, {
      ok: true,
      app_id: 'A0TIDINGS',
      authed_user: { id: users[0] },
      scope: 'chat:write,im:write,incoming-webhook',
      token_type: 'bot',
      access_token: access,
      bot_user_id: 'U0BOT000001',
      team: { id: TEAM, name: 'Tidings Test' },
      enterprise: null,
      is_enterprise_install: false,
      incoming_webhook: { channel: `#${channel.name}`, channel_id: channel.id, configuration_url: `${base}/services/${TEAM}`, url: `${base}${hookPath}` },
    });
  }
  if (req.method === 'POST' && p === '/_revoke') {
    const t = tokens.get(JSON.parse(text).token);
    if (t) t.revoked = true;
    return send(res, 204, '');
  }
  if (req.method === 'POST' && p === '/_script') {
    const { token, answers } = JSON.parse(text);
    const key = token.startsWith('http') ? new URL(token).pathname : token;
    scripts.set(key, answers);
    return send(res, 204, '');
  }
  const api = p.match(/^\/api\/(chat\.postMessage|conversations\.open)$/);
  if (api && req.method === 'POST') return webApi(req, res, api[1], text);
  if (p.startsWith('/services/') && req.method === 'POST') return webhook(req, res, p, text);
  if (p.startsWith('/api/')) return send(res, 200, { ok: false, error: 'unknown_method' });
  return send(res, 404, 'not found');
}

const server = http.createServer((req, res) => handle(req, res).catch((e) => send(res, 500, { ok: false, error: 'fatal_error', detail: String(e) })));
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(JSON.stringify({ url: base, botToken, channels, users }) + '\n');
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
