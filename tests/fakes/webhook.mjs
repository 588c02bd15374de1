// Local webhook receiver for the end-to-end tests: verifies every request with the npm
// `standardwebhooks` package (the reference implementation of the Standard Webhooks
// specification, not Tidings' code), records what arrived, and answers 204, or the statuses a
// test scripted for a recipient (`data.user.id`), e.g. 500 then 204, or 410.
//
// Start: `node tests/fakes/webhook.mjs`. It prints one JSON line: {url (where to POST),
// secret (`whsec_...`)} and exits when stdin closes.
// Control: POST /_script {user, statuses: [500, ...]}; GET /_log (every request: headers,
// verified, error, body, status answered).
import crypto from 'node:crypto';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const SECRET = `whsec_${crypto.randomBytes(32).toString('base64')}`;
const verifier = new Webhook(SECRET);
const log = [];
const scripts = new Map(); // user id -> [status]

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function handle(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === '/_log') return send(res, 200, log);
  if (req.method === 'POST' && url.pathname === '/_script') {
    const { user, statuses } = JSON.parse(body);
    scripts.set(user, statuses);
    return send(res, 204);
  }
  if (req.method !== 'POST' || url.pathname !== '/hooks/tidings') return send(res, 404, { error: 'not found' });
  const entry = { headers: req.headers, verified: false };
  log.push(entry);
  try {
    entry.body = verifier.verify(body, req.headers);
    entry.verified = true;
  } catch (e) {
    entry.error = String(e.message || e);
    entry.status = 401;
    return send(res, 401, { error: entry.error });
  }
  const list = scripts.get(entry.body?.data?.user?.id);
  entry.status = list && list.length ? list.shift() : 204;
  send(res, entry.status, entry.status === 204 ? undefined : { error: `scripted ${entry.status}` });
}

const server = http.createServer((req, res) => handle(req, res).catch((e) => send(res, 500, { error: String(e) })));
server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(JSON.stringify({ url: `${base}/hooks/tidings`, control: base, secret: SECRET }) + '\n');
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
