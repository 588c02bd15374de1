#!/usr/bin/env bash
# Every test tier of `make test`, the independent ones side by side (each starts its own
# throwaway edge and fakes on free ports, so none shares a port with another):
#   native + end-to-end (cargo test --workspace) | browser, then demo | API contract.
# Each tier's output goes to target/tiers/<tier>.log and is printed whole when the tier ends;
# the run fails if any tier failed, naming it. TIERS="native browser contract" picks some.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs="$root/target/tiers"
mkdir -p "$logs"
say() { printf '\n== %s\n' "$*"; }

tier() { # NAME COMMAND...
  local name=$1
  shift
  local start=$SECONDS
  if "$@" >"$logs/$name.log" 2>&1; then
    echo "ok $((SECONDS - start))" >"$logs/$name.status"
  else
    echo "FAILED $((SECONDS - start))" >"$logs/$name.status"
  fi
}

native() { cargo test --workspace; }
browser() { scripts/test-browser.sh && scripts/test-demo.sh; }
contract() { scripts/test-contract.sh; }

pids=()
names=()
for name in ${TIERS:-native browser contract}; do
  rm -f "$logs/$name.status"
  tier "$name" "$name" &
  pids+=($!)
  names+=("$name")
done
failed=()
for i in "${!pids[@]}"; do
  wait "${pids[$i]}"
  name=${names[$i]}
  say "tier $name: $(cat "$logs/$name.status" 2>/dev/null || echo 'FAILED (no status)') s"
  cat "$logs/$name.log"
  grep -q '^ok' "$logs/$name.status" 2>/dev/null || failed+=("$name")
done
say "tiers: ${names[*]}; failed: ${failed[*]:-none}"
[ ${#failed[@]} -eq 0 ]
