// Local fake Amazon SES v2 and Amazon SNS for the end-to-end tests of email.
//
// SES (`POST /v2/email/outbound-emails`): verifies the AWS Signature Version 4 of every request
// with the npm package `aws4` (re-signing the signed headers with the known secret and
// comparing), the credential scope (region, service `ses`), the clock skew (15 min), the
// verified sender identity, the configuration set and the body's shape (tag and header value
// rules), and answers as SES v2 does: 200 `{MessageId}`, or a status with an
// `x-amzn-ErrorType` header and `{"message": ...}` body. Accepted emails are recorded.
//
// SNS: makes its own RSA key and a self-signed certificate (openssl command line), serves the
// certificate at a loopback SigningCertURL and signs, with node:crypto, the messages it POSTs
// to a subscription: SubscriptionConfirmation (its SubscribeURL is served here too) and SES
// event notifications (Bounce, Complaint, Delivery) about an email it recorded, built as SES
// builds them (mail.tags echo the EmailTags).
//
// Start: `node tests/fakes/email.mjs`. Prints one JSON line: {ses, sns, region, accessKeyId,
// secretAccessKey, from, configurationSet, topicArn}. Exits when stdin closes.
// Control (on the SES port): GET /_emails (accepted emails), GET /_log (every request),
// POST /_script {to, answers: [{status, type, message, headers}]} (answers for that recipient,
// in order, then 200s).
// Control (on the SNS port): POST /_publish {target, type, message?, email?, event?, version?,
// tamper?, topicArn?} → {status, body} of the subscription's answer; GET /_confirmations.
import aws4 from 'aws4';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const REGION = 'us-east-1';
const ACCESS_KEY_ID = 'AKIAFAKETIDINGS00001';
const SECRET = crypto.randomBytes(30).toString('base64');
const FROM = 'Tidings Test <news@tidings.test>';
const VERIFIED = ['news@tidings.test'];
const CONFIGURATION_SET = 'tidings-events';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:tidings-ses-events';

