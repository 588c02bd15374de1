#!/usr/bin/env bash
# Runs a command against a throwaway local edge: fresh random keys (dev mode on), a fresh state
# directory, free ports; the edge's process group is killed when the command ends, however it
# ends. The command sees TIDINGS_TEST_BASE_URL, TIDINGS_TEST_SECRET_KEY, TIDINGS_TEST_PUBLIC_KEY,
# TIDINGS_TEST_USER_TOKEN_SECRET, and TIDINGS_TEST_VARS (the file with every key).
# TIDINGS_EDGE_VARS (lines of NAME=value), if set, is added to the edge's configuration.
# Usage: scripts/with-edge.sh COMMAND [ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -f worker/build/index.js ] || scripts/build-worker.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tidings-edge-XXXXXX")
edge=""
cleanup() {
  if [ -n "$edge" ]; then
    kill -TERM -- "-$edge" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$edge" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
node scripts/dev-vars.mjs "$tmp/test.vars" >/dev/null
[ -z "${TIDINGS_EDGE_VARS:-}" ] || printf '%s\n' "$TIDINGS_EDGE_VARS" >>"$tmp/test.vars"
port=$(free_port)
set -m   # own process group, so cleanup kills wrangler and workerd together
scripts/local-edge.sh "$port" "$(free_port)" "$tmp/state" "$tmp/test.vars" >"$tmp/wrangler.log" 2>&1 &
edge=$!
set +m
base="http://127.0.0.1:$port"
for _ in $(seq 1 360); do
  curl -sf "$base/health" >/dev/null 2>&1 && break
  kill -0 "$edge" 2>/dev/null || { cat "$tmp/wrangler.log"; echo "the edge exited" >&2; exit 1; }
  sleep 0.25
done
curl -sf "$base/health" >/dev/null || { cat "$tmp/wrangler.log"; echo "the edge did not become healthy" >&2; exit 1; }

var() { sed -n "s/^$1=//p" "$tmp/test.vars"; }
export TIDINGS_TEST_BASE_URL="$base" TIDINGS_TEST_VARS="$tmp/test.vars"
TIDINGS_TEST_SECRET_KEY=$(var TIDINGS_SECRET_KEY)
TIDINGS_TEST_PUBLIC_KEY=$(var TIDINGS_PUBLIC_KEY)
TIDINGS_TEST_USER_TOKEN_SECRET=$(var TIDINGS_USER_TOKEN_SECRET)
export TIDINGS_TEST_SECRET_KEY TIDINGS_TEST_PUBLIC_KEY TIDINGS_TEST_USER_TOKEN_SECRET
echo "[edge] $base (dev mode, fresh state)"
status=0
"$@" || status=$?
[ "$status" -eq 0 ] || { echo "[edge] the command failed ($status); the edge's log ends:"; tail -40 "$tmp/wrangler.log"; }
exit "$status"
