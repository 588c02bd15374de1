// Local fake FCM (OAuth2 token endpoint + HTTP v1 messages:send) and APNs (production and
// sandbox hosts) for the end-to-end tests. It verifies what the real services verify, with
// node:crypto only (never Tidings' code): the RS256 service-account assertion, the bearer
// access token, the ES256 provider token, path, headers and body; and answers in the real
// services' shapes, or with answers a test scripted for a device token.
//
// Start: `node tests/fakes/mobile.mjs`. It makes its own keys and prints one JSON line:
// {fcm: "http://127.0.0.1:P", apnsProduction: "...", apnsSandbox: "...", serviceAccount: {...},
//  apnsKey: "<PKCS#8 PEM>", apnsKeyId, apnsTeamId, apnsTopic}. It exits when stdin closes.
// Control (on the FCM port): POST /_script {token, answers: [{status, body, headers}]},
// POST /_revoke (every access token issued so far now answers 401), GET /_log.
import crypto from 'node:crypto';
import http from 'node:http';

const pem = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } };
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, ...pem });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256', ...pem });
const PROJECT = 'tidings-test';
const CLIENT_EMAIL = 'fcm-sender@tidings-test.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const KEY_ID = 'ABC123DEFG';
const TEAM_ID = 'DEF123GHIJ';
const TOPICS = ['com.example.tidings', 'com.example.other'];

const log = [];
const scripts = new Map(); // device token -> [answer]
const accessTokens = new Map(); // token -> expires (s)
const revoked = new Set();
let tokenUri = '';
let seq = 0;

