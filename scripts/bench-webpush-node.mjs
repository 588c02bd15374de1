// The npm `web-push` library's per-message cost in Node: generateRequestDetails (ECDH, HKDF,
// AES-GCM, VAPID JWT) on the same payload and subscription the workerd benchmark uses.
// Usage: node scripts/bench-webpush-node.mjs N PAYLOAD_FILE  → prints microseconds per message.
import webpush from "web-push";
import { readFileSync } from "node:fs";

const n = Number(process.argv[2] ?? 1000);
const { subscription, payload, vapid } = JSON.parse(readFileSync(process.argv[3], "utf8"));
const options = {
  vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
  TTL: 60,
};
const run = (count) => {
  for (let i = 0; i < count; i++) webpush.generateRequestDetails(subscription.sub, payload, options);
};
run(Math.min(200, n)); // warm-up (JIT)
const start = process.hrtime.bigint();
run(n);
const elapsed = Number(process.hrtime.bigint() - start) / 1000;
console.log((elapsed / n).toFixed(1));
