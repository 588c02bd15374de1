#!/usr/bin/env bash
# Starts a throwaway local edge for tests and benchmarks: applies the D1 migrations into a
# fresh state directory, then runs wrangler dev (workerd with local D1/DO/Queues) in the
# foreground. Usage: scripts/local-edge.sh PORT INSPECTOR_PORT STATE_DIR ENV_FILE
set -euo pipefail
port=$1 inspector=$2 state=$3 env_file=$4
here=$(cd "$(dirname "$0")" && pwd)
# Locally every user's Durable Object is a SQLite file in this one process (three descriptors
# each): a 10,000-user bulk job needs more than the usual limit. Raise it when allowed.
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$here/wrangler" d1 migrations apply DB --local --persist-to "$state" >/dev/null
exec "$here/wrangler" dev --local --ip 127.0.0.1 --port "$port" --inspector-port "$inspector" \
  --persist-to "$state" --env-file "$env_file" --show-interactive-dev-session=false --log-level warn
