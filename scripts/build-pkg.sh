#!/usr/bin/env bash
# Builds the npm package `tidings` into pkg/ (git-ignored): the core crate + src/browser/ as one
# wasm module, with wasm-pack (--target web: an ES module that works unbundled in pages and
# module service workers, and in bundlers), wasm-opt -Oz from binaryen 132 (node_modules/.bin),
# TypeScript types. Then prints the size budget: esbuild-minified JS + wasm, gzip -9.
# Usage: scripts/build-pkg.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say() { printf '[pkg] %s\n' "$*"; }

[ "$(wasm-pack --version 2>/dev/null)" = "wasm-pack 0.15.1" ] || {
  say "cargo install wasm-pack 0.15.1 (a few minutes, once)"
  cargo install wasm-pack --version 0.15.1 --locked; }
[ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/esbuild ] || {
  say "npm ci (binaryen 132, esbuild)"; npm ci --no-audit --no-fund --loglevel=error; }
case "$(wasm-opt --version)" in *132*) ;; *) echo "wasm-opt on PATH is not binaryen 132" >&2; exit 1 ;; esac

rm -rf pkg
wasm-pack build --release --target web --mode no-install --weak-refs --out-dir pkg --out-name tidings \
  --no-pack -- --features browser
node scripts/shrink-wasm.mjs pkg/tidings_bg.wasm pkg/tidings_bg.snipped.wasm
wasm-opt -Oz -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue --strip-debug --strip-producers --strip-target-features \
  pkg/tidings_bg.snipped.wasm -o pkg/tidings_bg.wasm
rm pkg/tidings_bg.snipped.wasm
# The entry: wasm-bindgen's loader (renamed wasm.js) exports only the wasm's FeedCore; the API is
# the JS of src/browser/ (wasm-bindgen snippets), typed by pkg-template/tidings.d.ts.
mv pkg/tidings.js pkg/wasm.js
rm -f pkg/tidings.d.ts pkg/tidings_bg.wasm.d.ts
api=$(cd pkg && ls snippets/*/src/browser/client.js)
for f in bindings feed push; do [ -f "pkg/$(dirname "$api")/$f.js" ] || { echo "pkg: $f.js is missing from the snippets" >&2; exit 1; }; done
cat > pkg/tidings.js <<JS
// The package's entry: the API (plain JS) and the loader of its wasm module (await init() once).
export { default, initSync } from "./wasm.js";
export { TidingsClient, PushClient, Feed, handlePush, handleNotificationClick, handleSubscriptionChange } from "./$api";
JS
cp pkg-template/tidings.d.ts pkg/tidings.d.ts
# `tidings/react`: the hooks (React is a peer dependency, out of the main entry).
cp pkg-template/react.js pkg-template/react.d.ts pkg/
# The package's own package.json and README (wasm-pack would copy the project README).
rm -f pkg/.gitignore
cp pkg-template/README.md pkg/README.md
node -e '
  const fs = require("fs");
  const tpl = JSON.parse(fs.readFileSync("pkg-template/package.json", "utf8"));
  const cargo = fs.readFileSync("Cargo.toml", "utf8");
  tpl.version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(tpl, null, 2) + "\n");
'

# Size: what a page downloads (minified JS + optimized wasm), each gzip -9.
# --bundle: the glue and the JS modules it imports (pkg/snippets/), as one file.
js_min=$(esbuild pkg/tidings.js --bundle --minify --format=esm --log-level=error | gzip -9 | wc -c)
wasm_raw=$(wc -c < pkg/tidings_bg.wasm)
wasm_gz=$(gzip -9 -c pkg/tidings_bg.wasm | wc -c)
total=$((js_min + wasm_gz))
say "wasm $wasm_raw B raw; gzip -9: wasm $wasm_gz B + minified JS $js_min B = $total B (budget 25600 B)"

# The demo page (www/, served by the worker) loads the package from /pkg/.
rm -rf www/pkg
cp -r pkg www/pkg
