# Tidings: `make dev` serves the API and the demo page on http://127.0.0.1:8787;
# `make test` runs every test tier. Both install what is missing first (scripts/setup.sh).
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
PORT ?= 8787

.PHONY: dev test setup build lint bench deploy clean pkg browser-test

dev: setup build pkg
	node scripts/dev-vars.mjs
	scripts/wrangler d1 migrations apply DB --local
	scripts/wrangler dev --local --ip 127.0.0.1 --port $(PORT) --show-interactive-dev-session=false

# The tiers run side by side (scripts/test-tiers.sh): native + end-to-end | browser, then demo |
# API contract; each has its own throwaway edge and fakes on free ports.
test: setup lint build
	scripts/test-tiers.sh

setup:
	@scripts/setup.sh

# Rebuilt only when a source changed, so a second `make dev` starts in seconds.
CORE_SOURCES := $(shell find src -type f) Cargo.toml Cargo.lock
WORKER_SOURCES := $(CORE_SOURCES) $(shell find worker/src worker/migrations -type f) worker/Cargo.toml

build: worker/build/index.js

worker/build/index.js: $(WORKER_SOURCES)
	scripts/build-worker.sh
	@touch $@

lint:
	cargo fmt --all -- --check
	cargo fmt --manifest-path tests/browser/Cargo.toml -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p tidings-worker --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p tidings --features browser --target wasm32-unknown-unknown -- -D warnings

bench: setup build
	scripts/bench.sh

deploy: setup build
	scripts/wrangler d1 migrations apply DB --remote
	scripts/wrangler deploy

clean:
	rm -rf target worker/build worker/.wrangler pkg www/pkg

# The npm package `tidings` (core + src/browser/, wasm-pack) into pkg/, with its size.
pkg: setup www/pkg/tidings.js

www/pkg/tidings.js: $(CORE_SOURCES) $(shell find pkg-template -type f) scripts/build-pkg.sh
	scripts/build-pkg.sh
	@touch $@

# The package's tests: wasm-bindgen tests in headless Chromium (page + service worker) against a
# throwaway edge, tsc on a TypeScript consumer, a Node import test.
browser-test: setup build
	scripts/test-browser.sh
