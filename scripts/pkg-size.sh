#!/usr/bin/env bash
# The browser package's size, part by part (gzip -9 of each, the JS minified with esbuild as
# build-pkg.sh's total), beside the Knock client's (npm @knocklabs/client, a dev dependency for
# `make bench` only, bundled and minified the same way). Run after scripts/build-pkg.sh.
# Usage: scripts/pkg-size.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
gz() { gzip -9 | wc -c; }
min() { esbuild "$@" --minify --format=esm --log-level=error; }
api=$(cd pkg && dirname "$(ls snippets/*/src/browser/client.js)")
ours_js=$(min pkg/tidings.js --bundle | gz)
ours_wasm=$(gzip -9 -c pkg/tidings_bg.wasm | wc -c)   # as build-pkg.sh counts it (with the name)
ours=$((ours_js + ours_wasm))
knock=$(echo 'export * from "@knocklabs/client"; export { default } from "@knocklabs/client";' |
  esbuild --bundle --minify --format=esm --platform=browser --log-level=error | gz)
knock_version=$(node -p 'require("@knocklabs/client/package.json").version')
echo "Browser package size (gzip -9; JS minified with esbuild, each part alone):"
printf '  %-44s %6d B\n' "wasm (FeedCore: the feed's state machine)" "$ours_wasm"
printf '  %-44s %6d B\n' "wasm.js (wasm-bindgen's loader and glue)" "$(min pkg/wasm.js | gz)"
for f in client feed push bindings; do
  printf '  %-44s %6d B\n' "$f.js" "$(min "pkg/$api/$f.js" | gz)"
done
printf '  %-44s %6d B   budget 25600 B %s\n' "total (JS bundled + wasm)" "$ours" "$([ "$ours" -le 25600 ] && echo ok || echo MISSED)"
printf '  %-44s %6d B   %s\n' "Knock client $knock_version (@knocklabs/client)" "$knock" \
  "$([ "$ours" -lt "$knock" ] && echo "ours is smaller: ok" || echo "ours is not smaller: MISSED")"
