#!/usr/bin/env bash
# Builds the edge worker (worker/build/) with worker-build, using the pinned local tools
# instead of letting worker-build download its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/worker"
export WASM_BINDGEN_BIN=wasm-bindgen
export WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$root/node_modules/.bin/esbuild"
exec worker-build --release
