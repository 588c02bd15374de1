#!/usr/bin/env bash
# The npm package's test tier: builds the worker (if not built) and the package, starts a
# throwaway edge (scripts/local-edge.sh, fresh keys and state), then runs
#   1. wasm-bindgen tests in headless Chromium: tests/browser/page.rs (page) and
#      tests/browser/service_worker.rs (inside a module service worker), against that edge;
#   2. tsc --noEmit on a TypeScript consumer of pkg/ (tests/browser/consumer.ts);
#   3. node --test tests/browser/node-import.test.mjs (the package imports and instantiates).
# The edge's process group is killed on exit, however the script exits.
# Usage: scripts/test-browser.sh            (KEEP_TMP=1 keeps the edge's state and log)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say() { printf '[browser-test] %s\n' "$*"; }

[ -f worker/build/index.js ] || { say "building the worker"; scripts/build-worker.sh; }
scripts/build-pkg.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tidings-browser-XXXXXX")
edge=""
cleanup() {
  if [ -n "$edge" ]; then
    kill -TERM -- "-$edge" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$edge" 2>/dev/null || true
  fi
  if [ "${KEEP_TMP:-}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
node scripts/dev-vars.mjs "$tmp/test.vars" >/dev/null
port=$(free_port)
inspector=$(free_port)
# Own process group (job control), so cleanup can kill wrangler and workerd together.
set -m
scripts/local-edge.sh "$port" "$inspector" "$tmp/state" "$tmp/test.vars" >"$tmp/wrangler.log" 2>&1 &
edge=$!
set +m
base="http://127.0.0.1:$port"
say "edge on $base (log: $tmp/wrangler.log)"
for _ in $(seq 1 360); do
  curl -sf "$base/health" >/dev/null 2>&1 && break
  kill -0 "$edge" 2>/dev/null || { cat "$tmp/wrangler.log"; say "the edge exited"; exit 1; }
  sleep 0.25
done
curl -sf "$base/health" >/dev/null || { cat "$tmp/wrangler.log"; say "the edge did not become healthy in 90 s"; exit 1; }

var() { grep "^$1=" "$tmp/test.vars" | cut -d= -f2-; }
export TIDINGS_TEST_BASE_URL="$base"
TIDINGS_TEST_PUBLIC_KEY=$(var TIDINGS_PUBLIC_KEY)
TIDINGS_TEST_SECRET_KEY=$(var TIDINGS_SECRET_KEY)
TIDINGS_TEST_USER_TOKEN_SECRET=$(var TIDINGS_USER_TOKEN_SECRET)
export TIDINGS_TEST_PUBLIC_KEY TIDINGS_TEST_SECRET_KEY TIDINGS_TEST_USER_TOKEN_SECRET
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/tests/browser/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"

failed=()
say "wasm-bindgen tests in headless Chromium (page, service worker)"
(cd tests/browser && CARGO_TARGET_DIR="$root/target" cargo test --target wasm32-unknown-unknown --no-fail-fast) ||
  failed+=("wasm-bindgen tests")
say "tsc --noEmit on tests/browser/consumer.ts"
tsc -p tests/browser/tsconfig.json || failed+=("tsc")
say "node --test tests/browser/node-import.test.mjs"
node --test tests/browser/node-import.test.mjs || failed+=("node import test")

if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]}"
  exit 1
fi
say "all browser tests passed"
