// Local fake Telnyx Messaging API for the end-to-end tests. It checks what Telnyx checks
// (the API key as `Authorization: Bearer`, a JSON body with `to` in E.164, exactly one of `from`
// / `messaging_profile_id` and it being ours, a non-empty `text` of at most 1600 characters),
// answers in Telnyx's shapes (`{data: {...}}`, `{errors: [{code, title, detail}]}`), and reports
// each message's fate to its `webhook_url` as Telnyx does: `message.sent` then
// `message.finalized`, signed with its own Ed25519 key by node:crypto (`telnyx-signature-ed25519`
// = base64 signature over `{telnyx-timestamp}|{body}`), retried up to 3 times on a non-2xx.
//
// Start: `node tests/fakes/telnyx.mjs`. It prints one JSON line: {url, apiKey, from, profileId,
// publicKey (raw 32-byte Ed25519 key, standard base64, as Telnyx's portal shows it)} and exits
// when stdin closes.
// Control: POST /_script {to, answers: [{status, body, headers} | {final, errorCode} | {final: null}]}
//   (answers for messages to number `to`, in order; `final` scripts the finalized status of an
//   accepted message, `null` sends no webhook at all); POST /_webhook {url, payload, timestamp?,
//   tamper?} signs and POSTs one event now and answers {status, body}; POST /_inbound {url, from,
//   text} sends a `message.received`; GET /_log.
import crypto from 'node:crypto';
import http from 'node:http';

const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
const API_KEY = `KEY${crypto.randomBytes(16).toString('hex').toUpperCase()}`;
const FROM = '+15550001000';
const PROFILE_ID = crypto.randomUUID();
const OUR_NUMBER = FROM;
const rawPublic = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64');

const log = [];
const scripts = new Map(); // to -> [answer]

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
}

async function read(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

const error = (code, title, detail, pointer) => ({ errors: [{ code, title, detail, ...(pointer ? { source: { pointer } } : {}) }] });

// GSM 03.38 default alphabet and extension table (for the `parts` Telnyx reports).
const GSM = new Set([...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà']);
const GSM_EXT = new Set([...'\f^{}\\[~]|€']);
function parts(text) {
  const chars = [...text];
  const gsm = chars.every((c) => GSM.has(c) || GSM_EXT.has(c));
  const cost = (c) => (gsm ? (GSM_EXT.has(c) ? 2 : 1) : c.length);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const total = chars.reduce((n, c) => n + cost(c), 0);
  if (total <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', parts: 1 };
  let n = 1;
  let used = 0;
  for (const c of chars) {
    if (used + cost(c) > multi) {
      n += 1;
      used = 0;
    }
    used += cost(c);
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', parts: n };
}

/** Signs `payload` as Telnyx does and POSTs it to `url`; returns {status, body}. */
async function deliver(url, payload, { timestamp, tamper } = {}) {
  const body = JSON.stringify(payload);
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  let signature = crypto.sign(null, Buffer.from(`${ts}|${body}`), privateKey).toString('base64');
  if (tamper) signature = crypto.sign(null, Buffer.from(`${ts}|${body} `), privateKey).toString('base64');
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': ts, 'user-agent': 'telnyx-webhooks' },
    body,
  });
  const text = await r.text();
  log.push({ kind: 'webhook', url, event: payload.data.event_type, status: r.status });
  return { status: r.status, body: text };
}

/** Telnyx retries a webhook that did not get a 2xx (up to 3 attempts). */
async function deliverWithRetries(url, payload) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    payload.meta = { attempt, delivered_to: url };
    try {
      const { status } = await deliver(url, payload);
      if (status >= 200 && status < 300) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 700 * attempt));
  }
}

function event(type, payload) {
  return { data: { event_type: type, id: crypto.randomUUID(), occurred_at: new Date().toISOString(), payload, record_type: 'event' }, meta: { attempt: 1 } };
}

