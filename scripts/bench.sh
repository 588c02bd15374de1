#!/usr/bin/env bash
# `make bench`: throughput of API routes as ratios to GET /health, measured with wrk against
# one local workerd in one run (absolute numbers on a shared 2-core machine are noise; ratios
# within one run are not). Prints a table; budgets come from the issues.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${BENCH_SECONDS:-3}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
STATE=$(mktemp -d /tmp/tidings-bench.XXXXXX)
SK="sk_bench_$RANDOM$RANDOM"
cat > "$STATE/vars" <<VARS
TIDINGS_SECRET_KEY=$SK
TIDINGS_PUBLIC_KEY=pk_bench
TIDINGS_USER_TOKEN_SECRET=bench
TIDINGS_DEV_MODE=1
VARS
set -m
scripts/local-edge.sh "$PORT" "$(port)" "$STATE/state" "$STATE/vars" > "$STATE/wrangler.log" 2>&1 &
EDGE=$!
trap 'kill -TERM -- -$EDGE 2>/dev/null || true; rm -rf "$STATE"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 360); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.25; done
curl -sf "$BASE/health" >/dev/null || { cat "$STATE/wrangler.log"; exit 1; }

# A stored user with a token and a subscription, so the read does its full work.
curl -sf -X PUT "$BASE/users/bench-user" -H "Authorization: Bearer $SK" -d '{
  "email":"bench@example.com","timezone":"Europe/Paris","attributes":{"plan":"pro"},
  "pushTokens":[{"type":"FCM","token":"bench-token","device":{"device_id":"d1"}}],
  "webPushTokens":[{"sub":{"endpoint":"https://push.example.net/bench","keys":{
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
