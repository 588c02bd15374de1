#!/usr/bin/env bash
# The demo page's end-to-end tests: real Chromium (playwright-core, /usr/bin/chromium) on the
# demo page served by a throwaway edge, with a local push service. Writes test-results/demo.png.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f www/pkg/tidings.js ] || scripts/build-pkg.sh
exec scripts/with-edge.sh node --test --test-concurrency=1 tests/demo/
