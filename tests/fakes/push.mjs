// A local push service that behaves like a public one, built on implementations Tidings did
// not write: each message is decrypted with `http_ece` (RFC 8188/8291, the library npm's
// web-push uses) and the subscription's own ECDH key; the VAPID JWT (RFC 8292) is verified with
// node:crypto as a push service does: `k` is the application server key the subscription was
// created with, the ES256 signature verifies with it, `aud` is this origin, `exp` is in the
// future and at most 24 h ahead. It records what it got and answers the statuses a test
// scripted for each subscription (201, 404, 410, 413, 429 with Retry-After, 500, ...).
//
// Test API: POST /_subscribe {script, serverKey} → {endpoint, p256dh, auth};
// GET /_received/<id> → what that subscription received. First stdout line: {"origin": ...}.
// It exits when its stdin closes (the test process ended).
import { createServer } from 'node:http';
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import ece from 'http_ece';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const subs = new Map();
let origin = '';

function verifyVapid(header, serverKey) {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw new Error(`not a vapid Authorization header: ${header}`);
  const [, jwt, k] = m;
  if (k !== serverKey) throw new Error(`k=${k} is not the key the subscription was created with (${serverKey})`);
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('the JWT has not three parts');
  const head = JSON.parse(Buffer.from(parts[0], 'base64url'));
  if (head.alg !== 'ES256') throw new Error(`alg ${head.alg} is not ES256`);
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) },
    format: 'jwk',
  });
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const sig = Buffer.from(parts[2], 'base64url');
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('bad ES256 signature');
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  if (!(claims.exp > now)) throw new Error(`exp ${claims.exp} is not in the future`);
  if (claims.exp > now + 24 * 3600) throw new Error(`exp ${claims.exp} is more than 24 hours ahead`);
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not this push service`);
  return claims;
}

function subscribe({ script = [201], serverKey }) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const id = randomBytes(12).toString('hex');
  subs.set(id, { ecdh, auth, serverKey, script, received: [] });
  return { endpoint: `${origin}/push/${id}`, p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) };
}

function receive(sub, headers, body) {
  const got = { headers, body: body.toString('base64') };
  try {
    if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${headers['content-encoding']}`);
    got.plaintext = ece
      .decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: b64url(sub.auth) })
      .toString('base64');
  } catch (e) {
    got.plaintextError = String(e.message ?? e);
  }
  try {
    got.claims = verifyVapid(headers.authorization, sub.serverKey);
  } catch (e) {
    got.claimsError = String(e.message ?? e);
  }
  got.answered = sub.script[sub.received.length] ?? sub.script.at(-1) ?? 201;
  sub.received.push(got);
  return got.answered;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const json = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const path = req.url ?? '';
    if (req.method === 'POST' && path === '/_subscribe') return json(200, subscribe(JSON.parse(body)));
    if (req.method === 'GET' && path.startsWith('/_received/')) {
      return json(200, subs.get(path.slice('/_received/'.length))?.received ?? []);
    }
    const sub = req.method === 'POST' && path.startsWith('/push/') ? subs.get(path.slice('/push/'.length)) : null;
    if (!sub) return json(404, { error: 'no such subscription' });
    const status = receive(sub, req.headers, body);
    res.writeHead(status, status === 429 ? { 'retry-after': '1' } : {});
    res.end();
  });
});

server.listen(0, '127.0.0.1', () => {
  origin = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ origin })}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
