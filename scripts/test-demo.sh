#!/usr/bin/env bash
# The demo page's end-to-end tests: real Chromium (playwright-core, /usr/bin/chromium) on the
# demo page served by a throwaway edge (scripts/local-edge.sh, fresh keys and state), with a
# local push service. Writes test-results/demo.png. Builds the worker and the package if needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf '[demo-test] %s\n' "$*"; }

[ -f worker/build/index.js ] || scripts/build-worker.sh
[ -f www/pkg/tidings.js ] || scripts/build-pkg.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tidings-demo-XXXXXX")
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
port=$(free_port)
set -m
scripts/local-edge.sh "$port" "$(free_port)" "$tmp/state" "$tmp/test.vars" >"$tmp/wrangler.log" 2>&1 &
edge=$!
set +m
base="http://127.0.0.1:$port"
for _ in $(seq 1 360); do
  curl -sf "$base/health" >/dev/null 2>&1 && break
  kill -0 "$edge" 2>/dev/null || { cat "$tmp/wrangler.log"; say "the edge exited"; exit 1; }
  sleep 0.25
done
curl -sf "$base/health" >/dev/null || { cat "$tmp/wrangler.log"; say "the edge did not become healthy"; exit 1; }

export TIDINGS_TEST_BASE_URL="$base"
TIDINGS_TEST_SECRET_KEY=$(sed -n 's/^TIDINGS_SECRET_KEY=//p' "$tmp/test.vars")
export TIDINGS_TEST_SECRET_KEY
say "edge on $base"
node --test --test-concurrency=1 tests/demo/ || { say "edge log:"; tail -50 "$tmp/wrangler.log"; exit 1; }
