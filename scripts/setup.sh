#!/usr/bin/env bash
# Installs what `make dev`, `make test` and `make bench` need, skipping whatever is already
# there at the right version. Safe to run on every invocation (a no-op takes about a second).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[setup] %s\n' "$*"; }

# Debian packages: pkg-config + libssl-dev (to build worker-build), wrk (benchmarks),
# chromium + chromium-driver (browser tests), openssl (the fake SNS's certificate and the SNS
# signature test are made with its command line).
missing=()
for pkg in pkg-config libssl-dev wrk chromium chromium-driver openssl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  say "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }

# Cargo tools, pinned to the versions Cargo.lock and TOOLCHAIN.md agree on.
[ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen 0.2.130" ] || {
  say "cargo install wasm-bindgen-cli 0.2.130 (a few minutes, once)"
  cargo install wasm-bindgen-cli --version 0.2.130 --force; }
[ "$(wasm-pack --version 2>/dev/null)" = "wasm-pack 0.15.1" ] || {
  say "cargo install wasm-pack 0.15.1 (a few minutes, once)"
  cargo install wasm-pack --version 0.15.1 --locked --force; }
[ "$(worker-build --version 2>/dev/null)" = "0.8.7" ] || {
  say "cargo install worker-build 0.8.7 (a few minutes, once)"
  cargo install worker-build --version 0.8.7 --locked --force; }

# npm tools: wrangler, Node 22 for it, wasm-opt (binaryen 132), esbuild.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Python: schemathesis, the API fuzzer of scripts/test-contract.sh, pinned, in .venv, on Python
# 3.12+ when there is one (pyenv's, else the system's): under 3.11 its generator hits a CPython
# bug (SystemError "AST constructor recursion depth mismatch") on deep request bodies.
SCHEMATHESIS=4.32.5
py=python3
for candidate in python3.12 python3.13 "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3 \
  "$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3; do
  if "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then py=$candidate; break; fi
done
if [ "$(.venv/bin/st --version 2>/dev/null)" != "st, version $SCHEMATHESIS" ] ||
  [ "$(.venv/bin/python --version 2>/dev/null)" != "$("$py" --version 2>/dev/null)" ]; then
  if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "apt-get install python3-venv"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
  fi
  say "pip install schemathesis==$SCHEMATHESIS into .venv ($("$py" --version), once)"
  rm -rf .venv
  "$py" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS"
fi