const emails = [];
const log = [];
const scripts = new Map(); // recipient -> [answer]
const confirmations = [];
let seq = 0;

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** An SES v2 error as the service answers it. */
function sesError(res, status, type, message, headers = {}) {
  send(res, status, { message }, {
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
}

async function read(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Checks the request's SigV4 with aws4; throws [status, type, message] when it fails. */
function verifySigV4(req, body) {
  const auth = req.headers.authorization || '';
  const m = auth.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/);
  if (!m) throw [403, 'IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature.'];
  const [, keyId, date, region, service, signedList, signature] = m;
  if (keyId !== ACCESS_KEY_ID) throw [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'];
  const amzDate = req.headers['x-amz-date'] || '';
  if (!amzDate.startsWith(date)) throw [403, 'SignatureDoesNotMatch', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.'];
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(Date.now() - when) <= 15 * 60 * 1000)) throw [403, 'InvalidSignatureException', `Signature expired: ${amzDate}`];
  if (region !== REGION || service !== 'ses') throw [403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region and service ses, not '${region}/${service}'.`];
  const signed = signedList.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) throw [403, 'SignatureDoesNotMatch', 'host and x-amz-date must be signed.'];
  const headers = {};
  for (const name of signed) headers[name] = req.headers[name] ?? '';
  const ignore = {};
  for (const name of ['content-type', 'content-length']) if (!signed.includes(name)) ignore[name] = true;
  const url = new URL(req.url, 'http://x');
  const expected = aws4.sign(
    { method: req.method, path: url.pathname + url.search, headers, body, service: 'ses', region, extraHeadersToIgnore: ignore },
    { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
  ).headers.Authorization;
  const want = Buffer.from(expected.split('Signature=')[1] || '');
  const got = Buffer.from(signature);
  if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) {
    throw [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'];
  }
}

const address = (a) => (String(a).match(/<([^>]+)>\s*$/) || [null, String(a)])[1].trim();

/** Checks the SendEmail body; throws [status, type, message] as SES would. */
function checkSendEmail(e) {
  const bad = (msg) => { throw [400, 'BadRequestException', msg]; };
  if (!e || typeof e !== 'object') bad('Invalid JSON body.');
  if (typeof e.FromEmailAddress !== 'string') bad('FromEmailAddress is required.');
  if (!VERIFIED.includes(address(e.FromEmailAddress))) {
    throw [400, 'MessageRejected', `Email address is not verified. The following identities failed the check in region US-EAST-1: ${e.FromEmailAddress}`];
  }
  if (e.ConfigurationSetName !== undefined && e.ConfigurationSetName !== CONFIGURATION_SET) {
    throw [404, 'NotFoundException', `Configuration set <${e.ConfigurationSetName}> does not exist.`];
  }
  const to = e.Destination && e.Destination.ToAddresses;
  if (!Array.isArray(to) || to.length === 0) bad('Missing required field Destination.');
  const simple = e.Content && e.Content.Simple;
  if (!simple) bad('Content must have Simple, Raw or Template.');
  if (!simple.Subject || typeof simple.Subject.Data !== 'string' || !simple.Subject.Data) bad('Missing required field Subject.');
  if (!simple.Body || !(simple.Body.Text || simple.Body.Html)) bad('Missing required field Body.');
  for (const h of simple.Headers || []) {
    if (!/^[!-9;-~]+$/.test(h.Name || '') || !/^[ -~]{1,995}$/.test(h.Value || '')) bad(`Invalid header ${h.Name}.`);
  }
  for (const t of e.EmailTags || []) {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(t.Name || '') || !/^[A-Za-z0-9_-]{1,256}$/.test(t.Value || '')) {
      bad(`Invalid tag ${t.Name}: tag values may contain only letters, digits, _ and -.`);
    }
  }
  return to;
}

async function ses(req, res) {
  const body = await read(req);
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === '/_emails') return send(res, 200, emails);
  if (req.method === 'GET' && url.pathname === '/_log') return send(res, 200, log);
  if (req.method === 'POST' && url.pathname === '/_script') {
    const { to, answers } = JSON.parse(body);
    scripts.set(to, answers);
    return send(res, 204);
  }
  const entry = { at: Date.now(), path: url.pathname, errors: [] };
  log.push(entry);
  if (req.method !== 'POST' || url.pathname !== '/v2/email/outbound-emails') {
    entry.errors.push('route');
    return sesError(res, 404, 'UnknownOperationException', 'Unknown operation.');
  }
  try {
    verifySigV4(req, body);
    entry.signature = 'valid';
    let e;
    try {
      e = JSON.parse(body);
    } catch {
      throw [400, 'SerializationException', 'Invalid JSON.'];
    }
    entry.to = e && e.Destination && e.Destination.ToAddresses;
    const to = checkSendEmail(e);
    const list = scripts.get(to[0]);
    const s = list && list.length ? list.shift() : null;
    if (s) {
      entry.scripted = s;
      return sesError(res, s.status, s.type, s.message || s.type, s.headers || {});
    }
    const messageId = `0100019${Date.now().toString(16)}-${crypto.randomUUID()}-000000`;
    const headers = Object.fromEntries((e.Content.Simple.Headers || []).map((h) => [h.Name, h.Value]));
    const tags = Object.fromEntries((e.EmailTags || []).map((t) => [t.Name, [t.Value]]));
    emails.push({ messageId, seq: ++seq, from: e.FromEmailAddress, to, configurationSet: e.ConfigurationSetName,
      subject: e.Content.Simple.Subject.Data, text: e.Content.Simple.Body.Text && e.Content.Simple.Body.Text.Data,
      html: e.Content.Simple.Body.Html && e.Content.Simple.Body.Html.Data, headers, tags, amzDate: req.headers['x-amz-date'] });
    entry.messageId = messageId;
    return send(res, 200, { MessageId: messageId });
  } catch (err) {
    if (!Array.isArray(err)) throw err;
    const [status, type, message] = err;
    entry.errors.push(type);
    return sesError(res, status, type, message);
  }
}

// ---- SNS ----

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-fake-sns-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=sns.amazonaws.com', '-days', '2',
  '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
const snsKey = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
const snsCert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
fs.rmSync(dir, { recursive: true, force: true });
new crypto.X509Certificate(snsCert); // throws if openssl made something else
const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
let snsBase = '';

/** The string SNS signs (AWS SNS developer guide, "Verifying message signatures"). */
function stringToSign(m) {
  const keys = m.Type === 'Notification'
    ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
}

/** The SES event notification about a recorded email, as SES publishes it. */
function sesEvent(email, event) {
  const now = new Date().toISOString();
  const mail = { timestamp: now, source: email.from, sendingAccountId: '123456789012', messageId: email.messageId,
    destination: email.to, headersTruncated: false, tags: { 'ses:configuration-set': [CONFIGURATION_SET], ...email.tags } };
  const recipient = (event.recipient || email.to[0]);
  switch (event.kind) {
    case 'Bounce':
      return { eventType: 'Bounce', mail, bounce: { bounceType: event.bounceType || 'Permanent',
        bounceSubType: event.bounceSubType || 'General', feedbackId: crypto.randomUUID(), timestamp: now,
        reportingMTA: 'dsn; a1-2.smtp-out.amazonses.com',
        bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] } };
    case 'Complaint':
      return { eventType: 'Complaint', mail, complaint: { feedbackId: crypto.randomUUID(), timestamp: now,
        complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: recipient }] } };
    case 'Delivery':
      return { eventType: 'Delivery', mail, delivery: { timestamp: now, processingTimeMillis: 500,
        recipients: [recipient], smtpResponse: '250 ok', reportingMTA: 'a1-2.smtp-out.amazonses.com' } };
    default:
      return { eventType: event.kind, mail };
  }
}

async function publish(p) {
  const type = p.type || 'Notification';
  const version = String(p.version || 1);
  let message = p.message;
  if (p.email) {
    const email = emails.find((e) => e.messageId === p.email);
    if (!email) return { status: 0, body: `no recorded email ${p.email}` };
    message = JSON.stringify(sesEvent(email, p.event || { kind: 'Delivery' }));
  }
  const m = { Type: type, MessageId: crypto.randomUUID(), TopicArn: p.topicArn || TOPIC_ARN,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: new Date(Date.now() - (p.tamper === 'stale' ? 2 * 3600 * 1000 : 0)).toISOString(),
    SignatureVersion: version, Signature: '', SigningCertURL: `${snsBase}/SimpleNotificationService-test.pem`,
    UnsubscribeURL: `${snsBase}/?Action=Unsubscribe` };
  if (type === 'Notification') {
    if (p.subject) m.Subject = p.subject;
  } else {
    m.Token = crypto.randomBytes(32).toString('hex');
    m.SubscribeURL = `${snsBase}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(m.TopicArn)}&Token=${m.Token}`;
    delete m.UnsubscribeURL;
  }
  const key = p.tamper === 'wrong-key' ? otherKey : snsKey;
  m.Signature = crypto.sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(stringToSign(m)), key).toString('base64');
  if (p.tamper === 'message') m.Message = m.Message.replace('Delivery', 'Bounce').replace('Permanent', 'Transient') + ' ';
  if (p.tamper === 'unsigned') delete m.Signature;
  if (p.tamper === 'cert-host') m.SigningCertURL = 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem';
  if (p.tamper === 'subscribe-host') {
    m.SubscribeURL = 'https://evil.example/?Action=ConfirmSubscription';
    m.Signature = crypto.sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(stringToSign(m)), key).toString('base64');
  }
  const r = await fetch(p.target, { method: 'POST', body: JSON.stringify(m), headers: {
    'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type, 'x-amz-sns-message-id': m.MessageId,
    'x-amz-sns-topic-arn': m.TopicArn, 'user-agent': 'Amazon Simple Notification Service Agent' } });
  return { status: r.status, body: await r.text(), sent: m };
}

async function sns(req, res) {
  const body = await read(req);
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === '/SimpleNotificationService-test.pem') {
    res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' });
    return res.end(snsCert);
  }
  if (req.method === 'GET' && url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
    confirmations.push({ topicArn: url.searchParams.get('TopicArn'), token: url.searchParams.get('Token') });
    res.writeHead(200, { 'content-type': 'text/xml' });
    return res.end('<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult>'
      + `<SubscriptionArn>${TOPIC_ARN}:${crypto.randomUUID()}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`);
  }
  if (req.method === 'GET' && url.pathname === '/_confirmations') return send(res, 200, confirmations);
  if (req.method === 'POST' && url.pathname === '/_publish') return send(res, 200, await publish(JSON.parse(body)));
  send(res, 404, { error: 'no such route' });
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => handler(req, res).catch((e) => send(res, 500, { error: String(e) })));
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

const sesBase = await listen(ses);
snsBase = await listen(sns);
process.stdout.write(JSON.stringify({ ses: sesBase, sns: snsBase, region: REGION, accessKeyId: ACCESS_KEY_ID,
  secretAccessKey: SECRET, from: FROM, configurationSet: CONFIGURATION_SET, topicArn: TOPIC_ARN }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