const now = () => Math.floor(Date.now() / 1000);
const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/** Verifies a compact JWS with node:crypto; returns {header, claims} or throws. */
function verifyJwt(jwt, publicKey, alg) {
  const parts = (jwt || '').split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const header = b64json(parts[0]);
  const claims = b64json(parts[1]);
  if (header.alg !== alg) throw new Error(`alg ${header.alg}, want ${alg}`);
  const key = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey;
  const ok = crypto.verify('sha256', Buffer.from(parts[0] + '.' + parts[1]), key, Buffer.from(parts[2], 'base64url'));
  if (!ok) throw new Error('signature does not verify');
  return { header, claims };
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function scripted(token) {
  const list = scripts.get(token);
  return list && list.length ? list.shift() : null;
}

async function read(req) {
  let chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function fcmError(status, googleStatus, message, errorCode) {
  const details = errorCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] : [];
  return { error: { code: status, message, status: googleStatus, details } };
}

async function fcm(req, res) {
  const body = await read(req);
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/_script') {
    const { token, answers } = JSON.parse(body);
    scripts.set(token, answers);
    return send(res, 204);
  }
  if (req.method === 'POST' && url.pathname === '/_revoke') {
    for (const t of accessTokens.keys()) revoked.add(t);
    return send(res, 204);
  }
  if (req.method === 'GET' && url.pathname === '/_log') return send(res, 200, log);
  if (req.method === 'POST' && url.pathname === '/token') {
    const entry = { service: 'token', errors: [] };
    log.push(entry);
    const form = new URLSearchParams(body);
    try {
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') throw new Error('content-type');
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw new Error('grant_type');
      const { claims } = verifyJwt(form.get('assertion'), rsa.publicKey, 'RS256');
      entry.claims = claims;
      if (claims.iss !== CLIENT_EMAIL) throw new Error('iss');
      if (claims.scope !== SCOPE) throw new Error('scope');
      if (claims.aud !== tokenUri) throw new Error('aud');
      const t = now();
      if (!(Math.abs(claims.iat - t) <= 300)) throw new Error('iat');
      if (!(claims.exp > t && claims.exp - claims.iat <= 3600)) throw new Error('exp');
    } catch (e) {
      entry.errors.push(String(e.message || e));
      return send(res, 400, { error: 'invalid_grant', error_description: `Invalid JWT: ${e.message}` });
    }
    const token = `ya29.fake-${++seq}-${crypto.randomBytes(8).toString('hex')}`;
    accessTokens.set(token, now() + 3599);
    entry.accessToken = token;
    return send(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }
  const m = url.pathname.match(/^\/v1\/projects\/([^/]+)\/messages:send$/);
  if (req.method === 'POST' && m) {
    const entry = { service: 'fcm', path: url.pathname, headers: req.headers, errors: [] };
    log.push(entry);
    const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
    entry.bearer = bearer;
    if (!accessTokens.has(bearer) || revoked.has(bearer) || accessTokens.get(bearer) < now()) {
      entry.errors.push('bearer');
      return send(res, 401, fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'));
    }
    if (m[1] !== PROJECT) entry.errors.push('project');
    let msg;
    try {
      msg = JSON.parse(body).message;
      entry.body = JSON.parse(body);
    } catch {
      entry.errors.push('json');
    }
    if (!msg || typeof msg.token !== 'string') entry.errors.push('message.token');
    if (msg && msg.data && Object.values(msg.data).some((v) => typeof v !== 'string')) entry.errors.push('data values must be strings');
    if (entry.errors.length) {
      return send(res, 400, fcmError(400, 'INVALID_ARGUMENT', `Invalid message: ${entry.errors.join(', ')}`, 'INVALID_ARGUMENT'));
    }
    entry.token = msg.token;
    const s = scripted(msg.token);
    if (s) return send(res, s.status, s.body, s.headers);
    return send(res, 200, { name: `projects/${PROJECT}/messages/0:${Date.now()}%${++seq}` });
  }
  send(res, 404, fcmError(404, 'NOT_FOUND', 'no such route'));
}

function apns(host) {
  return async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url, 'http://x');
    const m = url.pathname.match(/^\/3\/device\/([^/]+)$/);
    if (req.method !== 'POST' || !m) return send(res, 404, { reason: 'BadPath' });
    const token = decodeURIComponent(m[1]);
    const entry = { service: 'apns', host, path: url.pathname, token, headers: req.headers, errors: [] };
    log.push(entry);
    const auth = req.headers.authorization || '';
    entry.bearer = auth.replace(/^bearer /, '');
    try {
      if (!auth.startsWith('bearer ')) throw new Error('MissingProviderToken');
      const { header, claims } = verifyJwt(entry.bearer, ec.publicKey, 'ES256');
      entry.jwt = { header, claims };
      if (header.kid !== KEY_ID || claims.iss !== TEAM_ID) throw new Error('InvalidProviderToken');
      if (now() - claims.iat > 3600) throw new Error('ExpiredProviderToken');
      if (claims.iat - now() > 60) throw new Error('InvalidProviderToken');
    } catch (e) {
      const reason = ['MissingProviderToken', 'ExpiredProviderToken'].includes(e.message) ? e.message : 'InvalidProviderToken';
      entry.errors.push(reason);
      return send(res, 403, { reason }, { 'apns-id': crypto.randomUUID() });
    }
    const h = req.headers;
    const reject = (status, reason) => {
      entry.errors.push(reason);
      return send(res, status, { reason }, { 'apns-id': crypto.randomUUID() });
    };
    if (!/^[0-9a-zA-Z]+$/.test(token)) return reject(400, 'BadDeviceToken');
    if (!h['apns-topic']) return reject(400, 'MissingTopic');
    if (!TOPICS.includes(h['apns-topic'])) return reject(400, 'TopicDisallowed');
    if (h['apns-push-type'] !== 'alert') return reject(400, 'InvalidPushType');
    if (!['5', '10'].includes(h['apns-priority'])) return reject(400, 'BadPriority');
    if (!/^\d+$/.test(h['apns-expiration'] || '')) return reject(400, 'BadExpirationDate');
    if (h['apns-collapse-id'] && Buffer.byteLength(h['apns-collapse-id']) > 64) return reject(400, 'BadCollapseId');
    if (Buffer.byteLength(body) > 4096) return reject(413, 'PayloadTooLarge');
    try {
      entry.body = JSON.parse(body);
    } catch {
      return reject(400, 'PayloadEmpty');
    }
    if (!entry.body.aps || typeof entry.body.aps !== 'object') return reject(400, 'PayloadEmpty');
    const s = scripted(token);
    const id = crypto.randomUUID().toUpperCase();
    entry.apnsId = id;
    if (s) return send(res, s.status, s.body, { 'apns-id': id, ...(s.headers || {}) });
    res.writeHead(200, { 'apns-id': id });
    res.end();
  };
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => handler(req, res).catch((e) => send(res, 500, { error: String(e) })));
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

const fcmBase = await listen(fcm);
tokenUri = `${fcmBase}/token`;
const apnsProduction = await listen(apns('production'));
const apnsSandbox = await listen(apns('sandbox'));
process.stdout.write(
  JSON.stringify({
    fcm: fcmBase,
    apnsProduction,
    apnsSandbox,
    serviceAccount: {
      type: 'service_account',
      project_id: PROJECT,
      private_key_id: 'fake-key-1',
      private_key: rsa.privateKey,
      client_email: CLIENT_EMAIL,
      client_id: '1',
      token_uri: tokenUri,
    },
    apnsKey: ec.privateKey,
    apnsKeyId: KEY_ID,
    apnsTeamId: TEAM_ID,
    apnsTopic: TOPICS[0],
  }) + '\n',
);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