async function messages(req, res, body) {
  const entry = { kind: 'message', headers: req.headers, errors: [] };
  log.push(entry);
  if (req.headers.authorization !== `Bearer ${API_KEY}`) {
    entry.errors.push('authorization');
    return send(res, 401, error('10009', 'Authentication failed', 'The API key in the Authorization header is missing or not valid.'));
  }
  let msg;
  try {
    msg = JSON.parse(body);
    entry.body = msg;
  } catch {
    entry.errors.push('json');
    return send(res, 400, error('10015', 'Bad Request', 'The request body is not valid JSON.'));
  }
  const reject = (status, code, title, pointer) => {
    entry.errors.push(pointer);
    return send(res, status, error(code, title, `${pointer} is not valid`, pointer));
  };
  if (!/^application\/json/.test(req.headers['content-type'] || '')) return reject(400, '10015', 'Bad Request', '/content-type');
  if (typeof msg.to !== 'string' || !/^\+[1-9]\d{1,14}$/.test(msg.to)) return reject(400, '40310', "Invalid 'to' address", '/to');
  const hasFrom = msg.from !== undefined;
  const hasProfile = msg.messaging_profile_id !== undefined;
  if (hasFrom === hasProfile) return reject(400, '40305', "Invalid 'from' address", '/from');
  if (hasFrom && msg.from !== FROM) return reject(400, '40305', "Invalid 'from' address", '/from');
  if (hasProfile && msg.messaging_profile_id !== PROFILE_ID) return reject(400, '40013', 'Invalid messaging profile', '/messaging_profile_id');
  if (typeof msg.text !== 'string' || msg.text.length === 0) return reject(400, '40005', 'Message body is empty', '/text');
  if ([...msg.text].length > 1600) return reject(400, '40006', 'Message too long', '/text');
  if (msg.webhook_url !== undefined && !/^https?:\/\//.test(msg.webhook_url)) return reject(400, '10015', 'Bad Request', '/webhook_url');
  const list = scripts.get(msg.to);
  const scripted = list && list.length ? list.shift() : null;
  if (scripted && scripted.status) {
    entry.answered = scripted.status;
    return send(res, scripted.status, scripted.body, scripted.headers);
  }
  const id = crypto.randomUUID();
  const { encoding, parts: n } = parts(msg.text);
  Object.assign(entry, { id, to: msg.to, text: msg.text, encoding, parts: n });
  const message = {
    record_type: 'message', direction: 'outbound', id, type: 'SMS', messaging_profile_id: PROFILE_ID,
    from: { phone_number: FROM, carrier: 'Telnyx', line_type: 'Wireless' },
    to: [{ phone_number: msg.to, status: 'queued', carrier: 'T-Mobile USA', line_type: 'Wireless' }],
    text: msg.text, encoding, parts: n, webhook_url: msg.webhook_url ?? null, errors: [], cost: null,
  };
  send(res, 200, { data: message });
  const final = scripted && 'final' in scripted ? scripted.final : 'delivered';
  if (!msg.webhook_url || final === null) return;
  setTimeout(async () => {
    const sent = { ...message, to: [{ ...message.to[0], status: 'sent' }] };
    await deliverWithRetries(msg.webhook_url, event('message.sent', sent));
    const errors = final === 'delivered' ? [] : [{ code: scripted?.errorCode ?? '40008', title: 'Undeliverable', detail: 'The message could not be delivered.' }];
    await deliverWithRetries(msg.webhook_url, event('message.finalized', { ...message, to: [{ ...message.to[0], status: final }], errors }));
  }, 150);
}

async function handle(req, res) {
  const body = await read(req);
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/v2/messages') return messages(req, res, body);
  if (req.method === 'GET' && url.pathname === '/_log') return send(res, 200, log);
  if (req.method === 'POST' && url.pathname === '/_script') {
    const { to, answers } = JSON.parse(body);
    scripts.set(to, answers);
    return send(res, 204);
  }
  if (req.method === 'POST' && url.pathname === '/_webhook') {
    const { url: target, payload, timestamp, tamper } = JSON.parse(body);
    return send(res, 200, await deliver(target, payload, { timestamp, tamper }));
  }
  if (req.method === 'POST' && url.pathname === '/_inbound') {
    const { url: target, from, text } = JSON.parse(body);
    const payload = event('message.received', {
      record_type: 'message', direction: 'inbound', id: crypto.randomUUID(), type: 'SMS', text,
      from: { phone_number: from, carrier: 'T-Mobile USA', line_type: 'Wireless' },
      to: [{ phone_number: OUR_NUMBER, status: 'webhook_delivered' }], ...parts(text),
    });
    return send(res, 200, await deliver(target, payload));
  }
  send(res, 404, error('10005', 'Resource not found', `No route for ${req.method} ${url.pathname}`));
}

const server = http.createServer((req, res) => handle(req, res).catch((e) => send(res, 500, error('10001', 'Internal error', String(e)))));
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(JSON.stringify({ url, apiKey: API_KEY, from: FROM, profileId: PROFILE_ID, publicKey: rawPublic }) + '\n');
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
