// `make bench`, scheduling (issue 15): the time to accept 10,000 scheduled sends to distinct
// users (10 requests of 1,000 recipients, send_at a day ahead), and the lateness of 1,000
// in-app sends that all fall due at one instant: each delivery's sent_at minus its deliver_at
// (p50 / p99, ms). Budget: p99 <= 1 s late.
// Usage: node scripts/bench-schedule.mjs BASE SECRET_KEY [N_ACCEPT] [N_LATE]
const [base, sk, nAccept = '10000', nLate = '1000'] = process.argv.slice(2);
const auth = { authorization: `Bearer ${sk}`, 'content-type': 'application/json' };
const run = Date.now().toString(36);

async function post(body) {
  const r = await fetch(`${base}/notifications`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  if (r.status !== 202) throw new Error(`POST /notifications ${r.status}: ${await r.text()}`);
  return r.json();
}

const users = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}-${run}-${i}`);

// 1. Acceptance.
const far = new Date(Date.now() + 86_400_000).toISOString();
const accepting = users('sched-accept', Number(nAccept));
let t0 = performance.now();
for (let i = 0; i < accepting.length; i += 1000) {
  await post({ to: accepting.slice(i, i + 1000), send_at: far, data: { subject: 'Tomorrow' } });
}
const acceptS = (performance.now() - t0) / 1000;

// 2. Lateness: one instant for all, far enough ahead for the request to finish.
const late = users('sched-late', Number(nLate));
const dueMs = Date.now() + 90_000;
const accepted = await post({ to: late, send_at: new Date(dueMs).toISOString(), data: { subject: 'Now' } });
if (Date.now() >= dueMs) throw new Error('the send was accepted after its due time: raise the lead');
await new Promise((r) => setTimeout(r, dueMs - Date.now() + 5_000));
const lateness = [];
let missing = 0;
const queue = accepted.deliveries.map((d) => d.recipient_id);
async function reader() {
  while (queue.length) {
    const u = queue.pop();
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = await fetch(`${base}/users/${encodeURIComponent(u)}/deliveries?limit=1`, { headers: auth });
      const item = (await r.json()).items?.[0];
      if (item?.sent_at) {
        lateness.push(Date.parse(item.sent_at) - Date.parse(item.deliver_at));
        break;
      }
      if (attempt === 19) missing++;
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}
await Promise.all(Array.from({ length: 16 }, reader));
lateness.sort((a, b) => a - b);
const pct = (p) => lateness[Math.min(lateness.length - 1, Math.floor((p / 100) * lateness.length))];
console.log();
if (Number(nAccept)) console.log(`Scheduling: ${nAccept} scheduled sends to distinct users accepted in ${acceptS.toFixed(1)} s (${(Number(nAccept) / acceptS).toFixed(0)}/s)`);
console.log(`  ${nLate} in-app sends due at one instant: lateness p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${lateness[lateness.length - 1]} ms` +
  (missing ? `, ${missing} never arrived` : ''));
console.log(`  budget p99 <= 1000 ms ` + (pct(99) <= 1000 && !missing ? 'ok' : 'MISSED'));
