#!/usr/bin/env bash
# The API contract tier: schemathesis (pinned in scripts/setup.sh, in .venv) reads /openapi.json
# from a throwaway local edge and sends what it generates from it: the documented examples,
# boundary and invalid values of every parameter and body (coverage), random valid and invalid
# requests (fuzzing) and sequences that follow the document's links (stateful: POST /users ->
# GET/PUT/DELETE /users/{id} -> GET /operations/{id}, POST /bulk -> /bulk/{id}/..., POST
# /notifications -> the deliveries). Every check runs (server errors, status codes, content types,
# response schemas and headers, valid data accepted, invalid data refused, missing headers,
# unsupported methods and Allow, auth enforced, resources available after creation) and any
# finding fails the tier. Left out, with their reasons:
#  - /users/{userId}/feed/socket: a WebSocket upgrade, not an HTTP exchange (tests/e2e/realtime.rs
#    covers it);
#  - /dev/*: dev-mode-only helpers for the demo page and benchmarks, not the production API.
# Usage: scripts/test-contract.sh [extra st run options]  (CONTRACT_EXAMPLES=n per operation,
# CONTRACT_SEED=s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x .venv/bin/st ] || scripts/setup.sh

if [ -z "${TIDINGS_TEST_BASE_URL:-}" ]; then
  exec scripts/with-edge.sh "$0" "$@"
fi

examples=${CONTRACT_EXAMPLES:-10}
seed=${CONTRACT_SEED:-20261130}
out=$(mktemp -d "${TMPDIR:-/tmp}/tidings-contract-XXXXXX")
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
status=0
PYTHONPATH="$root/tests/contract" SCHEMATHESIS_HOOKS=hooks \
  "${CONTRACT_ST:-.venv/bin/st}" --config-file tests/contract/schemathesis.toml run "$TIDINGS_TEST_BASE_URL/openapi.json" \
  --url "$TIDINGS_TEST_BASE_URL" \
  --header "Authorization: Bearer $TIDINGS_TEST_SECRET_KEY" \
  --phases examples,coverage,fuzzing,stateful \
  --checks all \
  --mode all \
  --max-examples "$examples" \
  --seed "$seed" \
  --workers 2 \
  --exclude-path-regex '^/dev/' \
  --exclude-operation-id feedSocket \
  --request-timeout 30 \
  --no-color \
  "$@" 2>&1 | tee "$out/st.log" || status=$?
generated=$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$out/st.log" | tail -1)
echo "[contract] ${generated:-?} requests generated from the document, $(( $(date +%s) - start )) s, exit $status"
exit "$status"
