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
ROUNDS=${BENCH_ROUNDS:-4}
# Each route is run in short interleaved rounds so that drift (thermal, other load) hits every
# route alike; a route's figure is its total requests over its total time.
wrk -t1 -c16 -d2s "$BASE/health" >/dev/null 2>&1   # warm-up
declare -A total
measure() { # name path [header]
  local out
  out=$(wrk -t1 -c16 -d"${DURATION}s" ${3:+-H "$3"} "$BASE$2" 2>&1)
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers for $2" >&2; echo "$out" >&2; exit 1; fi
  total[$1]=$(python3 -c "print(${total[$1]:-0} + $(echo "$out" | awk '/Requests\/sec/ {print $2}'))")
}
for _ in $(seq 1 "$ROUNDS"); do
  measure health /health
  measure user /users/bench-user "$AUTH"
done
python3 - "$ROUNDS" "${total[health]}" "${total[user]}" <<'PY'
import sys
rounds = int(sys.argv[1])
health, user = (float(v) / rounds for v in sys.argv[2:])
rows = [("GET /health", health, None),
        ("GET /users/{id} (stored user with token + subscription)", user, 0.6)]
print(f"{'route':58} {'req/s':>7} {'ratio':>6}  budget")
for name, r, budget in rows:
    ratio = r / health
    mark = "" if budget is None else f">= {budget} " + ("ok" if ratio >= budget else "MISSED")
    print(f"{name:58} {r:7.0f} {ratio:6.2f}  {mark}")
PY
