# Rampart build, run and test. Every tool step installs only what is missing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
SITE := target/site
PKG := $(SITE)/pkg
NODE_BIN := end2end/node_modules/.bin
WASM_OPT := $(NODE_BIN)/wasm-opt
CARGO_BIN := $(HOME)/.cargo/bin
E2E_PORT ?= 3100
E2E_DB_DIR := target/e2e
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := odata_query ingest_batch graph_import

# Brotli at its highest quality, by Node's zlib (no other tool needed): FILE -> FILE.br.
export BROTLI := const z = require("zlib"), fs = require("fs"), f = process.argv[1]; \
	fs.writeFileSync(f + ".br", z.brotliCompressSync(fs.readFileSync(f), \
	{ params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(f).size } }));

.PHONY: api-fuzz bench fuzz run screenshots build wasm-target tools tools-test assets frontend server test test-rust test-e2e lint fmt clean-data

## make run: build in release and serve on http://127.0.0.1:3000 with the demo data.
run: build
	./target/release/rampart serve --demo --public-url http://127.0.0.1:3000

build: tools frontend assets server

# The wasm target alone: the lint of the front end needs it, on a machine that never built.
wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

tools: wasm-target
	@if [ "$$($(CARGO_BIN)/wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@if [ ! -x $(WASM_OPT) ] || [ ! -x $(NODE_BIN)/esbuild ] || [ end2end/package.json -nt end2end/node_modules/.package-lock.json ]; then \
		(cd end2end && npm ci --no-audit --no-fund); \
	fi

# Debian's Chromium, for the browser tests only (never Playwright's own download), and
# Debian's aiosmtpd, the real SMTP server the share tests send email to.
tools-test: tools
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@python3 -c 'import aiosmtpd' 2>/dev/null || /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd)

frontend:
	cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
	mkdir -p $(PKG)
	$(CARGO_BIN)/wasm-bindgen --target web --no-typescript --out-dir $(PKG) --out-name rampart \
		target/wasm32-unknown-unknown/wasm-release/frontend.wasm
	$(WASM_OPT) -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
		$(PKG)/rampart_bg.wasm -o $(PKG)/rampart_bg.wasm

assets:
	mkdir -p $(SITE)
	cp style/rampart.css public/favicon.ico $(SITE)/
	@# Only the chart types and components the pages draw (end2end/build/echarts.js).
	$(NODE_BIN)/esbuild end2end/build/echarts.js --bundle --minify --format=iife --global-name=echarts \
		--log-level=warning --outfile=$(SITE)/echarts.min.js
	@# The page script (charts, pages in place, the flyout's keys), minified.
	$(NODE_BIN)/esbuild frontend/js/pages.js --minify --log-level=warning --outfile=$(SITE)/pages.js
	@# Precompressed copies: the server sends brotli or gzip to browsers that take them.
	for f in $(SITE)/rampart.css $(SITE)/echarts.min.js $(SITE)/pages.js $(PKG)/rampart.js $(PKG)/rampart_bg.wasm; do \
		[ -f "$$f" ] && gzip -9 -k -f "$$f" && node -e "$$BROTLI" "$$f"; \
	done

server:
	cargo build -p server --release

## make test: every test — Rust unit, storage (SQLite, and PostgreSQL when
## TEST_DATABASE_URL is set), HTTP, and the browser tests.
# The tests run on debug builds (the browser tests on the debug `rampart` that `cargo test`
# builds anyway), so a test run never waits for a release build of the server.
test: tools-test frontend assets test-rust test-e2e

# One test at a time inside each test binary: the HTTP tests render pages concurrently in
# one process otherwise, and a rare stall was seen that way.
test-rust:
	cargo test --workspace --exclude frontend -- --test-threads=1

test-e2e:
	cargo build -p server --bin rampart
	rm -rf $(E2E_DB_DIR) && mkdir -p $(E2E_DB_DIR)
	cd end2end && E2E_PORT=$(E2E_PORT) npx playwright test

lint: wasm-target
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

fmt:
	cargo fmt --all

clean-data:
	rm -rf data

## make bench: the figures of docs/performance.md (release build, SQLite in a temp dir).
bench:
	cargo run --release -p server --bin bench
	cargo run --release -p server --bin bench_ingest
	cargo run --release -p server --bin bench_graph
	cargo run --release -p server --bin bench_pages
	cargo run --release -p server --bin bench_actions
	cargo run --release -p server --bin bench_import_memory
	cargo run --release -p server --bin bench_portfolio

## make fuzz: each fuzz target in fuzz/ for FUZZ_SECONDS (default 600), one after another,
## on one core (docs/security.md, Fuzzing). Not part of test or lint.
# cargo fuzz passes nightly-only flags (the sanitizer, coverage passes); RUSTC_BOOTSTRAP lets
# the stable toolchain take them. Release code with debug assertions, so overflows panic;
# 16 codegen units keep the first build of the server's dependencies tolerable on 2 cores.
## make screenshots: the README's pictures of the demo data, into docs/screenshots/.
screenshots: tools frontend assets
	cargo build -p server --bin rampart
	cd end2end && node screenshots.mjs

## make api-fuzz: schemathesis (PyPI, in target/api-fuzz/venv) against the OpenAPI document
## of a demo server: allowed requests all accepted and answered as documented, none a 5xx.
## Not part of test: it draws new requests each day the demo data moves (docs/graph-api.md).
API_FUZZ_EXAMPLES ?= 200
api-fuzz:
	fuzz/api/run $(API_FUZZ_EXAMPLES)

FUZZ_FLAGS := --fuzz-dir fuzz -O --debug-assertions --codegen-units 16
fuzz:
	@[ -x $(CARGO_BIN)/cargo-fuzz ] || cargo install cargo-fuzz --locked
	for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t; \
		RUSTC_BOOTSTRAP=1 cargo fuzz run $(FUZZ_FLAGS) $$t fuzz/corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1; \
	done
